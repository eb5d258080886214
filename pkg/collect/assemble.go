package collect

import (
	"context"
	"math"
	"sort"
	"sync"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
	"github.com/kubedoor/kubedoor-grafana/pkg/promql"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

type ctrVals struct {
	cpu, mem           float64
	cpuN, memN         int // steps with a value: how long the container ran in the window
	cpuReq, cpuLim     float64
	memReq, memLim     float64
	throttled, periods float64
	oomKills           int
}

type podVals struct {
	ctr                map[string]*ctrVals
	cpuTotal, memTotal float64
	cpuTotN, memTotN   int // steps with a value
}

// accumulator gathers the window's query results; add* run under its lock.
type accumulator struct {
	mu    sync.Mutex
	inv   *inventory
	pods  map[podKey]*podVals
	ready map[wlKey]map[model.Time]float64 // Running+Ready pods at each step
	// desired is each workload's most desired pods in the window (spec replicas, a DaemonSet's
	// desired scheduled count); a workload without the series is absent.
	desired map[wlKey]uint32
	// hpaMin is the minReplicas of the HPA scaling a workload; absent = no HPA.
	hpaMin map[wlKey]uint32
	idle   []wlKey // workloads with replicas at 0 the whole window, without pods
}

func newAccumulator(inv *inventory) *accumulator {
	return &accumulator{inv: inv, pods: map[podKey]*podVals{}, ready: map[wlKey]map[model.Time]float64{}, desired: map[wlKey]uint32{}, hpaMin: map[wlKey]uint32{}}
}

// keepIdle lists the window's Deployments and StatefulSets whose spec was at 0 replicas for the
// whole window and that had no pod in it: they get a pod-total row of their own (see samples).
// A DaemonSet without pods has no replicas to recommend and nothing to measure.
func (a *accumulator) keepIdle(inWindow func(ns, kind, wl string) bool) {
	for k, n := range a.desired {
		if _, hasPods := a.inv.workloads[k]; n == 0 && !hasPods && workload.HasReplicas(k.kind) && inWindow(k.ns, k.kind, k.name) {
			a.idle = append(a.idle, k)
		}
	}
}

// perWorkload reads an answer labelled by kind and workload (promql.DesiredReplicas,
// promql.HPAMinReplicas) into counts.
func perWorkload(vec model.Vector, into map[wlKey]uint32) {
	for _, s := range vec {
		v, ok := finite(s.Value)
		k := wlKey{string(s.Metric["namespace"]), string(s.Metric[promql.LabelKind]), string(s.Metric[promql.LabelWorkload])}
		if !ok || v < 0 || k.ns == "" || k.kind == "" || k.name == "" {
			continue
		}
		into[k] = uint32(min(math.Round(v), math.MaxUint32))
	}
}

// addDesired keeps the desired pods of the window's workloads.
func (a *accumulator) addDesired(vec model.Vector) { perWorkload(vec, a.desired) }

// addHPAMin keeps the minReplicas of the HPAs scaling the window's workloads.
func (a *accumulator) addHPAMin(vec model.Vector) { perWorkload(vec, a.hpaMin) }

func (a *accumulator) locked(f func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f()
}

func (a *accumulator) pod(m model.Metric) *podVals {
	k := podKey{string(m["namespace"]), string(m["pod"])}
	if _, ok := a.inv.podWL[k]; !ok {
		return nil // not a pod of this window's workloads
	}
	p := a.pods[k]
	if p == nil {
		p = &podVals{ctr: map[string]*ctrVals{}}
		a.pods[k] = p
	}
	return p
}

func (a *accumulator) ctr(m model.Metric) *ctrVals {
	p := a.pod(m)
	name := string(m["container"])
	if p == nil || name == "" {
		return nil
	}
	c := p.ctr[name]
	if c == nil {
		c = &ctrVals{}
		p.ctr[name] = c
	}
	return c
}

func finite(v model.SampleValue) (float64, bool) {
	f := float64(v)
	return f, !math.IsNaN(f) && !math.IsInf(f, 0)
}

// addUsage takes a batch's per-(pod, container) CPU and memory series over the window: each
// series' quantile is the container's value, and the quantile of the per-step sums of a pod's
// containers is the pod's total. A batch holds whole pods, so every total is complete.
func (a *accumulator) addUsage(m model.Matrix, q float64) {
	cpuTot := map[podKey]map[model.Time]float64{}
	memTot := map[podKey]map[model.Time]float64{}
	for _, ser := range m {
		c := a.ctr(ser.Metric)
		if c == nil {
			continue
		}
		tot := cpuTot
		if ser.Metric[promql.TagLabel] == promql.TagMem {
			tot = memTot
		}
		pk := podKey{string(ser.Metric["namespace"]), string(ser.Metric["pod"])}
		steps := tot[pk]
		if steps == nil {
			steps = map[model.Time]float64{}
			tot[pk] = steps
		}
		vals := make([]float64, 0, len(ser.Values))
		for _, p := range ser.Values {
			if v, ok := finite(p.Value); ok {
				vals = append(vals, v)
				steps[p.Timestamp] += v
			}
		}
		if len(vals) == 0 {
			continue
		}
		v := quantile(q, vals)
		if ser.Metric[promql.TagLabel] == promql.TagMem {
			c.mem, c.memN = v, len(vals)
		} else {
			c.cpu, c.cpuN = v, len(vals)
		}
	}
	for pk, steps := range cpuTot {
		if len(steps) > 0 {
			p := a.pods[pk]
			p.cpuTotal, p.cpuTotN = quantile(q, values(steps)), len(steps)
		}
	}
	for pk, steps := range memTot {
		if len(steps) > 0 {
			p := a.pods[pk]
			p.memTotal, p.memTotN = quantile(q, values(steps)), len(steps)
		}
	}
}

func values(m map[model.Time]float64) []float64 {
	out := make([]float64, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// quantile is Prometheus' quantile_over_time: linear interpolation between the sorted values at
// rank q·(n-1). It sorts vs in place.
func quantile(q float64, vs []float64) float64 {
	sort.Float64s(vs)
	rank := q * float64(len(vs)-1)
	lo := int(math.Floor(rank))
	if lo+1 >= len(vs) {
		return vs[len(vs)-1]
	}
	f := rank - float64(lo)
	return vs[lo]*(1-f) + vs[lo+1]*f
}

func (a *accumulator) addResources(vec model.Vector) {
	for _, s := range vec {
		v, ok := finite(s.Value)
		c := a.ctr(s.Metric)
		if !ok || c == nil {
			continue
		}
		req := s.Metric[promql.TagLabel] == promql.TagRequest
		switch s.Metric["resource"] {
		case "cpu":
			if req {
				c.cpuReq = v
			} else {
				c.cpuLim = v
			}
		case "memory":
			if req {
				c.memReq = v
			} else {
				c.memLim = v
			}
		}
	}
}

func (a *accumulator) addCFS(vec model.Vector) {
	for _, s := range vec {
		v, ok := finite(s.Value)
		c := a.ctr(s.Metric)
		if !ok || c == nil {
			continue
		}
		if s.Metric[promql.TagLabel] == promql.TagThrottled {
			c.throttled += v
		} else {
			c.periods += v
		}
	}
}

// addReady adds each owner's ready pods at each step to its workload's: a Deployment's
// ReplicaSets add up.
func (a *accumulator) addReady(m model.Matrix) {
	for _, ser := range m {
		k, ok := a.inv.workloadOf(string(ser.Metric["namespace"]), string(ser.Metric["owner_kind"]), string(ser.Metric["owner_name"]))
		if _, mine := a.inv.workloads[k]; !ok || !mine {
			continue
		}
		steps := a.ready[k]
		if steps == nil {
			steps = map[model.Time]float64{}
			a.ready[k] = steps
		}
		for _, p := range ser.Values {
			if v, ok := finite(p.Value); ok {
				steps[p.Timestamp] += v
			}
		}
	}
}

// oomKills finds the containers that restarted after an OOM kill around the window, then walks
// their restart counters step by step (see the package doc for the exact rule).
func (c *Collector) oomKills(ctx context.Context, r *runner, s promql.Scope, pw promql.Window, sp peakwindow.Span, acc *accumulator) error {
	cands, err := r.instant(ctx, promql.Restarted(s, pw), sp.End, 1)
	if err != nil || len(cands) == 0 {
		return err
	}
	podSet := map[string]bool{}
	for _, v := range cands {
		podSet[string(v.Metric["pod"])] = true
	}
	pods := make([]string, 0, len(podSet))
	for p := range podSet {
		pods = append(pods, p)
	}
	sort.Strings(pods)
	s.Pods = pods
	m, err := r.matrix(ctx, promql.RestartSteps(s), v1.Range{Start: sp.Start.Add(-pw.Step), End: sp.End.Add(-pw.Step), Step: pw.Step})
	if err != nil {
		return err
	}
	type key struct{ ns, pod, ctr string }
	restarts := map[key][]model.SamplePair{}
	oom := map[key]map[model.Time]bool{}
	for _, ser := range m {
		k := key{string(ser.Metric["namespace"]), string(ser.Metric["pod"]), string(ser.Metric["container"])}
		if ser.Metric[promql.TagLabel] == promql.TagRestarts {
			restarts[k] = ser.Values
			continue
		}
		set := map[model.Time]bool{}
		for _, p := range ser.Values {
			if p.Value == 1 {
				set[p.Timestamp] = true
			}
		}
		oom[k] = set
	}
	start, end := model.TimeFromUnixNano(sp.Start.UnixNano()), model.TimeFromUnixNano(sp.End.UnixNano())
	kills := map[key]int{}
	for k, pts := range restarts {
		for i, p := range pts {
			if p.Timestamp < start || p.Timestamp >= end || !oom[k][p.Timestamp] {
				continue
			}
			prev := 0.0
			if i > 0 {
				prev = float64(pts[i-1].Value)
			}
			if d := float64(p.Value) - prev; d > 0 {
				kills[k] += int(math.Round(d))
			}
		}
	}
	acc.locked(func() {
		for k, n := range kills {
			if cv := acc.ctr(model.Metric{"namespace": model.LabelValue(k.ns), "pod": model.LabelValue(k.pod), "container": model.LabelValue(k.ctr)}); cv != nil {
				cv.oomKills += n
			}
		}
	})
	return nil
}
