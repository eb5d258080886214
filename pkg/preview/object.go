package preview

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Object is a live workload of any kind as the preview and the savings view read it: its
// identity, how many pods it runs and its pod template's containers. Keeping only these (not
// the whole object) keeps a cached listing of thousands of workloads small.
type Object struct {
	workload.Ref
	// Replicas is spec.replicas (the API server's default 1 when unset); for a DaemonSet, which
	// has none, the pods it should run now (status.desiredNumberScheduled).
	Replicas   int32
	Containers []corev1.Container
}

// FromDeployment, FromStatefulSet and FromDaemonSet project a typed object onto Object.
func FromDeployment(d *appsv1.Deployment) Object {
	return Object{Ref: workload.Ref{Namespace: d.Namespace, Kind: workload.Deployment, Name: d.Name},
		Replicas: replicasOrDefault(d.Spec.Replicas), Containers: d.Spec.Template.Spec.Containers}
}

func FromStatefulSet(s *appsv1.StatefulSet) Object {
	return Object{Ref: workload.Ref{Namespace: s.Namespace, Kind: workload.StatefulSet, Name: s.Name},
		Replicas: replicasOrDefault(s.Spec.Replicas), Containers: s.Spec.Template.Spec.Containers}
}

func FromDaemonSet(d *appsv1.DaemonSet) Object {
	return Object{Ref: workload.Ref{Namespace: d.Namespace, Kind: workload.DaemonSet, Name: d.Name},
		Replicas: d.Status.DesiredNumberScheduled, Containers: d.Spec.Template.Spec.Containers}
}

func replicasOrDefault(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// kindReader lists one page of one kind in a namespace ("" = every namespace) and returns the
// page's objects and the continue token.
type kindReader func(ctx context.Context, kc kubernetes.Interface, namespace string, opts metav1.ListOptions) ([]Object, string, error)

// kindReaders are the typed List of each kind, in workload.Kinds order.
var kindReaders = []struct {
	kind string
	read kindReader
}{
	{workload.Deployment, func(ctx context.Context, kc kubernetes.Interface, ns string, opts metav1.ListOptions) ([]Object, string, error) {
		l, err := kc.AppsV1().Deployments(ns).List(ctx, opts)
		if err != nil {
			return nil, "", err
		}
		return objects(l.Items, FromDeployment), l.Continue, nil
	}},
	{workload.StatefulSet, func(ctx context.Context, kc kubernetes.Interface, ns string, opts metav1.ListOptions) ([]Object, string, error) {
		l, err := kc.AppsV1().StatefulSets(ns).List(ctx, opts)
		if err != nil {
			return nil, "", err
		}
		return objects(l.Items, FromStatefulSet), l.Continue, nil
	}},
	{workload.DaemonSet, func(ctx context.Context, kc kubernetes.Interface, ns string, opts metav1.ListOptions) ([]Object, string, error) {
		l, err := kc.AppsV1().DaemonSets(ns).List(ctx, opts)
		if err != nil {
			return nil, "", err
		}
		return objects(l.Items, FromDaemonSet), l.Continue, nil
	}},
}

func objects[T any](items []T, from func(*T) Object) []Object {
	out := make([]Object, len(items))
	for i := range items {
		out[i] = from(&items[i])
	}
	return out
}

// workloads lists every kind's workloads of a namespace ("" = every namespace), each kind a
// page at a time.
func (r Reader) workloads(ctx context.Context, namespace string) ([]Object, error) {
	var out []Object
	for _, k := range kindReaders {
		opts := r.listOptions()
		for {
			page, cont, err := k.read(ctx, r.Kube, namespace, opts)
			if err != nil {
				return nil, fmt.Errorf("listing %ss: %w", k.kind, err)
			}
			out = append(out, page...)
			if cont == "" {
				break
			}
			opts.Continue = cont
		}
	}
	return out, nil
}
