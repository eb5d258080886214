package plugin

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type decodeTarget struct {
	Name     string `json:"name"`
	Replicas int    `json:"replicas"`
}

// decodeJSON is the one place request bodies are read. The SDK's HTTP adapter hands a nil Body
// to the handler when Grafana's request carries no bytes; that, and every malformed body, must be
// a 4xx naming the problem, never a panic or a zero value passed on as if it had been sent.
func TestDecodeJSONAnswers4xxForEveryBadBody(t *testing.T) {
	tests := []struct {
		name      string
		body      func() *http.Request
		status    int
		msg       string
		wantField string
	}{
		{"nil body (the SDK adapter with no bytes)", withBody(nil), 400, "request body is empty: expected a JSON object", ""},
		{"http.NoBody", withBody(http.NoBody), 400, "request body is empty: expected a JSON object", ""},
		{"zero bytes", withText(""), 400, "request body is empty: expected a JSON object", ""},
		{"only whitespace", withText(" \n\t "), 400, "request body is empty: expected a JSON object", ""},
		{"null", withText("null"), 400, "expected a JSON object, got null", ""},
		{"an array", withText("[]"), 400, "expected a JSON object, got a JSON array", ""},
		{"a string", withText(`"api"`), 400, "expected a JSON object, got a JSON string", ""},
		{"a number", withText("3"), 400, "expected a JSON object, got a JSON number", ""},
		{"a boolean", withText("true"), 400, "expected a JSON object, got a JSON boolean", ""},
		{"truncated", withText(`{"name":"api","repl`), 400, "ends before a JSON object is complete", ""},
		{"not JSON", withText(`name=api`), 400, "invalid JSON body: invalid character", ""},
		{"a wrong type", withText(`{"replicas":"3"}`), 400, "replicas must be an integer in range (got string)", "replicas"},
		{"an unknown field", withText(`{"name":"api","replica":3}`), 400, `unknown field "replica"`, "replica"},
		{"two values", withText(`{"name":"api"} {}`), 400, "more than one value", ""},
		{"1 MiB + 1 bytes", withText(`{"name":"` + strings.Repeat("a", maxBodyBytes-10) + `"}`), 413, "request body larger than 1048576 bytes", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			v := decodeTarget{Name: "untouched"}
			if decodeJSON(w, tt.body(), &v) {
				t.Fatalf("accepted, decoded %+v", v)
			}
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			var e apiError
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
				t.Fatalf("not a typed error: %s", w.Body)
			}
			if e.Code != codeBadRequest || !strings.Contains(e.Error, tt.msg) || e.Field != tt.wantField {
				t.Fatalf("got %+v, want code %s, %q and field %q", e, codeBadRequest, tt.msg, tt.wantField)
			}
		})
	}
}

func TestDecodeJSONAcceptsOneObject(t *testing.T) {
	w := httptest.NewRecorder()
	var v decodeTarget
	if !decodeJSON(w, withText(" \n"+`{"name":"api","replicas":3}`+"\n")(), &v) {
		t.Fatalf("refused: %s", w.Body)
	}
	if v != (decodeTarget{Name: "api", Replicas: 3}) {
		t.Fatalf("decoded %+v", v)
	}
	// A list target wants an array first; an object there is of the wrong kind.
	var list []decodeTarget
	if !decodeJSON(httptest.NewRecorder(), withText(`[{"name":"a"}]`)(), &list) || len(list) != 1 {
		t.Fatalf("array into a list: %+v", list)
	}
	w = httptest.NewRecorder()
	if decodeJSON(w, withText(`{}`)(), &list) || !strings.Contains(w.Body.String(), "expected a JSON array, got a JSON object") {
		t.Fatalf("object into a list: %d %s", w.Code, w.Body)
	}
}

// withBody sets Body as given; nil is what the SDK's adapter builds (http.NewRequest with a nil
// reader), which httptest.NewRequest would replace with http.NoBody.
func withBody(b io.ReadCloser) func() *http.Request {
	return func() *http.Request {
		r := httptest.NewRequest("POST", "/v1/control", nil)
		r.Body = b
		return r
	}
}

func withText(s string) func() *http.Request {
	return func() *http.Request { return httptest.NewRequest("POST", "/v1/control", strings.NewReader(s)) }
}

type Defaults struct {
	Days int `json:"days"`
}

type withEmbedded struct {
	Defaults
	Items []struct {
		Replicas *int32 `json:"replicas"`
	} `json:"items"`
}

// A wrong type is named by its place in the body, not by the Go struct it lands in.
func TestDecodeJSONNamesTheBodyField(t *testing.T) {
	for body, field := range map[string]string{
		`{"days":"7"}`:                     "days",
		`{"items":[{"replicas":"three"}]}`: "items.replicas",
	} {
		w := httptest.NewRecorder()
		var v withEmbedded
		if decodeJSON(w, withText(body)(), &v) {
			t.Fatalf("%s accepted", body)
		}
		var e apiError
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Field != field || !strings.HasPrefix(e.Error, "invalid JSON body: "+field+" must be") {
			t.Fatalf("%s: got %d %s, want field %q", body, w.Code, w.Body, field)
		}
	}
}
