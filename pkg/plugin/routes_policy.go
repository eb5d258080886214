package plugin

import (
	"net/http"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/publish"
)

func (a *App) policyRoutes() []route {
	return []route{
		{"GET /v1/control/{cluster}/{namespace}/{workload}/policy", RoleViewer, "read the published policy", a.getPolicy},
	}
}

// policyView is a workload's CapacityPolicy as the cluster holds it.
type policyView struct {
	Namespace  string                        `json:"namespace"`
	Name       string                        `json:"name"`
	Generation int64                         `json:"generation"`
	Managed    bool                          `json:"managed"` // labelled as published by KubeDoor
	Spec       v1alpha1.CapacityPolicySpec   `json:"spec"`
	Status     v1alpha1.CapacityPolicyStatus `json:"status"`
}

// getPolicy answers what the cluster enforces for a workload and the webhook's last decision
// on it: 404 when no policy is there (not published yet, or removed from control).
func (a *App) getPolicy(w http.ResponseWriter, r *http.Request) {
	k, ok := controlKey(w, r)
	if !ok {
		return
	}
	kc, c, ok := a.clusterClient(w, r)
	if !ok {
		return
	}
	p, err := publish.Get(r.Context(), kc.Dynamic, k.Namespace, v1alpha1.PolicyName(k.Kind, k.Workload))
	if err != nil {
		a.writeFailed(w, r, "reading the workload's CapacityPolicy", onCluster(c.Name, err))
		return
	}
	writeJSON(w, http.StatusOK, policyView{
		Namespace: p.Namespace, Name: p.Name, Generation: p.Generation,
		Managed: p.Labels[v1alpha1.LabelManagedBy] == v1alpha1.ManagedByValue, Spec: p.Spec, Status: p.Status,
	})
}
