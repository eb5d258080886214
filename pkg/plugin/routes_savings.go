package plugin

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/backtest"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/preview"
	"github.com/kubedoor/kubedoor-grafana/pkg/savings"
)

// savingsRoutes price what workloads request and score their waste. Reading only, so Viewers
// may call them and nothing is audited.
func (a *App) savingsRoutes() []route {
	return []route{
		{"GET /v1/clusters/{cluster}/recommendations", RoleViewer, "read recommendations and savings", a.getRecommendations},
	}
}

func (a *App) getRecommendations(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	kind, ok := kindFilter(w, r)
	if !ok {
		return
	}
	q := savings.Query{Namespace: strings.TrimSpace(v.Get("namespace")), Kind: kind, Sort: v.Get("sort")}
	for _, p := range []struct {
		name string
		dst  *int
		max  int
	}{{"limit", &q.Limit, savings.MaxLimit}, {"days", &q.Days, backtest.MaxDays}} {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > p.max {
				writeFieldError(w, badField(p.name, "must be an integer from 1 to "+strconv.Itoa(p.max)))
				return
			}
			*p.dst = n
		}
	}
	if err := q.Validate(); err != nil {
		a.writeFailed(w, r, "recommendations", err)
		return
	}
	snap, c, cs, ok := a.clusterSettings(w, r)
	if !ok {
		return
	}
	loc, err := cs.Location()
	if err != nil {
		loc = time.UTC
	}
	// "now" is live when the cluster can be read; a cluster that cannot be read right now still
	// gets an answer, from stored samples, and a warning saying why.
	var live savings.Live
	warnings := []string{}
	if c.KubeAccess != "" {
		kc, err := snap.Kube.For(c)
		if err == nil {
			var objs []preview.Object
			objs, err = preview.Reader{Kube: kc.Kubernetes, Dynamic: kc.Dynamic, Cache: a.previews}.Workloads(r.Context(), q.Namespace)
			if err == nil {
				live = savings.LiveFrom(objs)
			}
		}
		if err != nil {
			a.log.WarnContext(r.Context(), "recommendations: live workloads unreadable", "cluster", c.Name, "error", err)
			warnings = append(warnings, "the cluster's workloads could not be read ("+err.Error()+"): now is priced from stored peak samples")
		}
	}
	ans, err := savings.New(snap.Conn, control.New(snap.Conn, a.log), a.replays).Recommendations(r.Context(), c.Name, cs.Prices, loc, time.Now(), q, live, warnings)
	if err != nil {
		a.writeFailed(w, r, "recommendations", err)
		return
	}
	writeJSON(w, http.StatusOK, ans)
}
