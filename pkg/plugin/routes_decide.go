package plugin

import (
	"net/http"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubedoor/kubedoor-grafana/pkg/backtest"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/preview"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

// decideRoutes help decide before enforcing: replaying a row against its peak history and
// previewing what enforcing a namespace would change (both only read, so Viewers may call them
// and nothing is audited), and accepting recommended replicas (an Editor's write, audited per
// row; routes_accept.go).
func (a *App) decideRoutes() []route {
	return []route{
		{"POST /v1/control/{cluster}/{namespace}/{workload}/backtest", RoleViewer, "backtest a control-table row", a.backtestRow},
		{"GET /v1/clusters/{cluster}/preview", RoleViewer, "preview enforcement", a.previewEnforcement},
		{"POST /v1/control/{cluster}/recommendations/accept", RoleEditor, actionAcceptRecommendation, a.acceptRecommendations},
	}
}

func (a *App) backtestRow(w http.ResponseWriter, r *http.Request) {
	var req backtest.Request
	if !decodeOptionalJSON(w, r, &req) { // no body: replay the stored row
		return
	}
	k, ok := controlKey(w, r)
	if !ok {
		return
	}
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	c, known := snap.App.Cluster(k.Cluster)
	if !known {
		writeError(w, http.StatusNotFound, codeNotFound, "no cluster named %q is configured", k.Cluster)
		return
	}
	loc := time.UTC
	if c.TimeZone != "" {
		if l, err := time.LoadLocation(c.TimeZone); err == nil {
			loc = l
		}
	}
	res, err := backtest.New(snap.Conn, control.New(snap.Conn, a.log)).Run(r.Context(), k, loc, time.Now(), req)
	if err != nil {
		a.writeFailed(w, r, "backtest of a control-table row", err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (a *App) previewEnforcement(w http.ResponseWriter, r *http.Request) {
	ns := strings.TrimSpace(r.URL.Query().Get("namespace"))
	if ns != "" {
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			writeFieldError(w, badField("namespace", "must be a Kubernetes namespace name: "+strings.Join(errs, "; ")))
			return
		}
	}
	kc, c, ok := a.clusterClient(w, r)
	if !ok {
		return
	}
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	rows, _, err := control.New(snap.Conn, a.log).Current(r.Context(), c.Name, control.Filter{Namespace: ns})
	if err != nil {
		a.writeFailed(w, r, "reading the control table for a preview", err)
		return
	}
	kubedoorNS := c.KubedoorNamespace
	if kubedoorNS == "" {
		kubedoorNS = settings.DefaultKubedoorNamespace
	}
	reader := preview.Reader{Kube: kc.Kubernetes, Dynamic: kc.Dynamic, Cache: a.previews,
		Protected: map[string]bool{"kube-system": true, kubedoorNS: true}}
	out, err := reader.Preview(r.Context(), c.Name, ns, rows)
	if err != nil {
		a.writeFailed(w, r, "calling the cluster", onCluster(c.Name, err))
		return
	}
	writeJSON(w, http.StatusOK, out)
}
