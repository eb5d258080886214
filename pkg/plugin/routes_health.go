package plugin

import (
	"net/http"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/clusterhealth"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

func (a *App) clusterHealthRoutes() []route {
	return []route{
		{"GET /v1/clusters/{cluster}/health", RoleViewer, "read cluster health", a.getClusterHealth},
		{"POST /v1/clusters/test", RoleAdmin, "test a cluster connection", a.testClusterConnection},
	}
}

func (a *App) getClusterHealth(w http.ResponseWriter, r *http.Request) {
	ops, snap, ok := a.opsSnapshot(w)
	if !ok {
		return
	}
	name := r.PathValue("cluster")
	h, found := ops.Health(r.Context(), snap, name)
	if !found {
		writeError(w, http.StatusNotFound, codeNotFound, "no cluster named %q", name)
		return
	}
	writeJSON(w, http.StatusOK, h)
}

// testClusterConnection checks a connection from the body (secrets included) with throwaway
// clients; nothing is stored, and the audit entry carries no secret.
func (a *App) testClusterConnection(w http.ResponseWriter, r *http.Request) {
	var conn clusterhealth.Connection
	if !decodeJSON(w, r, &conn) {
		return
	}
	if saved, ok := a.svc.Settings().Cluster(conn.Name); ok {
		conn = conn.FillSecrets(saved)
	}
	cl, err := conn.Cluster()
	if err != nil {
		// Every error of Cluster() is about the connection in the body: 400.
		if _, ok := refusal.AsFieldError(err); !ok {
			err = refusal.Kind(refusal.ErrInvalid, err.Error())
		}
		writeFieldError(w, err)
		return
	}
	res := clusterhealth.Test(r.Context(), cl)
	e := audit.Entry{Action: "test cluster connection", Cluster: conn.Name, Target: "clusters/" + cl.Name,
		Before: map[string]string{"prometheusUrl": cl.PrometheusURL, "kubeAccess": cl.KubeAccess},
		After:  map[string]bool{"prometheus": res.Prometheus.OK, "kubernetes": res.Kubernetes.OK, "webhook": res.Webhook.OK}}
	a.audit(r.Context(), callerFrom(r), e)
	writeJSON(w, http.StatusOK, res)
}
