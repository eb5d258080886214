package actions

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/fault"
)

// step is one workload's action in progress: the result so far and the audit entry it began.
type step struct {
	r      *Runner
	ctx    context.Context
	by     Actor
	action string
	res    Result
	id     uuid.UUID // the pending entry's; uuid.Nil until begin
}

// begin records the pending audit entry with the state before. A body calls it just before its
// first write to the cluster, so a crash after that write leaves an entry that the audit
// reconciliation settles (audit.PendingPass) instead of none. When the entry cannot be recorded
// the action is not run: every write is audited.
func (s *step) begin(before any) error {
	s.res.Before = before
	e := audit.Entry{User: s.by.User, Role: s.by.Role, Action: s.action, Cluster: s.res.Cluster, Target: s.res.Target(), Before: before}
	actx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), 10*time.Second)
	defer cancel()
	id, err := s.r.d.Audit.Begin(actx, e)
	if err != nil {
		return fmt.Errorf("not run: the audit log refused its entry, so the action would go unrecorded: %w", err)
	}
	s.id = id
	return nil
}

// body does an action's work on a workload whose kind passed the check; it returns the state
// after, or an error.
type body func(ctx context.Context, kc kubernetes.Interface, s *step) (after any, err error)

// act is the prologue and epilogue every action on one workload shares: the kind check, the
// cluster's client, the failure log, and the audit entry (the result under the pending entry's
// ID when begin ran).
func (r *Runner) act(ctx context.Context, by Actor, action string, w Workload, check func(Workload) (Workload, error), do body) Result {
	w, kindErr := check(w)
	s := &step{r: r, ctx: ctx, by: by, action: action, res: Result{Workload: w}}
	defer func() { r.auditAs(ctx, s.id, by, action, s.res) }()
	err := kindErr
	var kc kubernetes.Interface
	if err == nil {
		kc, err = r.client(w)
	}
	var after any
	if err == nil {
		after, err = do(ctx, kc, s)
	}
	if err == nil {
		fault.Crash(r.d.Log, fault.AfterActionWrite)
	}
	if err != nil {
		s.res.Error = err.Error()
		r.d.Log.Warn(action+" failed", "workload", w.String(), "kind", w.Kind, "by", by.User, "error", err)
		return s.res
	}
	s.res.OK, s.res.After = true, after
	return s.res
}
