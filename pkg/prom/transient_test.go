package prom

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestTransientTellsRetryableFailuresApart(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		transient bool
	}{
		{"a 503 from a proxy", 503, "unavailable", true},
		{"a 500", 500, "boom", true},
		{"too many requests", 429, "slow down", true},
		{"a query Prometheus refuses", 400, `{"status":"error","errorType":"bad_data","error":"parse error"}`, false},
		{"an execution error", 422, `{"status":"error","errorType":"execution","error":"many-to-many matching"}`, false},
		{"a query timeout", 503, `{"status":"error","errorType":"timeout","error":"query timed out"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, err := New(Config{URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Query(t.Context(), "up", time.Now())
			if err == nil || Transient(err) != tt.transient {
				t.Fatalf("err %v: transient %v, want %v", err, Transient(err), tt.transient)
			}
		})
	}
	if Transient(context.Canceled) || Transient(nil) || !Transient(errors.New("dial tcp: connection refused")) {
		t.Fatal("cancelled, nil or network errors misjudged")
	}
}
