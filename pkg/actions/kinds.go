package actions

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// NoReplicasReason is why a DaemonSet cannot be scaled; routes answer it as a 400.
const NoReplicasReason = "a DaemonSet runs one pod per eligible node and has no replicas to scale; restart it, or change its node selector"

// object is what an action reads of a workload, whatever its kind.
type object struct {
	name, namespace     string
	resourceVersion     string
	replicas            int32 // the API's default 1 when unset; 0 for a DaemonSet
	annotations         map[string]string
	templateAnnotations map[string]string
}

func replicasOrDefault(p *int32) int32 {
	if p == nil {
		return 1 // the API's default
	}
	return *p
}

func fromDeployment(d *appsv1.Deployment) object {
	return object{d.Name, d.Namespace, d.ResourceVersion, replicasOrDefault(d.Spec.Replicas), d.Annotations, d.Spec.Template.Annotations}
}

func fromStatefulSet(s *appsv1.StatefulSet) object {
	return object{s.Name, s.Namespace, s.ResourceVersion, replicasOrDefault(s.Spec.Replicas), s.Annotations, s.Spec.Template.Annotations}
}

func fromDaemonSet(d *appsv1.DaemonSet) object {
	return object{d.Name, d.Namespace, d.ResourceVersion, 0, d.Annotations, d.Spec.Template.Annotations}
}

// kindOf is w's canonical kind; the runner normalises every item first, so an unknown kind
// here is a programming error reported as a failed item.
func kindOf(w Workload) (string, error) { return workload.ParseKind(w.Kind) }

// getObject reads w through the typed client of its kind.
func getObject(ctx context.Context, kc kubernetes.Interface, w Workload) (object, error) {
	kind, err := kindOf(w)
	if err != nil {
		return object{}, err
	}
	apps := kc.AppsV1()
	var o object
	switch kind {
	case workload.StatefulSet:
		var s *appsv1.StatefulSet
		if s, err = apps.StatefulSets(w.Namespace).Get(ctx, w.Name, metav1.GetOptions{}); err == nil {
			o = fromStatefulSet(s)
		}
	case workload.DaemonSet:
		var d *appsv1.DaemonSet
		if d, err = apps.DaemonSets(w.Namespace).Get(ctx, w.Name, metav1.GetOptions{}); err == nil {
			o = fromDaemonSet(d)
		}
	default:
		var d *appsv1.Deployment
		if d, err = apps.Deployments(w.Namespace).Get(ctx, w.Name, metav1.GetOptions{}); err == nil {
			o = fromDeployment(d)
		}
	}
	if apierrors.IsNotFound(err) {
		return object{}, fmt.Errorf("%s %s/%s not found in cluster %s", kind, w.Namespace, w.Name, w.Cluster)
	}
	if err != nil {
		return object{}, fmt.Errorf("reading %s %s/%s: %w", kind, w.Namespace, w.Name, err)
	}
	return o, nil
}

// patchObject patches w (the object itself, not a subresource) and returns what the API stored.
func patchObject(ctx context.Context, kc kubernetes.Interface, w Workload, pt types.PatchType, data []byte) (object, error) {
	kind, err := kindOf(w)
	if err != nil {
		return object{}, err
	}
	apps, opts := kc.AppsV1(), metav1.PatchOptions{FieldManager: fieldManager}
	switch kind {
	case workload.StatefulSet:
		s, err := apps.StatefulSets(w.Namespace).Patch(ctx, w.Name, pt, data, opts)
		if err != nil {
			return object{}, err
		}
		return fromStatefulSet(s), nil
	case workload.DaemonSet:
		d, err := apps.DaemonSets(w.Namespace).Patch(ctx, w.Name, pt, data, opts)
		if err != nil {
			return object{}, err
		}
		return fromDaemonSet(d), nil
	}
	d, err := apps.Deployments(w.Namespace).Patch(ctx, w.Name, pt, data, opts)
	if err != nil {
		return object{}, err
	}
	return fromDeployment(d), nil
}

// scaleClient is the scale subresource of the kinds that have one (apps/v1 deployments/scale,
// statefulsets/scale), what `kubectl scale` uses.
type scaleClient interface {
	GetScale(ctx context.Context, name string, opts metav1.GetOptions) (*autoscalingv1.Scale, error)
	UpdateScale(ctx context.Context, name string, scale *autoscalingv1.Scale, opts metav1.UpdateOptions) (*autoscalingv1.Scale, error)
}

func scaleOf(kc kubernetes.Interface, w Workload) (scaleClient, error) {
	kind, err := kindOf(w)
	if err != nil {
		return nil, err
	}
	switch kind {
	case workload.StatefulSet:
		return kc.AppsV1().StatefulSets(w.Namespace), nil
	case workload.DaemonSet:
		return nil, fmt.Errorf("%s %s/%s: %s", kind, w.Namespace, w.Name, NoReplicasReason)
	}
	return kc.AppsV1().Deployments(w.Namespace), nil
}

// normalized returns w with its canonical kind ("" is a Deployment), or w as given and why its
// kind is unknown.
func normalized(w Workload) (Workload, error) {
	kind, err := workload.ParseKind(w.Kind)
	if err != nil {
		return w, fmt.Errorf("%s: %w", w, err)
	}
	w.Kind = kind
	return w, nil
}

// scalable is normalized, refusing the kinds without replicas.
func scalable(w Workload) (Workload, error) {
	w, err := normalized(w)
	if err == nil && !workload.HasReplicas(w.Kind) {
		err = fmt.Errorf("%s %s/%s: %s", w.Kind, w.Namespace, w.Name, NoReplicasReason)
	}
	return w, err
}
