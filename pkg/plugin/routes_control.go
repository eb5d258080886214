package plugin

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/fault"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Route actions, named in 403 answers and in the audit log.
const (
	actionControlAdd    = "add a workload to the control table"
	actionControlEdit   = "edit a control-table row"
	actionControlDelete = "remove a workload from the control table"
)

func (a *App) controlRoutes() []route {
	return []route{
		{"GET /v1/control", RoleViewer, "read the control table", a.listControl},
		{"GET /v1/control/{cluster}/{namespace}/{workload}", RoleViewer, "read the control table", a.getControl},
		{"GET /v1/control/{cluster}/{namespace}/{workload}/history", RoleViewer, "read the control table", a.controlHistory},
		{"POST /v1/control", RoleEditor, actionControlAdd, a.addControl},
		{"PUT /v1/control/{cluster}/{namespace}/{workload}", RoleEditor, actionControlEdit, a.editControl},
		{"DELETE /v1/control/{cluster}/{namespace}/{workload}", RoleEditor, actionControlDelete, a.deleteControl},
	}
}

// controlKey is the row a per-workload path names; its kind comes from the query parameter
// kind (absent: Deployment, so paths written before kinds existed keep their meaning). A bad
// kind is answered 400 and ok is false.
func controlKey(w http.ResponseWriter, r *http.Request) (k control.Key, ok bool) {
	kind, err := workload.ParseKind(r.URL.Query().Get("kind"))
	if err != nil {
		writeFieldError(w, badField("kind", err.Error()))
		return control.Key{}, false
	}
	return control.Key{Cluster: r.PathValue("cluster"), Namespace: r.PathValue("namespace"), Kind: kind, Workload: r.PathValue("workload")}, true
}

// kindFilter is a list route's optional kind query parameter ("" = every kind).
func kindFilter(w http.ResponseWriter, r *http.Request) (string, bool) {
	v := r.URL.Query().Get("kind")
	if v == "" {
		return "", true
	}
	kind, err := workload.ParseKind(v)
	if err != nil {
		writeFieldError(w, badField("kind", err.Error()))
		return "", false
	}
	return kind, true
}

func (a *App) listControl(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset, ok := paging(w, q)
	if !ok {
		return
	}
	kind, ok := kindFilter(w, r)
	if !ok {
		return
	}
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	rows, total, err := control.New(snap.Conn, a.log).Current(r.Context(), q.Get("cluster"),
		control.Filter{Namespace: q.Get("namespace"), Kind: kind, Query: q.Get("q"), Limit: limit, Offset: offset})
	if err != nil {
		a.writeFailed(w, r, "listing control rows", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": a.noteMissing(rows), "total": total})
}

func (a *App) getControl(w http.ResponseWriter, r *http.Request) {
	k, ok := controlKey(w, r)
	if !ok {
		return
	}
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	row, err := control.New(snap.Conn, a.log).Get(r.Context(), k)
	if err == nil && row.Deleted {
		err = fmt.Errorf("%w: %s was removed from control at version %d (see its history)", control.ErrNotFound, k, row.Version)
	}
	if err != nil {
		a.writeFailed(w, r, "reading a control row", err)
		return
	}
	writeJSON(w, http.StatusOK, a.noteMissing([]control.Row{row})[0])
}

func (a *App) controlHistory(w http.ResponseWriter, r *http.Request) {
	limit, offset, ok := paging(w, r.URL.Query())
	if !ok {
		return
	}
	k, ok := controlKey(w, r)
	if !ok {
		return
	}
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	rows, total, err := control.New(snap.Conn, a.log).History(r.Context(), k, limit, offset)
	if err != nil {
		a.writeFailed(w, r, "reading a control row's history", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": rows, "total": total})
}

func (a *App) addControl(w http.ResponseWriter, r *http.Request) {
	var in control.Row
	if !decodeJSON(w, r, &in) {
		return
	}
	// Replicas absent and all zero decode alike; a DaemonSet's body that sets any is refused.
	if _, err := workload.ParseKind(in.Kind); err == nil && !workload.HasReplicas(in.Kind) && in.Replicas != (control.Replicas{}) {
		writeFieldError(w, badField("replicas", "a DaemonSet has no replicas to control: leave replicas out"))
		return
	}
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	if _, known := snap.App.Cluster(in.Cluster); !known && in.Cluster != "" {
		writeFieldError(w, badField("cluster", fmt.Sprintf("no cluster named %q is configured", in.Cluster)))
		return
	}
	c := callerFrom(r)
	ch, err := a.controlTable(snap.Conn, c, actionControlAdd).Add(r.Context(), in, c.Login)
	a.controlWritten(w, r, c, actionControlAdd, in.Key(), ch, err, http.StatusCreated)
}

func (a *App) editControl(w http.ResponseWriter, r *http.Request) {
	var e control.Edit
	if !decodeJSON(w, r, &e) {
		return
	}
	k, ok := controlKey(w, r)
	if !ok {
		return
	}
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	c := callerFrom(r)
	ch, err := a.controlTable(snap.Conn, c, actionControlEdit).Update(r.Context(), k, e, c.Login)
	a.controlWritten(w, r, c, actionControlEdit, k, ch, err, http.StatusOK)
}

func (a *App) deleteControl(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query().Get("expectedVersion")
	expected, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		writeFieldError(w, badField("expectedVersion", "is required: the version being removed, as a query parameter"))
		return
	}
	k, ok := controlKey(w, r)
	if !ok {
		return
	}
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	c := callerFrom(r)
	ch, err := a.controlTable(snap.Conn, c, actionControlDelete).Delete(r.Context(), k, expected, c.Login)
	a.controlWritten(w, r, c, actionControlDelete, k, ch, err, http.StatusOK)
}

// controlTable is the control table for c's write called action: every version it writes
// owes that audit entry (see control.ReconcileAudit).
func (a *App) controlTable(conn store.Conn, c Caller, action string) *control.Table {
	return control.New(conn, a.log).Audited(control.Owed{Action: action, Role: c.Role.String()})
}

// versionEntry gives entry the ID of the version ch wrote, so a version has one entry whether
// this process records it or, after a crash in between, the reconciliation does.
func versionEntry(entry *audit.Entry, ch control.Change) {
	if ch.Written {
		entry.ID = ch.After.Key().AuditID(ch.After.Version)
	}
}

// controlWritten audits a write, answers it and, when a version was written, tells the
// publisher. Refused writes (400, 404, 409) are audited as failed, with the reason.
func (a *App) controlWritten(w http.ResponseWriter, r *http.Request, c Caller, action string, k control.Key,
	ch control.Change, err error, okStatus int) {
	ctx := r.Context()
	entry := audit.Entry{Action: action, Cluster: k.Cluster, Target: k.Target()}
	if err != nil {
		entry.Result, entry.Error = audit.ResultFailed, err.Error()
		if ce, ok := refusal.AsConflict(err); ok {
			entry.Before = ce.CurrentValue()
		}
		a.audit(ctx, c, entry)
		a.writeFailed(w, r, action, err)
		return
	}
	if ch.Before != nil {
		entry.Before = ch.Before
	}
	entry.After = ch.After
	versionEntry(&entry, ch)
	if ch.Written {
		fault.Crash(a.log, fault.AfterControlWrite)
	}
	a.audit(ctx, c, entry)
	if ch.Written {
		a.log.InfoContext(ctx, "control table changed", "action", action, "cluster", k.Cluster, "namespace", k.Namespace,
			"kind", workload.Kind(k.Kind), "workload", k.Workload, "version", ch.After.Version, "user", c.Login)
		if p := a.published; p != nil {
			p.Published(k.Cluster)
		} else {
			a.log.WarnContext(ctx, "no publisher is connected; the change reaches the cluster with the next reconcile", "cluster", k.Cluster)
		}
	}
	writeJSON(w, okStatus, ch.After)
}
