package plugin

import (
	"errors"
	"net/http"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/jobs"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
)

func (a *App) collectionRoutes() []route {
	return []route{
		{"POST /v1/clusters/{cluster}/collections", RoleEditor, "start a collection", a.startCollection},
		{"GET /v1/collections", RoleViewer, "list collections", a.listCollections},
		{"GET /v1/collections/{id}", RoleViewer, "read a collection", a.getCollection},
		{"DELETE /v1/collections/{id}", RoleEditor, "cancel a collection", a.cancelCollection},
	}
}

type collectionRequest struct {
	Days int            `json:"days"`
	From peakwindow.Day `json:"from"`
	To   peakwindow.Day `json:"to"`
}

func (a *App) startCollection(w http.ResponseWriter, r *http.Request) {
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	c, ok := a.cluster(w, r, snap)
	if !ok {
		return
	}
	var body collectionRequest
	if !decodeJSON(w, r, &body) {
		return
	}
	caller := callerFrom(r)
	kind := jobs.KindBackfill
	if body.Days == 0 {
		kind = jobs.KindRerun
	}
	entry := audit.Entry{Action: "start collection", Cluster: c.Name, Target: c.Name, After: body}
	j, err := a.jobs.Start(r.Context(), jobs.Request{Cluster: c.Name, Kind: kind, Days: body.Days, From: body.From, To: body.To, StartedBy: caller.Login})
	if err != nil {
		entry.Result, entry.Error = audit.ResultFailed, err.Error()
		a.audit(r.Context(), caller, entry)
		a.writeFailed(w, r, "starting the collection of "+c.Name, err)
		return
	}
	entry.After = j
	a.audit(r.Context(), caller, entry)
	writeJSON(w, http.StatusAccepted, j)
}

func (a *App) listCollections(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := jobs.Filter{Cluster: q.Get("cluster"), State: q.Get("state")}
	switch f.State {
	case "", jobs.StateQueued, jobs.StateRunning, jobs.StateSucceeded, jobs.StateFailed, jobs.StateCancelled:
	default:
		writeFieldError(w, badField("state", "must be queued, running, succeeded, failed or cancelled"))
		return
	}
	var ok bool
	if f.Limit, f.Offset, ok = paging(w, q); !ok {
		return
	}
	if _, ok := a.snapshot(w); !ok {
		return
	}
	items, total, err := a.jobs.List(r.Context(), f)
	if err != nil {
		a.writeFailed(w, r, "listing collections", err)
		return
	}
	if items == nil {
		items = []jobs.Job{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

func (a *App) getCollection(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.snapshot(w); !ok {
		return
	}
	j, err := a.jobs.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		a.writeFailed(w, r, "reading the collection", err)
		return
	}
	writeJSON(w, http.StatusOK, j)
}

func (a *App) cancelCollection(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.snapshot(w); !ok {
		return
	}
	caller := callerFrom(r)
	id := r.PathValue("id")
	j, err := a.jobs.Cancel(r.Context(), id)
	if errors.Is(err, jobs.ErrNotFound) { // nothing was there to cancel: no audit entry
		a.writeFailed(w, r, "cancelling the collection", err)
		return
	}
	entry := audit.Entry{Action: "cancel collection", Cluster: j.Cluster, Target: id, After: j}
	if err != nil {
		entry.Result, entry.Error = audit.ResultFailed, err.Error()
		a.audit(r.Context(), caller, entry)
		a.writeFailed(w, r, "cancelling the collection", err)
		return
	}
	a.audit(r.Context(), caller, entry)
	writeJSON(w, http.StatusOK, j)
}
