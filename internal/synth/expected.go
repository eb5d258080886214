package synth

import (
	"fmt"
	"sort"
	"time"
)

// Key identifies one row of the peak table. Deployment is the workload's name, Kind its kind as
// in Deployment.Kind ("" for a Deployment).
type Key struct {
	Cluster, Namespace, Deployment, Container string
	Kind                                      string
}

// Expected is what the peak pipeline must store for one Key and day. The package doc defines
// every field exactly.
type Expected struct {
	Key
	Window Window

	Pods         int     // pods whose container ran in the window
	CPUWorst     float64 // cores: max over pods of the pod's P95 of rate(cpu)
	CPUPodAvg    float64 // cores: mean over pods of the pod's P95
	MemoryWorst  float64 // bytes: max over pods of the pod's P95 of working set
	MemoryPodAvg float64 // bytes: mean over pods of the pod's P95
	PerPod       []PodP95

	PodsMin, PodsMax int // Running and Ready pods of the Deployment, over the window's instants
	// PodsReadyMedian is the median of those counts over the window's instants (the mean of
	// the middle two rounded up); when it is 0 while some instant had a Ready pod, the median
	// over the instants that had one.
	PodsReadyMedian int
	// ReplicasDesired is the most spec.replicas at the window's instants; nil without a Spec.
	ReplicasDesired *int

	CPURequest, CPULimit       float64 // cores; 0 = not set
	MemoryRequest, MemoryLimit float64 // bytes; 0 = not set
	ThrottleRatio              float64 // throttled / total CFS periods; 0 without a CPU limit
	OOMKills                   int     // OOM kills at instants in [start, end)
}

// PodP95 is one pod's P95 of one container.
type PodP95 struct {
	Pod         string
	CPU, Memory float64
}

// Expected returns the answers for every cluster, day, workload and container, in scenario
// order, for quantile q. The curves make them the same for every q in [MinQuantile, MaxQuantile];
// other quantiles are refused rather than answered wrongly.
func (s Scenario) Expected(q float64) ([]Expected, error) {
	if q < MinQuantile || q > MaxQuantile {
		return nil, fmt.Errorf("synth: quantile %g outside [%g, %g], where the curves pin the answer", q, MinQuantile, MaxQuantile)
	}
	s = s.withDefaults()
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("synth: invalid scenario: %w", err)
	}
	iv := int64(s.Interval / time.Second)
	var out []Expected
	for ci := range s.Clusters {
		c := &s.Clusters[ci]
		for di, w := range c.Windows() {
			for _, ns := range c.Namespaces {
				for dpi := range ns.Deployments {
					out = append(out, expectDeployment(c, ns.Name, &ns.Deployments[dpi], di, w, iv)...)
				}
			}
		}
	}
	return out, nil
}

// Find returns the row for k on day.
func Find(rows []Expected, k Key, day Date) (Expected, bool) {
	for _, r := range rows {
		if r.Key == k && r.Window.Day == day {
			return r, true
		}
	}
	return Expected{}, false
}

type podRef struct {
	name string
	pod  *Pod
	life life
}

func expectDeployment(c *Cluster, ns string, d *Deployment, day int, w Window, iv int64) []Expected {
	var pods []podRef
	for ri := range d.ReplicaSets {
		for pi := range d.ReplicaSets[ri].Pods {
			p := &d.ReplicaSets[ri].Pods[pi]
			pods = append(pods, podRef{d.podName(c.Name, ns, ri, pi), p, podLife(p, iv)})
		}
	}
	podsMin, podsMax := -1, 0
	var counts []int
	var desired *int
	for t := w.Start.Unix(); t <= w.End.Unix(); t += iv {
		n := 0
		for _, p := range pods {
			if t >= p.life.start && t < p.life.end && p.life.ready(t) {
				n++
			}
		}
		counts = append(counts, n)
		if podsMin < 0 || n < podsMin {
			podsMin = n
		}
		podsMax = max(podsMax, n)
		if len(d.Spec) > 0 {
			if v := d.specAt(t); desired == nil || v > *desired {
				desired = &v
			}
		}
	}
	median := medianUp(counts)
	if median == 0 {
		var some []int
		for _, n := range counts {
			if n > 0 {
				some = append(some, n)
			}
		}
		median = medianUp(some)
	}
	var rows []Expected
	for ci, ct := range d.Containers {
		e := Expected{
			Key:     Key{c.Name, ns, d.Name, ct.Name, d.Kind},
			Window:  w,
			PodsMin: podsMin, PodsMax: podsMax, PodsReadyMedian: median, ReplicasDesired: desired,
			CPURequest: ct.CPURequest, CPULimit: ct.CPULimit,
			MemoryRequest: float64(ct.MemoryRequest), MemoryLimit: float64(ct.MemoryLimit),
			ThrottleRatio: ct.ThrottleRatio,
		}
		for _, p := range pods {
			for _, k := range p.pod.OOMKills {
				if k.Container == ct.Name && !k.At.Before(w.Start) && k.At.Before(w.End) {
					e.OOMKills++
				}
			}
			if a0, a1 := p.life.active(w); a1 <= a0 || p.pod.Brief {
				continue // a brief pod's start-up burst is not what the workload runs at
			}
			// The curve puts the plateau on half the container's run in the window, which pins
			// every quantile in [MinQuantile, MaxQuantile] to it (package doc).
			u := p.pod.Usage[ci][day]
			e.PerPod = append(e.PerPod, PodP95{Pod: p.name, CPU: u.CPU.Plateau, Memory: u.Memory.Plateau})
			e.CPUWorst = max(e.CPUWorst, u.CPU.Plateau)
			e.MemoryWorst = max(e.MemoryWorst, u.Memory.Plateau)
			e.CPUPodAvg += u.CPU.Plateau
			e.MemoryPodAvg += u.Memory.Plateau
		}
		if e.Pods = len(e.PerPod); e.Pods == 0 {
			continue // the Deployment did not run in this window: nothing to collect
		}
		e.CPUPodAvg /= float64(e.Pods)
		e.MemoryPodAvg /= float64(e.Pods)
		rows = append(rows, e)
	}
	return rows
}

// medianUp is the median of ns, the mean of the middle two rounded up; 0 for none.
func medianUp(ns []int) int {
	if len(ns) == 0 {
		return 0
	}
	s := append([]int(nil), ns...)
	sort.Ints(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	a, b := s[len(s)/2-1], s[len(s)/2]
	return (a + b + 1) / 2
}

// ScaledToZero lists, per cluster and day, the Deployments and StatefulSets whose Spec is 0 at every instant of
// the window and that have no pod running in it: the pipeline stores them with 0 desired
// replicas although there is nothing to measure (Key.Container is "").
func (s Scenario) ScaledToZero() []Expected {
	s = s.withDefaults()
	iv := int64(s.Interval / time.Second)
	var out []Expected
	for ci := range s.Clusters {
		c := &s.Clusters[ci]
		for _, w := range c.Windows() {
			for _, ns := range c.Namespaces {
				for di := range ns.Deployments {
					d := &ns.Deployments[di]
					// A DaemonSet has no replicas to recommend: nothing to store without pods.
					if len(d.Spec) == 0 || d.Kind == KindDaemonSet || runsIn(d, w, iv) {
						continue
					}
					zero := true
					for t := w.Start.Unix(); t <= w.End.Unix(); t += iv {
						zero = zero && d.specAt(t) == 0
					}
					if zero {
						none := 0
						out = append(out, Expected{Key: Key{c.Name, ns.Name, d.Name, "", d.Kind}, Window: w, ReplicasDesired: &none})
					}
				}
			}
		}
	}
	return out
}

// runsIn reports whether any pod of d exists during w.
func runsIn(d *Deployment, w Window, iv int64) bool {
	for _, rs := range d.ReplicaSets {
		for i := range rs.Pods {
			l := podLife(&rs.Pods[i], iv)
			if l.start <= w.End.Unix() && l.end > w.Start.Unix() {
				return true
			}
		}
	}
	return false
}
