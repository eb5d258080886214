package collect

import (
	"sort"
	"time"

	"github.com/prometheus/common/model"

	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
)

// agg folds per-pod values into the worst pod and the pod average.
type agg struct {
	max, sum float64
	n        int
}

func (g *agg) add(v float64) {
	if g.n == 0 || v > g.max {
		g.max = v
	}
	g.sum += v
	g.n++
}

func (g agg) avg() float64 {
	if g.n == 0 {
		return 0
	}
	return g.sum / float64(g.n)
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

// samples turns the accumulated values into one row per (Deployment, container name) plus the
// pod-total row, for Deployments with at least one usage value in the window.
func (a *accumulator) samples(cluster string, sp peakwindow.Span, step time.Duration, q float64, collectedAt time.Time) []peaks.Sample {
	var steps []model.Time
	for t := sp.Start; !t.After(sp.End); t = t.Add(step) {
		steps = append(steps, model.TimeFromUnixNano(t.UnixNano()))
	}
	keys := make([]wlKey, 0, len(a.inv.workloads))
	for k := range a.inv.workloads {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].ns != keys[j].ns {
			return keys[i].ns < keys[j].ns
		}
		return keys[i].name < keys[j].name
	})
	var out []peaks.Sample
	for _, k := range keys {
		out = append(out, a.workloadSamples(cluster, k, sp, steps, q, collectedAt)...)
	}
	return out
}

type ctrAgg struct {
	cpu, mem                       agg
	cpuReq, cpuLim, memReq, memLim float64
	throttled, periods             float64
	oomKills                       int
}

func (a *accumulator) workloadSamples(cluster string, k wlKey, sp peakwindow.Span, steps []model.Time, q float64, collectedAt time.Time) []peaks.Sample {
	ctrs := map[string]*ctrAgg{}
	var podCPU, podMem agg
	for _, pod := range a.inv.workloads[k] {
		p := a.pods[podKey{k.ns, pod}]
		if p == nil {
			continue
		}
		for name, c := range p.ctr {
			ca := ctrs[name]
			if ca == nil {
				ca = &ctrAgg{}
				ctrs[name] = ca
			}
			if c.hasCPU {
				ca.cpu.add(c.cpu)
			}
			if c.hasMem {
				ca.mem.add(c.mem)
			}
			ca.cpuReq, ca.cpuLim = max(ca.cpuReq, c.cpuReq), max(ca.cpuLim, c.cpuLim)
			ca.memReq, ca.memLim = max(ca.memReq, c.memReq), max(ca.memLim, c.memLim)
			ca.throttled += c.throttled
			ca.periods += c.periods
			ca.oomKills += c.oomKills
		}
		if p.hasCPUTot {
			podCPU.add(p.cpuTotal)
		}
		if p.hasMemTot {
			podMem.add(p.memTotal)
		}
	}
	base := peaks.Sample{
		Cluster: cluster, Namespace: k.ns, Workload: k.name, Day: sp.Day.Time(),
		WindowStart: sp.Start.UTC(), WindowEnd: sp.End.UTC(), Quantile: q, CollectedAt: collectedAt,
	}
	// A step with no series had no Running+Ready pod: it counts as 0.
	ready := a.ready[k]
	for i, t := range steps {
		n := uint32(ready[t])
		if i == 0 || n < base.PodsMin {
			base.PodsMin = n
		}
		base.PodsMax = max(base.PodsMax, n)
	}
	names := make([]string, 0, len(ctrs))
	for name, ca := range ctrs {
		if ca.cpu.n > 0 || ca.mem.n > 0 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil // the Deployment did not run in this window
	}
	sort.Strings(names)
	out := make([]peaks.Sample, 0, len(names)+1)
	total := base
	total.Container = peaks.PodTotal
	total.CPUMax, total.CPUAvg = podCPU.max, podCPU.avg()
	total.MemMax, total.MemAvg = podMem.max, podMem.avg()
	allCPULim, allMemLim := true, true
	var thr, per float64
	for _, name := range names {
		ca := ctrs[name]
		s := base
		s.Container = name
		s.CPUMax, s.CPUAvg = ca.cpu.max, ca.cpu.avg()
		s.MemMax, s.MemAvg = ca.mem.max, ca.mem.avg()
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
	if podCPU.n > 0 || podMem.n > 0 {
		out = append(out, total)
	}
	return out
}
