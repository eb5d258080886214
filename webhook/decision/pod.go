package decision

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// The pods enforcement target (namespace label kubedoor.io/control-target=pods): the workload
// object is never modified, so what a GitOps tool applied stays as applied; instead each Pod
// gets the table's requests/limits when it is created, as the VPA admission controller does.
// Replicas are not forced in this mode: only the workload object carries them.

// Reasons of Pod decisions.
const (
	ReasonPodCreate       Reason = "pod-create"                // the Pod gets its workload's policy
	ReasonNotPodsTarget   Reason = "namespace-target-template" // the namespace enforces on workloads
	ReasonPodOwnerUnknown Reason = "pod-owner-unknown"         // no Deployment/StatefulSet/DaemonSet found
	ReasonPodNoPolicy     Reason = "pod-no-policy"             // the workload is not in the control table
	ReasonPodLevel        Reason = "pod-level-resources"       // spec.resources set: left to its author
)

// Owner is the workload a Pod belongs to; Kind is "" when none was found, and Why says why.
type Owner struct {
	Kind, Name string
	Why        string
}

// ReplicaSetOwners answers, from memory, which workload controls a ReplicaSet: kind and name
// ("" when none), found false when the ReplicaSet is not known.
type ReplicaSetOwners func(namespace, replicaSet string) (kind, name string, found bool)

// PodOwner follows the Pod's controller reference: pod → ReplicaSet → Deployment, pod →
// StatefulSet, pod → DaemonSet. Anything else (a bare Pod, a Job's Pod, a ReplicaSet of its own
// or one not yet known) has no owner the control table can name.
func PodOwner(pod *corev1.Pod, replicaSets ReplicaSetOwners) Owner {
	ref := metav1.GetControllerOfNoCopy(pod)
	if ref == nil {
		return Owner{Why: "the Pod has no controller"}
	}
	if gv, err := schema.ParseGroupVersion(ref.APIVersion); err != nil || gv.Group != "apps" {
		return Owner{Why: fmt.Sprintf("the Pod's controller %s %s is not an apps/v1 workload", ref.Kind, ref.Name)}
	}
	switch ref.Kind {
	case v1alpha1.KindStatefulSet, v1alpha1.KindDaemonSet:
		return Owner{Kind: ref.Kind, Name: ref.Name}
	case "ReplicaSet":
		kind, name, found := replicaSets(pod.Namespace, ref.Name)
		switch {
		case !found:
			return Owner{Why: fmt.Sprintf("ReplicaSet %s is not in the webhook's cache", ref.Name)}
		case kind != v1alpha1.KindDeployment:
			return Owner{Why: fmt.Sprintf("ReplicaSet %s is not controlled by a Deployment", ref.Name)}
		}
		return Owner{Kind: v1alpha1.KindDeployment, Name: name}
	}
	return Owner{Why: fmt.Sprintf("the Pod's controller is a %s", ref.Kind)}
}

// PodInput is everything a Pod CREATE decision depends on.
type PodInput struct {
	Namespace string
	Pod       *corev1.Pod
	// Control and Target are the namespace's kubedoor.io/control and kubedoor.io/control-target.
	Control, Target string
	Owner           Owner
	// Policy is Owner's CapacityPolicy (one whose targetKind is Owner.Kind), nil if none.
	Policy *v1alpha1.CapacityPolicy
}

// DecidePod sets the owner's policy on a Pod being created in a namespace whose enforcement
// target is pods. Everything outside that — another target, an unknown owner, a workload with
// no policy — is admitted unchanged: the workload itself was admitted (or not) by its own rules.
func DecidePod(in PodInput) Decision {
	if in.Pod == nil {
		return Decision{Allowed: true, Result: Allowed, Reason: ReasonUnsupported, Notes: []string{"pod-create without the Pod; admitted unchanged"}}
	}
	if in.Control != v1alpha1.ControlEnforce && in.Control != v1alpha1.ControlObserve {
		return Decision{Allowed: true, Result: Allowed, Reason: ReasonNotEnforced}
	}
	if in.Target != v1alpha1.ControlTargetPods {
		// The registration only sends Pods of pods-target namespaces; a label changed since.
		return Decision{Allowed: true, Result: Allowed, Reason: ReasonNotPodsTarget}
	}
	if in.Owner.Kind == "" {
		return Decision{Allowed: true, Result: Allowed, Reason: ReasonPodOwnerUnknown, Notes: []string{in.Owner.Why}}
	}
	if in.Policy == nil {
		return Decision{Allowed: true, Result: Allowed, Reason: ReasonPodNoPolicy,
			Notes: []string{fmt.Sprintf("%s %s has no CapacityPolicy", in.Owner.Kind, in.Owner.Name)}}
	}
	if in.Pod.Spec.Resources != nil {
		// Pod-level requests/limits bound the containers'; changing the containers could make
		// the Pod invalid, and a refused Pod stops its ReplicaSet. Not ours to guess.
		return Decision{Allowed: true, Result: Allowed, Reason: ReasonPodLevel,
			Notes: []string{"the Pod sets pod-level resources (spec.resources); its containers were left as sent"}}
	}
	p := &patcher{in: Input{Kind: in.Owner.Kind, Namespace: in.Namespace, Name: in.Owner.Name, Policy: in.Policy}}
	if r := in.Policy.Spec.Replicas; r != nil && in.Owner.Kind != v1alpha1.KindDaemonSet {
		p.ignored = append(p.ignored, fmt.Sprintf("policy replicas %d (not forced: the namespace's enforcement target is pods)", *r))
	}
	p.containerResources(in.Pod.Spec.Containers, "/spec/containers", "Pod")
	d := p.decision(ReasonPodCreate)
	if in.Control == v1alpha1.ControlObserve {
		return observe(p.in, d)
	}
	return d
}
