package plugin

import (
	"net/http"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/schedule"
)

func (a *App) scheduleRoutes() []route {
	return []route{
		{"GET /v1/schedules", RoleViewer, "list schedules", a.listSchedules},
		{"POST /v1/schedules", RoleEditor, "create a schedule", a.createSchedule},
		{"GET /v1/schedules/{id}", RoleViewer, "read a schedule", a.getSchedule},
		{"PUT /v1/schedules/{id}", RoleEditor, "edit a schedule", a.updateSchedule},
		{"POST /v1/schedules/{id}/pause", RoleEditor, "pause a schedule", a.pauseSchedule},
		{"POST /v1/schedules/{id}/resume", RoleEditor, "resume a schedule", a.resumeSchedule},
		{"DELETE /v1/schedules/{id}", RoleEditor, "delete a schedule", a.deleteSchedule},
		{"GET /v1/schedules/{id}/runs", RoleViewer, "read a schedule's runs", a.listRuns},
	}
}

func (a *App) listSchedules(w http.ResponseWriter, r *http.Request) {
	limit, offset, ok := paging(w, r.URL.Query())
	if !ok {
		return
	}
	ops, snap, ok := a.opsSnapshot(w)
	if !ok {
		return
	}
	items, total, err := ops.Schedules(snap).List(r.Context(), r.URL.Query().Get("cluster"), limit, offset)
	if err != nil {
		a.writeFailed(w, r, "listing schedules", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

func (a *App) getSchedule(w http.ResponseWriter, r *http.Request) {
	ops, snap, ok := a.opsSnapshot(w)
	if !ok {
		return
	}
	sc, err := ops.Schedules(snap).Get(r.Context(), r.PathValue("id"))
	if err != nil {
		a.writeFailed(w, r, "reading the schedule", err)
		return
	}
	writeJSON(w, http.StatusOK, sc)
}

// Audit actions of schedule writes.
const (
	actionScheduleCreate = "create schedule"
	actionScheduleEdit   = "edit schedule"
	actionScheduleDelete = "delete schedule"
)

func (a *App) createSchedule(w http.ResponseWriter, r *http.Request) {
	var spec schedule.Spec
	if !decodeJSON(w, r, &spec) {
		return
	}
	ops, snap, ok := a.opsSnapshot(w)
	if !ok {
		return
	}
	c := callerFrom(r)
	sc, err := ops.Schedules(snap).Audited(actionScheduleCreate, c.Role.String()).Create(r.Context(), spec, snap.App.Clusters, c.Login)
	if err != nil {
		a.writeFailed(w, r, "creating the schedule", err)
		return
	}
	a.audit(r.Context(), c, audit.Entry{ID: audit.ScheduleVersionID(sc.ID, sc.Version), Action: actionScheduleCreate,
		Cluster: sc.Cluster, Target: "schedule/" + sc.ID, After: sc})
	a.log.InfoContext(r.Context(), "schedule created", "schedule", sc.ID, "name", sc.Name, "kind", sc.Kind, "action", sc.Action, "by", c.Login)
	writeJSON(w, http.StatusCreated, sc)
}

func (a *App) updateSchedule(w http.ResponseWriter, r *http.Request) {
	var spec schedule.Spec
	if !decodeJSON(w, r, &spec) {
		return
	}
	ops, snap, ok := a.opsSnapshot(w)
	if !ok {
		return
	}
	c := callerFrom(r)
	id := r.PathValue("id")
	before, after, err := ops.Schedules(snap).Audited(actionScheduleEdit, c.Role.String()).Update(r.Context(), id, spec, snap.App.Clusters, c.Login)
	if err != nil {
		a.writeFailed(w, r, "editing the schedule", err)
		return
	}
	a.audit(r.Context(), c, audit.Entry{ID: audit.ScheduleVersionID(id, after.Version), Action: actionScheduleEdit,
		Cluster: after.Cluster, Target: "schedule/" + id, Before: before, After: after})
	writeJSON(w, http.StatusOK, after)
}

func (a *App) pauseSchedule(w http.ResponseWriter, r *http.Request) {
	a.setScheduleEnabled(w, r, false)
}
func (a *App) resumeSchedule(w http.ResponseWriter, r *http.Request) {
	a.setScheduleEnabled(w, r, true)
}

func (a *App) setScheduleEnabled(w http.ResponseWriter, r *http.Request, enabled bool) {
	ops, snap, ok := a.opsSnapshot(w)
	if !ok {
		return
	}
	c := callerFrom(r)
	id := r.PathValue("id")
	action := "pause schedule"
	if enabled {
		action = "resume schedule"
	}
	m := ops.Schedules(snap).Audited(action, c.Role.String())
	change := m.Pause
	if enabled {
		change = m.Resume
	}
	before, after, err := change(r.Context(), id, c.Login)
	if err != nil {
		a.writeFailed(w, r, action, err)
		return
	}
	a.audit(r.Context(), c, audit.Entry{ID: audit.ScheduleVersionID(id, after.Version), Action: action, Cluster: after.Cluster, Target: "schedule/" + id,
		Before: map[string]bool{"enabled": before.Enabled}, After: map[string]bool{"enabled": after.Enabled}})
	writeJSON(w, http.StatusOK, after)
}

func (a *App) deleteSchedule(w http.ResponseWriter, r *http.Request) {
	ops, snap, ok := a.opsSnapshot(w)
	if !ok {
		return
	}
	c := callerFrom(r)
	id := r.PathValue("id")
	before, err := ops.Schedules(snap).Audited(actionScheduleDelete, c.Role.String()).Delete(r.Context(), id, c.Login)
	if err != nil {
		a.writeFailed(w, r, "deleting the schedule", err)
		return
	}
	// The deleted version is the one after before (Store.Delete).
	a.audit(r.Context(), c, audit.Entry{ID: audit.ScheduleVersionID(id, before.Version+1), Action: actionScheduleDelete,
		Cluster: before.Cluster, Target: "schedule/" + id, Before: before})
	w.WriteHeader(http.StatusNoContent)
}

func (a *App) listRuns(w http.ResponseWriter, r *http.Request) {
	limit, offset, ok := paging(w, r.URL.Query())
	if !ok {
		return
	}
	ops, snap, ok := a.opsSnapshot(w)
	if !ok {
		return
	}
	runs, total, err := ops.Schedules(snap).Runs(r.Context(), r.PathValue("id"), limit, offset)
	if err != nil {
		a.writeFailed(w, r, "reading the runs", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": runs, "total": total})
}
