package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
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

// writeFieldError answers 400 naming the field that failed validation.
func writeFieldError(w http.ResponseWriter, fe *settings.FieldError) {
	writeJSON(w, http.StatusBadRequest, apiError{Error: fe.Error(), Code: codeBadRequest, Field: fe.Field})
}

// maxBodyBytes caps request bodies; every body the API accepts is small JSON.
const maxBodyBytes = 1 << 20

// decodeJSON reads one JSON value into v, rejecting unknown fields, trailing data and oversized
// bodies, and answers 400 itself; callers return when it reports false.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			writeError(w, http.StatusRequestEntityTooLarge, codeBadRequest, "request body larger than %d bytes", maxBodyBytes)
			return false
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			// A value of the wrong type (3.5 replicas, "2" millicores): name the field.
			writeJSON(w, http.StatusBadRequest, apiError{Code: codeBadRequest, Field: typeErr.Field,
				Error: fmt.Sprintf("invalid JSON body: %s must be %s (got %s)", typeErr.Field, kindName(typeErr.Type), typeErr.Value)})
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

func badField(field, reason string) *settings.FieldError {
	return &settings.FieldError{Field: field, Reason: reason}
}

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
