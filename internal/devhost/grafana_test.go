package devhost

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func newSettings() (*pluginSettings, *[]map[string]string) {
	applied := &[]map[string]string{}
	s := &pluginSettings{
		jsonData: json.RawMessage(`{"clusters":[{"name":"demo"}]}`),
		secure:   map[string]string{"clusters.demo.kubeconfig": "apiVersion: v1"},
		apply:    func(_ []byte, secure map[string]string) { *applied = append(*applied, secure) },
		log:      slog.New(slog.DiscardHandler),
	}
	return s, applied
}

func call(s http.Handler, method, role, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/api/plugins/kubedoor-capacity-app/settings", strings.NewReader(body))
	if role != "" {
		r.AddCookie(&http.Cookie{Name: "kd_role", Value: role})
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func TestPluginSettings(t *testing.T) {
	tests := []struct {
		name       string
		role       string
		body       string
		wantStatus int
		wantFields map[string]bool
		wantApply  int
	}{
		{"a Viewer may not save settings", "Viewer", `{"jsonData":{}}`, http.StatusForbidden, map[string]bool{"clusters.demo.kubeconfig": true}, 0},
		{"an Editor may not save settings", "Editor", `{"jsonData":{}}`, http.StatusForbidden, map[string]bool{"clusters.demo.kubeconfig": true}, 0},
		{"a broken body is refused", "Admin", `{"jsonData":`, http.StatusBadRequest, map[string]bool{"clusters.demo.kubeconfig": true}, 0},
		{"secrets merge; an emptied one is no longer reported as set", "Admin",
			`{"jsonData":{"clusters":[]},"secureJsonData":{"clickhousePassword":"pw","clusters.demo.kubeconfig":""}}`,
			http.StatusOK, map[string]bool{"clickhousePassword": true}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, applied := newSettings()
			if w := call(s, http.MethodPost, tc.role, tc.body); w.Code != tc.wantStatus {
				t.Fatalf("POST status %d, want %d: %s", w.Code, tc.wantStatus, w.Body)
			}
			if len(*applied) != tc.wantApply {
				t.Fatalf("settings applied %d times, want %d", len(*applied), tc.wantApply)
			}
			w := call(s, http.MethodGet, "Viewer", "")
			var got struct {
				JSONData         json.RawMessage `json:"jsonData"`
				SecureJSONFields map[string]bool `json:"secureJsonFields"`
			}
			body, _ := io.ReadAll(w.Body)
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("GET answer: %v: %s", err, body)
			}
			if strings.Contains(string(body), "apiVersion") || strings.Contains(string(body), `"pw"`) {
				t.Fatalf("GET leaks a secret: %s", body)
			}
			if len(got.SecureJSONFields) != len(tc.wantFields) {
				t.Fatalf("secureJsonFields %v, want %v", got.SecureJSONFields, tc.wantFields)
			}
			for k := range tc.wantFields {
				if !got.SecureJSONFields[k] {
					t.Fatalf("secureJsonFields %v, want %v", got.SecureJSONFields, tc.wantFields)
				}
			}
		})
	}
}

func TestCallerDefaultsToAdminAndIgnoresUnknownRoles(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if u := caller(r); u.Role != "Admin" || u.Login != "admin" {
		t.Fatalf("no cookies: %+v", u)
	}
	r.AddCookie(&http.Cookie{Name: "kd_role", Value: "Superuser"})
	r.AddCookie(&http.Cookie{Name: "kd_user", Value: "ed"})
	if u := caller(r); u.Role != "Admin" || u.Login != "ed" {
		t.Fatalf("unknown role must not be passed on: %+v", u)
	}
}
