package admission

import (
	"context"
	"fmt"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/webhook/cache"
	"github.com/kubedoor/kubedoor-grafana/webhook/decision"
)

// isPodCreate reports whether req is a Pod CREATE, which only a namespace whose enforcement
// target is pods sends (see registration).
func isPodCreate(req *admissionv1.AdmissionRequest) bool {
	return req.Resource.Group == "" && req.Resource.Resource == "pods" && req.SubResource == "" && req.Operation == admissionv1.Create
}

// decidePod resolves the Pod's workload and policy from the cache and returns the decision and
// the name of the CapacityPolicy it read ("" when none).
func (d *Decider) decidePod(ctx context.Context, req *admissionv1.AdmissionRequest) (decision.Decision, string) {
	pod, err := decodePod(req.Object.Raw)
	if err != nil {
		return failOpen(ReasonBadObject, "kubedoor-webhook could not read the object ("+err.Error()+"); the change was admitted unmodified"), ""
	}
	if pod.Namespace == "" {
		pod.Namespace = req.Namespace // a CREATE's object may leave the namespace to the URL
	}
	ns, ok := d.namespace(ctx, req.Namespace)
	if !ok {
		return failOpen(ReasonNamespaceMissed, fmt.Sprintf("kubedoor-webhook has not seen namespace %s yet; the Pod was admitted unmodified", req.Namespace)), ""
	}
	in := decision.PodInput{Namespace: req.Namespace, Pod: pod, Control: ns.Control, Target: ns.Target}
	if in.Target != v1alpha1.ControlTargetPods {
		return decision.DecidePod(in), ""
	}
	in.Owner = d.podOwner(ctx, pod)
	if in.Owner.Kind == "" {
		return decision.DecidePod(in), ""
	}
	name := v1alpha1.PolicyName(in.Owner.Kind, in.Owner.Name)
	in.Policy = d.lookup.Policy(req.Namespace, name)
	if err := cache.PolicyError(in.Policy); err != nil {
		return failOpen(ReasonInvalidPolicy, "kubedoor-webhook: "+err.Error()+"; the Pod was admitted unmodified"), name
	}
	if in.Policy != nil && v1alpha1.KindOf(in.Policy.Spec) != in.Owner.Kind {
		in.Policy = nil // a policy governs only the kind it targets (see decide)
	}
	dec := decision.DecidePod(in)
	if in.Policy == nil {
		return dec, ""
	}
	return dec, name
}

// podOwner follows the Pod's owner chain in the cache. The ReplicaSet controller creates Pods
// moments after their ReplicaSet, so a ReplicaSet not cached yet is waited for as briefly as a
// new namespace is.
func (d *Decider) podOwner(ctx context.Context, pod *corev1.Pod) decision.Owner {
	owner := decision.PodOwner(pod, d.lookup.ReplicaSetOwner)
	if owner.Kind != "" || !waitsForReplicaSet(pod) {
		return owner
	}
	ctx, cancel := context.WithTimeout(ctx, d.opts.NamespaceWait)
	defer cancel()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return owner
		case <-tick.C:
			if _, _, found := d.lookup.ReplicaSetOwner(pod.Namespace, controllerName(pod)); found {
				return decision.PodOwner(pod, d.lookup.ReplicaSetOwner)
			}
		}
	}
}

// waitsForReplicaSet: the Pod's controller is a ReplicaSet the cache does not hold yet.
func waitsForReplicaSet(pod *corev1.Pod) bool {
	for _, r := range pod.OwnerReferences {
		if r.Controller != nil && *r.Controller {
			return r.Kind == "ReplicaSet" && r.APIVersion == "apps/v1"
		}
	}
	return false
}

func controllerName(pod *corev1.Pod) string {
	for _, r := range pod.OwnerReferences {
		if r.Controller != nil && *r.Controller {
			return r.Name
		}
	}
	return ""
}
