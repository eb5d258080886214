//go:build parts

package recommend

import (
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
)

// recSample is one container on 2026-11-20 with the requests its pods ran with.
func recSample(wl string, pods uint32, cpuAvg, cpuReq, memAvgMiB, memReqMiB float64) peaks.Sample {
	x := s{ns: "shop", wl: wl, c: "app", d: 20, pods: pods, cpuAvg: cpuAvg, cpuMax: cpuAvg * 1.2, memMiB: memAvgMiB}.sample()
	x.MemAvg, x.CPURequest, x.MemRequest = memAvgMiB*miB, cpuReq, memReqMiB*miB
	return x
}

// On the embedded engine, from stored peak days whose answers are worked out by hand:
// need = ceil(pods × usage / (request × target)) with targets 0.7 CPU / 0.8 memory.
func TestDeriverRecommendsReplicasAndAppliesThemOnlyWhenSwitchedOn(t *testing.T) {
	ctx := ctxT(t)
	const cluster = "rec-cycle"
	hpa := recSample("hpa", 6, 0.2, 0.5, 10, 1024)
	hpa.HPAMinReplicas = peaks.Uint32(2)
	noReq := recSample("noreq", 3, 0.2, 0, 10, 0)
	insertSamples(t, cluster, []peaks.Sample{
		// 2 × 0.01 / 0.35 → 1; it ran 2 pods, so the HA floor keeps 2.
		recSample("floor", 2, 0.01, 0.5, 10, 1024),
		// 12 × 0.05 = 0.6 / (0.6 × 0.7 = 0.42) → 2; the cut is limited to half of 12: 6.
		recSample("cut", 12, 0.05, 0.6, 10, 1024),
		// CPU 4 × 0.1 / 0.35 → 2; memory 4 × 900 MiB / (1024 × 0.8) = 4.39 → 5: memory-bound.
		recSample("mem", 4, 0.1, 0.5, 900, 1024),
		// 6 × 0.2 / 0.35 = 3.43 → 4, advice for the HPA's minReplicas.
		hpa,
		// Same as cut, but a person pinned 3 replicas.
		recSample("pinned", 12, 0.05, 0.6, 10, 1024),
		// No request that day, and the table's requests are unset by hand: nothing to measure against.
		noReq,
	})
	// noreq's row: requests unset by a person, so the derivation keeps them unset.
	tbl := control.New(conn, nil)
	unset := control.NewContainer("app")
	unset.Sources.CPURequest, unset.Sources.MemRequest = control.SourceManual, control.SourceManual
	if _, err := tbl.Rederive(ctx, cluster, "test", func([]control.Row) ([]control.Row, error) {
		return []control.Row{{Cluster: cluster, Namespace: "shop", Workload: "noreq", Version: 1,
			Replicas:   control.Replicas{Manual: -1, Recommended: -1, Observed: 3},
			Containers: []control.Container{unset}}}, nil
	}); err != nil {
		t.Fatal(err)
	}

	p := DefaultParams()
	if _, err := (Deriver{Log: testLog()}).Derive(ctx, conn, cluster, p, now); err != nil {
		t.Fatal(err)
	}
	pinned := find(t, current(t, cluster), "shop", "pinned")
	three := int32(3)
	if _, err := tbl.Update(ctx, pinned.Key(), control.Edit{ExpectedVersion: &pinned.Version, ReplicasManual: &three}, "ed"); err != nil {
		t.Fatal(err)
	}

	type want struct {
		rec    int32
		for_   string
		reason string
	}
	wants := map[string]want{
		"floor":  {2, control.RecommendedForReplicas, "raised to the floor of 2"},
		"cut":    {6, control.RecommendedForReplicas, "step limited to −6"},
		"mem":    {5, control.RecommendedForReplicas, "peak memory 3600 MiB over 4 pods requesting 1024 MiB each"},
		"hpa":    {4, control.RecommendedForHPAMin, "set the HPA's minReplicas to 4 (now 2)"},
		"pinned": {6, control.RecommendedForReplicas, "step limited to −6"},
		"noreq":  {-1, control.RecommendedForNone, "no requests to measure utilisation against"},
	}
	check := func(on bool) {
		t.Helper()
		rows := current(t, cluster)
		if len(rows) != len(wants) {
			t.Fatalf("%d rows, want %d", len(rows), len(wants))
		}
		for _, r := range rows {
			w := wants[r.Workload]
			rep := r.Replicas
			if rep.Recommended != w.rec || rep.RecommendedFor != w.for_ || !strings.Contains(rep.RecommendedReason, w.reason) {
				t.Errorf("switch %v, %s: recommended %d for %q (%s), want %d for %q (…%s…)", on, r.Workload,
					rep.Recommended, rep.RecommendedFor, rep.RecommendedReason, w.rec, w.for_, w.reason)
			}
			wantActive := on && w.for_ == control.RecommendedForReplicas
			wantEff, wantSrc := rep.Observed, control.ReplicasObserved
			switch {
			case r.Workload == "pinned":
				wantEff, wantSrc = 3, control.ReplicasManual // manual still wins
			case wantActive:
				wantEff, wantSrc = w.rec, control.ReplicasRecommended
			}
			if rep.RecommendedActive != wantActive || rep.Effective != wantEff || rep.Source != wantSrc {
				t.Errorf("switch %v, %s: active %v effective %d from %s, want %v %d from %s", on, r.Workload,
					rep.RecommendedActive, rep.Effective, rep.Source, wantActive, wantEff, wantSrc)
			}
		}
	}
	check(false)

	// Switching on is applied by the next derivation: the replicas rows (floor, cut, mem,
	// pinned) get a new version; hpa and noreq do not change.
	p.Recommend.Enabled = true
	rep, err := (Deriver{Log: testLog()}).Derive(ctx, conn, cluster, p, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Changed != 4 || rep.Unchanged != 2 {
		t.Fatalf("switching on: report %+v", rep)
	}
	check(true)
	if got := find(t, current(t, cluster), "shop", "cut").Replicas; got.Effective != 6 || got.Observed != 12 {
		t.Fatalf("cut: %+v", got)
	}
}
