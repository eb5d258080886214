package server

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	admissionv1 "k8s.io/api/admission/v1"
)

// Metrics are the webhook transport's Prometheus series.
type Metrics struct {
	reviews   *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	malformed prometheus.Counter
	panics    prometheus.Counter
	deadlines prometheus.Counter
}

// NewMetrics registers the series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		reviews: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kubedoor_webhook_reviews_total",
			Help: "Admission reviews answered, by operation, resource, sub-resource and whether allowed and patched.",
		}, []string{"operation", "resource", "subresource", "allowed", "patched"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kubedoor_webhook_review_duration_seconds",
			Help:    "Time from request received to response written.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .5, 1, 2.5},
		}, []string{"operation"}),
		malformed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kubedoor_webhook_malformed_reviews_total",
			Help: "Requests that were not a valid AdmissionReview (answered 400).",
		}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kubedoor_webhook_decision_panics_total",
			Help: "Decisions that panicked and were answered fail-open.",
		}),
		deadlines: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kubedoor_webhook_decision_deadline_exceeded_total",
			Help: "Decisions that missed the internal deadline and were answered fail-open.",
		}),
	}
	reg.MustRegister(m.reviews, m.latency, m.malformed, m.panics, m.deadlines)
	return m
}

func (m *Metrics) observe(req *admissionv1.AdmissionRequest, resp *admissionv1.AdmissionResponse, d time.Duration) {
	op := string(req.Operation)
	m.reviews.WithLabelValues(op, req.Resource.Resource, req.SubResource,
		strconv.FormatBool(resp.Allowed), strconv.FormatBool(len(resp.Patch) > 0)).Inc()
	m.latency.WithLabelValues(op).Observe(d.Seconds())
}
