package plugin

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/pods"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// maxPeakWindowRange bounds the time range whose peak windows are listed (one span a day).
const maxPeakWindowRange = 400 * 24 * time.Hour

// peakWindowRoutes give a workload's peak window over a time range, for dashboards to shade:
// reading only, so Viewers may call it.
func (a *App) peakWindowRoutes() []route {
	return []route{
		{"GET /v1/clusters/{cluster}/peak-windows", RoleViewer, "read peak windows", a.getPeakWindows},
	}
}

// peakWindowQuery is the route's query: a range and whose window (empty: the cluster's).
type peakWindowQuery struct {
	from, to                  time.Time
	namespace, kind, workload string
}

func (a *App) getPeakWindows(w http.ResponseWriter, r *http.Request) {
	q, ok := decodePeakWindowQuery(w, r.URL.Query())
	if !ok {
		return
	}
	_, c, cs, ok := a.clusterSettings(w, r)
	if !ok {
		return
	}
	out, err := cs.PeakWindowsBetween(q.namespace, q.kind, q.workload, q.from, q.to)
	if err != nil {
		a.writeFailed(w, r, "listing the peak windows of cluster "+c.Name, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// decodePeakWindowQuery reads from and to (Unix milliseconds, as Grafana's range gives them, or
// RFC 3339), and an optional namespace and workload (with its kind); bad values are answered 400.
func decodePeakWindowQuery(w http.ResponseWriter, v url.Values) (peakWindowQuery, bool) {
	var q peakWindowQuery
	for _, f := range []struct {
		name string
		to   *time.Time
	}{{"from", &q.from}, {"to", &q.to}} {
		t, err := parseInstant(v.Get(f.name))
		if err != nil {
			writeFieldError(w, badField(f.name, "must be Unix milliseconds or an RFC 3339 time"))
			return q, false
		}
		*f.to = t
	}
	switch {
	case !q.to.After(q.from):
		writeFieldError(w, badField("to", "must be after from"))
		return q, false
	case q.to.Sub(q.from) > maxPeakWindowRange:
		writeFieldError(w, badField("to", "the range must be at most 400 days"))
		return q, false
	}
	q.namespace, q.workload = v.Get("namespace"), v.Get("workload")
	if q.workload != "" {
		ref, fe := pods.ValidateRef(q.namespace, v.Get("kind"), q.workload)
		if fe != nil {
			writeFieldError(w, fe)
			return q, false
		}
		q.kind = ref.Kind
		return q, true
	}
	if _, err := workload.ParseKind(v.Get("kind")); err != nil {
		writeFieldError(w, badField("kind", err.Error()))
		return q, false
	}
	if q.namespace != "" {
		if fe := pods.ValidateNamespace(q.namespace); fe != nil {
			writeFieldError(w, fe)
			return q, false
		}
	}
	return q, true
}

func parseInstant(s string) (time.Time, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	return time.Parse(time.RFC3339, s)
}
