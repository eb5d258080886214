package plugin

import (
	"net/http"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/pods"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

// podRoutes list a workload's pods (Viewer) and isolate or delete them (Editor; docs/pods.md).
func (a *App) podRoutes() []route {
	return []route{
		{"GET /v1/clusters/{cluster}/pods", RoleViewer, "read pods", a.listPods},
		{"GET /v1/clusters/{cluster}/pods/isolated", RoleViewer, "read isolated pods", a.listIsolatedPods},
		{"POST /v1/clusters/{cluster}/pods/isolate", RoleEditor, "isolate pods", a.postIsolatePod},
		{"POST /v1/clusters/{cluster}/pods/delete", RoleEditor, "delete pods", a.postDeletePods},
	}
}

type isolateBody struct {
	Namespace string `json:"namespace"`
	Kind      string `json:"kind"`
	Workload  string `json:"workload"`
	Pod       string `json:"pod"`
}

type deletePodsBody struct {
	Namespace       string   `json:"namespace"`
	Kind            string   `json:"kind"`
	Workload        string   `json:"workload"`
	Pods            []string `json:"pods"`
	IntervalSeconds int      `json:"intervalSeconds"`
}

func (a *App) listPods(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ref, fe := pods.ValidateRef(q.Get("namespace"), q.Get("kind"), q.Get("workload"))
	if fe != nil {
		writeFieldError(w, fe)
		return
	}
	op, c, ok := a.podOperator(w, r)
	if !ok {
		return
	}
	out, err := op.List(r.Context(), ref)
	if err != nil {
		a.writeFailed(w, r, "acting on pods", onCluster(c.Name, err))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *App) listIsolatedPods(w http.ResponseWriter, r *http.Request) {
	ns := r.URL.Query().Get("namespace")
	if ns != "" {
		if fe := pods.ValidateNamespace(ns); fe != nil {
			writeFieldError(w, fe)
			return
		}
	}
	op, c, ok := a.podOperator(w, r)
	if !ok {
		return
	}
	items, err := op.ListIsolated(r.Context(), ns)
	if err != nil {
		a.writeFailed(w, r, "acting on pods", onCluster(c.Name, err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *App) postIsolatePod(w http.ResponseWriter, r *http.Request) {
	var body isolateBody
	if !decodeJSON(w, r, &body) {
		return
	}
	ref, fe := pods.ValidateRef(body.Namespace, body.Kind, body.Workload)
	if fe == nil {
		fe = pods.ValidatePodName("pod", body.Pod)
	}
	if fe != nil {
		writeFieldError(w, fe)
		return
	}
	op, c, ok := a.podOperator(w, r)
	if !ok {
		return
	}
	caller := callerFrom(r)
	// The operator audits and reports the attempt, refused or not.
	res, err := op.Isolate(r.Context(), ref, body.Pod, pods.Actor{User: caller.Login, Role: caller.Role.String()})
	if err != nil {
		a.writeFailed(w, r, "acting on pods", onCluster(c.Name, err))
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (a *App) postDeletePods(w http.ResponseWriter, r *http.Request) {
	var body deletePodsBody
	if !decodeJSON(w, r, &body) {
		return
	}
	ref, fe := pods.ValidateRef(body.Namespace, body.Kind, body.Workload)
	if fe == nil {
		fe = pods.ValidateDelete(body.Pods, time.Duration(body.IntervalSeconds)*time.Second)
	}
	if fe != nil {
		writeFieldError(w, fe)
		return
	}
	op, c, ok := a.podOperator(w, r)
	if !ok {
		return
	}
	caller := callerFrom(r)
	req := pods.DeleteRequest{Ref: ref, Pods: body.Pods, Interval: time.Duration(body.IntervalSeconds) * time.Second}
	results, err := op.Delete(r.Context(), req, pods.Actor{User: caller.Login, Role: caller.Role.String()})
	if err != nil {
		a.writeFailed(w, r, "acting on pods", onCluster(c.Name, err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

// podOperator resolves the path's cluster to a pods.Operator that audits into the store (see
// clusterClient for the answers when it cannot).
func (a *App) podOperator(w http.ResponseWriter, r *http.Request) (*pods.Operator, settings.Cluster, bool) {
	kc, c, ok := a.clusterClient(w, r)
	if !ok {
		return nil, c, false
	}
	snap, ok := a.snapshot(w)
	if !ok {
		return nil, c, false
	}
	ns := c.KubedoorNamespace
	if ns == "" {
		ns = settings.DefaultKubedoorNamespace
	}
	return a.pods.On(pods.Cluster{Name: c.Name, Kube: kc.Kubernetes, KubedoorNamespace: ns}, audit.New(snap.Conn)), c, true
}
