package synth

import (
	"fmt"
	"time"
)

// Ready-made scenarios. Each is one cluster; Merge combines them into one file. Levels are chosen
// so worst pod, pod average, max and mean all differ, and a sidecar's values never equal the app's.

const mi = 1 << 20

// usage builds one day's Usage from plateaus: CPU base is a quarter of the plateau and the spike
// three times it; memory base is 3/8 of the plateau (so even two overlapping series of a restarted
// container sum to less than it) and the spike twice it.
func usage(cpuCores float64, memBytes int64) Usage {
	return Usage{
		CPU:    Levels{Base: cpuCores / 4, Plateau: cpuCores, Spike: 3 * cpuCores},
		Memory: Levels{Base: float64(memBytes * 3 / 8), Plateau: float64(memBytes), Spike: float64(2 * memBytes)},
	}
}

// oneDay is a pod's usage on a single day, per container.
func oneDay(perContainer ...Usage) [][]Usage {
	out := make([][]Usage, len(perContainer))
	for i, u := range perContainer {
		out[i] = []Usage{u}
	}
	return out
}

func windowOf(c Cluster) Window { return c.Peak.WindowOf(c.Days[0], c.location()) }

// ScenarioRollout is (a): cluster prod-a, shop/checkout rolls out mid-window. The old
// ReplicaSet's two pods end 50 and 55 minutes in, the new one's start 35 and 40 minutes in, so
// Running+Ready pods go 2→3→4→3→2 and all four pods are one workload.
func ScenarioRollout(day Date) Scenario {
	c := Cluster{Name: "prod-a", Peak: DefaultPeak, Days: []Date{day}}
	ws := windowOf(c).Start
	app := Container{Name: "app", Image: "registry.example.com/shop/checkout:1.4.0",
		CPURequest: 0.5, CPULimit: 1, MemoryRequest: 512 * mi, MemoryLimit: 1024 * mi, ThrottleRatio: 0.125}
	pod := func(start, end time.Time, cpu float64, mem int64) Pod {
		return Pod{Start: start, End: end, Usage: oneDay(usage(cpu, mem))}
	}
	c.Namespaces = []Namespace{{Name: "shop", Deployments: []Deployment{{
		Name:       "checkout",
		Containers: []Container{app},
		ReplicaSets: []ReplicaSet{
			{Pods: []Pod{
				pod(ws.AddDate(0, 0, -3), ws.Add(50*time.Minute), 0.30, 300*mi),
				pod(ws.AddDate(0, 0, -3), ws.Add(55*time.Minute), 0.35, 320*mi),
			}},
			{Images: []string{"registry.example.com/shop/checkout:1.5.0"}, Pods: []Pod{
				pod(ws.Add(35*time.Minute), time.Time{}, 0.40, 340*mi),
				pod(ws.Add(40*time.Minute), time.Time{}, 0.45, 360*mi),
			}},
		},
	}}}}
	return Scenario{Clusters: []Cluster{c}}
}

// ScenarioSidecar is (b): cluster prod-a, shop/api has two pods running app + istio-proxy (no CPU
// limit, so no CFS series). Pod 0's app is OOM-killed 10 minutes into the window and once 3 hours
// before it (restarts_total is already 1 and last_terminated_reason already OOMKilled when the
// window opens; only one kill is in the window).
func ScenarioSidecar(day Date) Scenario {
	c := Cluster{Name: "prod-a", Peak: DefaultPeak, Days: []Date{day}}
	ws := windowOf(c).Start
	start := ws.AddDate(0, 0, -2)
	c.Namespaces = []Namespace{{Name: "shop", Deployments: []Deployment{{
		Name: "api",
		Containers: []Container{
			{Name: "app", Image: "registry.example.com/shop/api:2.3.1",
				CPURequest: 1, CPULimit: 2, MemoryRequest: 1024 * mi, MemoryLimit: 2048 * mi, ThrottleRatio: 0.25},
			{Name: "istio-proxy", Image: "docker.io/istio/proxyv2:1.22.0",
				CPURequest: 0.1, MemoryRequest: 128 * mi, MemoryLimit: 256 * mi},
		},
		ReplicaSets: []ReplicaSet{{Pods: []Pod{
			{Start: start, Usage: oneDay(usage(0.8, 900*mi), usage(0.05, 90*mi)),
				OOMKills: []OOMKill{{"app", ws.Add(-3 * time.Hour)}, {"app", ws.Add(10 * time.Minute)}}},
			{Start: start, Usage: oneDay(usage(0.6, 700*mi), usage(0.07, 110*mi))},
		}}},
	}}}}
	return Scenario{Clusters: []Cluster{c}}
}

// ScenarioHalfWindow is (c): cluster prod-a, batch/reports has one pod for the whole window, one
// that ends 45 minutes in (the first half only) and one that starts 35 minutes in. The half-window
// pods are the worst (CPU: the late one; memory: the early one), so diluting a pod's P95 with
// the time it did not exist shows.
func ScenarioHalfWindow(day Date) Scenario {
	c := Cluster{Name: "prod-a", Peak: DefaultPeak, Days: []Date{day}}
	ws := windowOf(c).Start
	c.Namespaces = []Namespace{{Name: "batch", Deployments: []Deployment{{
		Name: "reports",
		Containers: []Container{{Name: "app", Image: "registry.example.com/batch/reports:0.9.2",
			CPURequest: 0.25, CPULimit: 0.5, MemoryRequest: 256 * mi, MemoryLimit: 512 * mi, ThrottleRatio: 0.05}},
		ReplicaSets: []ReplicaSet{{Pods: []Pod{
			{Start: ws.AddDate(0, 0, -1), Usage: oneDay(usage(0.20, 200*mi))},
			{Start: ws.AddDate(0, 0, -1), End: ws.Add(45 * time.Minute), Usage: oneDay(usage(0.30, 260*mi))},
			{Start: ws.Add(35 * time.Minute), Usage: oneDay(usage(0.40, 240*mi))},
		}}},
	}}}}
	return Scenario{Clusters: []Cluster{c}}
}

// ScenarioMidnight is (d): cluster prod-sh in Asia/Shanghai with peak 22:00–02:00, so day D's
// window is D 14:00–18:00 UTC. pay/gateway has three pods for the whole window.
func ScenarioMidnight(day Date) (Scenario, error) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return Scenario{}, fmt.Errorf("synth: loading Asia/Shanghai: %w", err)
	}
	c := Cluster{Name: "prod-sh", Location: loc, Peak: PeakWindow{Clock{22, 0}, Clock{2, 0}}, Days: []Date{day}}
	ws := windowOf(c).Start
	var pods []Pod
	for i, cpu := range []float64{1.2, 1.5, 1.1} {
		pods = append(pods, Pod{Start: ws.AddDate(0, 0, -1), Usage: oneDay(usage(cpu, int64(1500+100*i)*mi))})
	}
	c.Namespaces = []Namespace{{Name: "pay", Deployments: []Deployment{{
		Name: "gateway",
		Containers: []Container{{Name: "app", Image: "registry.example.com/pay/gateway:5.0.0",
			CPURequest: 1, CPULimit: 2, MemoryRequest: 2048 * mi, MemoryLimit: 2048 * mi, ThrottleRatio: 0.02}},
		ReplicaSets: []ReplicaSet{{Pods: pods}},
	}}}}
	return Scenario{Clusters: []Cluster{c}}, nil
}

// MultiDayPlateau is ScenarioMultiDay's app plateau (cores) of pod 0 on day index d; pod 1 uses
// three quarters of it. Memory plateaus are (400 + 100·(d mod 5)) MiB and three quarters.
func MultiDayPlateau(d int) float64 { return 0.4 + 0.1*float64((3*d)%7) }

// ScenarioMultiDay is (e): cluster prod-b, shop/search with two long-lived pods over n days from
// first, each day with its own plateau (MultiDayPlateau), so "the worst day" is well defined.
func ScenarioMultiDay(first Date, n int) Scenario {
	c := Cluster{Name: "prod-b", Peak: DefaultPeak}
	for d := range n {
		c.Days = append(c.Days, first.AddDays(d))
	}
	ws := windowOf(c).Start
	var pods []Pod
	for p := range 2 {
		days := make([]Usage, n)
		for d := range n {
			f := 1 - 0.25*float64(p)
			days[d] = usage(MultiDayPlateau(d)*f, int64(float64((400+100*(d%5))*mi)*f))
		}
		pods = append(pods, Pod{Start: ws.AddDate(0, 0, -1), Usage: [][]Usage{days}})
	}
	c.Namespaces = []Namespace{{Name: "shop", Deployments: []Deployment{{
		Name: "search",
		Containers: []Container{{Name: "app", Image: "registry.example.com/shop/search:3.1.0",
			CPURequest: 0.5, CPULimit: 2, MemoryRequest: 512 * mi, MemoryLimit: 1024 * mi, ThrottleRatio: 0.1}},
		ReplicaSets: []ReplicaSet{{Pods: pods}},
	}}}}
	return Scenario{Clusters: []Cluster{c}}
}

// ScenarioReplicaTraps is (f): cluster prod-r, namespace traps, the ways Ready pods dip below
// what a Deployment was sized to run, and pods that ran for only part of the window.
//   - recreate: spec 3 throughout; a Recreate rollout 40 minutes in ends the old ReplicaSet's
//     three pods before the new one's start, so Ready pods are 0 for four instants.
//   - crashloop: spec 3; pod 2 crash-loops (Running, not Ready) for most of the window.
//   - worker: spec 2; two long-lived pods, and a third that ran 3 minutes mid-window (a surge
//     pod that finished) at a start-up burst far above the others' peak. An HPA (worker-hpa,
//     minReplicas 2) scales it.
//   - off: spec 0 the whole window, no pods.
//   - nospec: no kube_deployment_spec_replicas series; three pods, one gone 45 minutes in.
//   - scaledown: spec 4 at the window's first instant, 2 from 30 s later (a scale-down as the
//     window opens); two long-lived pods. Its desired replicas are 4 only if the sample at
//     exactly the window start counts, which Prometheus 3's left-open ranges leave out.
func ScenarioReplicaTraps(day Date) Scenario {
	c := Cluster{Name: "prod-r", Peak: DefaultPeak, Days: []Date{day}}
	ws := windowOf(c).Start
	long := ws.AddDate(0, 0, -2)
	spec := func(n int) []SpecStep { return []SpecStep{{At: ws.AddDate(0, 0, -1), Replicas: n}} }
	ctr := func(name string) []Container {
		return []Container{{Name: "app", Image: "registry.example.com/traps/" + name + ":1.0.0",
			CPURequest: 0.5, CPULimit: 1, MemoryRequest: 256 * mi, MemoryLimit: 1024 * mi, ThrottleRatio: 0.1}}
	}
	pod := func(start, end time.Time, cpu float64, mem int64) Pod {
		return Pod{Start: start, End: end, Usage: oneDay(usage(cpu, mem))}
	}
	flap := pod(long, time.Time{}, 0.22, 220*mi)
	flap.Unready = [][2]time.Time{
		{ws.Add(5 * time.Minute), ws.Add(25 * time.Minute)},
		{ws.Add(26 * time.Minute), ws.Add(50 * time.Minute)},
		{ws.Add(51 * time.Minute), ws.Add(85 * time.Minute)},
	}
	burst := Pod{Start: ws.Add(20 * time.Minute), End: ws.Add(23 * time.Minute), Brief: true, Usage: oneDay(Usage{
		CPU:    Levels{Base: 3, Plateau: 3.5, Spike: 4},
		Memory: Levels{Base: 3000 * mi, Plateau: 3500 * mi, Spike: 4000 * mi},
	})}
	c.Namespaces = []Namespace{{Name: "traps", Deployments: []Deployment{
		{Name: "recreate", Containers: ctr("recreate"), Spec: spec(3), ReplicaSets: []ReplicaSet{
			{Pods: []Pod{pod(long, ws.Add(40*time.Minute), 0.30, 300*mi), pod(long, ws.Add(40*time.Minute), 0.32, 310*mi),
				pod(long, ws.Add(40*time.Minute), 0.34, 320*mi)}},
			{Images: []string{"registry.example.com/traps/recreate:1.1.0"}, Pods: []Pod{
				pod(ws.Add(40*time.Minute), time.Time{}, 0.36, 330*mi), pod(ws.Add(40*time.Minute), time.Time{}, 0.38, 340*mi),
				pod(ws.Add(40*time.Minute), time.Time{}, 0.40, 350*mi)}},
		}},
		{Name: "crashloop", Containers: ctr("crashloop"), Spec: spec(3), ReplicaSets: []ReplicaSet{{Pods: []Pod{
			pod(long, time.Time{}, 0.20, 200*mi), pod(long, time.Time{}, 0.21, 210*mi), flap}}}},
		{Name: "worker", Containers: ctr("worker"), Spec: spec(2), HPA: &HPA{Name: "worker-hpa", MinReplicas: 2}, ReplicaSets: []ReplicaSet{{Pods: []Pod{
			pod(long, time.Time{}, 0.50, 500*mi), pod(long, time.Time{}, 0.60, 450*mi), burst}}}},
		{Name: "off", Containers: ctr("off"), Spec: spec(0), ReplicaSets: []ReplicaSet{{}}},
		{Name: "nospec", Containers: ctr("nospec"), ReplicaSets: []ReplicaSet{{Pods: []Pod{
			pod(long, time.Time{}, 0.10, 100*mi), pod(long, time.Time{}, 0.12, 120*mi), pod(long, ws.Add(45*time.Minute), 0.14, 140*mi)}}}},
		{Name: "scaledown", Containers: ctr("scaledown"),
			Spec:        []SpecStep{{At: ws.AddDate(0, 0, -1), Replicas: 4}, {At: ws.Add(30 * time.Second), Replicas: 2}},
			ReplicaSets: []ReplicaSet{{Pods: []Pod{pod(long, time.Time{}, 0.26, 260*mi), pod(long, time.Time{}, 0.28, 270*mi)}}}},
	}}}
	return Scenario{Clusters: []Cluster{c}}
}

// ScenarioKinds is (g): cluster prod-k, namespace data, one workload of each kind and the
// names they may share.
//   - Deployment db and StatefulSet db: two workloads of one name. The Deployment has two pods
//     (spec 2), the StatefulSet three (db-0..db-2, spec 3) and an HPA (db-hpa, minReplicas 2);
//     db-1's app is OOM-killed 20 minutes into the window.
//   - DaemonSet node-agent: one pod on each of the 3 nodes (desired 3), the one on worker-03
//     far busier than the others (a wide per-node spread).
//   - StatefulSet cache: spec 0 the whole window, no pods (stored with 0 replicas).
//   - DaemonSet gpu-agent: desired 0 (no eligible node), no pods: nothing to store.
func ScenarioKinds(day Date) Scenario {
	c := Cluster{Name: "prod-k", Peak: DefaultPeak, Days: []Date{day}, Nodes: 3}
	ws := windowOf(c).Start
	long := ws.AddDate(0, 0, -2)
	spec := func(n int) []SpecStep { return []SpecStep{{At: ws.AddDate(0, 0, -1), Replicas: n}} }
	app := func(image string) []Container {
		return []Container{{Name: "app", Image: image, CPURequest: 0.5, CPULimit: 1, MemoryRequest: 512 * mi,
			MemoryLimit: 1024 * mi, ThrottleRatio: 0.15}}
	}
	pod := func(cpu float64, mem int64) Pod { return Pod{Start: long, Usage: oneDay(usage(cpu, mem))} }
	oom := pod(0.42, 420*mi)
	oom.OOMKills = []OOMKill{{"app", ws.Add(20 * time.Minute)}}
	agent := []Container{{Name: "agent", Image: "registry.example.com/infra/node-agent:0.7.0",
		CPURequest: 0.05, MemoryRequest: 64 * mi, MemoryLimit: 256 * mi}}
	c.Namespaces = []Namespace{{Name: "data", Deployments: []Deployment{
		{Name: "db", Containers: app("registry.example.com/data/db-proxy:2.0.0"), Spec: spec(2),
			ReplicaSets: []ReplicaSet{{Pods: []Pod{pod(0.15, 150*mi), pod(0.18, 170*mi)}}}},
		{Name: "db", Kind: KindStatefulSet, Containers: app("registry.example.com/data/db:15.4"), Spec: spec(3),
			HPA:         &HPA{Name: "db-hpa", MinReplicas: 2},
			ReplicaSets: []ReplicaSet{{Pods: []Pod{pod(0.38, 400*mi), oom, pod(0.35, 380*mi)}}}},
		{Name: "node-agent", Kind: KindDaemonSet, Containers: agent, Spec: spec(3),
			ReplicaSets: []ReplicaSet{{Pods: []Pod{pod(0.02, 40*mi), pod(0.03, 44*mi), pod(0.24, 150*mi)}}}},
		{Name: "cache", Kind: KindStatefulSet, Containers: app("registry.example.com/data/cache:7.2"), Spec: spec(0),
			ReplicaSets: []ReplicaSet{{}}},
		{Name: "gpu-agent", Kind: KindDaemonSet, Containers: agent, Spec: spec(0), ReplicaSets: []ReplicaSet{{}}},
	}}}
	return Scenario{Clusters: []Cluster{c}}
}
