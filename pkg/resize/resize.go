// Package resize applies a workload's control-table row to its running pods in place, through
// the pods/resize subresource (Kubernetes 1.33+), without a restart: one pod at a time with a
// pause, never more pods in flight than the workload's PodDisruptionBudget lets be unavailable,
// skipping (and reporting, with the reason) pods whose resize the API server refuses or the
// kubelet reports Infeasible or Deferred. A memory value is never lowered below the container's
// newest stored peak. Every pod written is audited with its before and after.
package resize

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/pause"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// ActionResize is the audit action of one pod's resize, and the batch and schedule action name.
const ActionResize = "resize"

// Rows reads a control-table row (control.Table).
type Rows interface {
	Get(ctx context.Context, k control.Key) (control.Row, error)
}

// Peaks returns a workload's newest stored memory peak per container, in bytes.
type Peaks interface {
	MemoryPeaks(ctx context.Context, cluster string, ref workload.Ref) (map[string]float64, error)
}

// Deps are what a Runner works with; Kube, Rows, Peaks and Audit are required.
type Deps struct {
	Kube     func(cluster string) (kubernetes.Interface, error)
	Rows     Rows
	Peaks    Peaks
	Audit    actions.Auditor
	Notifier notify.Notifier // nil: no messages
	// Protected says whether a cluster's namespace may never be acted on (kube-system,
	// KubeDoor's own); nil: none is.
	Protected func(cluster, namespace string) bool
	Log       *slog.Logger
	Now       func() time.Time
	// Sleep waits the pause; it returns early with ctx's error.
	Sleep func(ctx context.Context, d time.Duration) error
	// Settle is how long a resized pod stays in flight waiting for the kubelet to report the
	// resize done, Infeasible or Deferred [10s]; after it the pod is reported "requested".
	// Negative: do not wait at all.
	Settle time.Duration
	// Poll is how often a pod in flight is read back [500ms].
	Poll time.Duration
	// Restart rolls a workload out (actions.Runner.Restart), the fallback for pods that cannot
	// be resized in place; nil: no fallback.
	Restart func(ctx context.Context, w actions.Workload, by actions.Actor) actions.Result
}

// DefaultSettle is how long a pod waits for the kubelet's answer unless told otherwise.
const DefaultSettle = 10 * time.Second

// Runner resizes workloads' pods.
type Runner struct {
	d        Deps
	fallback bool // restart a workload with skipped pods inside its namespace's maintenance window
}

// New returns a Runner over d.
func New(d Deps) *Runner {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Sleep == nil {
		d.Sleep = pause.Wait
	}
	if d.Notifier == nil {
		d.Notifier = notify.Discard{}
	}
	if d.Protected == nil {
		d.Protected = func(string, string) bool { return false }
	}
	if d.Settle == 0 {
		d.Settle = DefaultSettle
	}
	if d.Poll <= 0 {
		d.Poll = 500 * time.Millisecond
	}
	return &Runner{d: d}
}

// WithSettle returns a runner like r that waits up to d for each pod's kubelet answer
// (0: does not wait).
func (r *Runner) WithSettle(d time.Duration) *Runner {
	c := *r
	c.d.Settle = d
	if d == 0 {
		c.d.Settle = -1
	}
	return &c
}

// Request is a batch of workloads; Pause is waited before each pod's resize after the first
// (and between workloads).
type Request struct {
	Items []actions.Workload
	Pause time.Duration
}

// Pod outcomes.
const (
	OutcomeResized   = "resized"   // the kubelet reported the new resources applied
	OutcomeRequested = "requested" // the API server stored the resize; the kubelet had not answered within Settle
	OutcomeUnchanged = "unchanged" // nothing to change (values equal, or kept)
	OutcomeSkipped   = "skipped"   // refused by the API server, or Infeasible/Deferred on the node
	OutcomeFailed    = "failed"    // could not be attempted or read back (network, 5xx)
	OutcomeNotRun    = "not run"   // the request ended first
)

// PodResult is one pod's outcome (docs/api.md ResizeOutcome).
type PodResult struct {
	Pod     string      `json:"pod"`
	Outcome string      `json:"outcome"`
	Reason  string      `json:"reason,omitempty"`
	Kept    []string    `json:"kept,omitempty"`
	Before  []Resources `json:"before,omitempty"`
	After   []Resources `json:"after,omitempty"`
	// StartedAt and SettledAt bound the time the pod was in flight (zero when nothing was sent).
	StartedAt time.Time `json:"startedAt,omitzero"`
	SettledAt time.Time `json:"settledAt,omitzero"`
}

// Outcome is a workload's actions.Result.After: the bound used and every pod's result.
type Outcome struct {
	Budget Budget `json:"budget"`
	// Fallback is set when pods were skipped and the caller chose the rollout-restart fallback.
	Fallback *Fallback   `json:"fallback,omitempty"`
	Pods     []PodResult `json:"pods"`
}

// Resize runs req's workloads in order and reports each (an actions.Result whose After is an
// Outcome). A workload is OK when no pod was skipped or failed.
func (r *Runner) Resize(ctx context.Context, req Request, by actions.Actor) []actions.Result {
	results := make([]actions.Result, len(req.Items))
	for i, w := range req.Items {
		if i > 0 && req.Pause > 0 {
			if err := r.d.Sleep(ctx, req.Pause); err != nil {
				notRun(results[i:], req.Items[i:], err)
				break
			}
		}
		if err := ctx.Err(); err != nil {
			notRun(results[i:], req.Items[i:], err)
			break
		}
		results[i] = r.Workload(ctx, w, req.Pause, by)
	}
	r.report(ctx, results, by)
	return results
}

func notRun(results []actions.Result, items []actions.Workload, err error) {
	for j := range results {
		results[j] = actions.Result{Workload: items[j], Error: "not run: the request ended before this item (" + err.Error() + ")"}
	}
}

// Workload resizes one workload's pods to its control-table row. An error that stops the whole
// workload (unknown kind, protected namespace, no row, an old server) is the result's Error;
// ErrUnsupported is wrapped in it for an old server.
func (r *Runner) Workload(ctx context.Context, w actions.Workload, pause time.Duration, by actions.Actor) actions.Result {
	res, err := r.run(ctx, w, pause, by)
	if err != nil {
		res.Error = err.Error()
		r.d.Log.Warn("resize failed", "workload", res.String(), "kind", res.Kind, "by", by.User, "error", err)
	}
	return res
}

// ErrNotControlled is returned (wrapped) for a workload without a current control-table row
// (a refusal.ErrNotFound).
var ErrNotControlled = refusal.Kind(refusal.ErrNotFound, "not in the control table")

// ErrProtected is returned (wrapped) for a workload in a protected namespace; the request's
// namespace is at fault.
var ErrProtected = &refusal.FieldError{Field: "namespace", Reason: "the namespace is protected: KubeDoor never changes its pods", Kind: refusal.ErrInvalid}

// prepared is what a workload's resize starts from.
type prepared struct {
	w     actions.Workload
	row   control.Row
	kc    kubernetes.Interface
	peaks map[string]float64
}

// Check answers whether w can be resized now, before any pod is touched: ErrProtected,
// ErrNotControlled or ErrUnsupported (wrapped) say why not; other errors are the cluster's or
// the store's.
func (r *Runner) Check(ctx context.Context, w actions.Workload) error {
	_, err := r.prepare(ctx, w)
	return err
}

func (r *Runner) prepare(ctx context.Context, w actions.Workload) (prepared, error) {
	kind, err := workload.ParseKind(w.Kind)
	if err != nil {
		return prepared{w: w}, err
	}
	w.Kind = kind
	p := prepared{w: w}
	if r.d.Protected(w.Cluster, w.Namespace) {
		return p, fmt.Errorf("%s: %w", w.Namespace, ErrProtected)
	}
	p.row, err = r.d.Rows.Get(ctx, control.Key{Cluster: w.Cluster, Namespace: w.Namespace, Kind: kind, Workload: w.Name})
	if errors.Is(err, control.ErrNotFound) || (err == nil && p.row.Deleted) {
		return p, fmt.Errorf("%s: %w", w, ErrNotControlled)
	}
	if err != nil {
		return p, fmt.Errorf("reading the control row: %w", err)
	}
	if p.kc, err = r.d.Kube(w.Cluster); err != nil {
		return p, fmt.Errorf("cluster %s: %w", w.Cluster, err)
	}
	if err := CheckServer(p.kc.Discovery()); err != nil {
		return p, fmt.Errorf("cluster %s: %w", w.Cluster, err)
	}
	if p.peaks, err = r.d.Peaks.MemoryPeaks(ctx, w.Cluster, w.Ref()); err != nil {
		return p, fmt.Errorf("reading the stored memory peaks: %w", err)
	}
	return p, nil
}

func (r *Runner) run(ctx context.Context, w actions.Workload, pause time.Duration, by actions.Actor) (actions.Result, error) {
	p, err := r.prepare(ctx, w)
	w = p.w
	res := actions.Result{Workload: w}
	if err != nil {
		return res, err
	}
	kc, row, peaks, kind := p.kc, p.row, p.peaks, w.Kind
	t, err := readTarget(ctx, kc, w.Ref())
	if err != nil {
		return res, err
	}
	pods, err := listPods(ctx, kc, w.Namespace, t)
	if err != nil {
		return res, err
	}
	budget, err := readBudget(ctx, kc, w.Namespace, pods)
	if err != nil {
		return res, err
	}
	out := Outcome{Budget: budget, Pods: r.pods(ctx, kc, w, pods, row, peaks, budget.InFlight, pause, by)}
	skipped, failed := 0, 0
	for _, p := range out.Pods {
		switch p.Outcome {
		case OutcomeSkipped:
			skipped++
		case OutcomeFailed, OutcomeNotRun:
			failed++
		}
	}
	if skipped > 0 && r.fallback {
		out.Fallback = r.fallbackRestart(ctx, kc, w, by)
	}
	res.After = out
	if skipped+failed > 0 && (out.Fallback == nil || !out.Fallback.Restarted) {
		return res, fmt.Errorf("%d of %d pods skipped, %d failed (see each pod's reason)", skipped, len(pods), failed)
	}
	res.OK = true
	r.d.Log.Info("resized in place", "workload", w.String(), "kind", kind, "pods", len(pods), "by", by.User)
	return res, nil
}

// report sends one message per batch, as the other actions do.
func (r *Runner) report(ctx context.Context, results []actions.Result, by actions.Actor) {
	if e, ok := actions.BatchEvent("in-place resize", ActionResize, results, by); ok {
		r.d.Notifier.Notify(ctx, e)
	}
}
