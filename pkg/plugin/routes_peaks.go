package plugin

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

func (a *App) peakRoutes() []route {
	const read = "read peak data"
	return []route{
		{"GET /v1/peaks", RoleViewer, read, a.listPeaks},
		{"GET /v1/peaks/totals", RoleViewer, read, a.peakTotals},
		{"GET /v1/peaks/top", RoleViewer, read, a.peakTop},
		{"GET /v1/peaks/namespaces", RoleViewer, read, a.peakNamespaces},
		{"GET /v1/peaks/series", RoleViewer, read, a.peakSeries},
	}
}

// peakQuery is what every peak route reads first: the cluster and the day range, days being
// taken in the cluster's time zone (UTC for a cluster no longer configured, whose data can
// still be read).
type peakQuery struct {
	snap    service.Snapshot
	cluster string
	rng     peaks.Range
}

func (a *App) peakQuery(w http.ResponseWriter, q url.Values, required ...string) (peakQuery, bool) {
	for _, name := range append([]string{"cluster"}, required...) {
		if q.Get(name) == "" {
			writeFieldError(w, badField(name, "is required"))
			return peakQuery{}, false
		}
	}
	snap, ok := a.snapshot(w)
	if !ok {
		return peakQuery{}, false
	}
	peaks.SetLogger(a.log) // rollup refreshes log through the plugin's logger
	pq := peakQuery{snap: snap, cluster: q.Get("cluster")}
	loc := time.UTC
	if c, known := snap.App.Cluster(pq.cluster); known && c.TimeZone != "" {
		if l, err := time.LoadLocation(c.TimeZone); err == nil {
			loc = l
		}
	}
	rng, err := peaks.ParseRange(q.Get("from"), q.Get("to"), loc, time.Now())
	if err != nil {
		writeFieldError(w, err)
		return peakQuery{}, false
	}
	pq.rng = rng
	return pq, true
}

func (a *App) listPeaks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset, ok := paging(w, q)
	if !ok {
		return
	}
	kind, ok := kindFilter(w, r)
	if !ok {
		return
	}
	pq, ok := a.peakQuery(w, q)
	if !ok {
		return
	}
	rows, total, err := peaks.List(r.Context(), pq.snap.Conn, peaks.ListFilter{
		Cluster: pq.cluster, Namespace: q.Get("namespace"), Kind: kind, Workload: q.Get("workload"),
		Container: q.Get("container"), HasContainer: q.Has("container"),
		Range: pq.rng, Limit: limit, Offset: offset,
	})
	if err != nil {
		a.writeFailed(w, r, "listing peak samples", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": rows, "total": total})
}

func (a *App) peakTotals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kind, ok := kindFilter(w, r)
	if !ok {
		return
	}
	pq, ok := a.peakQuery(w, q)
	if !ok {
		return
	}
	items, err := peaks.Totals(r.Context(), pq.snap.Conn, pq.cluster, q.Get("namespace"), kind, pq.rng)
	if err != nil {
		a.writeFailed(w, r, "summing peak samples per day", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

var topOrders = map[string]bool{peaks.ByCPU: true, peaks.ByMemory: true, peaks.ByCPUPct: true, peaks.ByMemPct: true, peaks.ByPods: true}

func (a *App) peakTop(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	by := q.Get("by")
	if by == "" {
		by = peaks.ByCPU
	}
	if !topOrders[by] {
		writeFieldError(w, badField("by", "must be cpu, memory, cpuPct, memPct or pods"))
		return
	}
	limit := 10
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeFieldError(w, badField("limit", "must be an integer from 1 to 1000"))
			return
		}
		limit = n
	}
	kind, ok := kindFilter(w, r)
	if !ok {
		return
	}
	pq, ok := a.peakQuery(w, q)
	if !ok {
		return
	}
	items, err := peaks.Top(r.Context(), pq.snap.Conn, pq.cluster, kind, by, pq.rng, limit)
	if err != nil {
		a.writeFailed(w, r, "ranking workloads", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *App) peakNamespaces(w http.ResponseWriter, r *http.Request) {
	kind, ok := kindFilter(w, r)
	if !ok {
		return
	}
	pq, ok := a.peakQuery(w, r.URL.Query())
	if !ok {
		return
	}
	items, err := peaks.Namespaces(r.Context(), pq.snap.Conn, pq.cluster, kind, pq.rng)
	if err != nil {
		a.writeFailed(w, r, "summing peak samples per namespace", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *App) peakSeries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kind, err := workload.ParseKind(q.Get("kind")) // absent: a Deployment, as before kinds existed
	if err != nil {
		writeFieldError(w, badField("kind", err.Error()))
		return
	}
	pq, ok := a.peakQuery(w, q, "namespace", "workload")
	if !ok {
		return
	}
	// No container means the pod totals (container ""): one row per day either way.
	wl := peaks.Workload{Namespace: q.Get("namespace"), Kind: kind, Name: q.Get("workload")}
	items, err := peaks.Series(r.Context(), pq.snap.Conn, pq.cluster, wl, q.Get("container"), pq.rng)
	if err != nil {
		a.writeFailed(w, r, "reading a workload's peak series", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}
