package publish

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// Source tells the publisher what a cluster should hold. The control table implements it.
//
// An error means "the desired state is unknown": the reconcile is abandoned and nothing is
// deleted. An empty slice means "no policies": every published policy is removed.
type Source interface {
	Desired(ctx context.Context, cluster string) ([]Policy, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context, cluster string) ([]Policy, error)

// Desired calls f.
func (f SourceFunc) Desired(ctx context.Context, cluster string) ([]Policy, error) {
	return f(ctx, cluster)
}

// Policy is one desired CapacityPolicy: the Deployment it governs (the policy carries the
// Deployment's name in the Deployment's namespace) and what that Deployment must run with.
type Policy struct {
	Namespace string
	Name      string
	Spec      v1alpha1.CapacityPolicySpec

	// problem is set by FromControl for a row it cannot express; validate reports it, so the
	// row fails visibly instead of being dropped (which would delete its published policy).
	problem string
}

// Key is "namespace/name".
func (p Policy) Key() string { return p.Namespace + "/" + p.Name }

// Container is one control-table container in the table's units; -1 means unset (the webhook
// keeps what the Deployment sends).
type Container struct {
	Name             string
	CPURequestMillis int64
	CPULimitMillis   int64
	MemRequestMiB    int64
	MemLimitMiB      int64
}

// FromControl builds the policy for one control-table row: replicas is the effective value
// (-1 = unset), version the row's version. CPU becomes millicores ("350m"), memory MiB ("420Mi").
func FromControl(cluster, namespace, workload string, version int64, replicas int64, containers []Container) Policy {
	p := Policy{Namespace: namespace, Name: workload, Spec: v1alpha1.CapacityPolicySpec{Cluster: cluster, SourceVersion: version}}
	if replicas >= 0 {
		r := int32(min(replicas, int64(^uint32(0)>>1)))
		p.Spec.Replicas = &r
	}
	for i, c := range containers {
		for field, v := range map[string]int64{"memRequestMiB": c.MemRequestMiB, "memLimitMiB": c.MemLimitMiB} {
			if v > math.MaxInt64>>20 && p.problem == "" {
				p.problem = fmt.Sprintf("containers[%d].%s %d: too large", i, field, v)
			}
		}
		p.Spec.Containers = append(p.Spec.Containers, v1alpha1.ContainerPolicy{
			Name:          c.Name,
			CPURequest:    millis(c.CPURequestMillis),
			CPULimit:      millis(c.CPULimitMillis),
			MemoryRequest: mebibytes(c.MemRequestMiB),
			MemoryLimit:   mebibytes(c.MemLimitMiB),
		})
	}
	return p
}

func millis(v int64) *resource.Quantity {
	if v < 0 {
		return nil
	}
	return resource.NewMilliQuantity(v, resource.DecimalSI)
}

func mebibytes(v int64) *resource.Quantity {
	if v < 0 {
		return nil
	}
	if v > math.MaxInt64>>20 {
		return nil // FromControl reports the row as invalid
	}
	return resource.NewQuantity(v<<20, resource.BinarySI)
}

// validate reports why p cannot be published, or nil.
func (p Policy) validate() error {
	if p.problem != "" {
		return errors.New(p.problem)
	}
	if errs := validation.IsDNS1123Label(p.Namespace); len(errs) > 0 {
		return fmt.Errorf("namespace %q: %s", p.Namespace, strings.Join(errs, "; "))
	}
	// Deployment names are DNS subdomains; the policy has the same name.
	if errs := validation.IsDNS1123Subdomain(p.Name); len(errs) > 0 {
		return fmt.Errorf("name %q: %s", p.Name, strings.Join(errs, "; "))
	}
	if p.Spec.Replicas != nil && *p.Spec.Replicas < 0 {
		return fmt.Errorf("replicas %d: must not be negative", *p.Spec.Replicas)
	}
	seen := map[string]bool{}
	for i, c := range p.Spec.Containers {
		if errs := validation.IsDNS1123Label(c.Name); len(errs) > 0 {
			return fmt.Errorf("containers[%d].name %q: %s", i, c.Name, strings.Join(errs, "; "))
		}
		if seen[c.Name] {
			return fmt.Errorf("containers[%d].name %q: listed twice", i, c.Name)
		}
		seen[c.Name] = true
		for field, q := range map[string]*resource.Quantity{
			"cpuRequest": c.CPURequest, "cpuLimit": c.CPULimit, "memoryRequest": c.MemoryRequest, "memoryLimit": c.MemoryLimit,
		} {
			if q == nil {
				continue
			}
			if q.Sign() < 0 {
				return fmt.Errorf("containers[%d].%s %s: must not be negative", i, field, q)
			}
			if q.Cmp(maxQuantity) > 0 {
				return fmt.Errorf("containers[%d].%s %s: too large", i, field, q)
			}
		}
	}
	return nil
}

// maxQuantity bounds every quantity: the apiserver and the webhook work in int64 units.
var maxQuantity = *resource.NewQuantity(math.MaxInt64, resource.DecimalSI)

// normalize returns spec with containers in name order, so the order a source lists them in
// never causes a write.
func normalize(spec v1alpha1.CapacityPolicySpec) v1alpha1.CapacityPolicySpec {
	out := *spec.DeepCopy()
	slices.SortFunc(out.Containers, func(a, b v1alpha1.ContainerPolicy) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// sameSpec compares semantically: quantities by value ("1" equals "1000m"), nil slices equal
// empty ones, container order ignored.
func sameSpec(a, b v1alpha1.CapacityPolicySpec) bool {
	return equality.Semantic.DeepEqual(normalize(a), normalize(b))
}
