package prom

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCredentialsAreSentAsConfigured(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"a bearer token becomes an Authorization header", Config{BearerToken: "tok"}, "Bearer tok"},
		{"a user and password become basic auth", Config{Username: "u", Password: "p"}, "Basic dTpw"},
		{"no credentials send none", Config{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Get("Authorization")
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"status":"success","data":{"version":"9.9.9"}}`))
			}))
			defer srv.Close()
			tt.cfg.URL = srv.URL
			c, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			v, err := c.Ready(t.Context())
			if err != nil || v != "9.9.9" {
				t.Fatalf("Ready: %q, %v", v, err)
			}
			if got != tt.want {
				t.Fatalf("Authorization %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorsNameTheServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer srv.Close()
	c, err := New(Config{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Ready(t.Context()); err == nil || !strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("want an error naming %s, got %v", srv.URL, err)
	}
	if _, err := New(Config{}); err == nil {
		t.Fatal("an empty URL must be refused")
	}
}
