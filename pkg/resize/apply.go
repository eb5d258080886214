package resize

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
)

const fieldManager = "kubedoor"

// PodState is a pod's Before/After in its audit entry.
type PodState struct {
	Pod        string      `json:"pod"`
	Containers []Resources `json:"containers"`
	Outcome    string      `json:"outcome,omitempty"`
	Reason     string      `json:"reason,omitempty"`
}

// pods resizes pods in name order: each waits for a free slot (at most inFlight pods between
// their resize and the kubelet's answer), then for the pause, then is sent.
func (r *Runner) pods(ctx context.Context, kc kubernetes.Interface, w actions.Workload, pods []corev1.Pod, row control.Row,
	peaks map[string]float64, inFlight int, pause time.Duration, by actions.Actor) []PodResult {
	results := make([]PodResult, len(pods))
	slots := make(chan struct{}, inFlight)
	var wg sync.WaitGroup
	sent := 0
	for i := range pods {
		pod := &pods[i]
		plan := PlanPod(pod, row, peaks)
		results[i] = PodResult{Pod: pod.Name, Kept: plan.Kept, Before: ResourcesOf(pod.Spec)}
		if plan.Empty() {
			results[i].Outcome = OutcomeUnchanged
			continue
		}
		err := r.acquire(ctx, slots, sent > 0, pause)
		if err != nil {
			results[i].Outcome, results[i].Reason = OutcomeNotRun, "the request ended before this pod ("+err.Error()+")"
			continue
		}
		sent++
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			r.pod(ctx, kc, w, pod, plan, &results[i], by)
		}()
	}
	wg.Wait()
	return results
}

// acquire takes a slot, then waits the pause (when a pod was sent before), so the pause runs
// between one pod leaving flight and the next one starting.
func (r *Runner) acquire(ctx context.Context, slots chan struct{}, paused bool, pause time.Duration) error {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if paused && pause > 0 {
		if err := r.d.Sleep(ctx, pause); err != nil {
			<-slots
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		<-slots
		return err
	}
	return nil
}

// pod sends one pod's resize, waits for the kubelet's answer (up to Settle) and audits it.
func (r *Runner) pod(ctx context.Context, kc kubernetes.Interface, w actions.Workload, pod *corev1.Pod, plan Plan, res *PodResult, by actions.Actor) {
	res.StartedAt = r.d.Now()
	var id uuid.UUID // the pending entry's, so the result replaces it (audit.Log.Begin)
	defer func() {
		res.SettledAt = r.d.Now()
		r.audit(ctx, id, w, by, res)
		r.d.Log.Info("pod resize", "workload", w.String(), "pod", pod.Name, "outcome", res.Outcome, "reason", res.Reason, "by", by.User)
	}()
	patch, err := resizePatch(plan)
	if err != nil {
		res.Outcome, res.Reason = OutcomeFailed, err.Error()
		return
	}
	if id, err = r.begin(ctx, w, by, res); err != nil {
		res.Outcome, res.Reason = OutcomeNotRun, err.Error()
		return
	}
	out, err := kc.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch,
		metav1.PatchOptions{FieldManager: fieldManager}, "resize")
	if err != nil {
		res.Outcome, res.Reason = outcomeOf(err)
		return
	}
	res.After = ResourcesOf(out.Spec)
	res.Outcome, res.Reason = r.settle(ctx, kc, out)
}

// resizePatch is a strategic merge patch setting each planned container's requests and limits.
func resizePatch(p Plan) ([]byte, error) {
	type ctr struct {
		Name      string                      `json:"name"`
		Resources corev1.ResourceRequirements `json:"resources"`
	}
	cs := make([]ctr, len(p.Containers))
	for i, c := range p.Containers {
		cs[i] = ctr{Name: c.Name, Resources: corev1.ResourceRequirements{Requests: c.Resources.Requests, Limits: c.Resources.Limits}}
	}
	b, err := json.Marshal(map[string]any{"spec": map[string]any{"containers": cs}})
	if err != nil {
		return nil, fmt.Errorf("encoding the resize: %w", err)
	}
	return b, nil
}

// outcomeOf turns a failed resize call into an outcome: the API server's 4xx answers (validation:
// a QoS class change, a resource that cannot be resized; forbidden; not found) skip the pod with
// the server's message; anything else is a failure.
func outcomeOf(err error) (string, string) {
	var st apierrors.APIStatus
	if errors.As(err, &st) {
		code := st.Status().Code
		if code >= 400 && code < 500 && code != http.StatusTooManyRequests {
			return OutcomeSkipped, "refused by the API server: " + st.Status().Message
		}
	}
	return OutcomeFailed, "resize call failed: " + err.Error()
}

// settle reads the pod until the kubelet answers or Settle passes.
func (r *Runner) settle(ctx context.Context, kc kubernetes.Interface, sent *corev1.Pod) (string, string) {
	if r.d.Settle < 0 {
		return OutcomeRequested, "sent; not waiting for the kubelet"
	}
	deadline := r.d.Now().Add(r.d.Settle)
	pod := sent
	for {
		if outcome, reason, done := KubeletAnswer(pod, sent.Generation); done {
			return outcome, reason
		}
		if !r.d.Now().Before(deadline) {
			return OutcomeRequested, fmt.Sprintf("stored by the API server; the kubelet had not reported the resize within %s", r.d.Settle)
		}
		if err := r.d.Sleep(ctx, r.d.Poll); err != nil {
			return OutcomeRequested, "stored by the API server; stopped waiting for the kubelet: " + err.Error()
		}
		got, err := kc.CoreV1().Pods(sent.Namespace).Get(ctx, sent.Name, metav1.GetOptions{})
		if err != nil {
			return OutcomeFailed, "resize stored, but reading the pod back failed: " + err.Error()
		}
		pod = got
	}
}

// KubeletAnswer reads what the kubelet reported about the resize that made the pod's
// generation gen: Infeasible or Deferred (PodResizePending, or status.resize on servers before
// 1.33's conditions) skips the pod with the kubelet's message; done is also true once the
// kubelet observed gen with no resize pending or in progress.
func KubeletAnswer(pod *corev1.Pod, gen int64) (outcome, reason string, done bool) {
	inProgress := false
	for _, c := range pod.Status.Conditions {
		switch {
		case c.Type == corev1.PodResizePending && c.Status == corev1.ConditionTrue:
			if c.Reason == corev1.PodReasonInfeasible || c.Reason == corev1.PodReasonDeferred {
				return OutcomeSkipped, fmt.Sprintf("%s on the node: %s", c.Reason, c.Message), true
			}
			inProgress = true
		case c.Type == corev1.PodResizeInProgress && c.Status == corev1.ConditionTrue:
			if c.Reason == corev1.PodReasonError {
				return OutcomeSkipped, "the kubelet failed to resize: " + c.Message, true
			}
			inProgress = true
		}
	}
	//nolint:staticcheck // status.resize is what servers before the conditions report.
	switch pod.Status.Resize {
	case corev1.PodResizeStatusInfeasible, corev1.PodResizeStatusDeferred:
		//nolint:staticcheck // as above
		return OutcomeSkipped, fmt.Sprintf("%s on the node (status.resize)", pod.Status.Resize), true
	case "":
	default:
		inProgress = true
	}
	if !inProgress && gen > 0 && pod.Status.ObservedGeneration >= gen {
		return OutcomeResized, "", true
	}
	return "", "", false
}

// begin records the pod's resize as pending before it is sent, so a crash after the patch leaves
// an entry (settled by audit.PendingPass); when it cannot be recorded the pod is not resized.
func (r *Runner) begin(ctx context.Context, w actions.Workload, by actions.Actor, res *PodResult) (uuid.UUID, error) {
	e := audit.Entry{User: by.User, Role: by.Role, Action: ActionResize, Cluster: w.Cluster, Target: w.Target(),
		Before: PodState{Pod: res.Pod, Containers: res.Before}}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	id, err := r.d.Audit.Begin(actx, e)
	if err != nil {
		return uuid.Nil, fmt.Errorf("not run: the audit log refused its entry, so the resize would go unrecorded: %w", err)
	}
	return id, nil
}

// audit records one pod's resize under the workload's target (under id, the pending entry's,
// when begun); a failure to record is logged.
func (r *Runner) audit(ctx context.Context, id uuid.UUID, w actions.Workload, by actions.Actor, res *PodResult) {
	after := res.After
	if after == nil {
		after = res.Before
	}
	e := audit.Entry{ID: id, User: by.User, Role: by.Role, Action: ActionResize, Cluster: w.Cluster, Target: w.Target(),
		Before: PodState{Pod: res.Pod, Containers: res.Before},
		After:  PodState{Pod: res.Pod, Containers: after, Outcome: res.Outcome, Reason: res.Reason},
		Result: audit.ResultOK}
	if res.Outcome == OutcomeSkipped || res.Outcome == OutcomeFailed {
		e.Result, e.Error = audit.ResultFailed, res.Reason
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := r.d.Audit.Record(actx, e); err != nil {
		r.d.Log.Error("audit entry not recorded", "action", ActionResize, "workload", w.String(), "pod", res.Pod, "error", err)
	}
}
