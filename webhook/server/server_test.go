package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/kubedoor/kubedoor-grafana/webhook/certs"
)

const validReview = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1","kind":{"group":"apps","version":"v1","kind":"Deployment"},"resource":{"group":"apps","version":"v1","resource":"deployments"},"operation":"CREATE","namespace":"demo","name":"api","object":{}}}`

func newHandler(d Decider, deadline time.Duration) *AdmissionHandler {
	return &AdmissionHandler{
		Decider: d, Deadline: deadline, MaxBodyBytes: 64 << 10,
		Metrics: NewMetrics(prometheus.NewRegistry()),
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func post(h http.Handler, body, contentType string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/mutate", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestMalformedReviewsAreAnswered400(t *testing.T) {
	tests := []struct {
		name, body, contentType, wantMsg string
	}{
		{"a body that is not JSON", `{"apiVersion":`, "application/json", "decoding AdmissionReview"},
		{"a review of another API version", strings.Replace(validReview, "admission.k8s.io/v1", "admission.k8s.io/v1beta1", 1), "application/json", "want admission.k8s.io/v1"},
		{"a review without a request", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`, "application/json", "no request"},
		{"a request without a uid", strings.Replace(validReview, `"uid":"u-1",`, "", 1), "application/json", "no uid"},
		{"a form-encoded body", validReview, "application/x-www-form-urlencoded", "content type"},
		{"a body over the cap", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","pad":"` + strings.Repeat("x", 70<<10) + `"}`, "application/json", "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(AllowAll, time.Second)
			rec := post(h, tt.body, tt.contentType)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", rec.Code)
			}
			if !strings.Contains(rec.Body.String(), tt.wantMsg) {
				t.Fatalf("body %q does not mention %q", rec.Body.String(), tt.wantMsg)
			}
			if got := testutil.ToFloat64(h.Metrics.malformed); got != 1 {
				t.Fatalf("malformed counter %v, want 1", got)
			}
		})
	}
}

func decode(t *testing.T, rec *httptest.ResponseRecorder) *admissionv1.AdmissionResponse {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	var out admissionv1.AdmissionReview
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if out.APIVersion != "admission.k8s.io/v1" || out.Kind != "AdmissionReview" || out.Response == nil {
		t.Fatalf("bad review envelope: %+v", out)
	}
	return out.Response
}

func TestDecisionsCarryTheRequestUID(t *testing.T) {
	wrongUID := DeciderFunc(func(_ context.Context, _ *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
		return &admissionv1.AdmissionResponse{UID: "someone-else", Allowed: false}
	})
	resp := decode(t, post(newHandler(wrongUID, time.Second), validReview, "application/json"))
	if resp.UID != "u-1" || resp.Allowed {
		t.Fatalf("got uid %q allowed %v; want the request's uid and the decider's verdict", resp.UID, resp.Allowed)
	}
}

func TestReviewsThroughReusedBuffersAreEachAnsweredForThemselves(t *testing.T) {
	// The decider sees what was sent, also after a larger review used the same pooled buffer.
	echo := DeciderFunc(func(_ context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
		return &admissionv1.AdmissionResponse{Allowed: true, Warnings: []string{req.Name + ":" + string(req.Object.Raw)}}
	})
	h := newHandler(echo, time.Second)
	big := strings.Replace(validReview, `"object":{}`, `"object":{"pad":"`+strings.Repeat("x", 8<<10)+`"}`, 1)
	for i, tt := range []struct{ body, want string }{
		{big, `api:{"pad":"` + strings.Repeat("x", 8<<10) + `"}`},
		{strings.Replace(validReview, `"name":"api"`, `"name":"web"`, 1), `web:{}`},
		{strings.Replace(validReview, `"uid":"u-1"`, `"uid":"u-2"`, 1), `api:{}`},
	} {
		resp := decode(t, post(h, tt.body, "application/json"))
		if len(resp.Warnings) != 1 || resp.Warnings[0] != tt.want {
			t.Fatalf("review %d: got %.80q, want %.80q", i, resp.Warnings, tt.want)
		}
	}
}

func TestFailuresInsideTheDecisionFailOpen(t *testing.T) {
	tests := []struct {
		name    string
		decider DeciderFunc
		counter func(m *Metrics) prometheus.Counter
		warning string
	}{
		{
			name:    "a panicking decision admits unmodified with a warning",
			decider: func(context.Context, *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse { panic("boom") },
			counter: func(m *Metrics) prometheus.Counter { return m.panics },
			warning: "internal error",
		},
		{
			name: "a decision past the deadline admits unmodified with a warning",
			decider: func(ctx context.Context, _ *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
				<-ctx.Done()
				time.Sleep(20 * time.Millisecond)
				return &admissionv1.AdmissionResponse{Allowed: false}
			},
			counter: func(m *Metrics) prometheus.Counter { return m.deadlines },
			warning: "deadline",
		},
		{
			name: "a decision that ignores its context and answers late is still replaced by the fail-open answer",
			decider: func(context.Context, *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
				time.Sleep(80 * time.Millisecond)
				return &admissionv1.AdmissionResponse{Allowed: false}
			},
			counter: func(m *Metrics) prometheus.Counter { return m.deadlines },
			warning: "deadline",
		},
		{
			name:    "a decision that gives no answer admits unmodified with a warning",
			decider: func(context.Context, *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse { return nil },
			warning: "gave no decision",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(tt.decider, 50*time.Millisecond)
			resp := decode(t, post(h, validReview, "application/json"))
			if !resp.Allowed || resp.UID != "u-1" || len(resp.Patch) != 0 {
				t.Fatalf("want allowed, unpatched, uid u-1; got %+v", resp)
			}
			if len(resp.Warnings) != 1 || !strings.Contains(resp.Warnings[0], tt.warning) {
				t.Fatalf("warnings %v should mention %q", resp.Warnings, tt.warning)
			}
			if tt.counter == nil {
				return
			}
			if got := testutil.ToFloat64(tt.counter(h.Metrics)); got != 1 {
				t.Fatalf("counter %v, want 1", got)
			}
		})
	}
}

func TestOnlyPostIsAccepted(t *testing.T) {
	rec := httptest.NewRecorder()
	newHandler(AllowAll, time.Second).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/mutate", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("status %d, want 405", rec.Code)
	}
}

func FuzzParseReview(f *testing.F) {
	f.Add([]byte(validReview))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":null}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		review, err := ParseReview(body)
		if err != nil {
			return
		}
		if review.Request == nil || review.Request.UID == "" {
			t.Fatalf("accepted a review without request or uid: %s", body)
		}
	})
}

func TestReadyzFollowsTheCaches(t *testing.T) {
	dir := t.TempDir()
	b, err := certs.Generate(certs.Request{IPs: []net.IP{net.ParseIP("127.0.0.1")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	var synced atomic.Bool
	health := make(chan net.Addr, 1)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{
			ListenAddr: "127.0.0.1:0", HealthAddr: "127.0.0.1:0",
			TLSCertFile: filepath.Join(dir, "tls.crt"), TLSKeyFile: filepath.Join(dir, "tls.key"),
			Handler: newHandler(AllowAll, time.Second), Registry: prometheus.NewRegistry(),
			Ready: synced.Load, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Started: func(_, h net.Addr) { health <- h },
		})
	}()
	url := "http://" + (<-health).String()
	status := func(path string) int {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("/readyz"); got != http.StatusServiceUnavailable {
		t.Fatalf("/readyz %d before the caches synced, want 503", got)
	}
	if got := status("/healthz"); got != http.StatusOK {
		t.Fatalf("/healthz %d: liveness must not wait for the caches", got)
	}
	synced.Store(true)
	if got := status("/readyz"); got != http.StatusOK {
		t.Fatalf("/readyz %d after the caches synced, want 200", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
