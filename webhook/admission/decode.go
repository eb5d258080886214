package admission

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// The objects of a review are decoded into these types rather than the full appsv1/corev1
// ones: only the fields the rules read are kept, and encoding/json skips the rest (a
// Deployment as the API server sends it carries managedFields, status and every defaulted pod
// field, most of the bytes and nearly all of the allocations of a full decode; BENCHMARKS.md,
// "Against its limit"). Each kept field has the same JSON name and Go type as in the full
// type, so a body the full type accepts decodes to the same values here
// (FuzzDecodeMatchesFull holds the two to the same decisions).

// objectMeta is the part of metav1.ObjectMeta decisions and logs read.
type objectMeta struct {
	Name              string                  `json:"name,omitempty"`
	GenerateName      string                  `json:"generateName,omitempty"`
	Namespace         string                  `json:"namespace,omitempty"`
	DeletionTimestamp *metav1.Time            `json:"deletionTimestamp,omitempty"`
	Labels            map[string]string       `json:"labels,omitempty"`
	Annotations       map[string]string       `json:"annotations,omitempty"`
	OwnerReferences   []metav1.OwnerReference `json:"ownerReferences,omitempty"`
}

func (m objectMeta) full() metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: m.Name, GenerateName: m.GenerateName, Namespace: m.Namespace,
		DeletionTimestamp: m.DeletionTimestamp, Labels: m.Labels, Annotations: m.Annotations, OwnerReferences: m.OwnerReferences}
}

// containerResources is a container as the patch reads it: its name and resources.
type containerResources struct {
	Name      string                      `json:"name"`
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`
}

func containers(cs []containerResources) []corev1.Container {
	if cs == nil {
		return nil
	}
	out := make([]corev1.Container, len(cs))
	for i, c := range cs {
		out[i] = corev1.Container{Name: c.Name, Resources: c.Resources}
	}
	return out
}

// containersTemplate is a pod template as a CREATE's patch reads it: the containers only.
type containersTemplate struct {
	Spec struct {
		Containers []containerResources `json:"containers"`
	} `json:"spec"`
}

func (t containersTemplate) full() corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: containers(t.Spec.Containers)}}
}

// A CREATE is decided on replicas and the containers' resources; an UPDATE also compares the
// whole old and new pod template (decision rule 5), so it keeps the template entire. A
// DaemonSet has no spec.replicas: its types leave the field out, as appsv1.DaemonSet does.
type (
	createdScalable struct {
		Metadata objectMeta `json:"metadata"`
		Spec     struct {
			Replicas *int32             `json:"replicas,omitempty"`
			Template containersTemplate `json:"template"`
		} `json:"spec"`
	}
	createdDaemonSet struct {
		Metadata objectMeta `json:"metadata"`
		Spec     struct {
			Template containersTemplate `json:"template"`
		} `json:"spec"`
	}
	updatedScalable struct {
		Metadata objectMeta `json:"metadata"`
		Spec     struct {
			Replicas *int32                 `json:"replicas,omitempty"`
			Template corev1.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	updatedDaemonSet struct {
		Metadata objectMeta `json:"metadata"`
		Spec     struct {
			Template corev1.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
)

// decodeWorkload decodes a Deployment, StatefulSet or DaemonSet into the Deployment-shaped
// view decisions read (metadata, spec.replicas, spec.template; see decision.Input). update
// keeps the whole pod template, which an UPDATE compares; a CREATE keeps its containers only.
func decodeWorkload(raw []byte, kind, prefix string, update bool) (*appsv1.Deployment, error) {
	what := prefix + kind
	d := &appsv1.Deployment{}
	switch {
	case kind == v1alpha1.KindDaemonSet && update:
		var w updatedDaemonSet
		if err := decodeObject(raw, &w, what); err != nil {
			return nil, err
		}
		d.ObjectMeta, d.Spec.Template = w.Metadata.full(), w.Spec.Template
	case kind == v1alpha1.KindDaemonSet:
		var w createdDaemonSet
		if err := decodeObject(raw, &w, what); err != nil {
			return nil, err
		}
		d.ObjectMeta, d.Spec.Template = w.Metadata.full(), w.Spec.Template.full()
	case update:
		var w updatedScalable
		if err := decodeObject(raw, &w, what); err != nil {
			return nil, err
		}
		d.ObjectMeta, d.Spec.Replicas, d.Spec.Template = w.Metadata.full(), w.Spec.Replicas, w.Spec.Template
	default:
		var w createdScalable
		if err := decodeObject(raw, &w, what); err != nil {
			return nil, err
		}
		d.ObjectMeta, d.Spec.Replicas, d.Spec.Template = w.Metadata.full(), w.Spec.Replicas, w.Spec.Template.full()
	}
	return d, nil
}

// createdPod is a Pod as its CREATE decision reads it: owners, pod-level resources, containers.
type createdPod struct {
	Metadata objectMeta `json:"metadata"`
	Spec     struct {
		Resources  *corev1.ResourceRequirements `json:"resources,omitempty"`
		Containers []containerResources         `json:"containers"`
	} `json:"spec"`
}

func decodePod(raw []byte) (*corev1.Pod, error) {
	var p createdPod
	if err := decodeObject(raw, &p, "Pod"); err != nil {
		return nil, err
	}
	return &corev1.Pod{ObjectMeta: p.Metadata.full(), Spec: corev1.PodSpec{Resources: p.Spec.Resources, Containers: containers(p.Spec.Containers)}}, nil
}
