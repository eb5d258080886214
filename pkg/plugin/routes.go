package plugin

import (
	"net/http"

	"github.com/kubedoor/kubedoor-grafana/pkg/service"
)

// route is one entry of the API: who may call it and what answers it.
type route struct {
	pattern string // net/http pattern: "METHOD /path"
	min     Role
	action  string // named in 403 answers and the audit log
	handler http.HandlerFunc
}

// routeTable is the whole resource API; every route is under /v1 and docs/api.md describes
// each. Areas keep their routes and handlers in their own routes_<area>.go file.
func (a *App) routeTable() []route {
	var t []route
	t = append(t, a.statusRoutes()...)
	t = append(t, a.engineRoutes()...)
	t = append(t, a.auditRoutes()...)
	t = append(t, a.enforcementRoutes()...)
	t = append(t, a.policyRoutes()...)
	t = append(t, a.operationsRoutes()...)
	t = append(t, a.clusterRoutes()...)
	t = append(t, a.gitopsRoutes()...)
	t = append(t, a.collectionRoutes()...)
	t = append(t, a.peakRoutes()...)
	t = append(t, a.controlRoutes()...)
	t = append(t, a.decideRoutes()...)
	t = append(t, a.savingsRoutes()...)
	t = append(t, a.resizeRoutes()...)
	t = append(t, a.nodeRoutes()...)
	t = append(t, a.podRoutes()...)
	t = append(t, a.peakWindowRoutes()...)
	return t
}

func (a *App) statusRoutes() []route {
	return []route{
		{"GET /v1/status", RoleViewer, "read status", a.getStatus},
		{"GET /v1/me", RoleViewer, "read own permissions", a.getMe},
	}
}

// snapshot returns the service's parts for this request, or answers 503 (and reports false)
// while the store is unavailable.
func (a *App) snapshot(w http.ResponseWriter) (service.Snapshot, bool) {
	if a.settingsErr != nil {
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, "invalid app settings: %v", a.settingsErr)
		return service.Snapshot{}, false
	}
	snap, err := a.svc.Snapshot()
	if err != nil {
		// Why it is unavailable can name files; the Overview (v1/status) and the log say it.
		writeError(w, http.StatusServiceUnavailable, codeUnavailable,
			"the store is unavailable: the Overview's store card says why and the backend retries opening it")
		return service.Snapshot{}, false
	}
	return snap, true
}

func (a *App) getStatus(w http.ResponseWriter, r *http.Request) {
	st := a.svc.Status(r.Context())
	if st.Store.Engine != nil && callerFrom(r).Role < RoleAdmin {
		// Only admins see paths on the Grafana host (health and v1/engine name the file).
		e := *st.Store.Engine
		e.Library = ""
		st.Store.Engine = &e
	}
	if a.settingsErr != nil {
		st.Store.OK = false
		st.Store.Message = "invalid app settings: " + a.settingsErr.Error()
	}
	writeJSON(w, http.StatusOK, st)
}

// me tells the UI what the caller may do, so it can hide buttons the backend would refuse.
type me struct {
	Login    string `json:"login"`
	Role     string `json:"role"`
	CanRead  bool   `json:"canRead"`
	CanWrite bool   `json:"canWrite"`
	CanAdmin bool   `json:"canAdmin"`
}

func (a *App) getMe(w http.ResponseWriter, r *http.Request) {
	c := callerFrom(r)
	writeJSON(w, http.StatusOK, me{
		Login: c.Login, Role: c.Role.String(),
		CanRead: c.Role >= RoleViewer, CanWrite: c.Role >= RoleEditor, CanAdmin: c.Role >= RoleAdmin,
	})
}
