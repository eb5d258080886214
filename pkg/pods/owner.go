package pods

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// owner is a workload as found in its cluster.
type owner struct {
	ref      workload.Ref
	uid      types.UID
	selector *metav1.LabelSelector
}

// getOwner reads ref's workload; an absent one is ErrNotFound naming the workload field.
func getOwner(ctx context.Context, kc kubernetes.Interface, ref workload.Ref) (owner, error) {
	o := owner{ref: ref}
	var err error
	var meta metav1.ObjectMeta
	apps := kc.AppsV1()
	switch ref.Kind {
	case workload.Deployment:
		d, e := apps.Deployments(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err = e; e == nil {
			meta, o.selector = d.ObjectMeta, d.Spec.Selector
		}
	case workload.StatefulSet:
		s, e := apps.StatefulSets(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err = e; e == nil {
			meta, o.selector = s.ObjectMeta, s.Spec.Selector
		}
	case workload.DaemonSet:
		s, e := apps.DaemonSets(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err = e; e == nil {
			meta, o.selector = s.ObjectMeta, s.Spec.Selector
		}
	default:
		return o, refused(ErrUnsupported, "kind", "unknown workload kind %q", ref.Kind)
	}
	if apierrors.IsNotFound(err) {
		return o, refused(ErrNotFound, "workload", "%s %s not found", ref.Kind, ref.Target())
	}
	if err != nil {
		return o, fmt.Errorf("reading %s %s: %w", ref.Kind, ref.Target(), err)
	}
	o.uid = meta.UID
	return o, nil
}

// owns says whether p is one of o's running set: a StatefulSet's or DaemonSet's pods name it as
// their controller; a Deployment's name one of its ReplicaSets, which the Deployment controller
// names "<deployment>-<pod-template-hash>" and which stamps that hash on its pods. Reading the
// ReplicaSet is not needed, so the backend's role stays without ReplicaSet access.
func (o owner) owns(p *corev1.Pod) bool {
	c := metav1.GetControllerOf(p)
	if c == nil || !isAppsV1(c.APIVersion) {
		return false
	}
	if o.ref.Kind == workload.Deployment {
		hash := p.Labels["pod-template-hash"]
		return c.Kind == "ReplicaSet" && hash != "" && c.Name == o.ref.Name+"-"+hash && o.matches(p)
	}
	return c.Kind == o.ref.Kind && c.Name == o.ref.Name && c.UID == o.uid
}

// isolatedFrom says whether p was isolated from o: its annotation names o and it carries the
// isolated selector's labels.
func (o owner) isolatedFrom(p *corev1.Pod) bool {
	if p.Annotations[AnnotationIsolatedFrom] != o.ref.Kind+"/"+o.ref.Name || p.Annotations[AnnotationIsolatedAt] == "" {
		return false
	}
	sel, ok := o.isolatedSelector()
	return ok && sel.Matches(labels.Set(p.Labels))
}

func (o owner) matches(p *corev1.Pod) bool {
	sel, err := metav1.LabelSelectorAsSelector(o.selector)
	return err == nil && !sel.Empty() && sel.Matches(labels.Set(p.Labels))
}

// isolatedSelector selects o's isolated pods; ok is false when o's selector cannot isolate.
func (o owner) isolatedSelector() (labels.Selector, bool) {
	key, err := SelectorLabel(o.selector)
	if err != nil {
		return nil, false
	}
	return labels.SelectorFromSet(IsolatedSelector(o.selector, key)), true
}

func isAppsV1(apiVersion string) bool { return apiVersion == "apps/v1" }

// ownPods lists o's own pods (its selector's pods that it controls).
func (o owner) ownPods(ctx context.Context, kc kubernetes.Interface) (own []corev1.Pod, err error) {
	sel, err := metav1.LabelSelectorAsSelector(o.selector)
	if err != nil {
		return nil, fmt.Errorf("%s %s has an unusable selector: %w", o.ref.Kind, o.ref.Target(), err)
	}
	if sel.Empty() {
		return nil, fmt.Errorf("%s %s has an empty selector", o.ref.Kind, o.ref.Target())
	}
	list, err := kc.CoreV1().Pods(o.ref.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, fmt.Errorf("listing pods of %s %s: %w", o.ref.Kind, o.ref.Target(), err)
	}
	for i := range list.Items {
		if o.owns(&list.Items[i]) {
			own = append(own, list.Items[i])
		}
	}
	return own, nil
}

// pods lists o's own pods and the ones isolated from it.
func (o owner) pods(ctx context.Context, kc kubernetes.Interface) (own, isolated []corev1.Pod, err error) {
	if own, err = o.ownPods(ctx, kc); err != nil {
		return nil, nil, err
	}
	isel, ok := o.isolatedSelector()
	if !ok {
		return own, nil, nil
	}
	list, err := kc.CoreV1().Pods(o.ref.Namespace).List(ctx, metav1.ListOptions{LabelSelector: isel.String()})
	if err != nil {
		return nil, nil, fmt.Errorf("listing isolated pods of %s %s: %w", o.ref.Kind, o.ref.Target(), err)
	}
	for i := range list.Items {
		if o.isolatedFrom(&list.Items[i]) {
			isolated = append(isolated, list.Items[i])
		}
	}
	return own, isolated, nil
}
