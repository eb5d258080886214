package refusal

import (
	"errors"
	"fmt"
	"testing"
)

func TestEveryRefusalIsFoundByItsKindThroughWrapping(t *testing.T) {
	gone := Kind(ErrNotFound, "no such schedule")
	busy := Kind(ErrConflict, "pod is being deleted")
	tests := []struct {
		name string
		err  error
		kind error
		text string
	}{
		{"a validation failure is invalid and names its field", Field("days", "must be from 1 to 400"), ErrInvalid, "days: must be from 1 to 400"},
		{"a field refusal of a kind reads as its reason", &FieldError{Field: "pod", Reason: "pod a not found", Kind: gone}, ErrNotFound, "pod a not found"},
		{"a package's not-found sentinel, wrapped with context", fmt.Errorf("%w: s-1", gone), ErrNotFound, "no such schedule: s-1"},
		{"a conflict without a current value", busy, ErrConflict, "pod is being deleted"},
		{"a conflict carrying the current value, wrapped", fmt.Errorf("saving: %w", &Conflict[int]{Current: 7, Message: "at version 7"}), ErrConflict, "saving: at version 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, tt.kind) {
				t.Fatalf("%v is not %v", tt.err, tt.kind)
			}
			for _, other := range []error{ErrInvalid, ErrNotFound, ErrConflict} {
				if !errors.Is(other, tt.kind) && errors.Is(tt.err, other) {
					t.Fatalf("%v is also %v", tt.err, other)
				}
			}
			if tt.err.Error() != tt.text {
				t.Fatalf("text %q, want %q", tt.err.Error(), tt.text)
			}
		})
	}
}

func TestAConflictGivesItsCurrentValueToCodeThatDoesNotKnowItsType(t *testing.T) {
	type row struct{ Version int }
	err := fmt.Errorf("writing: %w", &Conflict[row]{Current: row{Version: 3}, Message: "moved on"})
	c, ok := AsConflict(err)
	if !ok || c.CurrentValue() != (row{Version: 3}) || c.Error() != "moved on" {
		t.Fatalf("AsConflict(%v) = %v, %v", err, c, ok)
	}
	var typed *Conflict[row]
	if !errors.As(err, &typed) || typed.Current.Version != 3 {
		t.Fatalf("the typed conflict is not found: %v", err)
	}
	if _, ok := AsConflict(Kind(ErrConflict, "no current value")); ok {
		t.Fatal("a conflict sentinel has no current value")
	}
}

func TestAsFieldErrorFindsAWrappedValidationFailure(t *testing.T) {
	fe, ok := AsFieldError(fmt.Errorf("cluster prod: %w", Field("to", "must not be before from")))
	if !ok || fe.Field != "to" {
		t.Fatalf("got %v, %v", fe, ok)
	}
	if _, ok := AsFieldError(errors.New("plain")); ok {
		t.Fatal("a plain error is not a field error")
	}
}
