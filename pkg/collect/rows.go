package collect

import (
	"slices"
	"sort"
	"time"

	"github.com/prometheus/common/model"

	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
)

// agg folds per-pod values into the worst pod and the pod average. A pod whose value rests on
// fewer than minSteps steps (it ran only briefly in the window: a surge pod of a rollout, a
// crash-looping container, a pod that finished or was drained) counts only when no pod of the
// workload ran long enough: its quantile is its start-up or shut-down, not the steady state
// the requests are sized for, and one such pod's burst would otherwise become the worst pod.
type agg struct {
	minSteps  int
	all, kept fold // every pod; the pods that ran at least minSteps
}

type fold struct {
	max, sum float64
	n        int
}

func (f *fold) add(v float64) {
	if f.n == 0 || v > f.max {
		f.max = v
	}
	f.sum += v
	f.n++
}

// add takes one pod's value resting on steps steps (0 = the pod had none: ignored).
func (g *agg) add(v float64, steps int) {
	if steps == 0 {
		return
	}
	g.all.add(v)
	if steps >= g.minSteps {
		g.kept.add(v)
	}
}

func (g *agg) use() fold {
	if g.kept.n > 0 {
		return g.kept
	}
	return g.all
}

func (g *agg) n() int       { return g.all.n }
func (g *agg) max() float64 { return g.use().max }

func (g *agg) avg() float64 {
	f := g.use()
	if f.n == 0 {
		return 0
	}
	return f.sum / float64(f.n)
}

// briefRun is how long a pod must have run in the window for its quantiles to count (or half
// the window when that is shorter); see agg.
const briefRun = 15 * time.Minute

// minSteps is briefRun (or half the window) in steps, rounded up.
func minSteps(window, step time.Duration) int {
	d := min(briefRun, window/2)
	return int((d + step - 1) / step)
}

// readyMedian is the median of the Running+Ready pods over the steps (0 where none), rounded
// up; when that is 0 but some step had a Ready pod, the median over the steps that had one, so
// a Deployment that ran for part of the window is not observed at 0.
func readyMedian(counts []uint32) uint32 {
	med := func(vs []uint32) uint32 {
		if len(vs) == 0 {
			return 0
		}
		vs = slices.Clone(vs)
		slices.Sort(vs)
		n := len(vs)
		if n%2 == 1 {
			return vs[n/2]
		}
		lo, hi := vs[n/2-1], vs[n/2]
		return lo + (hi-lo+1)/2
	}
	m := med(counts)
	if m == 0 {
		var some []uint32
		for _, c := range counts {
			if c > 0 {
				some = append(some, c)
			}
		}
		m = med(some)
	}
	return m
}

func pct(v, limit float64) float64 {
	if limit <= 0 {
		return 0
	}
	return v / limit * 100
}

func ratio(throttled, periods float64) float64 {
	if periods <= 0 {
		return 0
	}
	return throttled / periods
}

// samples turns the accumulated values into one row per (workload, container name) plus the
// pod-total row, for workloads with at least one usage value in the window.
func (a *accumulator) samples(cluster string, sp peakwindow.Span, step time.Duration, q float64, collectedAt time.Time) []peaks.Sample {
	var steps []model.Time
	for t := sp.Start; !t.After(sp.End); t = t.Add(step) {
		steps = append(steps, model.TimeFromUnixNano(t.UnixNano()))
	}
	keys := make([]wlKey, 0, len(a.inv.workloads)+len(a.idle))
	for k := range a.inv.workloads {
		keys = append(keys, k)
	}
	keys = append(keys, a.idle...)
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	var out []peaks.Sample
	for _, k := range keys {
		out = append(out, a.workloadSamples(cluster, k, sp, steps, step, q, collectedAt)...)
	}
	return out
}

type ctrAgg struct {
	cpu, mem                       agg
	cpuReq, cpuLim, memReq, memLim float64
	throttled, periods             float64
	oomKills                       int
}

func (a *accumulator) workloadSamples(cluster string, k wlKey, sp peakwindow.Span, steps []model.Time, step time.Duration, q float64, collectedAt time.Time) []peaks.Sample {
	ctrs := map[string]*ctrAgg{}
	least := minSteps(sp.Duration(), step)
	podCPU, podMem := agg{minSteps: least}, agg{minSteps: least}
	for _, pod := range a.inv.workloads[k] {
		p := a.pods[podKey{k.ns, pod}]
		if p == nil {
			continue
		}
		for name, c := range p.ctr {
			ca := ctrs[name]
			if ca == nil {
				ca = &ctrAgg{cpu: agg{minSteps: least}, mem: agg{minSteps: least}}
				ctrs[name] = ca
			}
			ca.cpu.add(c.cpu, c.cpuN)
			ca.mem.add(c.mem, c.memN)
			ca.cpuReq, ca.cpuLim = max(ca.cpuReq, c.cpuReq), max(ca.cpuLim, c.cpuLim)
			ca.memReq, ca.memLim = max(ca.memReq, c.memReq), max(ca.memLim, c.memLim)
			ca.throttled += c.throttled
			ca.periods += c.periods
			ca.oomKills += c.oomKills
		}
		podCPU.add(p.cpuTotal, p.cpuTotN)
		podMem.add(p.memTotal, p.memTotN)
	}
	base := peaks.Sample{
		Cluster: cluster, Namespace: k.ns, Kind: k.kind, Workload: k.name, Day: sp.Day.Time(),
		WindowStart: sp.Start.UTC(), WindowEnd: sp.End.UTC(), Quantile: q, CollectedAt: collectedAt,
	}
	// A step with no series had no Running+Ready pod: it counts as 0.
	ready := a.ready[k]
	counts := make([]uint32, len(steps))
	for i, t := range steps {
		n := uint32(ready[t])
		counts[i] = n
		if i == 0 || n < base.PodsMin {
			base.PodsMin = n
		}
		base.PodsMax = max(base.PodsMax, n)
	}
	base.PodsReadyMedian = peaks.Uint32(readyMedian(counts))
	if d, ok := a.desired[k]; ok {
		base.ReplicasDesired = peaks.Uint32(d)
	}
	if m, ok := a.hpaMin[k]; ok {
		base.HPAMinReplicas = peaks.Uint32(m)
	}
	if _, hasPods := a.inv.workloads[k]; !hasPods {
		// At 0 replicas the whole window (keepIdle): no container to measure, but the
		// derivation must see that the workload was scaled to zero, so the pod-total row
		// carries it with zero usage.
		base.Container = peaks.PodTotal
		return []peaks.Sample{base}
	}
	names := make([]string, 0, len(ctrs))
	for name, ca := range ctrs {
		if ca.cpu.n() > 0 || ca.mem.n() > 0 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil // the workload did not run in this window
	}
	sort.Strings(names)
	out := make([]peaks.Sample, 0, len(names)+1)
	total := base
	total.Container = peaks.PodTotal
	total.CPUMax, total.CPUAvg = podCPU.max(), podCPU.avg()
	total.MemMax, total.MemAvg = podMem.max(), podMem.avg()
	allCPULim, allMemLim := true, true
	var thr, per float64
	for _, name := range names {
		ca := ctrs[name]
		s := base
		s.Container = name
		s.CPUMax, s.CPUAvg = ca.cpu.max(), ca.cpu.avg()
		s.MemMax, s.MemAvg = ca.mem.max(), ca.mem.avg()
		s.CPURequest, s.CPULimit, s.MemRequest, s.MemLimit = ca.cpuReq, ca.cpuLim, ca.memReq, ca.memLim
		s.CPUPctOfLimit, s.MemPctOfLimit = pct(s.CPUMax, s.CPULimit), pct(s.MemMax, s.MemLimit)
		s.ThrottlingRatio = ratio(ca.throttled, ca.periods)
		s.OOMKills = uint32(ca.oomKills)
		out = append(out, s)

		total.CPURequest += ca.cpuReq
		total.MemRequest += ca.memReq
		total.CPULimit += ca.cpuLim
		total.MemLimit += ca.memLim
		allCPULim = allCPULim && ca.cpuLim > 0
		allMemLim = allMemLim && ca.memLim > 0
		thr += ca.throttled
		per += ca.periods
		total.OOMKills += uint32(ca.oomKills)
	}
	if !allCPULim {
		total.CPULimit = 0 // a container without a limit leaves the pod unbounded
	}
	if !allMemLim {
		total.MemLimit = 0
	}
	total.CPUPctOfLimit, total.MemPctOfLimit = pct(total.CPUMax, total.CPULimit), pct(total.MemMax, total.MemLimit)
	total.ThrottlingRatio = ratio(thr, per)
	if podCPU.n() > 0 || podMem.n() > 0 {
		out = append(out, total)
	}
	return out
}
