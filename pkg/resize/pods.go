package resize

import (
	"context"
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// ErrUnsupported is returned when the cluster's Kubernetes has no pods/resize subresource: the
// request does not fit the cluster as it is (a refusal.ErrConflict, 409).
var ErrUnsupported = refusal.Kind(refusal.ErrConflict, "in-place resize needs Kubernetes 1.33 or later (the pods/resize subresource)")

// minVersion is the first release serving pods/resize by default.
var minVersion = version.MajorMinor(1, 33)

// CheckServer asks discovery for the server's version and returns ErrUnsupported (wrapped,
// naming the version) below 1.33.
func CheckServer(d discovery.ServerVersionInterface) error {
	info, err := d.ServerVersion()
	if err != nil {
		return fmt.Errorf("reading the server version: %w", err)
	}
	v, err := version.ParseGeneric(info.GitVersion)
	if err != nil {
		return fmt.Errorf("reading the server version %q: %w", info.GitVersion, err)
	}
	if v.LessThan(minVersion) {
		return fmt.Errorf("%w; this cluster runs %s", ErrUnsupported, info.GitVersion)
	}
	return nil
}

// target is a workload's selector and how to tell its own pods from others the selector matches.
type target struct {
	selector labels.Selector
	owns     func(*corev1.Pod) bool
}

// readTarget reads ref's selector through the typed client of its kind.
func readTarget(ctx context.Context, kc kubernetes.Interface, ref workload.Ref) (target, error) {
	apps := kc.AppsV1()
	var sel *metav1.LabelSelector
	var owns func(*corev1.Pod) bool
	var err error
	switch workload.Kind(ref.Kind) {
	case workload.StatefulSet:
		var s *appsv1.StatefulSet
		if s, err = apps.StatefulSets(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{}); err == nil {
			sel, owns = s.Spec.Selector, ownedBy("StatefulSet", s.Name)
		}
	case workload.DaemonSet:
		var d *appsv1.DaemonSet
		if d, err = apps.DaemonSets(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{}); err == nil {
			sel, owns = d.Spec.Selector, ownedBy("DaemonSet", d.Name)
		}
	default:
		var d *appsv1.Deployment
		if d, err = apps.Deployments(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{}); err == nil {
			sel, owns = d.Spec.Selector, ownedByDeployment(d.Name)
		}
	}
	if apierrors.IsNotFound(err) {
		return target{}, fmt.Errorf("%s %s/%s not found", workload.Kind(ref.Kind), ref.Namespace, ref.Name)
	}
	if err != nil {
		return target{}, fmt.Errorf("reading %s %s/%s: %w", workload.Kind(ref.Kind), ref.Namespace, ref.Name, err)
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return target{}, fmt.Errorf("%s %s/%s has a bad selector: %w", workload.Kind(ref.Kind), ref.Namespace, ref.Name, err)
	}
	return target{selector: s, owns: owns}, nil
}

func ownedBy(kind, name string) func(*corev1.Pod) bool {
	return func(p *corev1.Pod) bool {
		c := metav1.GetControllerOf(p)
		return c != nil && c.Kind == kind && c.Name == name
	}
}

// ownedByDeployment matches pods of a ReplicaSet of the Deployment without reading the
// ReplicaSets: the Deployment controller names each one <deployment>-<pod-template-hash> and
// labels its pods with that hash.
func ownedByDeployment(name string) func(*corev1.Pod) bool {
	return func(p *corev1.Pod) bool {
		c := metav1.GetControllerOf(p)
		hash := p.Labels[appsv1.DefaultDeploymentUniqueLabelKey]
		return c != nil && c.Kind == "ReplicaSet" && hash != "" && c.Name == name+"-"+hash
	}
}

// listPods returns the workload's pods that are not being deleted and not finished, by name.
func listPods(ctx context.Context, kc kubernetes.Interface, ns string, t target) ([]corev1.Pod, error) {
	list, err := kc.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: t.selector.String()})
	if err != nil {
		return nil, fmt.Errorf("listing pods: %w", err)
	}
	var out []corev1.Pod
	for _, p := range list.Items {
		if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed || !t.owns(&p) {
			continue
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Budget is how many pods may be resizing at once and why.
type Budget struct {
	InFlight int    `json:"inFlight"`
	From     string `json:"from"` // "PodDisruptionBudget <name>" or "no PodDisruptionBudget"
}

// readBudget finds the PodDisruptionBudget selecting the pods and turns it into a bound.
func readBudget(ctx context.Context, kc kubernetes.Interface, ns string, pods []corev1.Pod) (Budget, error) {
	list, err := kc.PolicyV1().PodDisruptionBudgets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return Budget{}, fmt.Errorf("listing PodDisruptionBudgets: %w", err)
	}
	for _, pdb := range list.Items {
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil || sel.Empty() || len(pods) == 0 || !sel.Matches(labels.Set(pods[0].Labels)) {
			continue
		}
		return Budget{InFlight: InFlight(pdb.Spec, len(pods)), From: "PodDisruptionBudget " + pdb.Name}, nil
	}
	return Budget{InFlight: 1, From: "no PodDisruptionBudget"}, nil
}

// InFlight is how many of pods pods a PodDisruptionBudget's spec lets be disrupted at once —
// maxUnavailable, or pods − minAvailable (percentages of pods, as the disruption controller
// rounds them: maxUnavailable down, minAvailable up) — but never below 1: pods resize one at a
// time at least, and an in-place resize that needs no restart disrupts nothing.
func InFlight(spec policyv1.PodDisruptionBudgetSpec, pods int) int {
	n := 1
	switch {
	case spec.MaxUnavailable != nil:
		if v, err := intstr.GetScaledValueFromIntOrPercent(spec.MaxUnavailable, pods, false); err == nil {
			n = v
		}
	case spec.MinAvailable != nil:
		if v, err := intstr.GetScaledValueFromIntOrPercent(spec.MinAvailable, pods, true); err == nil {
			n = pods - v
		}
	}
	return max(1, n)
}
