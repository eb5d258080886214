package plugin

import (
	"fmt"
	"net/http"
	"time"

	"k8s.io/client-go/metadata"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/enforce"
	"github.com/kubedoor/kubedoor-grafana/pkg/kube"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

func (a *App) enforcementRoutes() []route {
	return []route{
		{"GET /v1/clusters/{cluster}/namespaces", RoleViewer, "read namespaces", a.listNamespaces},
		{"PUT /v1/clusters/{cluster}/namespaces/{namespace}/enforcement", RoleAdmin, "switch namespace enforcement", a.putEnforcement},
	}
}

func (a *App) listNamespaces(w http.ResponseWriter, r *http.Request) {
	sw, c, ok := a.enforcementSwitch(w, r)
	if !ok {
		return
	}
	items, warnings, err := sw.List(r.Context())
	if err != nil {
		a.writeFailed(w, r, "calling the cluster", onCluster(c.Name, err))
		return
	}
	if items == nil {
		items = []enforce.Namespace{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "warnings": warnings})
}

func (a *App) putEnforcement(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Control          *string `json:"control"`
		UnknownWorkloads *string `json:"unknownWorkloads"`
	}
	if !decodeJSON(w, r, &body) {
		return
	}
	if body.Control == nil {
		writeFieldError(w, badField("control", `is required: "enforce", "observe" or "" (not enforced)`))
		return
	}
	sw, c, ok := a.enforcementSwitch(w, r)
	if !ok {
		return
	}
	ns := r.PathValue("namespace")
	entry := audit.Entry{Action: "switch namespace enforcement", Cluster: c.Name, Target: "namespaces/" + ns}
	if entry.ID, ok = a.begin(w, r, entry); !ok {
		return
	}
	before, after, err := sw.Set(r.Context(), ns, enforce.Change{Control: *body.Control, UnknownWorkloads: body.UnknownWorkloads})
	if err != nil {
		entry.Result, entry.Error = audit.ResultFailed, err.Error()
		entry.After = body
		a.audit(r.Context(), callerFrom(r), entry)
		a.writeFailed(w, r, "calling the cluster", onCluster(c.Name, err))
		return
	}
	entry.Before, entry.After = before, after
	a.audit(r.Context(), callerFrom(r), entry)
	a.log.InfoContext(r.Context(), "namespace enforcement switched", "cluster", c.Name, "namespace", ns, "user", callerFrom(r).Login,
		"control", after.Control, "previousControl", before.Control, "unknownWorkloads", after.UnknownWorkloads)
	if a.notifier != nil && (before.Control != after.Control || before.UnknownWorkloads != after.UnknownWorkloads) {
		a.notifier.Notify(r.Context(), notify.Event{
			Kind: notify.EventEnforcementChanged, Cluster: c.Name, Key: ns,
			Title: fmt.Sprintf("Enforcement of %s/%s switched by %s", c.Name, ns, callerFrom(r).Login),
			Fields: []notify.Field{
				{Name: "control", Value: fmt.Sprintf("%q → %q", before.Control, after.Control)},
				{Name: "unknown workloads", Value: fmt.Sprintf("%s → %s", before.UnknownWorkloads, after.UnknownWorkloads)},
			},
			At: time.Now(),
		})
	}
	writeJSON(w, http.StatusOK, after)
}

// enforcementSwitch resolves the path's cluster to a Switch (see clusterClient for the answers
// when it cannot).
func (a *App) enforcementSwitch(w http.ResponseWriter, r *http.Request) (*enforce.Switch, settings.Cluster, bool) {
	kc, c, ok := a.clusterClient(w, r)
	if !ok {
		return nil, c, false
	}
	meta, err := metadata.NewForConfig(kc.Config)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, "cluster %s: metadata client: %v", c.Name, err)
		return nil, c, false
	}
	return enforce.New(kc.Kubernetes, meta, c.KubedoorNamespace), c, true
}

// clusterClient resolves the path's cluster to its Kubernetes clients, answering 404 for an
// unknown cluster, 400 for one without Kubernetes access and 503 when its clients cannot be built.
func (a *App) clusterClient(w http.ResponseWriter, r *http.Request) (*kube.Client, settings.Cluster, bool) {
	snap, ok := a.snapshot(w)
	if !ok {
		return nil, settings.Cluster{}, false
	}
	name := r.PathValue("cluster")
	c, ok := snap.App.Cluster(name)
	if !ok {
		writeError(w, http.StatusNotFound, codeNotFound, "no cluster named %q is configured", name)
		return nil, c, false
	}
	if c.KubeAccess == "" {
		writeError(w, http.StatusBadRequest, codeBadRequest,
			"cluster %s has no Kubernetes access configured: set its Kubernetes access (kubeconfig or in-cluster) on the configuration page", name)
		return nil, c, false
	}
	kc, err := snap.Kube.For(c)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, "%v", err)
		return nil, c, false
	}
	return kc, c, true
}
