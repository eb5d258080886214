package plugin

import (
	"fmt"
	"net/http"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/resize"
)

// actionResizeNow is the route action of "apply now" (each pod is audited as resize.ActionResize).
const actionResizeNow = "apply a control-table row to running pods"

// resizeRoutes are the in-place resize routes: a batch action and one workload's "apply now".
func (a *App) resizeRoutes() []route {
	return []route{
		{"POST /v1/actions/resize", RoleEditor, "resize workloads' pods in place", a.postResize},
		{"POST /v1/control/{cluster}/{namespace}/{workload}/resize", RoleEditor, actionResizeNow, a.resizeNow},
	}
}

type resizeBody struct {
	Items           []actionItem `json:"items"`
	IntervalSeconds int          `json:"intervalSeconds"`
	FallbackRestart bool         `json:"fallbackRestart"`
}

// postResize resizes a batch's workloads in order; intervalSeconds is the pause between pods
// (and between workloads). Each item reports its pods; a cluster below 1.33 fails its items.
func (a *App) postResize(w http.ResponseWriter, r *http.Request) {
	var body resizeBody
	if !decodeJSON(w, r, &body) {
		return
	}
	ops, snap, ok := a.opsSnapshot(w)
	if !ok {
		return
	}
	items, interval, ok := replicaFreeBatch(w, snap, body.Items, body.IntervalSeconds,
		"not used by resize (it applies the control table's requests and limits); leave it out")
	if !ok {
		return
	}
	c := callerFrom(r)
	runner := ops.Resizer(snap)
	if body.FallbackRestart {
		runner = runner.WithFallback()
	}
	results := runner.Resize(r.Context(), resize.Request{Items: items, Pause: interval}, actions.Actor{User: c.Login, Role: c.Role.String()})
	writeJSON(w, http.StatusOK, actionResults{Results: results})
}

type resizeNowBody struct {
	PauseSeconds *int `json:"pauseSeconds"`
	// WaitSeconds bounds the wait for each pod's kubelet answer (absent: resize.DefaultSettle;
	// 0: do not wait).
	WaitSeconds *int `json:"waitSeconds"`
	// FallbackRestart: restart the workload when pods are skipped, inside the namespace's
	// maintenance window only.
	FallbackRestart bool `json:"fallbackRestart"`
}

// resizeNow applies one workload's row to its running pods. It answers 404 for a workload
// outside the control table, 400 for a protected namespace, 409 for a cluster below 1.33 —
// all before any pod is touched — and otherwise 200 with the per-pod result.
func (a *App) resizeNow(w http.ResponseWriter, r *http.Request) {
	k, ok := controlKey(w, r)
	if !ok {
		return
	}
	var body resizeNowBody
	if !decodeJSON(w, r, &body) {
		return
	}
	if body.PauseSeconds == nil || *body.PauseSeconds < 0 || time.Duration(*body.PauseSeconds)*time.Second > actions.MaxInterval {
		writeFieldError(w, badField("pauseSeconds", fmt.Sprintf("required, 0 to %d", int(actions.MaxInterval/time.Second))))
		return
	}
	if body.WaitSeconds != nil && (*body.WaitSeconds < 0 || time.Duration(*body.WaitSeconds)*time.Second > actions.MaxInterval) {
		writeFieldError(w, badField("waitSeconds", fmt.Sprintf("0 to %d", int(actions.MaxInterval/time.Second))))
		return
	}
	ops, snap, ok := a.opsSnapshot(w)
	if !ok {
		return
	}
	item := []actions.Workload{{Cluster: k.Cluster, Namespace: k.Namespace, Kind: k.Kind, Name: k.Workload}}
	if fe := actions.ValidateBatch("workload", item, 0, knownCluster(snap)); fe != nil {
		if _, known := snap.App.Cluster(k.Cluster); !known {
			writeError(w, http.StatusNotFound, codeNotFound, "no cluster named %q", k.Cluster)
			return
		}
		writeFieldError(w, fe)
		return
	}
	runner := ops.Resizer(snap)
	if body.WaitSeconds != nil {
		runner = runner.WithSettle(time.Duration(*body.WaitSeconds) * time.Second)
	}
	if body.FallbackRestart {
		runner = runner.WithFallback()
	}
	if err := runner.Check(r.Context(), item[0]); err != nil {
		// Not a refusal: the check could not read the cluster or the store (503 either way).
		a.writeFailed(w, r, "checking the resize of "+item[0].String(), onCluster(k.Cluster, err))
		return
	}
	c := callerFrom(r)
	results := runner.Resize(r.Context(), resize.Request{Items: item, Pause: time.Duration(*body.PauseSeconds) * time.Second},
		actions.Actor{User: c.Login, Role: c.Role.String()})
	writeJSON(w, http.StatusOK, results[0])
}
