package plugin

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
)

func (a *App) auditRoutes() []route {
	return []route{
		{"GET /v1/audit", RoleViewer, "read the audit log", a.listAudit},
	}
}

func (a *App) listAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := audit.Filter{
		Cluster: q.Get("cluster"), User: q.Get("user"), Action: q.Get("action"),
		Target: q.Get("target"), Result: q.Get("result"),
	}
	var ok bool
	if f.From, ok = queryTime(w, q, "from"); !ok {
		return
	}
	if f.To, ok = queryTime(w, q, "to"); !ok {
		return
	}
	if f.Limit, f.Offset, ok = paging(w, q); !ok {
		return
	}
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	items, total, err := audit.New(snap.Conn).List(r.Context(), f)
	if err != nil {
		a.writeFailed(w, r, "reading the audit log", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

// queryTime reads an optional RFC 3339 query parameter, answering 400 when it is malformed.
func queryTime(w http.ResponseWriter, q url.Values, name string) (time.Time, bool) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		writeFieldError(w, badField(name, "must be an RFC 3339 time such as 2026-11-22T10:00:00Z"))
		return time.Time{}, false
	}
	return t, true
}

// paging reads limit (1..1000, default 100) and offset (≥ 0), answering 400 when malformed.
func paging(w http.ResponseWriter, q url.Values) (limit, offset int, ok bool) {
	limit, offset = 100, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeFieldError(w, badField("limit", "must be an integer from 1 to 1000"))
			return 0, 0, false
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeFieldError(w, badField("offset", "must be a non-negative integer"))
			return 0, 0, false
		}
		offset = n
	}
	return limit, offset, true
}
