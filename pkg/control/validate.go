package control

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Bounds on what a person may type. They are far above any real workload and exist to catch
// unit mistakes (bytes typed into a MiB field) before the webhook enforces them.
const (
	MaxReplicas   = 100_000
	MaxCPUMillis  = 1_000_000 // 1,000 cores
	MaxMemMiB     = 16 << 20  // 16 TiB
	MaxContainers = 64
)

// Resource field names, as used in sources and in ContainerEdit.ResetToCollected.
const (
	FieldCPURequest = "cpuRequest"
	FieldCPULimit   = "cpuLimit"
	FieldMemRequest = "memRequest"
	FieldMemLimit   = "memLimit"
)

func fieldErr(field, format string, args ...any) *refusal.FieldError {
	return &refusal.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// ValidateKey checks the row's identity: a configured-looking cluster name, a namespace that
// is a DNS label, a kind the product controls and a workload name that is a DNS subdomain.
func ValidateKey(k Key) error {
	if k.Cluster == "" {
		return fieldErr("cluster", "is required")
	}
	if errs := validation.IsDNS1123Label(k.Cluster); len(errs) > 0 {
		return fieldErr("cluster", "%s", strings.Join(errs, "; "))
	}
	if errs := validation.IsDNS1123Label(k.Namespace); len(errs) > 0 {
		return fieldErr("namespace", "must be a Kubernetes namespace name: %s", strings.Join(errs, "; "))
	}
	if _, err := workload.ParseKind(k.Kind); err != nil {
		return fieldErr("kind", "%s", err.Error())
	}
	if errs := validation.IsDNS1123Subdomain(k.Workload); len(errs) > 0 {
		return fieldErr("workload", "must be a workload name: %s", strings.Join(errs, "; "))
	}
	return nil
}

// ValidateNew checks a row a person adds (POST): its key, replicas.manual ≥ 0 (an added
// workload must say how many replicas it runs), and its containers.
func ValidateNew(r Row) error {
	if err := ValidateKey(r.Key()); err != nil {
		return err
	}
	if !workload.HasReplicas(r.Kind) {
		// Replicas are not read (NewRow unsets them); the route refuses a body that names them.
		return validateContainers(r.Containers, "containers", nil)
	}
	if r.Replicas.Manual < 0 || r.Replicas.Manual > MaxReplicas {
		return fieldErr("replicas.manual", "is required when adding a workload and must be from 0 to %d, got %d", MaxReplicas, r.Replicas.Manual)
	}
	return validateContainers(r.Containers, "containers", nil)
}

// validateContainers checks names (unique DNS labels), value ranges and request ≤ limit.
// edited, when set, says which fields a person just changed (by container name): a request
// above its limit is then reported on the field that was edited.
func validateContainers(cs []Container, path string, edited map[string]map[string]bool) error {
	if len(cs) > MaxContainers {
		return fieldErr(path, "at most %d containers, got %d", MaxContainers, len(cs))
	}
	seen := map[string]bool{}
	for i, c := range cs {
		p := fmt.Sprintf("%s[%d]", path, i)
		if errs := validation.IsDNS1123Label(c.Name); len(errs) > 0 {
			return fieldErr(p+".name", "must be a container name (DNS label): %s", strings.Join(errs, "; "))
		}
		if seen[c.Name] {
			return fieldErr(p+".name", "container %q is listed twice", c.Name)
		}
		seen[c.Name] = true
		if err := checkRange(p+".cpuRequestMillis", c.CPURequestMillis, 0, MaxCPUMillis); err != nil {
			return err
		}
		if err := checkRange(p+".cpuLimitMillis", c.CPULimitMillis, 1, MaxCPUMillis); err != nil {
			return err
		}
		if err := checkRange(p+".memRequestMiB", c.MemRequestMiB, 0, MaxMemMiB); err != nil {
			return err
		}
		if err := checkRange(p+".memLimitMiB", c.MemLimitMiB, 1, MaxMemMiB); err != nil {
			return err
		}
		for _, src := range []struct{ name, v string }{
			{FieldCPURequest, c.Sources.CPURequest}, {FieldCPULimit, c.Sources.CPULimit},
			{FieldMemRequest, c.Sources.MemRequest}, {FieldMemLimit, c.Sources.MemLimit},
		} {
			if src.v != SourceCollected && src.v != SourceManual {
				return fieldErr(p+".sources."+src.name, "must be %q or %q", SourceCollected, SourceManual)
			}
		}
		ed := edited[c.Name]
		if over(c.CPURequestMillis, c.CPULimitMillis) {
			f := p + ".cpuRequestMillis"
			if ed[FieldCPULimit] && !ed[FieldCPURequest] {
				f = p + ".cpuLimitMillis"
			}
			return fieldErr(f, "the CPU request (%dm) must not exceed the CPU limit (%dm)", c.CPURequestMillis, c.CPULimitMillis)
		}
		if over(c.MemRequestMiB, c.MemLimitMiB) {
			f := p + ".memRequestMiB"
			if ed[FieldMemLimit] && !ed[FieldMemRequest] {
				f = p + ".memLimitMiB"
			}
			return fieldErr(f, "the memory request (%d MiB) must not exceed the memory limit (%d MiB)", c.MemRequestMiB, c.MemLimitMiB)
		}
	}
	return nil
}

// over reports a set request above a set limit.
func over(request, limit int64) bool { return request >= 0 && limit >= 0 && request > limit }

// checkRange accepts Unset or a value in [lo, hi].
func checkRange(field string, v, lo, hi int64) error {
	if v == Unset || (v >= lo && v <= hi) {
		return nil
	}
	return fieldErr(field, "must be -1 (unset) or from %d to %d, got %d", lo, hi, v)
}

// ValidateValues checks containers' names and values as a written row's would be checked,
// sources aside: for callers that try values without writing them (a backtest).
func ValidateValues(cs []Container, path string) error {
	withSources := make([]Container, len(cs))
	for i, c := range cs {
		c.Sources = Sources{SourceCollected, SourceCollected, SourceCollected, SourceCollected}
		withSources[i] = c
	}
	return validateContainers(withSources, path, nil)
}
