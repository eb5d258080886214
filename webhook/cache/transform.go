package cache

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// invalidPolicyAnnotation marks, on the cached copy only, a policy that could not be read; the
// lookup then reports the error instead of pretending the policy does not exist (which would
// deny the workload as unknown).
const invalidPolicyAnnotation = "kubedoor.io/invalid-policy"

// The transforms run on every object before it is stored. They keep only what decisions read
// and must be idempotent (client-go may hand them an object already transformed).

func stripNamespace(obj any) (any, error) {
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return obj, nil
	}
	return &metav1.PartialObjectMetadata{
		TypeMeta: m.TypeMeta,
		ObjectMeta: metav1.ObjectMeta{
			Name: m.Name, ResourceVersion: m.ResourceVersion,
			Labels: keep(m.Labels, v1alpha1.LabelControl, v1alpha1.LabelControlTarget),
			Annotations: keep(m.Annotations, v1alpha1.AnnotationUnknownWorkloads,
				v1alpha1.AnnotationUnknownStatefulSets, v1alpha1.AnnotationUnknownDaemonSets),
		},
	}, nil
}

// stripWorkload keeps a Deployment's or StatefulSet's identity and scale-temp annotation.
func stripWorkload(obj any) (any, error) {
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return obj, nil
	}
	return &metav1.PartialObjectMetadata{
		TypeMeta: m.TypeMeta,
		ObjectMeta: metav1.ObjectMeta{
			Name: m.Name, Namespace: m.Namespace, ResourceVersion: m.ResourceVersion,
			Annotations: keep(m.Annotations, v1alpha1.AnnotationScaleTemp),
		},
	}, nil
}

// stripReplicaSet keeps a ReplicaSet's identity and its controller reference (its Deployment):
// all a Pod review needs to find the Pod's workload.
func stripReplicaSet(obj any) (any, error) {
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return obj, nil
	}
	out := &metav1.PartialObjectMetadata{
		TypeMeta:   m.TypeMeta,
		ObjectMeta: metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, ResourceVersion: m.ResourceVersion},
	}
	if ref := metav1.GetControllerOfNoCopy(m); ref != nil {
		// ReplicaSets outnumber workloads (rollout history): share the common strings and drop
		// the UID, which lookups do not read.
		out.OwnerReferences = []metav1.OwnerReference{{APIVersion: intern(ref.APIVersion), Kind: intern(ref.Kind), Name: ref.Name, Controller: &controller}}
	}
	return out, nil
}

var controller = true

// intern returns the shared copy of the owner strings every Deployment-owned ReplicaSet has.
func intern(s string) string {
	switch s {
	case "apps/v1":
		return "apps/v1"
	case "Deployment":
		return "Deployment"
	}
	return s
}

func stripHPA(obj any) (any, error) {
	h, ok := obj.(*autoscalingv2.HorizontalPodAutoscaler)
	if !ok {
		return obj, nil
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: h.Name, Namespace: h.Namespace, ResourceVersion: h.ResourceVersion},
		Spec:       autoscalingv2.HorizontalPodAutoscalerSpec{ScaleTargetRef: h.Spec.ScaleTargetRef},
	}, nil
}

// toPolicy converts the dynamic informer's unstructured object to the typed policy, without
// status, labels, annotations or managed fields.
func (c *Cache) toPolicy(obj any) (any, error) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return obj, nil
	}
	var full v1alpha1.CapacityPolicy
	out := &v1alpha1.CapacityPolicy{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &full); err != nil {
		c.log.Error("unreadable CapacityPolicy; requests for its Deployment are admitted unchanged",
			"namespace", u.GetNamespace(), "name", u.GetName(), "error", err)
		out.ObjectMeta = metav1.ObjectMeta{Name: u.GetName(), Namespace: u.GetNamespace(), ResourceVersion: u.GetResourceVersion(),
			Annotations: map[string]string{invalidPolicyAnnotation: err.Error()}}
		return out, nil
	}
	out.ObjectMeta = metav1.ObjectMeta{Name: full.Name, Namespace: full.Namespace, ResourceVersion: full.ResourceVersion, Generation: full.Generation}
	out.Spec = full.Spec
	return out, nil
}

// PolicyError reports why a cached policy could not be read, or nil.
func PolicyError(p *v1alpha1.CapacityPolicy) error {
	if p == nil {
		return nil
	}
	if msg, bad := p.Annotations[invalidPolicyAnnotation]; bad {
		return fmt.Errorf("CapacityPolicy %s/%s is unreadable: %s", p.Namespace, p.Name, msg)
	}
	return nil
}

// keep returns a map with only the given keys of m, or nil if it has none of them.
func keep(m map[string]string, keys ...string) map[string]string {
	var out map[string]string
	for _, k := range keys {
		if v, ok := m[k]; ok {
			if out == nil {
				out = make(map[string]string, 1)
			}
			out[k] = v
		}
	}
	return out
}
