// Package refusal is the error vocabulary the business packages share for a request they will
// not carry out as asked: a value that fails validation (FieldError), something that does not
// exist (ErrNotFound), and a write based on a version that has moved on (Conflict, carrying the
// current value). A business package says which of these happened; the Grafana adapter
// (pkg/plugin) turns each into one HTTP answer, in one place.
package refusal

import "errors"

// The kinds of refusal; errors.Is matches every refusal of a kind against its sentinel.
var (
	// ErrInvalid: the request itself is wrong (400). Every *FieldError is one.
	ErrInvalid = errors.New("invalid request")
	// ErrNotFound: what the request names does not exist (404).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request does not fit what is there now (409). Every *Conflict is one.
	ErrConflict = errors.New("conflict")
)

// FieldError is a refusal naming the request field at fault (APIs answer it with the field).
// Kind, when set, is the kind of refusal (ErrNotFound, ErrConflict, or a package sentinel of
// one of them); nil is ErrInvalid.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Kind   error  `json:"-"`
}

// Error reads "field: reason" for a validation failure; a refusal of a kind reads as its
// Reason, which already names what it refers to.
func (e *FieldError) Error() string {
	if e.Kind != nil {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// Unwrap gives the kind, so errors.Is(err, ErrNotFound) finds a field refusal of that kind.
func (e *FieldError) Unwrap() error {
	if e.Kind == nil {
		return ErrInvalid
	}
	return e.Kind
}

// Field returns a validation failure of field.
func Field(field, reason string) *FieldError { return &FieldError{Field: field, Reason: reason} }

// AsFieldError reports whether err is (or wraps) a *FieldError and returns it.
func AsFieldError(err error) (*FieldError, bool) {
	var fe *FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}

// Conflict is a write refused because what it was based on has moved on (another writer won,
// the cluster already has a job); Current is what is there now, so the caller can redo its
// change on it. Message is the whole error text.
type Conflict[T any] struct {
	Current T
	Message string
}

func (e *Conflict[T]) Error() string { return e.Message }

// Is makes every Conflict an ErrConflict.
func (e *Conflict[T]) Is(target error) bool { return target == ErrConflict }

// CurrentValue is Current for code that does not know T (the API answers it as "current").
func (e *Conflict[T]) CurrentValue() any { return e.Current }

// WithCurrent is what every *Conflict is, whatever its T.
type WithCurrent interface {
	error
	CurrentValue() any
}

// AsConflict reports whether err is (or wraps) a *Conflict of any T and returns it.
func AsConflict(err error) (WithCurrent, bool) {
	var c WithCurrent
	ok := errors.As(err, &c)
	return c, ok
}

// Kind returns a sentinel for one case of kind (ErrInvalid, ErrNotFound or ErrConflict) with
// its own text, for a package to declare: errors.Is matches it against itself and against kind.
func Kind(kind error, text string) error { return &kindError{text: text, kind: kind} }

type kindError struct {
	text string
	kind error
}

func (e *kindError) Error() string        { return e.text }
func (e *kindError) Is(target error) bool { return target == e.kind }
