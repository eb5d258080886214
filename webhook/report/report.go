// Package report writes each controlled Deployment's latest admission decision into its
// CapacityPolicy's status.lastDecision, so `kubectl get capacitypolicy -o yaml` and the backend
// see what the webhook did. It stays off the request path: Record only stores the decision in
// memory (never blocks, never does I/O); a background loop coalesces decisions per policy and
// patches the status subresource on a period, at a bounded rate. When the cluster is slow the
// newest decision per policy wins and older ones are simply overwritten — a report is a
// courtesy, never a reason to slow or fail an admission.
package report

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// Options tune a Reporter.
type Options struct {
	// Interval between flushes (default 10s).
	Interval time.Duration
	// MaxPending bounds the policies waiting for a write; decisions for further policies are
	// dropped (counted) until the next flush (default 20,000).
	MaxPending int
	// WriteTimeout bounds one status patch (default 5s).
	WriteTimeout time.Duration
	Log          *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Interval <= 0 {
		o.Interval = 10 * time.Second
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 20000
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 5 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return o
}

type key struct{ namespace, name string }

// Reporter collects decisions and writes them. The zero value is not usable; call New.
type Reporter struct {
	res  dynamic.NamespaceableResourceInterface
	opts Options

	mu      sync.Mutex
	pending map[key]v1alpha1.Decision

	written, dropped, failed prometheus.Counter
}

// New returns a Reporter writing through client; its metrics are registered on reg.
func New(client dynamic.Interface, reg prometheus.Registerer, o Options) (*Reporter, error) {
	r := &Reporter{
		res: client.Resource(v1alpha1.GroupVersionResource), opts: o.withDefaults(), pending: map[key]v1alpha1.Decision{},
		written: prometheus.NewCounter(prometheus.CounterOpts{Name: "kubedoor_webhook_decision_reports_written_total",
			Help: "CapacityPolicy status.lastDecision writes that succeeded."}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "kubedoor_webhook_decision_reports_dropped_total",
			Help: "Decisions not reported because too many policies were waiting for a write."}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{Name: "kubedoor_webhook_decision_reports_failed_total",
			Help: "CapacityPolicy status.lastDecision writes that failed (the policy gone is not a failure)."}),
	}
	for _, c := range []prometheus.Collector{r.written, r.dropped, r.failed} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering report metrics: %w", err)
		}
	}
	return r, nil
}

// Record remembers d as the latest decision for the policy namespace/name. It never blocks on
// I/O and is safe from any number of admission goroutines.
func (r *Reporter) Record(namespace, name string, d v1alpha1.Decision) {
	k := key{namespace, name}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.pending[k]; !ok && len(r.pending) >= r.opts.MaxPending {
		r.dropped.Inc()
		return
	}
	r.pending[k] = d
}

// Run flushes every Interval until ctx ends, then once more with a short grace so the last
// decisions before a rolling restart are not lost.
func (r *Reporter) Run(ctx context.Context) {
	tick := time.NewTicker(r.opts.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			grace, cancel := context.WithTimeout(context.Background(), r.opts.WriteTimeout)
			r.Flush(grace)
			cancel()
			return
		case <-tick.C:
			r.Flush(ctx)
		}
	}
}

// Flush writes every pending decision now, one status patch per policy (the client's rate
// limiter paces them). A decision whose write fails is not retried: a newer one will come.
func (r *Reporter) Flush(ctx context.Context) {
	r.mu.Lock()
	batch := r.pending
	r.pending = make(map[key]v1alpha1.Decision, len(batch))
	r.mu.Unlock()
	for k, d := range batch {
		if ctx.Err() != nil {
			return
		}
		err := r.write(ctx, k, d)
		if apierrors.IsNotFound(err) {
			continue // the policy was removed since the decision: nothing to report on
		}
		if err != nil {
			r.failed.Inc()
			r.opts.Log.Warn("decision not reported in the CapacityPolicy status", "namespace", k.namespace, "name", k.name, "error", err)
			continue
		}
		r.written.Inc()
	}
}

func (r *Reporter) write(ctx context.Context, k key, d v1alpha1.Decision) error {
	body, err := StatusPatch(d)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, r.opts.WriteTimeout)
	defer cancel()
	_, err = r.res.Namespace(k.namespace).Patch(ctx, k.name, types.MergePatchType, body, metav1.PatchOptions{FieldManager: "kubedoor-webhook"}, "status")
	return err
}

// StatusPatch is the merge patch that sets status.lastDecision to d and touches nothing else
// (the publisher owns the rest of the status).
func StatusPatch(d v1alpha1.Decision) ([]byte, error) {
	return json.Marshal(map[string]any{"status": map[string]any{"lastDecision": d}})
}
