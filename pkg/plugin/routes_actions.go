package plugin

import (
	"fmt"
	"net/http"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
)

// operationsRoutes are the actions, schedules, notifications and cluster health routes.
func (a *App) operationsRoutes() []route {
	var t []route
	t = append(t, a.actionRoutes()...)
	t = append(t, a.scheduleRoutes()...)
	t = append(t, a.notificationRoutes()...)
	return append(t, a.clusterHealthRoutes()...)
}

func (a *App) actionRoutes() []route {
	return []route{
		{"POST /v1/actions/scale", RoleEditor, "scale workloads", a.postScale},
		{"POST /v1/actions/restart", RoleEditor, "restart workloads", a.postRestart},
	}
}

// opsSnapshot is snapshot for the operations routes, with the operations to run on it.
func (a *App) opsSnapshot(w http.ResponseWriter) (Operations, service.Snapshot, bool) {
	snap, ok := a.snapshot(w)
	return a.ops, snap, ok
}

// actionItem is one workload of a body; Kind "" is a Deployment (bodies written before kinds).
type actionItem struct {
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace"`
	Kind      string `json:"kind"`
	Workload  string `json:"workload"`
	Replicas  *int32 `json:"replicas,omitempty"`
}

type scaleBody struct {
	Items           []actionItem `json:"items"`
	Temporary       bool         `json:"temporary"`
	IntervalSeconds int          `json:"intervalSeconds"`
}

type restartBody struct {
	Items           []actionItem `json:"items"`
	IntervalSeconds int          `json:"intervalSeconds"`
}

type actionResults struct {
	Results []actions.Result `json:"results"`
}

func workloads(items []actionItem) []actions.Workload {
	out := make([]actions.Workload, len(items))
	for i, it := range items {
		out[i] = actions.Workload{Cluster: it.Cluster, Namespace: it.Namespace, Kind: it.Kind, Name: it.Workload}
	}
	return out
}

func (a *App) postScale(w http.ResponseWriter, r *http.Request) {
	var body scaleBody
	if !decodeJSON(w, r, &body) {
		return
	}
	ops, snap, ok := a.opsSnapshot(w)
	if !ok {
		return
	}
	interval := time.Duration(body.IntervalSeconds) * time.Second
	items := workloads(body.Items)
	if fe := actions.ValidateBatch("items", items, interval, knownCluster(snap)); fe != nil {
		writeFieldError(w, fe)
		return
	}
	// A DaemonSet in the batch refuses the whole request before any item runs, as any bad item does.
	if fe := actions.ValidateScalable("items", items); fe != nil {
		writeFieldError(w, fe)
		return
	}
	req := actions.ScaleRequest{Temporary: body.Temporary, Interval: interval}
	for i, it := range body.Items {
		if it.Replicas == nil || *it.Replicas < 0 || *it.Replicas > actions.MaxReplicas {
			writeFieldError(w, badField(fmt.Sprintf("items[%d].replicas", i), fmt.Sprintf("required, 0 to %d", actions.MaxReplicas)))
			return
		}
		req.Items = append(req.Items, actions.ScaleItem{Workload: items[i], Replicas: *it.Replicas})
	}
	c := callerFrom(r)
	// Each item is audited by the runner; the request context ends the batch if the caller leaves.
	results := ops.Actions(snap).Scale(r.Context(), req, actions.Actor{User: c.Login, Role: c.Role.String()})
	writeJSON(w, http.StatusOK, actionResults{Results: results})
}

func (a *App) postRestart(w http.ResponseWriter, r *http.Request) {
	var body restartBody
	if !decodeJSON(w, r, &body) {
		return
	}
	ops, snap, ok := a.opsSnapshot(w)
	if !ok {
		return
	}
	items, interval, ok := replicaFreeBatch(w, snap, body.Items, body.IntervalSeconds, "not used by restart; leave it out")
	if !ok {
		return
	}
	c := callerFrom(r)
	results := ops.Actions(snap).Restart(r.Context(), actions.RestartRequest{Items: items, Interval: interval}, actions.Actor{User: c.Login, Role: c.Role.String()})
	writeJSON(w, http.StatusOK, actionResults{Results: results})
}

func knownCluster(snap service.Snapshot) func(string) bool {
	return func(name string) bool {
		_, ok := snap.App.Cluster(name)
		return ok
	}
}

// replicaFreeBatch validates a batch whose items carry no replicas (restart, resize): the
// workloads and the interval as every batch, and no item's replicas (why says so); it answers
// 400 and reports false when the batch is refused.
func replicaFreeBatch(w http.ResponseWriter, snap service.Snapshot, body []actionItem, intervalSeconds int, why string) ([]actions.Workload, time.Duration, bool) {
	interval := time.Duration(intervalSeconds) * time.Second
	items := workloads(body)
	if fe := actions.ValidateBatch("items", items, interval, knownCluster(snap)); fe != nil {
		writeFieldError(w, fe)
		return nil, 0, false
	}
	for i, it := range body {
		if it.Replicas != nil {
			writeFieldError(w, badField(fmt.Sprintf("items[%d].replicas", i), why))
			return nil, 0, false
		}
	}
	return items, interval, true
}
