// Package server is the webhook's HTTP transport: it decodes AdmissionReviews, bounds and guards
// each decision (body cap, deadline, panic recovery) and encodes the answer. What to decide is
// not its business; it calls a Decider.
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Decider answers one admission request. It must not block on I/O: the transport gives it a
// deadline, but a decision that needs the network is a design error.
type Decider interface {
	Decide(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse
}

// DeciderFunc adapts a function to Decider.
type DeciderFunc func(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse

// Decide calls f.
func (f DeciderFunc) Decide(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	return f(ctx, req)
}

// AdmissionHandler serves POST /mutate.
type AdmissionHandler struct {
	Decider      Decider
	Deadline     time.Duration
	MaxBodyBytes int64
	Metrics      *Metrics
	Log          *slog.Logger
}

// ServeHTTP decodes → decides → encodes, and returns after every error it writes.
func (h *AdmissionHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method != http.MethodPost {
		http.Error(w, "admission reviews are POSTed", http.StatusMethodNotAllowed)
		return
	}
	buf := buffers.Get().(*bytes.Buffer)
	defer putBuffer(buf)
	review, err := decodeReview(w, r, h.MaxBodyBytes, buf)
	if err != nil {
		h.Metrics.malformed.Inc()
		h.Log.Warn("malformed admission review", "error", err, "remote", r.RemoteAddr)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := review.Request
	ctx, cancel := context.WithTimeout(r.Context(), h.Deadline)
	defer cancel()

	resp := h.decideSafely(ctx, req)
	resp.UID = req.UID // the API server rejects an answer for another request
	out := admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: resp}
	buf.Reset() // the review decoded above holds copies, not the body's bytes
	if err := json.NewEncoder(buf).Encode(out); err != nil {
		h.Log.Error("encoding admission response", "uid", req.UID, "error", err)
		http.Error(w, "encoding response failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if _, err := w.Write(buf.Bytes()); err != nil {
		h.Log.Warn("writing admission response", "uid", req.UID, "error", err)
	}
	h.Metrics.observe(req, resp, time.Since(start))
}

// decideSafely runs the decider, turning a panic or a blown deadline into an allowed, unmodified
// answer with a warning: the registration fails open, and so does the process. It decides on
// the handler's own goroutine: a goroutine per review cost a start and a stack growth each
// (BENCHMARKS.md, "Against its limit"). The decider is pure CPU over cached state and waits only
// on ctx (Decider), so a decision that comes back after the deadline is discarded for the
// fail-open answer; one that ignored ctx entirely would hold the answer until the API server's
// timeoutSeconds, where failurePolicy Ignore admits the change unmodified all the same.
func (h *AdmissionHandler) decideSafely(ctx context.Context, req *admissionv1.AdmissionRequest) (resp *admissionv1.AdmissionResponse) {
	defer func() {
		if p := recover(); p != nil {
			h.Metrics.panics.Inc()
			h.Log.Error("admission decision panicked", "uid", req.UID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp = failOpen(req.UID, "kubedoor-webhook internal error; the change was admitted unmodified")
		}
	}()
	resp = h.Decider.Decide(ctx, req)
	if ctx.Err() != nil {
		h.Metrics.deadlines.Inc()
		h.Log.Error("admission decision missed its deadline", "uid", req.UID, "deadline", h.Deadline)
		return failOpen(req.UID, "kubedoor-webhook missed its deadline; the change was admitted unmodified")
	}
	if resp == nil {
		return failOpen(req.UID, "kubedoor-webhook gave no decision; the change was admitted unmodified")
	}
	return resp
}

func failOpen(uid types.UID, warning string) *admissionv1.AdmissionResponse {
	return &admissionv1.AdmissionResponse{UID: uid, Allowed: true, Warnings: []string{warning}}
}

// buffers hold request bodies and then responses: a review is read whole before it is decoded,
// and reusing the buffers spares allocating and growing one per review.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled keeps an occasional huge review's buffer from staying in the pool.
const maxPooled = 256 << 10

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooled {
		return
	}
	b.Reset()
	buffers.Put(b)
}

// decodeReview reads (into buf) and checks an AdmissionReview; every error message says what
// was wrong. The review holds copies of what it needs from buf, which may be reused after.
func decodeReview(w http.ResponseWriter, r *http.Request, maxBody int64, buf *bytes.Buffer) (*admissionv1.AdmissionReview, error) {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		return nil, fmt.Errorf("content type %q: want application/json", ct)
	}
	if n := r.ContentLength; n > 0 && n <= maxBody {
		buf.Grow(int(n) + bytes.MinRead) // ReadFrom wants MinRead spare bytes before it sees EOF
	}
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxBody)); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fmt.Errorf("body larger than %d bytes", maxBody)
		}
		return nil, fmt.Errorf("reading body: %w", err)
	}
	return ParseReview(buf.Bytes())
}

// ParseReview decodes an admission.k8s.io/v1 AdmissionReview carrying a request.
func ParseReview(body []byte) (*admissionv1.AdmissionReview, error) {
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(body, &review); err != nil {
		return nil, fmt.Errorf("decoding AdmissionReview: %w", err)
	}
	if review.APIVersion != admissionv1.SchemeGroupVersion.String() || review.Kind != "AdmissionReview" {
		return nil, fmt.Errorf("got %s %q, want %s AdmissionReview", review.APIVersion, review.Kind, admissionv1.SchemeGroupVersion)
	}
	if review.Request == nil {
		return nil, errors.New("AdmissionReview has no request")
	}
	if review.Request.UID == "" {
		return nil, errors.New("AdmissionReview request has no uid")
	}
	return &review, nil
}

// AllowAll admits everything unchanged; it is the decider until policies are configured.
var AllowAll = DeciderFunc(func(_ context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	return &admissionv1.AdmissionResponse{UID: req.UID, Allowed: true, Result: &metav1.Status{Message: "no policy engine configured"}}
})
