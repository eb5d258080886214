package v1alpha1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is kubedoor.io/v1alpha1.
var GroupVersion = schema.GroupVersion{Group: "kubedoor.io", Version: "v1alpha1"}

// Resource is the plural resource name, for dynamic clients and RBAC.
const Resource = "capacitypolicies"

// GroupVersionResource of CapacityPolicy.
var GroupVersionResource = GroupVersion.WithResource(Resource)

// Labels and annotations KubeDoor uses on Kubernetes objects.
const (
	// LabelControl on a Namespace: "enforce" applies policies, "observe" reports only.
	LabelControl = "kubedoor.io/control"
	// LabelControlTarget on a Namespace: where enforcement writes the table's values,
	// ControlTargetTemplate (default: the workload object) or ControlTargetPods (each Pod at
	// creation; the workload object, and so a GitOps tool's view of it, is never modified).
	LabelControlTarget = "kubedoor.io/control-target"
	// AnnotationUnknownWorkloads on a Namespace: what to do with a workload (of any kind) that
	// has no policy: "deny" (default), "warn" or "allow".
	AnnotationUnknownWorkloads = "kubedoor.io/unknown-workloads"
	// AnnotationUnknownStatefulSets on a Namespace overrides AnnotationUnknownWorkloads for
	// StatefulSets (same values), so a team can e.g. deny unknown databases but warn on
	// unknown Deployments.
	AnnotationUnknownStatefulSets = "kubedoor.io/unknown-statefulsets"
	// AnnotationUnknownDaemonSets on a Namespace overrides AnnotationUnknownWorkloads for
	// DaemonSets (same values).
	AnnotationUnknownDaemonSets = "kubedoor.io/unknown-daemonsets"
	// AnnotationScaleTemp on a Deployment: "<RFC 3339 time>@<old>-><new>", a temporary scale
	// that the webhook lets through untouched for five minutes.
	AnnotationScaleTemp = "kubedoor.io/scale-temp"
	// LabelManagedBy marks objects the backend publishes.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// ManagedByValue is LabelManagedBy's value on published policies.
	ManagedByValue = "kubedoor"
	// EventReasonDenied is the reason of the Warning Event the webhook records, on the
	// Deployment, for every change it refuses; the backend watches for it to send "denied"
	// notifications.
	EventReasonDenied = "KubeDoorDenied"
	// EventComponent is the source component of the webhook's Events.
	EventComponent = "kubedoor-webhook"
	// WebhookConfigurationName names the MutatingWebhookConfiguration the webhook installs; the
	// backend's cluster health reads it by this name, so both sides take it from here.
	WebhookConfigurationName = "kubedoor-webhook"
)

// Control modes of a namespace.
const (
	ControlEnforce = "enforce"
	ControlObserve = "observe"
)

// Enforcement targets of a namespace (LabelControlTarget); absent or any other value means
// ControlTargetTemplate.
const (
	ControlTargetTemplate = "template"
	ControlTargetPods     = "pods"
)

// Unknown-workload modes of a namespace.
const (
	UnknownDeny  = "deny"
	UnknownWarn  = "warn"
	UnknownAllow = "allow"
)

// CapacityPolicy says what one workload must run with. It lives in the workload's namespace and
// is named PolicyName(spec.targetKind, workload name): a Deployment's policy is named as the
// Deployment, a StatefulSet's "statefulset.<name>", a DaemonSet's "daemonset.<name>".
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=cpol;capol,categories=kubedoor
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Replicas",type=integer,JSONPath=`.spec.replicas`
// +kubebuilder:printcolumn:name="Version",type=integer,JSONPath=`.spec.sourceVersion`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type CapacityPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   CapacityPolicySpec   `json:"spec"`
	Status CapacityPolicyStatus `json:"status,omitempty"`
}

// CapacityPolicySpec is the control-table row as the webhook enforces it.
type CapacityPolicySpec struct {
	// TargetKind is the kind of the workload this policy governs; empty means Deployment.
	// +optional
	// +kubebuilder:validation:Enum=Deployment;StatefulSet;DaemonSet
	TargetKind string `json:"targetKind,omitempty"`
	// Replicas to enforce; nil keeps what the workload sends. Ignored for a DaemonSet.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Replicas *int32 `json:"replicas,omitempty"`
	// Containers whose resources are enforced, by name. Containers not listed are untouched.
	// +optional
	// +listType=map
	// +listMapKey=name
	Containers []ContainerPolicy `json:"containers,omitempty"`
	// Cluster is the control-table cluster this policy came from (named in denial messages).
	// +optional
	Cluster string `json:"cluster,omitempty"`
	// SourceVersion is the control-table row version this policy was published from.
	// +optional
	SourceVersion int64 `json:"sourceVersion,omitempty"`
}

// ContainerPolicy is one container's requests and limits; a nil quantity keeps what was sent.
type ContainerPolicy struct {
	Name string `json:"name"`
	// +optional
	CPURequest *resource.Quantity `json:"cpuRequest,omitempty"`
	// +optional
	CPULimit *resource.Quantity `json:"cpuLimit,omitempty"`
	// +optional
	MemoryRequest *resource.Quantity `json:"memoryRequest,omitempty"`
	// +optional
	MemoryLimit *resource.Quantity `json:"memoryLimit,omitempty"`
}

// CapacityPolicyStatus is written by the backend's publisher.
type CapacityPolicyStatus struct {
	// ObservedGeneration is the spec generation the publisher last saw applied.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// PublishedAt is when the backend last wrote this policy.
	// +optional
	PublishedAt *metav1.Time `json:"publishedAt,omitempty"`
	// LastDecision is the most recent admission decision reported for the Deployment.
	// +optional
	LastDecision *Decision `json:"lastDecision,omitempty"`
}

// Decision summarises one admission decision.
type Decision struct {
	Time      metav1.Time `json:"time"`
	Operation string      `json:"operation"`
	Result    string      `json:"result"` // allowed | patched | denied | observed
	Reason    string      `json:"reason"`
}

// CapacityPolicyList is a list of CapacityPolicy.
//
// +kubebuilder:object:root=true
type CapacityPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []CapacityPolicy `json:"items"`
}

// AddToScheme registers the types.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &CapacityPolicy{}, &CapacityPolicyList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
