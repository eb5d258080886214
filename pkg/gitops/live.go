package gitops

import (
	"context"
	"fmt"
	"maps"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// pageSize bounds one List answer: a namespace of thousands of Deployments is read in pages.
const pageSize = 500

// ReadPositions lists the Deployments of each namespace and returns their container names in
// pod-template order, which Flux's JSON Pointers need. Namespaces are read one at a time, so
// the backend's identity needs only the Deployment list it already has.
func ReadPositions(ctx context.Context, kc kubernetes.Interface, namespaces []string) (map[Ref][]string, error) {
	out := map[Ref][]string{}
	nss := slices.Clone(namespaces)
	slices.Sort(nss)
	for _, ns := range slices.Compact(nss) {
		opts := metav1.ListOptions{Limit: pageSize}
		for {
			l, err := kc.AppsV1().Deployments(ns).List(ctx, opts)
			if err != nil {
				return nil, fmt.Errorf("listing the Deployments of namespace %s: %w", ns, err)
			}
			for _, d := range l.Items {
				names := make([]string, len(d.Spec.Template.Spec.Containers))
				for i, c := range d.Spec.Template.Spec.Containers {
					names[i] = c.Name
				}
				out[Ref{d.Namespace, d.Name}] = names
			}
			if l.Continue == "" {
				break
			}
			opts.Continue = l.Continue
		}
	}
	return out, nil
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
				if ref := h.Spec.ScaleTargetRef; ref.Kind == "Deployment" {
					out[Ref{h.Namespace, ref.Name}] = true
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
