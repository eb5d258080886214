// Package workload is a workload's identity outside the store: its kind (Deployment,
// StatefulSet, DaemonSet) and the one text form audit targets and schedule targets use.
//
// A Deployment's target keeps the form it always had, "namespace/name", so audit entries and
// schedules written before other kinds existed still name the same workload; other kinds are
// "namespace/Kind/name". Kubernetes names never contain "/", so the two forms cannot be confused.
package workload

import (
	"fmt"
	"strings"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// Kinds the product controls, as Kubernetes names them.
const (
	Deployment  = v1alpha1.KindDeployment
	StatefulSet = v1alpha1.KindStatefulSet
	DaemonSet   = v1alpha1.KindDaemonSet
)

// Kinds lists them in the order pages show them.
var Kinds = []string{Deployment, StatefulSet, DaemonSet}

// ParseKind returns the canonical kind for s: "" means Deployment (every API path and body
// written before kinds existed), and the kind's name is accepted in any case ("statefulset").
func ParseKind(s string) (string, error) {
	if s == "" {
		return Deployment, nil
	}
	for _, k := range Kinds {
		if strings.EqualFold(s, k) {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown workload kind %q: use one of %s", s, strings.Join(Kinds, ", "))
}

// Kind returns the canonical kind for s ("" reads as Deployment) and an unknown kind as given,
// so that validation (ParseKind) still sees and refuses it.
func Kind(s string) string {
	k, err := ParseKind(s)
	if err != nil {
		return s
	}
	return k
}

// HasReplicas says whether the kind has a replica count to control: a DaemonSet runs one pod
// per eligible node, so its replica fields are absent.
func HasReplicas(kind string) bool { return Kind(kind) != DaemonSet }

// Ref names a workload inside a cluster.
type Ref struct {
	Namespace string
	Kind      string
	Name      string
}

// Target is r's text form: "namespace/name" for a Deployment, "namespace/Kind/name" otherwise.
func (r Ref) Target() string {
	if k := Kind(r.Kind); k != Deployment {
		return r.Namespace + "/" + k + "/" + r.Name
	}
	return r.Namespace + "/" + r.Name
}

// QualifiedName is Target without the namespace: "name" for a Deployment, "Kind/name" otherwise.
// IDs derived from a workload use it, so a Deployment's stay what they were before kinds existed.
func (r Ref) QualifiedName() string {
	if k := Kind(r.Kind); k != Deployment {
		return k + "/" + r.Name
	}
	return r.Name
}

// ParseTarget reads Target's form back; the kind part is accepted in any case.
func ParseTarget(s string) (Ref, error) {
	parts := strings.Split(s, "/")
	for _, p := range parts {
		if p == "" {
			return Ref{}, fmt.Errorf("workload %q: want namespace/name or namespace/Kind/name, with no empty part", s)
		}
	}
	switch len(parts) {
	case 2:
		return Ref{Namespace: parts[0], Kind: Deployment, Name: parts[1]}, nil
	case 3:
		kind, err := ParseKind(parts[1])
		if err != nil {
			return Ref{}, fmt.Errorf("workload %q: %w", s, err)
		}
		return Ref{Namespace: parts[0], Kind: kind, Name: parts[2]}, nil
	}
	return Ref{}, fmt.Errorf("workload %q: want namespace/name or namespace/Kind/name", s)
}
