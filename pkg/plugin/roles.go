package plugin

import (
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
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

// authorize wraps a handler so it runs only for callers holding at least min. Grafana lets every
// Viewer reach every resource route, so this check is the only gate on writes.
func authorize(min Role, action string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := callerFrom(r)
		if c.Role < min {
			writeError(w, http.StatusForbidden, codeForbidden,
				"%s requires the %s role; %q has %s", action, min, c.Login, c.Role)
			return
		}
		next(w, r)
	}
}
