package recommend

import (
	"fmt"
	"math"
	"strings"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	wkind "github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// RecommendParams tune the recommended replicas (clustersettings.Recommend).
type RecommendParams struct {
	Enabled     bool    // the recommendation takes part in the effective replicas
	CPUTarget   float64 // (0, 1]: the share of its CPU request each pod may use at the peak
	MemTarget   float64 // (0, 1]: the same for memory
	MaxReplicas int32   // never recommend more
	MaxStepDown float64 // [0, 1): the largest cut per derivation, as a share of the pods at the peak
	Overrides   []TargetOverride
}

// TargetOverride gives a namespace (Workload "") or one workload of a kind (Kind "" is
// Deployment) its own targets.
type TargetOverride struct {
	Namespace, Kind, Workload string
	CPUTarget, MemTarget      float64
}

// DefaultRecommendParams are clustersettings.DefaultRecommend's values.
func DefaultRecommendParams() RecommendParams {
	return RecommendParams{CPUTarget: 0.7, MemTarget: 0.8, MaxReplicas: 1000, MaxStepDown: 0.5}
}

func (r RecommendParams) validate() error {
	switch {
	case !validTarget(r.CPUTarget) || !validTarget(r.MemTarget):
		return fmt.Errorf("recommend targets must be above 0 and at most 1, got cpu %v memory %v", r.CPUTarget, r.MemTarget)
	case r.MaxReplicas < 0 || r.MaxReplicas > control.MaxReplicas:
		return fmt.Errorf("recommend maxReplicas must be 0..%d, got %d", control.MaxReplicas, r.MaxReplicas)
	case !(r.MaxStepDown >= 0 && r.MaxStepDown < 1):
		return fmt.Errorf("recommend maxStepDown must be in [0, 1), got %v", r.MaxStepDown)
	}
	for _, o := range r.Overrides {
		if !validTarget(o.CPUTarget) || !validTarget(o.MemTarget) {
			return fmt.Errorf("recommend override %s/%s: targets must be above 0 and at most 1", o.Namespace, o.Workload)
		}
	}
	return nil
}

func validTarget(v float64) bool { return v > 0 && v <= 1 } // also refuses NaN

// targets returns the CPU and memory targets of a workload: its own override (of its kind),
// else its namespace's, else the cluster's.
func (r RecommendParams) targets(namespace, kind, name string) (cpu, mem float64) {
	cpu, mem = r.CPUTarget, r.MemTarget
	for _, o := range r.Overrides {
		if o.Namespace != namespace {
			continue
		}
		if o.Workload != "" && o.Workload == name && wkind.Kind(o.Kind) == wkind.Kind(kind) {
			return o.CPUTarget, o.MemTarget
		}
		if o.Workload == "" {
			cpu, mem = o.CPUTarget, o.MemTarget
		}
	}
	return cpu, mem
}

// ReplicaInput is one workload's chosen peak day as the recommendation reads it.
type ReplicaInput struct {
	Pods   uint32 // pods at the peak (see podsAtPeak)
	AtZero bool   // the spec was at 0 replicas for the whole window: scaled to zero on purpose
	// HPAMinReplicas is the minReplicas of the HPA targeting the workload that day; nil = none.
	HPAMinReplicas *uint32
	Containers     []ContainerUse
}

// ContainerUse is one container's pod-average peak usage and the request it is measured against.
type ContainerUse struct {
	CPUAvg, MemAvg float64 // pod-average quantile: cores, bytes
	// CPURequest and MemRequest (cores, bytes) are what the pods ran with that day; 0 = none,
	// and then the table's request (millicores, MiB; -1 = unset) stands in.
	CPURequest, MemRequest float64
	TableCPUMillis         int64
	TableMemMiB            int64
}

// ReplicaTargets are the bounds and targets one recommendation uses.
type ReplicaTargets struct {
	CPU, Mem                 float64
	MinReplicas, MaxReplicas int32
	MaxStepDown              float64
}

// Recommendation is a recommended replica count: Replicas is -1 and For "" when there is none;
// Reason says why in one sentence either way.
type Recommendation struct {
	Replicas int32
	For      string // control.RecommendedFor*
	Reason   string
}

// RecommendReplicas is the pods a workload needs for each pod to run its peak at the target
// share of its request: the HPA's formula, ceil(total usage / (request per pod × target)), for
// CPU and memory, the larger answer winning. It is then raised to the floors (minReplicas, and
// 2 for a workload that ran 2 or more: one pod is no longer highly available), a cut is
// limited to the step allowed (see stepDown), and it is capped at maxReplicas. A workload an
// HPA scales gets the same number as advice for the HPA's minReplicas.
func RecommendReplicas(in ReplicaInput, t ReplicaTargets) Recommendation {
	none := func(reason string) Recommendation {
		return Recommendation{Replicas: control.Unset, For: control.RecommendedForNone, Reason: reason}
	}
	if in.AtZero {
		return none("no recommendation: the workload was scaled to 0 for its whole peak window")
	}
	if in.Pods == 0 {
		return none("no recommendation: no pods ran at the peak to measure")
	}
	pods := float64(in.Pods)
	var cpuUse, memUse, cpuReq, memReq float64
	for _, c := range in.Containers {
		cpuUse += clean(c.CPUAvg)
		memUse += clean(c.MemAvg)
		switch {
		case clean(c.CPURequest) > 0:
			cpuReq += c.CPURequest
		case c.TableCPUMillis > 0:
			cpuReq += float64(c.TableCPUMillis) / 1000
		}
		switch {
		case clean(c.MemRequest) > 0:
			memReq += c.MemRequest
		case c.TableMemMiB > 0:
			memReq += float64(c.TableMemMiB) * mib
		}
	}
	cpuUse, memUse = cpuUse*pods, memUse*pods
	if cpuReq == 0 && memReq == 0 {
		return none("no recommendation: no requests to measure utilisation against")
	}
	// need is ceil(use / (req × target)), 0 without a request for that resource.
	need := func(use, req, target float64) int64 {
		if req <= 0 {
			return 0
		}
		return roundUp(use/(req*target), control.MaxReplicas)
	}
	cpuN, memN := need(cpuUse, cpuReq, t.CPU), need(memUse, memReq, t.Mem)
	var b strings.Builder
	n := cpuN
	if memN > cpuN || cpuReq <= 0 {
		n = memN
		fmt.Fprintf(&b, "peak memory %s over %d pods requesting %s each = %s → %d pods reach %s (target %s)",
			fmtMiB(memUse), in.Pods, fmtMiB(memReq), pct(memUse/(pods*memReq)), n, pctN(memUse, memReq, n), pct(t.Mem))
	} else {
		fmt.Fprintf(&b, "peak CPU %.2f cores over %d pods requesting %.2f cores each = %s → %d pods reach %s (target %s)",
			cpuUse, in.Pods, cpuReq, pct(cpuUse/(pods*cpuReq)), n, pctN(cpuUse, cpuReq, n), pct(t.CPU))
	}

	floor := int64(t.MinReplicas)
	floorWhy := fmt.Sprintf("the cluster's minReplicas %d", t.MinReplicas)
	if in.Pods >= 2 && floor < 2 {
		floor, floorWhy = 2, "2 (it ran 2 or more pods, so it stays highly available)"
	}
	if n < floor {
		n = floor
		fmt.Fprintf(&b, "; raised to the floor of %s", floorWhy)
	}
	if lo := int64(in.Pods) - stepDown(in.Pods, t.MaxStepDown); n < lo && t.MaxStepDown <= 0 {
		fmt.Fprintf(&b, "; kept at %d: maxStepDown 0 allows no cut", lo)
		n = lo
	} else if n < lo {
		fmt.Fprintf(&b, "; step limited to −%d (at most %s of %d pods per derivation) = %d", int64(in.Pods)-lo, pct(t.MaxStepDown), in.Pods, lo)
		n = lo
	}
	if n > int64(t.MaxReplicas) {
		n = int64(t.MaxReplicas)
		fmt.Fprintf(&b, "; capped at maxReplicas %d", t.MaxReplicas)
	}
	if in.HPAMinReplicas != nil {
		fmt.Fprintf(&b, "; the HPA owns replicas: set the HPA's minReplicas to %d (now %d)", n, *in.HPAMinReplicas)
		return Recommendation{Replicas: int32(n), For: control.RecommendedForHPAMin, Reason: b.String()}
	}
	return Recommendation{Replicas: int32(n), For: control.RecommendedForReplicas, Reason: b.String()}
}

// stepDown is the most pods one derivation may cut from pods: floor(pods × share), but at
// least 1 whenever share > 0 (else a workload of 1 pod could never shrink, nor one of 2 at
// share 0.4); 0 when share is 0, which allows raises only.
func stepDown(pods uint32, share float64) int64 {
	if share <= 0 {
		return 0
	}
	return max(int64(math.Floor(float64(pods)*share+nearWhole)), 1)
}

// pct renders a share as a whole percentage.
func pct(v float64) string { return fmt.Sprintf("%.0f %%", v*100) }

// pctN is the utilisation use gives n pods requesting req each.
func pctN(use, req float64, n int64) string {
	if n <= 0 {
		return "—"
	}
	return pct(use / (float64(n) * req))
}

func fmtMiB(bytes float64) string { return fmt.Sprintf("%.0f MiB", bytes/mib) }
