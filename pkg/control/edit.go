package control

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Edit is a person's change to an existing row (PUT v1/control/{cluster}/{namespace}/{workload}).
// Absent fields keep their value; every field set becomes "manual", so the derivation leaves
// it alone from then on. ResetToCollected hands fields back to the derivation.
type Edit struct {
	ExpectedVersion *uint64         `json:"expectedVersion"`
	ReplicasManual  *int32          `json:"replicasManual,omitempty"`
	Containers      []ContainerEdit `json:"containers,omitempty"`
}

// ContainerEdit changes one container, by name; a name the row lacks adds the container.
type ContainerEdit struct {
	Name             string `json:"name"`
	CPURequestMillis *int64 `json:"cpuRequestMillis,omitempty"`
	CPULimitMillis   *int64 `json:"cpuLimitMillis,omitempty"`
	MemRequestMiB    *int64 `json:"memRequestMiB,omitempty"`
	MemLimitMiB      *int64 `json:"memLimitMiB,omitempty"`
	// ResetToCollected lists fields (cpuRequest, cpuLimit, memRequest, memLimit) whose source
	// goes back to "collected": the value stays until the next derivation replaces it.
	ResetToCollected []string `json:"resetToCollected,omitempty"`
}

// Apply returns cur with the edit applied, or a *refusal.FieldError naming the first bad
// field. It does not check ExpectedVersion; Table.Update does.
func (e Edit) Apply(cur Row) (Row, error) {
	// Notes stay: they explain the collected values, which an edit does not touch. (A note on a
	// field a person now sets goes with the next derivation, which no longer produces it.)
	next := cur.Clone()
	if e.ReplicasManual != nil {
		if !workload.HasReplicas(cur.Kind) {
			return Row{}, fieldErr("replicasManual", "a DaemonSet has no replicas to control: it runs one pod per eligible node")
		}
		m := *e.ReplicasManual
		if m < Unset || m > MaxReplicas {
			return Row{}, fieldErr("replicasManual", "must be -1 (unset) or from 0 to %d, got %d", MaxReplicas, m)
		}
		if m == Unset && !cur.Replicas.UsesRecommended() && cur.Replicas.Observed < 0 {
			return Row{}, fieldErr("replicasManual", "cannot be unset (-1): no replica count has been collected for this workload yet")
		}
		next.Replicas.Manual = m
	}
	edited := map[string]map[string]bool{}
	for i, ce := range e.Containers {
		p := fmt.Sprintf("containers[%d]", i)
		if edited[ce.Name] != nil {
			return Row{}, fieldErr(p+".name", "container %q is listed twice", ce.Name)
		}
		fields := map[string]bool{}
		edited[ce.Name] = fields
		idx := next.Container(ce.Name)
		if idx < 0 {
			next.Containers = append(next.Containers, NewContainer(ce.Name))
			idx = len(next.Containers) - 1
		}
		c := &next.Containers[idx]
		set := func(name string, v *int64, dst *int64, src *string) {
			if v != nil {
				*dst, *src = *v, SourceManual
				fields[name] = true
			}
		}
		set(FieldCPURequest, ce.CPURequestMillis, &c.CPURequestMillis, &c.Sources.CPURequest)
		set(FieldCPULimit, ce.CPULimitMillis, &c.CPULimitMillis, &c.Sources.CPULimit)
		set(FieldMemRequest, ce.MemRequestMiB, &c.MemRequestMiB, &c.Sources.MemRequest)
		set(FieldMemLimit, ce.MemLimitMiB, &c.MemLimitMiB, &c.Sources.MemLimit)
		for j, f := range ce.ResetToCollected {
			fp := fmt.Sprintf("%s.resetToCollected[%d]", p, j)
			src := c.source(f)
			if src == nil {
				return Row{}, fieldErr(fp, "must be one of %s, %s, %s, %s", FieldCPURequest, FieldCPULimit, FieldMemRequest, FieldMemLimit)
			}
			if fields[f] {
				return Row{}, fieldErr(fp, "%s is both set and reset to collected", f)
			}
			*src = SourceCollected
		}
	}
	// Validate the whole result, but name fields by their index in the edit where possible.
	if err := validateContainers(next.Containers, "containers", edited); err != nil {
		return Row{}, renameContainerField(err, next.Containers, e.Containers)
	}
	next.Replicas.Resolve()
	return next, nil
}

func (c *Container) source(field string) *string {
	switch field {
	case FieldCPURequest:
		return &c.Sources.CPURequest
	case FieldCPULimit:
		return &c.Sources.CPULimit
	case FieldMemRequest:
		return &c.Sources.MemRequest
	case FieldMemLimit:
		return &c.Sources.MemLimit
	}
	return nil
}

// renameContainerField maps "containers[<row index>].x" onto the index the container has in
// the edit body, so the 400 points at what the caller sent.
func renameContainerField(err error, rowContainers []Container, edits []ContainerEdit) error {
	fe, ok := refusal.AsFieldError(err)
	if !ok {
		return err
	}
	for ri, c := range rowContainers {
		rest, found := strings.CutPrefix(fe.Field, fmt.Sprintf("containers[%d].", ri))
		if !found {
			continue
		}
		if ei := slices.IndexFunc(edits, func(e ContainerEdit) bool { return e.Name == c.Name }); ei >= 0 {
			return &refusal.FieldError{Field: fmt.Sprintf("containers[%d].%s", ei, rest), Reason: fe.Reason}
		}
	}
	return err
}

// NewRow prepares a row a person adds (POST v1/control): only the key, replicas.manual and the
// containers are read. Typed limits are manual; typed requests are starting values that the
// derivation replaces once peak data exists, unless the caller marks them manual in sources.
// Recommended and observed replicas start unset.
func NewRow(in Row) (Row, error) {
	r := Row{
		Cluster: in.Cluster, Namespace: in.Namespace, Kind: workload.Kind(in.Kind), Workload: in.Workload,
		Replicas: Replicas{Manual: in.Replicas.Manual, Recommended: Unset, RecommendedReason: ReasonNoHistory, Observed: Unset},
	}
	if !workload.HasReplicas(r.Kind) {
		r.Replicas.Manual = Unset // ValidateNew refused a count given for a DaemonSet
		r.Replicas.RecommendedReason = ReasonNoReplicas
	}
	for _, c := range in.Containers {
		out := Container{
			Name: c.Name, CPURequestMillis: c.CPURequestMillis, CPULimitMillis: c.CPULimitMillis,
			MemRequestMiB: c.MemRequestMiB, MemLimitMiB: c.MemLimitMiB, Sources: c.Sources,
		}
		def := func(src *string, v int64, typed string) {
			if *src == "" {
				*src = SourceCollected
				if v != Unset {
					*src = typed
				}
			}
		}
		def(&out.Sources.CPURequest, out.CPURequestMillis, SourceCollected)
		def(&out.Sources.MemRequest, out.MemRequestMiB, SourceCollected)
		def(&out.Sources.CPULimit, out.CPULimitMillis, SourceManual)
		def(&out.Sources.MemLimit, out.MemLimitMiB, SourceManual)
		r.Containers = append(r.Containers, out)
	}
	if err := ValidateNew(r); err != nil {
		return Row{}, err
	}
	r.Replicas.Resolve()
	return r, nil
}
