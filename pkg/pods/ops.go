package pods

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Isolate takes pod out of ref's selector (see Isolation) so ref's controller starts a
// replacement while the pod keeps running. A refusal is a *refusal.FieldError; every attempt that reaches
// the cluster's pods (and every refusal of a protected namespace) is audited.
func (op *Operator) Isolate(ctx context.Context, ref workload.Ref, pod string, by Actor) (Result, error) {
	res, id, err := op.isolate(ctx, ref, pod, by, op.result(ref, pod))
	if err != nil {
		res.Error = err.Error()
		op.o.Log.Warn("pod isolation failed", "cluster", op.c.Name, "workload", ref.Target(), "kind", ref.Kind, "pod", pod, "by", by.User, "error", err)
	} else {
		op.o.Log.Info("pod isolated", "cluster", op.c.Name, "workload", ref.Target(), "kind", ref.Kind, "pod", pod, "by", by.User)
	}
	op.record(ctx, id, by, ActionIsolate, ref, res)
	op.report(ctx, "isolate pod", ref, []Result{res}, by)
	return res, err
}

// isolate does Isolate's work; id is the pending audit entry's when the patch was attempted.
func (op *Operator) isolate(ctx context.Context, ref workload.Ref, pod string, by Actor, res Result) (_ Result, id uuid.UUID, _ error) {
	if why := Protected(ref.Namespace, op.c.KubedoorNamespace); why != "" {
		return res, id, refused(ErrProtected, "namespace", "%s", why)
	}
	o, err := getOwner(ctx, op.c.Kube, ref)
	if err != nil {
		return res, id, err
	}
	label, cannot := isolationLabel(o)
	if cannot != "" {
		return res, id, refused(ErrUnsupported, "pod", "pods of %s %s cannot be isolated: %s", ref.Kind, ref.Target(), cannot)
	}
	p, err := op.getPod(ctx, ref, pod)
	if err != nil {
		return res, id, err
	}
	res.Before = stateOf(p)
	switch {
	case o.isolatedFrom(p):
		return res, id, refused(ErrConflict, "pod", "pod %s is already isolated (at %s by %s)", pod, p.Annotations[AnnotationIsolatedAt], p.Annotations[AnnotationIsolatedBy])
	case !o.owns(p):
		return res, id, refused(ErrNotOwned, "pod", "pod %s is not a pod of %s %s", pod, ref.Kind, ref.Target())
	case p.DeletionTimestamp != nil:
		return res, id, refused(ErrConflict, "pod", "pod %s is being deleted", pod)
	}
	iso := Isolation{Label: label, From: p.Labels[label], To: IsolatedValue(p.Labels[label]),
		At: op.o.Now().UTC().Format(time.RFC3339), By: by.User, Workload: ref.Kind + "/" + ref.Name}
	patch, err := iso.Patch(p.ResourceVersion)
	if err != nil {
		return res, id, err
	}
	if id, err = op.begin(ctx, by, ActionIsolate, ref, res); err != nil {
		return res, id, err
	}
	after, err := op.c.Kube.CoreV1().Pods(ref.Namespace).Patch(ctx, pod, types.MergePatchType, patch, metav1.PatchOptions{})
	if apierrors.IsConflict(err) {
		return res, id, refused(ErrConflict, "pod", "pod %s changed while it was being isolated; look at it again and retry", pod)
	}
	if err != nil {
		return res, id, fmt.Errorf("patching pod %s: %w", pod, err)
	}
	st := stateOf(after)
	st.Isolation = &iso
	res.OK, res.After = true, st
	return res, id, nil
}

// getPod reads pod of ref's namespace; an absent one is a refusal naming the pod.
func (op *Operator) getPod(ctx context.Context, ref workload.Ref, pod string) (*corev1.Pod, error) {
	p, err := op.c.Kube.CoreV1().Pods(ref.Namespace).Get(ctx, pod, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, refused(ErrNotFound, "pod", "pod %s not found in namespace %s", pod, ref.Namespace)
	}
	if err != nil {
		return nil, fmt.Errorf("reading pod %s: %w", pod, err)
	}
	return p, nil
}

// DeleteRequest is pods of one workload to delete, Interval apart.
type DeleteRequest struct {
	Ref      workload.Ref
	Pods     []string
	Interval time.Duration
}

// Delete deletes req's pods gracefully (each with its own spec's grace period), Interval apart.
// Every pod is checked to belong to the workload (or to have been isolated from it) before any is
// deleted: a refusal (a *refusal.FieldError, audited once) deletes nothing. Each delete is audited.
func (op *Operator) Delete(ctx context.Context, req DeleteRequest, by Actor) ([]Result, error) {
	o, checked, err := op.checkDeletes(ctx, req)
	if err != nil {
		res := op.result(req.Ref, strings.Join(req.Pods, ","))
		res.Error, res.Before = err.Error(), map[string][]string{"pods": req.Pods}
		op.record(ctx, uuid.Nil, by, ActionDelete, req.Ref, res)
		op.o.Log.Warn("pod delete refused", "cluster", op.c.Name, "workload", req.Ref.Target(), "pods", req.Pods, "by", by.User, "error", err)
		return nil, err
	}
	results := make([]Result, len(checked))
	notRun := func(from int, why string) {
		for j := from; j < len(checked); j++ {
			results[j] = op.result(req.Ref, checked[j].Name)
			results[j].Error = "not run: " + why
		}
	}
	for i, p := range checked {
		if i > 0 && req.Interval > 0 {
			if err := op.o.Sleep(ctx, req.Interval); err != nil {
				notRun(i, "the request ended before this pod ("+err.Error()+")")
				break
			}
		}
		if i > 0 {
			if held := op.lastReady(ctx, o, p); held != "" {
				notRun(i, held)
				break
			}
		}
		results[i] = op.deleteOne(ctx, req.Ref, p, by)
	}
	op.report(ctx, "delete pods", req.Ref, results, by)
	return results, nil
}

// lastReady says why p is held back ("" when it may go): a batch never deletes the workload's
// last ready pod (see LastReady). An isolated pod no longer serves and is never held. o is the
// owner read when the batch was checked; its pods are listed afresh, since replacements start
// during the pauses.
func (op *Operator) lastReady(ctx context.Context, o owner, p *corev1.Pod) string {
	if o.isolatedFrom(p) {
		return ""
	}
	own, err := o.ownPods(ctx, op.c.Kube)
	if err != nil {
		return "the workload's pods could not be read to check it keeps a ready pod: " + err.Error()
	}
	if cur := findPod(own, p.Name); cur == nil || !LastReady(own, cur) {
		return ""
	}
	return fmt.Sprintf("pod %s is the last ready pod of %s %s; delete it once a replacement is ready (a longer pause lets them start)", p.Name, o.ref.Kind, o.ref.Target())
}

// checkDeletes reads req's workload and pods, refusing the whole request if any pod is not its.
func (op *Operator) checkDeletes(ctx context.Context, req DeleteRequest) (owner, []*corev1.Pod, error) {
	if why := Protected(req.Ref.Namespace, op.c.KubedoorNamespace); why != "" {
		return owner{}, nil, refused(ErrProtected, "namespace", "%s", why)
	}
	o, err := getOwner(ctx, op.c.Kube, req.Ref)
	if err != nil {
		return o, nil, err
	}
	out := make([]*corev1.Pod, 0, len(req.Pods))
	for i, name := range req.Pods {
		p, err := op.getPod(ctx, req.Ref, name)
		var r *refusal.FieldError
		if errors.As(err, &r) {
			r.Field = fmt.Sprintf("pods[%d]", i)
		}
		if err != nil {
			return o, nil, err
		}
		if !o.owns(p) && !o.isolatedFrom(p) {
			return o, nil, refused(ErrNotOwned, fmt.Sprintf("pods[%d]", i), "pod %s is not a pod of %s %s (nor isolated from it)", name, req.Ref.Kind, req.Ref.Target())
		}
		out = append(out, p)
	}
	return o, out, nil
}

// deleteOne deletes p with its spec's grace period, on the condition that it is still the pod
// that was checked (same UID), and audits it.
func (op *Operator) deleteOne(ctx context.Context, ref workload.Ref, p *corev1.Pod, by Actor) Result {
	res := op.result(ref, p.Name)
	res.Before = stateOf(p)
	grace := Summarise(p, op.o.Now()).GracePeriodSeconds
	id, err := op.begin(ctx, by, ActionDelete, ref, res)
	if err == nil {
		err = op.c.Kube.CoreV1().Pods(ref.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{
			Preconditions: &metav1.Preconditions{UID: &p.UID},
		})
		switch {
		case apierrors.IsNotFound(err):
			err = fmt.Errorf("pod %s was already gone", p.Name)
		case apierrors.IsConflict(err):
			err = fmt.Errorf("pod %s was replaced by another pod of the same name since it was checked; not deleted", p.Name)
		case err != nil:
			err = fmt.Errorf("deleting pod %s: %w", p.Name, err)
		}
	}
	if err != nil {
		res.Error = err.Error()
	} else {
		res.OK = true
		res.After = podState{Pod: p.Name, Node: p.Spec.NodeName, Deleting: true, GracePeriodSeconds: &grace}
	}
	if res.OK {
		op.o.Log.Info("pod deleted", "cluster", op.c.Name, "workload", ref.Target(), "pod", p.Name, "gracePeriodSeconds", grace, "by", by.User)
	} else {
		op.o.Log.Warn("pod delete failed", "cluster", op.c.Name, "workload", ref.Target(), "pod", p.Name, "by", by.User, "error", res.Error)
	}
	op.record(ctx, id, by, ActionDelete, ref, res)
	return res
}

// report sends one message per request, as actions do.
func (op *Operator) report(ctx context.Context, verb string, ref workload.Ref, results []Result, by Actor) {
	if len(results) == 0 {
		return
	}
	failed := 0
	var fields []notify.Field
	for _, r := range results {
		state := "ok"
		if !r.OK {
			failed++
			state = "FAILED: " + r.Error
		}
		fields = append(fields, notify.Field{Name: r.Pod, Value: state})
	}
	e := notify.Event{Kind: notify.EventActionDone, Cluster: op.c.Name, Key: verb, Fields: fields,
		Title: fmt.Sprintf("%s of %s/%s done for %d pod(s)", verb, op.c.Name, ref.Target(), len(results)),
		Text:  fmt.Sprintf("By %s.", by.User), At: op.o.Now()}
	if failed > 0 {
		e.Kind = notify.EventActionFailed
		e.Title = fmt.Sprintf("%s of %s/%s failed for %d of %d pod(s)", verb, op.c.Name, ref.Target(), failed, len(results))
	}
	op.o.Notifier.Notify(ctx, e)
}

// findPod is the pod named name in pods, or nil.
func findPod(pods []corev1.Pod, name string) *corev1.Pod {
	for i := range pods {
		if pods[i].Name == name {
			return &pods[i]
		}
	}
	return nil
}
