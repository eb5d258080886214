package plugin

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/nodes"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
)

// maxNodeDays bounds ?days= as the cluster settings bound their days.
const maxNodeDays = 90

// nodeRoutes are the node capacity view: reading only, so Viewers may call it and nothing is
// audited.
func (a *App) nodeRoutes() []route {
	return []route{
		{"GET /v1/clusters/{cluster}/nodes", RoleViewer, "read node capacity", a.getNodes},
	}
}

func (a *App) getNodes(w http.ResponseWriter, r *http.Request) {
	days := 0 // the cluster's derivation days
	if s := r.URL.Query().Get("days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxNodeDays {
			writeFieldError(w, badField("days", "must be an integer from 1 to "+strconv.Itoa(maxNodeDays)))
			return
		}
		days = n
	}
	kc, c, ok := a.clusterClient(w, r)
	if !ok {
		return
	}
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	cs, err := clustersettings.NewStore(snap.Conn).Get(r.Context(), c.Name, c.TimeZone)
	if err != nil {
		a.writeFailed(w, r, "reading the settings of cluster "+c.Name, err)
		return
	}
	if days == 0 {
		days = cs.Days
	}
	loc, err := cs.Location()
	if err != nil {
		loc = time.UTC // as the recommendations read it
	}
	view, err := a.nodes.View(r.Context(), snap.Conn, kc.Kubernetes, c.Name, peaks.LastDays(days, loc, time.Now()))
	if errors.Is(err, nodes.ErrCluster) {
		err = onCluster(c.Name, err)
	}
	if err != nil {
		a.writeFailed(w, r, "computing the node view of "+c.Name, err)
		return
	}
	writeJSON(w, http.StatusOK, view)
}
