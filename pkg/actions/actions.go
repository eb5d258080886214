// Package actions scales and restarts workloads on operators' behalf, one workload or a batch
// with a pause between items: Deployments and StatefulSets are scaled and restarted, DaemonSets
// (one pod per eligible node, no replicas) only restarted. A scale is written to the control
// table first (manual replicas) and published, so the admission webhook agrees with it; a
// temporary scale instead marks the workload with the kubedoor.io/scale-temp annotation the
// webhook lets through for a few minutes, leaving the table alone. Every item is audited and
// reported on its own.
package actions

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/pause"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Bounds of one request: a batch runs inside one API call, so it must end in reasonable time.
// Longer or larger work belongs in a schedule.
const (
	MaxItems    = 100
	MaxInterval = 60 * time.Second
	MaxReplicas = 10000
)

// Workload names one workload. Kind is a workload.Kinds name; "" (bodies and stored results
// written before kinds existed) is a Deployment. The runner normalises it on each item.
type Workload struct {
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace"`
	Kind      string `json:"kind"`
	Name      string `json:"workload"`
}

// String names w in logs and notifications: cluster/namespace/name for a Deployment,
// cluster/namespace/Kind/name otherwise.
func (w Workload) String() string { return w.Cluster + "/" + w.Target() }

// Ref is w's identity inside its cluster.
func (w Workload) Ref() workload.Ref {
	return workload.Ref{Namespace: w.Namespace, Kind: w.Kind, Name: w.Name}
}

// Target is the audit target (the cluster has its own column): namespace/name for a
// Deployment, as before kinds existed, namespace/Kind/name otherwise.
func (w Workload) Target() string { return w.Ref().Target() }

// Result is one item's outcome (docs/api.md ActionResult).
type Result struct {
	Workload
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
	Before any    `json:"before,omitempty"`
	After  any    `json:"after,omitempty"`
}

// ReplicasState is Before/After of a scale.
type ReplicasState struct {
	Replicas int32 `json:"replicas"`
}

// RestartState is Before/After of a restart.
type RestartState struct {
	RestartedAt string `json:"restartedAt"`
}

// ManualReplicas records an operator's replica count as the workload's manual value in the
// control table (the lead wires pkg/control's implementation; ControlTable is the store-backed
// one used until then).
type ManualReplicas interface {
	// SetManualReplicas stores replicas as w's manual value, as a version that owes the audit
	// entry ActionRecordManual by by (see control.Owed), and says what it replaced.
	SetManualReplicas(ctx context.Context, w Workload, replicas int32, by Actor) (ManualChange, error)
}

// ManualChange is what SetManualReplicas did. Found is false when w has no (undeleted) control
// row: nothing was recorded.
type ManualChange struct {
	Found    bool
	Previous int32  // the manual value replaced (-1: unset)
	Version  uint64 // the version written; its audit entry's ID is audit.ControlVersionID of it
}

// Publisher writes a cluster's control rows as CapacityPolicy objects.
type Publisher interface {
	// Publish publishes w's cluster and returns once that is done: nil when w's policy is
	// written as the control table says, an error otherwise.
	Publish(ctx context.Context, w Workload) error
}

// Auditor records audit entries (audit.Log): Begin a pending one before an action writes, and
// Record the result under its ID.
type Auditor interface {
	Begin(ctx context.Context, e audit.Entry) (uuid.UUID, error)
	Record(ctx context.Context, e audit.Entry) error
}

// Actor is who an action runs for: a Grafana user, or a schedule.
type Actor struct {
	User string
	Role string
}

// Deps are what a Runner works with; Kube and Audit are required.
type Deps struct {
	// Kube returns the client for a cluster (an error for an unknown cluster or one without
	// Kubernetes access).
	Kube      func(cluster string) (kubernetes.Interface, error)
	Manual    ManualReplicas  // nil: a non-temporary scale fails (it would be reverted by the webhook)
	Publisher Publisher       // nil: nothing is published (logged)
	Audit     Auditor         // required
	Notifier  notify.Notifier // nil: no messages
	Log       *slog.Logger
	Now       func() time.Time
	// Sleep waits between batch items; it returns early with ctx's error.
	Sleep func(ctx context.Context, d time.Duration) error
	// VerifyWait bounds how long a scale waits for the webhook to accept the new replicas
	// after publishing [5s].
	VerifyWait time.Duration
}

// Runner runs actions. Build one per request or run from a service snapshot.
type Runner struct{ d Deps }

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
	if d.VerifyWait <= 0 {
		d.VerifyWait = 5 * time.Second
	}
	return &Runner{d: d}
}

// ScaleItem is one workload to scale.
type ScaleItem struct {
	Workload
	Replicas int32 `json:"replicas"`
}

// ScaleRequest is a batch of scales.
type ScaleRequest struct {
	Items     []ScaleItem
	Temporary bool
	Interval  time.Duration
}

// RestartRequest is a batch of restarts.
type RestartRequest struct {
	Items    []Workload
	Interval time.Duration
}

// Scale runs req's items in order, Interval apart, and reports each. It stops early only when
// ctx ends; the items not run are reported as not run.
func (r *Runner) Scale(ctx context.Context, req ScaleRequest, by Actor) []Result {
	verb := "scale"
	if req.Temporary {
		verb = "temporary scale"
	}
	items := make([]Workload, len(req.Items))
	for i, it := range req.Items {
		items[i] = it.Workload
	}
	results := r.batch(ctx, items, req.Interval, func(ctx context.Context, i int) Result {
		if req.Temporary {
			return r.scaleTemporary(ctx, req.Items[i], by)
		}
		return r.scale(ctx, req.Items[i], by)
	})
	r.report(ctx, verb, results, by)
	return results
}

// Restart runs req's items in order, Interval apart, and reports each.
func (r *Runner) Restart(ctx context.Context, req RestartRequest, by Actor) []Result {
	results := r.batch(ctx, req.Items, req.Interval, func(ctx context.Context, i int) Result {
		return r.restart(ctx, req.Items[i], by)
	})
	r.report(ctx, "restart", results, by)
	return results
}

func (r *Runner) batch(ctx context.Context, items []Workload, interval time.Duration, run func(context.Context, int) Result) []Result {
	results := make([]Result, len(items))
	for i := range items {
		if i > 0 && interval > 0 {
			if err := r.d.Sleep(ctx, interval); err != nil {
				for j := i; j < len(items); j++ {
					results[j] = Result{Workload: items[j], Error: "not run: the request ended before this item (" + err.Error() + ")"}
				}
				return results
			}
		}
		if err := ctx.Err(); err != nil {
			for j := i; j < len(items); j++ {
				results[j] = Result{Workload: items[j], Error: "not run: the request ended before this item (" + err.Error() + ")"}
			}
			return results
		}
		results[i] = run(ctx, i)
	}
	return results
}

// auditAs records one item's entry with the ID (uuid.Nil: a new one); a failure to record is
// logged (the action already happened).
func (r *Runner) auditAs(ctx context.Context, id uuid.UUID, by Actor, action string, res Result) {
	e := audit.Entry{ID: id, User: by.User, Role: by.Role, Action: action, Cluster: res.Cluster, Target: res.Target(),
		Before: res.Before, After: res.After, Result: audit.ResultOK, Error: res.Error}
	if !res.OK {
		e.Result = audit.ResultFailed
	}
	// The caller's context may be ending (a cancelled batch); the record must still be written.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := r.d.Audit.Record(actx, e); err != nil {
		r.d.Log.Error("audit entry not recorded", "action", action, "workload", res.String(), "kind", res.Kind, "error", err)
	}
}

// report sends one message per batch (never one per item).
func (r *Runner) report(ctx context.Context, verb string, results []Result, by Actor) {
	if e, ok := BatchEvent(verb, verb, results, by); ok {
		r.d.Notifier.Notify(ctx, e)
	}
}

// BatchEvent is the one message a batch of verb (key: the event's key) sends: done, or failed
// for some, with the first 20 items' states; ok is false for an empty batch.
func BatchEvent(verb, key string, results []Result, by Actor) (e notify.Event, ok bool) {
	if len(results) == 0 {
		return notify.Event{}, false
	}
	failed := 0
	clusters := map[string]bool{}
	var fields []notify.Field
	for _, res := range results {
		clusters[res.Cluster] = true
		state := "ok"
		if !res.OK {
			failed++
			state = "FAILED: " + res.Error
		}
		if len(fields) < 20 {
			fields = append(fields, notify.Field{Name: res.String(), Value: state + describe(res.After)})
		}
	}
	if len(results) > 20 {
		fields = append(fields, notify.Field{Name: "…", Value: fmt.Sprintf("%d more", len(results)-20)})
	}
	e = notify.Event{Kind: notify.EventActionDone, Key: key, Fields: fields,
		Title: fmt.Sprintf("%s of %d workload(s) done", verb, len(results)),
		Text:  fmt.Sprintf("By %s.", by.User)}
	if failed > 0 {
		e.Kind = notify.EventActionFailed
		e.Title = fmt.Sprintf("%s failed for %d of %d workload(s)", verb, failed, len(results))
	}
	if len(clusters) == 1 {
		e.Cluster = results[0].Cluster
	}
	return e, true
}

func describe(after any) string {
	switch a := after.(type) {
	case ReplicasState:
		return fmt.Sprintf(" (replicas %d)", a.Replicas)
	case RestartState:
		return " (restarted at " + a.RestartedAt + ")"
	}
	return ""
}
