package plugin

import (
	"context"
	"net/http"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/engine"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// The engine routes are Admin-only: they name files on the Grafana host and download 166 MB.
func (a *App) engineRoutes() []route {
	return []route{
		{"GET /v1/engine", RoleAdmin, "read the engine state", a.getEngine},
		{"POST /v1/engine/fetch", RoleAdmin, "fetch the engine", a.fetchEngine},
	}
}

// engineAnswer is engine.State plus the storage mode in force and the engine the open store
// runs on (nil while none is open).
type engineAnswer struct {
	engine.State
	Mode     string        `json:"mode"`
	Loaded   *store.Engine `json:"loaded,omitempty"`
	CanFetch bool          `json:"canFetch"`
}

// fetchRequest confirms the package the admin was shown, so a page left open across an upgrade
// does not start a download the admin did not read about.
type fetchRequest struct {
	Version string `json:"version"`
}

func (a *App) engineState(w http.ResponseWriter, r *http.Request) (engineAnswer, string, bool) {
	ctx := r.Context()
	app := a.svc.Settings()
	dataDir, err := service.DataDir(app)
	if err != nil {
		a.writeFailed(w, r, "locating the engine", err)
		return engineAnswer{}, "", false
	}
	// CanFetch stays in the answer for pages written when a backend could lack the fetcher.
	return engineAnswer{State: a.fetcher.State(dataDir), Mode: app.Storage.Mode, Loaded: a.svc.Engine(ctx), CanFetch: true}, dataDir, true
}

func (a *App) getEngine(w http.ResponseWriter, r *http.Request) {
	ans, _, ok := a.engineState(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, ans)
}

// fetchEngine starts the download and answers 202 at once; GET v1/engine shows the progress.
// The audit entry is written when the fetch ends: with the embedded engine missing the store
// only opens after it, and the store is retried at once so the entry lands in the audit log.
func (a *App) fetchEngine(w http.ResponseWriter, r *http.Request) {
	var body fetchRequest
	if !decodeJSON(w, r, &body) {
		return
	}
	_, dataDir, ok := a.engineState(w, r)
	if !ok {
		return
	}
	caller := callerFrom(r)
	pkg := a.fetcher.Package()
	done := func(p engine.Progress) {
		a.svc.RetryStoreNow()
		e := audit.Entry{Action: "fetch the engine", Target: p.Target,
			After: map[string]any{"package": pkg.Name + "@" + pkg.Version, "url": pkg.URL, "checksum": p.Checksum, "bytes": p.BytesDone}}
		if p.State == engine.StateFailed {
			e.Result, e.Error = audit.ResultFailed, p.Error
		}
		a.audit(context.Background(), caller, e)
	}
	// The download outlives the request: it runs on a context the request's end does not cancel.
	_, err := a.fetcher.Install(context.WithoutCancel(r.Context()), dataDir, body.Version, done)
	if err != nil {
		a.writeFailed(w, r, "fetching the engine", err)
		return
	}
	a.log.InfoContext(r.Context(), "engine fetch started", "user", caller.Login, "package", pkg.Name+"@"+pkg.Version, "url", pkg.URL)
	ans, _, ok := a.engineState(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusAccepted, ans)
}
