package plugin

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
)

// Role is a Grafana org role, ordered so that a higher role includes the lower ones.
type Role int

// Roles in increasing order of power.
const (
	RoleNone Role = iota
	RoleViewer
	RoleEditor
	RoleAdmin
)

func (r Role) String() string {
	switch r {
	case RoleViewer:
		return "Viewer"
	case RoleEditor:
		return "Editor"
	case RoleAdmin:
		return "Admin"
	default:
		return "None"
	}
}

// ParseRole maps Grafana's role names; anything unknown has no rights.
func ParseRole(s string) Role {
	switch s {
	case "Viewer":
		return RoleViewer
	case "Editor":
		return RoleEditor
	case "Admin":
		return RoleAdmin
	default:
		return RoleNone
	}
}

// Caller is the Grafana user behind a resource call.
type Caller struct {
	Login string `json:"login"`
	Role  Role   `json:"-"`
}

func callerFrom(r *http.Request) Caller {
	u := backend.PluginConfigFromContext(r.Context()).User
	if u == nil {
		return Caller{Role: RoleNone}
	}
	return Caller{Login: u.Login, Role: ParseRole(u.Role)}
}

// authorize wraps a route's handler so it runs only for callers holding at least its role.
// Grafana lets every Viewer reach every resource route, so this check is the only gate on
// writes; a refusal is answered 403 naming the action, and audited.
func (a *App) authorize(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := callerFrom(r)
		if c.Role < rt.min {
			msg := fmt.Sprintf("%s requires the %s role; %q has %s", rt.action, rt.min, c.Login, c.Role)
			a.audit(r.Context(), c, audit.Entry{Action: rt.action, Target: r.URL.Path, Result: audit.ResultDenied, Error: msg})
			writeError(w, http.StatusForbidden, codeForbidden, "%s", msg)
			return
		}
		rt.handler(w, r)
	}
}

// audit records e as done by c. The action has already happened (or been refused), so a store
// failure here is logged rather than turned into an error for the caller.
func (a *App) audit(ctx context.Context, c Caller, e audit.Entry) {
	e.User, e.Role = c.Login, c.Role.String()
	snap, err := a.svc.Snapshot()
	if err == nil {
		err = audit.New(snap.Conn).Record(ctx, e)
	}
	if err != nil {
		a.log.ErrorContext(ctx, "audit entry not recorded", "action", e.Action, "target", e.Target, "user", e.User, "result", e.Result, "error", err)
	}
}

// begin records e as pending for the caller before a write to a cluster (audit.Log.Begin); the
// handler records the result under the returned ID. When the entry cannot be recorded it answers
// 503 and reports false: the write is not made without its audit entry.
func (a *App) begin(w http.ResponseWriter, r *http.Request, e audit.Entry) (uuid.UUID, bool) {
	c := callerFrom(r)
	e.User, e.Role = c.Login, c.Role.String()
	snap, err := a.svc.Snapshot()
	var id uuid.UUID
	if err == nil {
		id, err = audit.New(snap.Conn).Begin(r.Context(), e)
	}
	if err != nil {
		a.log.ErrorContext(r.Context(), "audit entry refused; the write was not made", "action", e.Action, "target", e.Target, "user", e.User, "error", err)
		writeError(w, http.StatusServiceUnavailable, codeUnavailable,
			"%s was not done: the audit log is unavailable, so it would go unrecorded; the Overview's store card says why", e.Action)
		return uuid.Nil, false
	}
	return id, true
}
