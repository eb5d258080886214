package recommend

import (
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	wkind "github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Every expected count below is worked out by hand in the comment beside it:
// need = ceil(pods × Σ usage / (Σ request × target)), then floors, step, max.
func TestRecommendReplicas(t *testing.T) {
	def := ReplicaTargets{CPU: 0.7, Mem: 0.8, MinReplicas: 1, MaxReplicas: 1000, MaxStepDown: 0.5}
	cpu := func(avg, req float64) ContainerUse {
		return ContainerUse{CPUAvg: avg, CPURequest: req, MemAvg: 10 * miB, MemRequest: 1024 * miB, TableCPUMillis: -1, TableMemMiB: -1}
	}
	with := func(f func(*ReplicaTargets)) ReplicaTargets { x := def; f(&x); return x }
	tests := []struct {
		name   string
		in     ReplicaInput
		t      ReplicaTargets
		want   int32
		for_   string
		reason []string // fragments the reason must hold
	}{
		{"a CPU-bound workload shrinks to the pods that run its peak at the target",
			// 12 × 0.26 = 3.12 cores; 3.12 / (0.6 × 0.7 = 0.42) = 7.43 → 8; step allows down to 12 − 6 = 6.
			ReplicaInput{Pods: 12, Containers: []ContainerUse{cpu(0.26, 0.6)}}, def, 8, control.RecommendedForReplicas,
			[]string{"peak CPU 3.12 cores over 12 pods requesting 0.60 cores each = 43 %", "8 pods reach 65 % (target 70 %)"}},
		{"usage exactly at the target needs no extra pod",
			// 10 × 0.35 = 3.5; 3.5 / (0.5 × 0.7 = 0.35) = 10 exactly → 10, not 11.
			ReplicaInput{Pods: 10, Containers: []ContainerUse{cpu(0.35, 0.5)}}, def, 10, control.RecommendedForReplicas, []string{"10 pods reach 70 %"}},
		{"a deep cut happens in stages of at most half the pods",
			// 12 × 0.05 = 0.6; 0.6 / 0.42 = 1.43 → 2; the step allows 12 − floor(12 × 0.5) = 6.
			ReplicaInput{Pods: 12, Containers: []ContainerUse{cpu(0.05, 0.6)}}, def, 6, control.RecommendedForReplicas, []string{"step limited to −6", "= 6"}},
		{"an odd count rounds the allowed cut down",
			// 3 × 0.01 / 0.42 → 1; HA floor 2; step allows 3 − floor(1.5) = 2.
			ReplicaInput{Pods: 3, Containers: []ContainerUse{cpu(0.01, 0.6)}}, def, 2, control.RecommendedForReplicas, []string{"floor of 2"}},
		{"a small share still allows cutting one pod",
			// 5 × 0.01 / 0.42 → 1; floor 2; step 0.1: floor(0.5) = 0, raised to 1 → 5 − 1 = 4.
			ReplicaInput{Pods: 5, Containers: []ContainerUse{cpu(0.01, 0.6)}}, with(func(x *ReplicaTargets) { x.MaxStepDown = 0.1 }), 4,
			control.RecommendedForReplicas, []string{"step limited to −1"}},
		{"a step of 0 allows no cut at all",
			// 8 × 0.05 / 0.42 = 0.95 → 1; step 0 keeps 8.
			ReplicaInput{Pods: 8, Containers: []ContainerUse{cpu(0.05, 0.6)}}, with(func(x *ReplicaTargets) { x.MaxStepDown = 0 }), 8,
			control.RecommendedForReplicas, []string{"kept at 8: maxStepDown 0 allows no cut"}},
		{"a step of 0 still allows a raise",
			// 2 × 0.5 = 1.0; 1.0 / 0.35 = 2.86 → 3.
			ReplicaInput{Pods: 2, Containers: []ContainerUse{cpu(0.5, 0.5)}}, with(func(x *ReplicaTargets) { x.MaxStepDown = 0 }), 3, control.RecommendedForReplicas, nil},
		{"a workload that ran 2 pods keeps 2 for availability",
			// 2 × 0.01 / 0.42 → 1; HA floor 2 (step would allow 1).
			ReplicaInput{Pods: 2, Containers: []ContainerUse{cpu(0.01, 0.6)}}, def, 2, control.RecommendedForReplicas, []string{"highly available"}},
		{"a single-pod workload may stay at 1",
			// 1 × 0.01 / 0.42 → 1; no HA floor below 2 pods.
			ReplicaInput{Pods: 1, Containers: []ContainerUse{cpu(0.01, 0.6)}}, def, 1, control.RecommendedForReplicas, nil},
		{"the cluster's minReplicas is the floor",
			// 4 × 0.01 / 0.42 → 1; minReplicas 3 (step allows 2).
			ReplicaInput{Pods: 4, Containers: []ContainerUse{cpu(0.01, 0.6)}}, with(func(x *ReplicaTargets) { x.MinReplicas = 3 }), 3,
			control.RecommendedForReplicas, []string{"floor of the cluster's minReplicas 3"}},
		{"maxReplicas caps a raise",
			// 10 × 1.0 / (0.5 × 0.7) = 28.57 → 29; max 20.
			ReplicaInput{Pods: 10, Containers: []ContainerUse{cpu(1.0, 0.5)}}, with(func(x *ReplicaTargets) { x.MaxReplicas = 20 }), 20,
			control.RecommendedForReplicas, []string{"capped at maxReplicas 20"}},
		{"a memory-bound workload is sized by memory",
			// CPU: 4 × 0.1 / (0.5 × 0.7) = 1.14 → 2; memory: 4 × 900 = 3600 MiB / (1024 × 0.8 = 819.2) = 4.39 → 5.
			ReplicaInput{Pods: 4, Containers: []ContainerUse{{CPUAvg: 0.1, CPURequest: 0.5, MemAvg: 900 * miB, MemRequest: 1024 * miB}}}, def, 5,
			control.RecommendedForReplicas, []string{"peak memory 3600 MiB over 4 pods requesting 1024 MiB each = 88 %", "5 pods reach 70 % (target 80 %)"}},
		{"sidecars count and a missing request falls back to the table's",
			// 5 × (0.3 + 0.02) = 1.6; requests 0.5 + 0.1 (the table's 100m) = 0.6; 1.6 / 0.42 = 3.81 → 4.
			ReplicaInput{Pods: 5, Containers: []ContainerUse{cpu(0.3, 0.5), {CPUAvg: 0.02, TableCPUMillis: 100, TableMemMiB: -1}}}, def, 4,
			control.RecommendedForReplicas, []string{"requesting 0.60 cores each"}},
		{"memory alone is enough to measure against",
			// no CPU request anywhere; memory: 3 × 100 = 300 MiB / (200 × 0.8 = 160) = 1.875 → 2.
			ReplicaInput{Pods: 3, Containers: []ContainerUse{{CPUAvg: 5, MemAvg: 100 * miB, MemRequest: 200 * miB, TableCPUMillis: -1}}}, def, 2,
			control.RecommendedForReplicas, []string{"peak memory"}},
		{"an HPA-scaled workload gets advice for its minReplicas",
			// 6 × 0.2 = 1.2; 1.2 / 0.35 = 3.43 → 4.
			ReplicaInput{Pods: 6, HPAMinReplicas: peaks.Uint32(2), Containers: []ContainerUse{cpu(0.2, 0.5)}}, def, 4,
			control.RecommendedForHPAMin, []string{"set the HPA's minReplicas to 4 (now 2)"}},
		{"no requests means no recommendation",
			ReplicaInput{Pods: 3, Containers: []ContainerUse{{CPUAvg: 0.2, MemAvg: miB, TableCPUMillis: -1, TableMemMiB: -1}}}, def, -1,
			control.RecommendedForNone, []string{"no requests to measure utilisation against"}},
		{"a workload scaled to zero on purpose gets none",
			ReplicaInput{AtZero: true}, def, -1, control.RecommendedForNone, []string{"scaled to 0"}},
		{"a workload with no pods at the peak gets none",
			ReplicaInput{Pods: 0, Containers: []ContainerUse{cpu(0.2, 0.5)}}, def, -1, control.RecommendedForNone, []string{"no pods"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RecommendReplicas(tt.in, tt.t)
			if got.Replicas != tt.want || got.For != tt.for_ {
				t.Fatalf("got %d for %q (%s), want %d for %q", got.Replicas, got.For, got.Reason, tt.want, tt.for_)
			}
			for _, f := range tt.reason {
				if !strings.Contains(got.Reason, f) {
					t.Errorf("reason %q lacks %q", got.Reason, f)
				}
			}
			if strings.Contains(got.Reason, "\n") || got.Reason == "" {
				t.Errorf("reason %q is not one sentence", got.Reason)
			}
		})
	}
}

func TestTargetsPreferTheWorkloadThenTheNamespace(t *testing.T) {
	r := DefaultRecommendParams()
	r.Overrides = []TargetOverride{{Namespace: "shop", Workload: "web", CPUTarget: 0.5, MemTarget: 0.6}, {Namespace: "shop", CPUTarget: 0.6, MemTarget: 0.9}}
	for _, tt := range []struct {
		ns, wl   string
		cpu, mem float64
	}{{"shop", "web", 0.5, 0.6}, {"shop", "api", 0.6, 0.9}, {"pay", "web", 0.7, 0.8}} {
		if c, m := r.targets(tt.ns, "", tt.wl); c != tt.cpu || m != tt.mem {
			t.Errorf("%s/%s: %v %v, want %v %v", tt.ns, tt.wl, c, m, tt.cpu, tt.mem)
		}
	}
}

// A StatefulSet and a Deployment named db are two workloads: each gets its own override, and
// the override saved without a kind (before kinds existed) stays the Deployment's.
func TestTargetsOfOneNameFollowTheKind(t *testing.T) {
	cs := clustersettings.Defaults("prod-a", "UTC")
	cs.Recommend.Overrides = []clustersettings.RecommendOverride{
		{Namespace: "data", Workload: "db", CPUTarget: 0.5, MemTarget: 0.6},
		{Namespace: "data", Kind: "statefulset", Workload: "db", CPUTarget: 0.9, MemTarget: 0.95},
	}
	p, err := ParamsOf(cs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		kind     string
		cpu, mem float64
	}{{"", 0.5, 0.6}, {wkind.Deployment, 0.5, 0.6}, {wkind.StatefulSet, 0.9, 0.95}, {wkind.DaemonSet, 0.7, 0.8}} {
		if c, m := p.Recommend.targets("data", tt.kind, "db"); c != tt.cpu || m != tt.mem {
			t.Errorf("%q db: %v %v, want %v %v", tt.kind, c, m, tt.cpu, tt.mem)
		}
	}
}

func TestParamsOfMapsTheRecommendSettings(t *testing.T) {
	cs := clustersettings.Defaults("prod-a", "UTC")
	cs.Recommend.Enabled, cs.Recommend.MaxStepDown = true, 0.25
	cs.Recommend.Overrides = []clustersettings.RecommendOverride{{Namespace: "shop", CPUTarget: 0.6, MemTarget: 0.9}}
	p, err := ParamsOf(cs)
	if err != nil {
		t.Fatal(err)
	}
	r := p.Recommend
	if !r.Enabled || r.CPUTarget != 0.7 || r.MemTarget != 0.8 || r.MaxReplicas != 1000 || r.MaxStepDown != 0.25 ||
		len(r.Overrides) != 1 || r.Overrides[0] != (TargetOverride{Namespace: "shop", CPUTarget: 0.6, MemTarget: 0.9}) {
		t.Fatalf("recommend params %+v", r)
	}
	// Settings saved with a floor above the default maximum still derive: the floor wins.
	cs.MinReplicas = 2000
	if p, err = ParamsOf(cs); err != nil || p.Recommend.MaxReplicas != 2000 {
		t.Fatalf("maxReplicas %d: %v", p.Recommend.MaxReplicas, err)
	}
}

// A row with no samples in the window is kept as it is, but the recommend switch applies to it
// too: turning the switch off never leaves an old recommendation enforced.
func TestTheSwitchReachesRowsWithoutPeakData(t *testing.T) {
	stale := row("shop", "gone", 5, 12)
	stale.Replicas.Recommended, stale.Replicas.RecommendedFor, stale.Replicas.RecommendedActive = 8, control.RecommendedForReplicas, true
	stale.Replicas.Resolve()
	hpa := row("shop", "scaled", 2, 6)
	hpa.Replicas.Recommended, hpa.Replicas.RecommendedFor = 3, control.RecommendedForHPAMin
	hpa.Replicas.Resolve()

	off := DefaultParams()
	next, rep := mustDerive(t, off, nil, []control.Row{stale, hpa})
	if len(next) != 1 || rep.Changed != 1 || rep.Kept != 1 {
		t.Fatalf("switch off: %d rows, report %+v", len(next), rep)
	}
	if r := next[0]; r.Workload != "gone" || r.Version != 6 || r.Replicas.RecommendedActive || r.Replicas.Effective != 12 || r.Replicas.Source != control.ReplicasObserved {
		t.Fatalf("switch off: %+v", r.Replicas)
	}

	on := DefaultParams()
	on.Recommend.Enabled = true
	if next, rep = mustDerive(t, on, nil, []control.Row{stale, hpa}); len(next) != 0 || rep.Kept != 2 {
		t.Fatalf("switch on, already active: %d rows, report %+v", len(next), rep)
	}
	stale.Replicas.RecommendedActive = false
	next, _ = mustDerive(t, on, nil, []control.Row{stale, hpa})
	if len(next) != 1 || next[0].Replicas.Effective != 8 || next[0].Replicas.Source != control.ReplicasRecommended {
		t.Fatalf("switch on: %+v", next)
	}
}
