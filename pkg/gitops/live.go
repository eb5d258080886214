package gitops

import (
	"context"
	"fmt"
	"maps"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// pageSize bounds one List answer: a namespace of thousands of Deployments is read in pages.
const pageSize = 500

// ReadPositions lists the workloads of each namespace and returns their container names in
// pod-template order, which Flux's JSON Pointers need. Namespaces are read one at a time, and a
// kind only where a row of that kind is (kinds lists them), so the backend's identity needs only
// the list verbs its RBAC already has.
func ReadPositions(ctx context.Context, kc kubernetes.Interface, namespaces, kinds []string) (map[Ref][]string, error) {
	out := map[Ref][]string{}
	nss := slices.Clone(namespaces)
	slices.Sort(nss)
	for _, ns := range slices.Compact(nss) {
		for _, kind := range kinds {
			if err := readKind(ctx, kc, ns, kind, out); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// readKind adds the kind's workloads of namespace ns to out, a page at a time.
func readKind(ctx context.Context, kc kubernetes.Interface, ns, kind string, out map[Ref][]string) error {
	add := func(name string, cs []corev1.Container) {
		names := make([]string, len(cs))
		for i, c := range cs {
			names[i] = c.Name
		}
		out[Ref{Namespace: ns, Kind: kind, Name: name}] = names
	}
	opts := metav1.ListOptions{Limit: pageSize}
	for {
		var cont string
		var err error
		switch kind {
		case workload.StatefulSet:
			var l *appsv1.StatefulSetList
			if l, err = kc.AppsV1().StatefulSets(ns).List(ctx, opts); err == nil {
				for _, o := range l.Items {
					add(o.Name, o.Spec.Template.Spec.Containers)
				}
				cont = l.Continue
			}
		case workload.DaemonSet:
			var l *appsv1.DaemonSetList
			if l, err = kc.AppsV1().DaemonSets(ns).List(ctx, opts); err == nil {
				for _, o := range l.Items {
					add(o.Name, o.Spec.Template.Spec.Containers)
				}
				cont = l.Continue
			}
		default:
			var l *appsv1.DeploymentList
			if l, err = kc.AppsV1().Deployments(ns).List(ctx, opts); err == nil {
				for _, o := range l.Items {
					add(o.Name, o.Spec.Template.Spec.Containers)
				}
				cont = l.Continue
			}
		}
		if err != nil {
			return fmt.Errorf("listing the %ss of namespace %s: %w", kind, ns, err)
		}
		if cont == "" {
			return nil
		}
		opts.Continue = cont
	}
}

// Kinds returns the kinds of the rows not removed from control.
func Kinds(in Input) []string {
	var out []string
	for _, r := range in.Rows {
		if k := workload.Kind(r.Kind); !r.Deleted && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// Namespaces returns the namespaces of the rows not removed from control.
func Namespaces(in Input) []string {
	var out []string
	for _, r := range in.Rows {
		if !r.Deleted && !slices.Contains(out, r.Namespace) {
			out = append(out, r.Namespace)
		}
	}
	return out
}

// ReadHPATargets lists the HorizontalPodAutoscalers of each namespace and returns the
// Deployments they scale: the webhook reads the same from its cache, so this is what it leaves
// the replicas of alone right now, even before the next collection sees the HPA.
func ReadHPATargets(ctx context.Context, kc kubernetes.Interface, namespaces []string) (map[Ref]bool, error) {
	out := map[Ref]bool{}
	nss := slices.Clone(namespaces)
	slices.Sort(nss)
	for _, ns := range slices.Compact(nss) {
		opts := metav1.ListOptions{Limit: pageSize}
		for {
			l, err := kc.AutoscalingV2().HorizontalPodAutoscalers(ns).List(ctx, opts)
			if err != nil {
				return nil, fmt.Errorf("listing the HorizontalPodAutoscalers of namespace %s: %w", ns, err)
			}
			for _, h := range l.Items {
				if ref := h.Spec.ScaleTargetRef; ref.Kind == workload.Deployment || ref.Kind == workload.StatefulSet {
					out[Ref{Namespace: h.Namespace, Kind: ref.Kind, Name: ref.Name}] = true
				}
			}
			if l.Continue == "" {
				break
			}
			opts.Continue = l.Continue
		}
	}
	return out, nil
}

// Union returns the Deployments in a or b.
func Union(a, b map[Ref]bool) map[Ref]bool {
	out := maps.Clone(a)
	if out == nil {
		out = map[Ref]bool{}
	}
	maps.Copy(out, b)
	return out
}
