package recommend

import (
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
)

const miB = float64(1 << 20)

// now is the fixture's derivation time: window (10 days) = 2026-11-13 .. 2026-11-22.
var now = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func day(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }

// s builds a container sample; cpu in cores (avg, max), memory in MiB (worst pod).
type s struct {
	ns, wl, c      string
	d              int
	pods           uint32
	cpuAvg, cpuMax float64
	memMiB         float64
	cpuLim, memLim float64 // cores, MiB; 0 = none
	oom            uint32
	// ready is how the sample knows its replicas: "" = the Deployment's desired replicas are
	// pods (kube_deployment_spec_replicas); "median" = no desired series, the Ready median is
	// pods; "legacy" = collected before either was stored, the most Ready pods are pods.
	// In every case the fewest Ready pods are pods/2, a dip the derivation must not follow.
	ready string
}

func (x s) sample() peaks.Sample {
	out := peaks.Sample{
		Cluster: "prod-a", Namespace: x.ns, Workload: x.wl, Container: x.c, Day: day(x.d),
		WindowStart: day(x.d).Add(2 * time.Hour), WindowEnd: day(x.d).Add(3*time.Hour + 30*time.Minute),
		PodsMin: x.pods / 2, PodsMax: x.pods + 1, CPUAvg: x.cpuAvg, CPUMax: x.cpuMax,
		MemAvg: x.memMiB * miB * 0.9, MemMax: x.memMiB * miB,
		CPULimit: x.cpuLim, MemLimit: x.memLim * miB, OOMKills: x.oom, Quantile: 0.95,
		CollectedAt: day(x.d + 1).Add(time.Hour),
	}
	switch x.ready {
	case "":
		out.ReplicasDesired, out.PodsReadyMedian = peaks.Uint32(x.pods), peaks.Uint32(x.pods+1)
	case "median":
		out.PodsReadyMedian = peaks.Uint32(x.pods)
	case "legacy":
		out.PodsMax = x.pods
	}
	return out
}

func samples(xs ...s) []peaks.Sample {
	out := make([]peaks.Sample, len(xs))
	for i, x := range xs {
		out[i] = x.sample()
	}
	return out
}

// twelveDays is a hand-built history of 2026-11-11 .. 2026-11-22 for cluster prod-a where the
// per-workload and the cluster-wide choices differ:
//
//	load = pods (the desired replicas) × Σ containers' pod-average CPU
//	shop/api: every day 3 × (0.20 + 0.01) = 0.63, but 11-15: 4 × (0.50 + 0.01) = 2.04 → own worst day 11-15
//	shop/web: every day 2 × 0.30 = 0.60, but 11-20: 8 × 0.40 = 3.20 → own worst day 11-20
//	cluster:  11-15: 2.04 + 0.60 = 2.64; 11-20: 0.63 + 3.20 = 3.83 (the max) → kubedoor day 11-20
//	11-11 and 11-12 lie outside the window and hold loads (60 and more) that would win if counted.
//	shop/batch exists only on 11-11/11-12; pay/newsvc only on 11-22 (not on the kubedoor day).
func twelveDays() []peaks.Sample {
	var xs []s
	for d := 11; d <= 22; d++ {
		api := s{ns: "shop", wl: "api", c: "app", d: d, pods: 3, cpuAvg: 0.20, cpuMax: 0.25, memMiB: 300.2, cpuLim: 2, memLim: 2048}
		side := s{ns: "shop", wl: "api", c: "istio-proxy", d: d, pods: 3, cpuAvg: 0.01, cpuMax: 0.0042, memMiB: 0.3}
		web := s{ns: "shop", wl: "web", c: "app", d: d, pods: 2, cpuAvg: 0.30, cpuMax: 0.35, memMiB: 200, cpuLim: 0.3, memLim: 512}
		switch d {
		case 11, 12: // outside the window
			api.pods, api.cpuAvg, api.cpuMax = 10, 5, 6
			web.pods, web.cpuAvg = 20, 3
			xs = append(xs, s{ns: "shop", wl: "batch", c: "job", d: d, pods: 1, cpuAvg: 1, cpuMax: 1, memMiB: 100})
		case 15:
			api.pods, api.cpuAvg, api.cpuMax, api.memMiB, api.oom = 4, 0.50, 0.60, 400, 2
		case 20:
			web.pods, web.cpuAvg, web.cpuMax, web.memMiB = 8, 0.40, 0.45, 260
		case 22:
			xs = append(xs, s{ns: "pay", wl: "newsvc", c: "app", d: d, pods: 2, cpuAvg: 0.1, cpuMax: 0.12, memMiB: 128, cpuLim: 1, memLim: 256})
		}
		xs = append(xs, api, side, web)
	}
	// Pod totals are ignored by the derivation: make them wildly wrong to prove it.
	out := samples(xs...)
	out = append(out, s{ns: "shop", wl: "api", c: peaks.PodTotal, d: 13, pods: 99, cpuAvg: 99, cpuMax: 99, memMiB: 99999}.sample())
	return out
}
