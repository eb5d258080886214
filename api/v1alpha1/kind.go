package v1alpha1

import "strings"

// Workload kinds a CapacityPolicy can target (CapacityPolicySpec.TargetKind), as Kubernetes
// names them.
const (
	KindDeployment  = "Deployment"
	KindStatefulSet = "StatefulSet"
	KindDaemonSet   = "DaemonSet"
)

// KindOf is the kind the policy spec targets; an empty targetKind means Deployment, so policies
// published before targetKind existed keep working.
func KindOf(spec CapacityPolicySpec) string {
	if spec.TargetKind == "" {
		return KindDeployment
	}
	return spec.TargetKind
}

// PolicyName is the name of the CapacityPolicy for the workload kind/name in its namespace. A
// Deployment keeps its own name (unchanged since v1alpha1 began); other kinds get a lower-case
// kind prefix so a StatefulSet and a Deployment of the same name have distinct policies. The
// prefix contains a dot, which is valid in an object name. Names can still collide (a
// Deployment literally named "statefulset.db"), which is why the webhook also checks
// targetKind before applying a policy.
func PolicyName(kind, name string) string {
	if kind == "" || kind == KindDeployment {
		return name
	}
	return strings.ToLower(kind) + "." + name
}

// UnknownAnnotation is the namespace annotation that overrides AnnotationUnknownWorkloads for
// kind, or "" when the kind has none (Deployments use AnnotationUnknownWorkloads itself).
func UnknownAnnotation(kind string) string {
	switch kind {
	case KindStatefulSet:
		return AnnotationUnknownStatefulSets
	case KindDaemonSet:
		return AnnotationUnknownDaemonSets
	}
	return ""
}

// UnknownMode is the unknown-workload mode a namespace with annotations ann sets for kind: the
// kind's own annotation when present, else AnnotationUnknownWorkloads ("" means deny).
func UnknownMode(ann map[string]string, kind string) string {
	if key := UnknownAnnotation(kind); key != "" {
		if v, ok := ann[key]; ok {
			return v
		}
	}
	return ann[AnnotationUnknownWorkloads]
}
