package plugin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

// Error codes of the API's typed errors: {"error": "...", "code": "..."}.
const (
	codeBadRequest       = "bad_request"
	codeForbidden        = "forbidden"
	codeNotFound         = "not_found"
	codeMethodNotAllowed = "method_not_allowed"
	codeConflict         = "conflict"
	codeUnavailable      = "unavailable"
	codeInternal         = "internal"
)

type apiError struct {
	Error string `json:"error"`
	Code  string `json:"code"`
	Field string `json:"field,omitempty"`
	// Current is what a conflicting write was refused against (refusal.Conflict).
	Current any `json:"current,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The status line is already out; an encode failure can only be a broken connection.
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, format string, args ...any) {
	writeJSON(w, status, apiError{Error: fmt.Sprintf(format, args...), Code: code})
}

// maxBodyBytes caps request bodies; every body the API accepts is small JSON.
const maxBodyBytes = 1 << 20

// decodeJSON reads one JSON value into v, rejecting a missing or empty body, a value of the
// wrong kind (null, an array or a scalar where an object is expected), unknown fields, trailing
// data and oversized bodies, and answers 4xx itself; callers return when it reports false.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	return decodeBody(w, r, v, false)
}

// decodeOptionalJSON is decodeJSON for a route whose body may be left out (a backtest of the
// stored row): a missing or blank body leaves v as it is; anything else is held to decodeJSON's
// rules.
func decodeOptionalJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	return decodeBody(w, r, v, true)
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any, optional bool) bool {
	want := bodyKind(reflect.TypeOf(v).Elem())
	// The SDK's HTTP adapter hands over a nil Body when Grafana's request carries no bytes.
	if r.Body == nil || r.Body == http.NoBody {
		if optional {
			return true
		}
		writeError(w, http.StatusBadRequest, codeBadRequest, "request body is empty: expected %s", want)
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			writeError(w, http.StatusRequestEntityTooLarge, codeBadRequest, "request body larger than %d bytes", maxBodyBytes)
			return false
		}
		writeError(w, http.StatusBadRequest, codeBadRequest, "reading the request body: %v", err)
		return false
	}
	body = bytes.TrimLeft(body, " \t\r\n")
	if len(body) == 0 {
		if optional {
			return true
		}
		writeError(w, http.StatusBadRequest, codeBadRequest, "request body is empty: expected %s", want)
		return false
	}
	// null would decode into the zero value and pass for an empty object: the first token must
	// already be what the route expects.
	if got := firstKind(body); got != "" && want != anyJSON && got != want {
		writeError(w, http.StatusBadRequest, codeBadRequest, "invalid JSON body: expected %s, got %s", want, got)
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			// A value of the wrong type (3.5 replicas, "2" millicores): name the field.
			field := bodyField(reflect.TypeOf(v), typeErr.Field)
			writeJSON(w, http.StatusBadRequest, apiError{Code: codeBadRequest, Field: field,
				Error: fmt.Sprintf("invalid JSON body: %s must be %s (got %s)", field, kindName(typeErr.Type), typeErr.Value)})
			return false
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name, _ = strconv.Unquote(name)
			writeJSON(w, http.StatusBadRequest, apiError{Code: codeBadRequest, Field: name,
				Error: fmt.Sprintf("invalid JSON body: unknown field %q", name)})
			return false
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			writeError(w, http.StatusBadRequest, codeBadRequest, "invalid JSON body: it ends before %s is complete (truncated?)", want)
			return false
		}
		writeError(w, http.StatusBadRequest, codeBadRequest, "invalid JSON body: %v", err)
		return false
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, codeBadRequest, "invalid JSON body: more than one value")
		return false
	}
	return true
}

// bodyField turns the decoder's path of a field into the body's: the decoder puts the Go name of
// an embedded struct in front of its fields ("ClusterSettings.days"), which the body has at the
// level of the embedding struct ("days").
func bodyField(t reflect.Type, path string) string {
	var out []string
	for _, seg := range strings.Split(path, ".") {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			out, t = append(out, seg), nil
			continue
		}
		if f, ok := t.FieldByName(seg); ok && f.Anonymous && f.Tag.Get("json") == "" {
			t = f.Type
			continue
		}
		out, t = append(out, seg), jsonFieldType(t, seg)
	}
	return strings.Join(out, ".")
}

// jsonFieldType is the type of t's field (promoted ones included) that JSON names name; nil when
// there is none.
func jsonFieldType(t reflect.Type, name string) reflect.Type {
	for _, f := range reflect.VisibleFields(t) {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name || (tag == "" && strings.EqualFold(f.Name, name)) {
			return f.Type
		}
	}
	return nil
}

const anyJSON = "a JSON value"

// bodyKind names the JSON value a decode target needs; anyJSON for targets whose kind the
// decoder alone checks.
func bodyKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "a JSON object"
	case reflect.Slice, reflect.Array:
		return "a JSON array"
	}
	return anyJSON
}

// firstKind names, as bodyKind does, the kind of the JSON value b starts with; "" when b starts
// no value (the decoder then reports the syntax error).
func firstKind(b []byte) string {
	switch c := b[0]; {
	case c == '{':
		return "a JSON object"
	case c == '[':
		return "a JSON array"
	case c == '"':
		return "a JSON string"
	case bytes.HasPrefix(b, []byte("true")) || bytes.HasPrefix(b, []byte("false")):
		return "a JSON boolean"
	case bytes.HasPrefix(b, []byte("null")):
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a JSON number"
	}
	return ""
}

func badField(field, reason string) *refusal.FieldError { return refusal.Field(field, reason) }

// kindName says in words what a JSON value decoding into t must be.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer in range"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a " + t.String()
}
