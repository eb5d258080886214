package peaks

import (
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// A Deployment and a StatefulSet of one name in one namespace are two workloads in every query:
// listed, ranked, chosen for derivation and read as a series apart, each with its kind.
func TestKindsOfOneNameAreSeparateWorkloads(t *testing.T) {
	ctx := ctxT(t)
	const cl = "qkinds"
	mk := func(kind string, day int, cpu float64, at time.Duration) Sample {
		return Sample{Cluster: cl, Namespace: "data", Kind: kind, Workload: "db", Container: "app", Day: d(day),
			WindowStart: d(day).Add(2 * time.Hour), WindowEnd: d(day).Add(3 * time.Hour), PodsMin: 2, PodsMax: 2,
			ReplicasDesired: Uint32(2), CPUMax: cpu, CPUAvg: cpu, MemMax: gib, MemAvg: gib, Quantile: 0.95,
			CollectedAt: d(day + 1).Add(at)}
	}
	rows := [][]any{
		mk(workload.Deployment, 20, 0.5, time.Hour).Row(), mk(workload.Deployment, 21, 0.2, time.Hour).Row(),
		mk(workload.StatefulSet, 20, 0.1, time.Hour).Row(), mk(workload.StatefulSet, 21, 3, time.Hour).Row(),
		// An earlier collection of the StatefulSet's day 21, which the later one replaces.
		mk(workload.StatefulSet, 21, 99, 0).Row(),
	}
	if err := conn.Insert(ctx, "peak_samples", Columns, rows); err != nil {
		t.Fatal(err)
	}

	listed, total, err := List(ctx, conn, ListFilter{Cluster: cl, Kind: workload.StatefulSet, Range: all})
	if err != nil || total != 2 || len(listed) != 2 || listed[0].Kind != workload.StatefulSet || listed[0].CPUMax != 3 {
		t.Fatalf("StatefulSet rows %+v (total %d), %v", listed, total, err)
	}
	if _, total, err := List(ctx, conn, ListFilter{Cluster: cl, Range: all}); err != nil || total != 4 {
		t.Fatalf("every kind: total %d, %v; want 4", total, err)
	}

	worst, err := WorstDays(ctx, conn, cl, all)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range worst {
		got[s.Kind] = s.Day.Format(time.DateOnly)
	}
	if len(worst) != 2 || got[workload.Deployment] != "2026-11-20" || got[workload.StatefulSet] != "2026-11-21" {
		t.Fatalf("worst days %v from %d samples; want the Deployment's 11-20 and the StatefulSet's 11-21", got, len(worst))
	}

	top, err := Top(ctx, conn, cl, workload.StatefulSet, ByCPU, all, 10)
	if err != nil || len(top) != 1 || top[0].Kind != workload.StatefulSet || top[0].Day != "2026-11-21" {
		t.Fatalf("top StatefulSets %+v, %v", top, err)
	}
	if both, err := Top(ctx, conn, cl, "", ByCPU, all, 10); err != nil || len(both) != 2 || both[0].Kind != workload.StatefulSet {
		t.Fatalf("top of every kind %+v, %v", both, err)
	}

	series, err := Series(ctx, conn, cl, Workload{Namespace: "data", Kind: workload.Deployment, Name: "db"}, "app", all)
	if err != nil || len(series) != 2 || series[0].CPUMax != 0.5 || series[1].Kind != workload.Deployment {
		t.Fatalf("the Deployment's series %+v, %v", series, err)
	}
}
