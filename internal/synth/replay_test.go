package synth

import (
	"bytes"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"
)

// The scenarios every replay test runs on, written and parsed once.
type replayed struct {
	name string
	s    Scenario
	rows []Expected
	om   *parsed
	// byContainer groups the cAdvisor series of one (cluster, namespace, pod, container).
	cpu, mem map[string][]*series
}

var testDay = Date{2026, 6, 10}

// Writing and parsing takes a second or so per scenario; the tests share one copy.
var replayCache struct {
	once sync.Once
	rs   []*replayed
	err  error
}

func replayScenarios(t *testing.T) []*replayed {
	t.Helper()
	replayCache.once.Do(func() { replayCache.rs, replayCache.err = buildReplays() })
	if replayCache.err != nil {
		t.Fatal(replayCache.err)
	}
	return replayCache.rs
}

func buildReplays() ([]*replayed, error) {
	merged, err := Merge(ScenarioRollout(testDay), ScenarioSidecar(testDay), ScenarioHalfWindow(testDay))
	if err != nil {
		return nil, err
	}
	midnight, err := ScenarioMidnight(testDay)
	if err != nil {
		return nil, err
	}
	cases := []struct {
		name string
		s    Scenario
	}{
		{"rollout, sidecar and half-window pods in one cluster", merged},
		{"a window across midnight in Asia/Shanghai", midnight},
		{"three days with different peaks", ScenarioMultiDay(testDay, 3)},
		{"a small big scenario with sidecars", ScenarioBig(BigOptions{Day: testDay, Workloads: 12, PerNamespace: 5, Sidecar: true})},
		{"a StatefulSet and a Deployment of one name, DaemonSets", ScenarioKinds(testDay)},
		{"a small big scenario of mixed kinds", ScenarioBig(BigOptions{Day: testDay, Workloads: 9, PerNamespace: 5, Kinds: true})},
	}
	var out []*replayed
	for _, c := range cases {
		var buf bytes.Buffer
		if _, err := c.s.WriteOpenMetrics(&buf); err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		om, err := parseOpenMetrics(&buf)
		if err != nil {
			return nil, fmt.Errorf("%s: own output does not parse: %w", c.name, err)
		}
		rows, err := c.s.Expected(0.95)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		r := &replayed{name: c.name, s: c.s.withDefaults(), rows: rows, om: om,
			cpu: groupByContainer(om.byFamily["container_cpu_usage_seconds_total"]),
			mem: groupByContainer(om.byFamily["container_memory_working_set_bytes"])}
		out = append(out, r)
	}
	return out, nil
}

func containerKey(cluster, ns, pod, container string) string {
	return cluster + "/" + ns + "/" + pod + "/" + container
}

// groupByContainer leaves out the pod cgroup (no container label) and the pause container, as
// the product must.
func groupByContainer(ss []*series) map[string][]*series {
	m := map[string][]*series{}
	for _, s := range ss {
		c := s.label("container")
		if c == "" || c == "POD" {
			continue
		}
		k := containerKey(s.label("cluster"), s.label("namespace"), s.label("pod"), c)
		m[k] = append(m[k], s)
	}
	return m
}

type grid struct {
	step, offset, rng int64
	leftOpen          bool
}

func (g grid) String() string {
	return fmt.Sprintf("step=%ds offset=%ds range=%ds leftOpen=%v", g.step, g.offset, g.rng, g.leftOpen)
}

// grids covers the documented domain: step ≤ 1m at any alignment, 2×interval ≤ range ≤ 2m.
func grids() []grid {
	var gs []grid
	for _, step := range []int64{10, 15, 30, 45, 60} {
		for _, off := range []int64{0, 7, step / 2} {
			for _, rng := range []int64{60, 90, 120} {
				for _, lo := range []bool{false, true} {
					gs = append(gs, grid{step, off % step, rng, lo})
				}
			}
		}
	}
	return gs
}

// overTime evaluates f at every step instant of w and returns the values, sorted.
func overTime(w Window, g grid, f func(t int64) (float64, bool)) []float64 {
	var vs []float64
	for t := w.Start.Unix() + g.offset; t <= w.End.Unix(); t += g.step {
		if v, ok := f(t); ok {
			vs = append(vs, v)
		}
	}
	sort.Float64s(vs)
	return vs
}

// maxOf combines the series of one container (several after a restart) by max at t.
func maxOf(ss []*series, f func([]sample, int64) (float64, bool)) func(int64) (float64, bool) {
	return func(t int64) (float64, bool) {
		best, ok := 0.0, false
		for _, s := range ss {
			if v, has := f(s.samples, t); has && (!ok || v > best) {
				best, ok = v, true
			}
		}
		return best, ok
	}
}

func TestEveryQuantileInRangeOfEveryPodIsItsPlateauWhateverTheStepRangeAndAlignment(t *testing.T) {
	for _, r := range replayScenarios(t) {
		t.Run(r.name, func(t *testing.T) {
			failures := 0
			for _, row := range r.rows {
				for _, pod := range row.PerPod {
					k := containerKey(row.Cluster, row.Namespace, pod.Pod, row.Container)
					if len(r.cpu[k]) == 0 || len(r.mem[k]) == 0 {
						t.Fatalf("%s: no series", k)
					}
					for _, g := range grids() {
						cpu := overTime(row.Window, g, maxOf(r.cpu[k], func(ss []sample, at int64) (float64, bool) {
							return extrapolated(ss, at, g.rng, g.leftOpen, true)
						}))
						mem := overTime(row.Window, g, maxOf(r.mem[k], instant))
						for _, q := range []float64{MinQuantile, 0.8, 0.9, MaxQuantile} {
							for kind, quantile := range quantileKinds {
								got, gotMem := quantile(q, cpu), quantile(q, mem)
								if (!relEqual(got, pod.CPU) || !relEqual(gotMem, pod.Memory)) && failures < 10 {
									failures++
									t.Errorf("%s day %s %s q=%g %s: cpu %g want %g, memory %g want %g",
										k, row.Window.Day, g, q, kind, got, pod.CPU, gotMem, pod.Memory)
								}
							}
						}
					}
				}
			}
		})
	}
}

func TestFullWindowPodsShowTheirSpikeToMaxAndAnotherValueToMean(t *testing.T) {
	r := replayScenarios(t)[1] // midnight: three full-window pods
	g := grid{step: 30, rng: 60}
	for _, row := range r.rows {
		for _, pod := range row.PerPod {
			k := containerKey(row.Cluster, row.Namespace, pod.Pod, row.Container)
			mem := overTime(row.Window, g, maxOf(r.mem[k], instant))
			cpu := overTime(row.Window, g, maxOf(r.cpu[k], func(ss []sample, at int64) (float64, bool) {
				return extrapolated(ss, at, g.rng, g.leftOpen, true)
			}))
			if mem[len(mem)-1] != 2*pod.Memory || !relEqual(cpu[len(cpu)-1], 3*pod.CPU) {
				t.Errorf("%s: max memory %g cpu %g, want spikes %g and %g", k, mem[len(mem)-1], cpu[len(cpu)-1], 2*pod.Memory, 3*pod.CPU)
			}
			if m := mean(mem); relEqual(m, pod.Memory) || relEqual(m, 2*pod.Memory) {
				t.Errorf("%s: mean memory %g equals plateau or spike", k, m)
			}
		}
	}
}

func mean(vs []float64) float64 {
	s := 0.0
	for _, v := range vs {
		s += v
	}
	return s / float64(len(vs))
}

// podOwners maps (cluster/namespace/pod) to its workload, "kind/name" as ownerOf writes it:
// a Deployment through kube_pod_owner and kube_replicaset_owner, a StatefulSet or DaemonSet
// straight from kube_pod_owner, as the product must.
func podOwners(om *parsed) map[string]string {
	rsToDep := map[string]string{}
	for _, s := range om.byFamily["kube_replicaset_owner"] {
		rsToDep[s.label("cluster")+"/"+s.label("namespace")+"/"+s.label("replicaset")] = s.label("owner_name")
	}
	out := map[string]string{}
	for _, s := range om.byFamily["kube_pod_owner"] {
		if s.label("owner_is_controller") != "true" {
			continue
		}
		ns := s.label("cluster") + "/" + s.label("namespace")
		switch kind := s.label("owner_kind"); kind {
		case "ReplicaSet":
			out[ns+"/"+s.label("pod")] = "/" + rsToDep[ns+"/"+s.label("owner_name")]
		case KindStatefulSet, KindDaemonSet:
			out[ns+"/"+s.label("pod")] = kind + "/" + s.label("owner_name")
		}
	}
	return out
}

// ownerOf is row's workload as podOwners names it.
func ownerOf(row Expected) string { return row.Kind + "/" + row.Deployment }

func TestRunningAndReadyPodCountsReplayedFromKubeStateMetricsMatchMinAndMax(t *testing.T) {
	for _, r := range replayScenarios(t) {
		t.Run(r.name, func(t *testing.T) {
			owners := podOwners(r.om)
			type podSeries struct{ running, ready []sample }
			pods := map[string]*podSeries{}
			get := func(s *series) *podSeries {
				k := s.label("cluster") + "/" + s.label("namespace") + "/" + s.label("pod")
				if pods[k] == nil {
					pods[k] = &podSeries{}
				}
				return pods[k]
			}
			for _, s := range r.om.byFamily["kube_pod_status_phase"] {
				if s.label("phase") == "Running" {
					get(s).running = s.samples
				}
			}
			for _, s := range r.om.byFamily["kube_pod_status_ready"] {
				if s.label("condition") == "true" {
					get(s).ready = s.samples
				}
			}
			for _, row := range r.rows {
				dep := row.Cluster + "/" + row.Namespace + "/" + ownerOf(row)
				for _, step := range []int64{30, 60, 120, 300} {
					for _, off := range []int64{0, 13} {
						g := grid{step: step, offset: off}
						counts := overTime(row.Window, g, func(at int64) (float64, bool) {
							n := 0
							for k, p := range pods {
								run, ok1 := instant(p.running, at)
								rdy, ok2 := instant(p.ready, at)
								if ok1 && ok2 && run == 1 && rdy == 1 && row.Cluster+"/"+row.Namespace+"/"+owners[k] == dep {
									n++
								}
							}
							return float64(n), true
						})
						if int(counts[0]) != row.PodsMin || int(counts[len(counts)-1]) != row.PodsMax {
							t.Errorf("%s %s day %s: pods %g..%g, want %d..%d", dep, g, row.Window.Day,
								counts[0], counts[len(counts)-1], row.PodsMin, row.PodsMax)
						}
					}
				}
			}
		})
	}
}

func TestThrottlingOOMKillsAndRequestsReplayedFromTheSeriesMatch(t *testing.T) {
	for _, r := range replayScenarios(t) {
		t.Run(r.name, func(t *testing.T) {
			owners := podOwners(r.om)
			mine := func(s *series, row Expected) bool {
				k := s.label("cluster") + "/" + s.label("namespace") + "/" + s.label("pod")
				return s.label("cluster") == row.Cluster && s.label("namespace") == row.Namespace &&
					owners[k] == ownerOf(row) && s.label("container") == row.Container
			}
			for _, row := range r.rows {
				end, length := row.Window.End.Unix(), int64(row.Window.Duration().Seconds())
				sum := func(family string) (float64, int) {
					total, n := 0.0, 0
					for _, s := range r.om.byFamily[family] {
						if mine(s, row) {
							if v, ok := extrapolated(s.samples, end, length, false, false); ok {
								total += v
								n++
							}
						}
					}
					return total, n
				}
				throttled, n := sum("container_cpu_cfs_throttled_periods_total")
				periods, _ := sum("container_cpu_cfs_periods_total")
				switch {
				case row.CPULimit == 0 && n != 0:
					t.Errorf("%v: CFS series without a CPU limit", row.Key)
				case row.CPULimit > 0 && !relEqual(throttled/periods, row.ThrottleRatio):
					t.Errorf("%v: throttling %g, want %g", row.Key, throttled/periods, row.ThrottleRatio)
				}
				ooms := 0
				for _, s := range r.om.byFamily["kube_pod_container_status_restarts_total"] {
					if mine(s, row) {
						ooms += changes(s.samples, end, length)
					}
				}
				if ooms != row.OOMKills {
					t.Errorf("%v day %s: %d OOM kills, want %d", row.Key, row.Window.Day, ooms, row.OOMKills)
				}
				for _, s := range r.om.byFamily["kube_pod_container_resource_requests"] {
					if mine(s, row) {
						want := map[string]float64{"cpu": row.CPURequest, "memory": row.MemoryRequest}[s.label("resource")]
						if s.samples[0].v != want {
							t.Errorf("%v: %s request %g, want %g", row.Key, s.label("resource"), s.samples[0].v, want)
						}
					}
				}
			}
		})
	}
}

func TestEveryExpectedRowHasPodsAndTheScenarioListsAllDays(t *testing.T) {
	for _, r := range replayScenarios(t) {
		days := 0
		for _, c := range r.s.Clusters {
			days += len(c.Days)
		}
		seen := map[Date]bool{}
		for _, row := range r.rows {
			seen[row.Window.Day] = true
			if row.Pods == 0 || row.PodsMax == 0 || row.CPUWorst < row.CPUPodAvg || row.MemoryWorst < row.MemoryPodAvg {
				t.Errorf("%s: implausible row %+v", r.name, row)
			}
			if row.Window.Duration() < time.Hour {
				t.Errorf("%s: window %v", r.name, row.Window)
			}
		}
		if len(seen) != days {
			t.Errorf("%s: rows for %d days, want %d", r.name, len(seen), days)
		}
	}
}
