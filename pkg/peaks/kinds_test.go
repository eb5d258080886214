//go:build parts

package peaks

import (
	"fmt"
	"strings"
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

// ?kind= on totals and namespace shares: the namespace rollup holds no kind, so one kind's sums
// come from its workload days; every kind's stay what the namespace rollup says.
func TestTotalsAndNamespacesOfOneKind(t *testing.T) {
	ctx := ctxT(t)
	const cl = "qkinds-agg"
	// usage = pods_min × cpu_p95_avg, request = pods_min × cpu_request.
	mk := func(ns, kind, name string, day int, pods uint32, cpu, req float64) []any {
		return Sample{Cluster: cl, Namespace: ns, Kind: kind, Workload: name, Container: "app", Day: d(day),
			WindowStart: d(day).Add(2 * time.Hour), WindowEnd: d(day).Add(3 * time.Hour), PodsMin: pods, PodsMax: pods,
			CPUMax: cpu, CPUAvg: cpu, CPURequest: req, MemMax: gib, MemAvg: gib, Quantile: 0.95, CollectedAt: d(day + 1)}.Row()
	}
	rows := [][]any{
		mk("data", workload.Deployment, "db", 20, 2, 0.5, 1),     // usage 1, request 2
		mk("data", workload.StatefulSet, "db", 20, 3, 1, 2),      // usage 3, request 6
		mk("data", workload.StatefulSet, "db", 21, 3, 2, 2),      // usage 6, request 6
		mk("ops", workload.DaemonSet, "agent", 20, 4, 0.25, 0.5), // usage 1, request 2
	}
	if err := conn.Insert(ctx, "peak_samples", Columns, rows); err != nil {
		t.Fatal(err)
	}
	totals := func(ns, kind string) string {
		t.Helper()
		got, err := Totals(ctx, conn, cl, ns, kind, all)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range got {
			out = append(out, fmt.Sprintf("%s pods %d cpu %g req %g", g.Day, g.Pods, g.CPUUsage, g.CPURequest))
		}
		return strings.Join(out, "; ")
	}
	for _, c := range []struct{ ns, kind, want string }{
		{"", "", "2026-11-20 pods 9 cpu 5 req 10; 2026-11-21 pods 3 cpu 6 req 6"},
		{"", workload.StatefulSet, "2026-11-20 pods 3 cpu 3 req 6; 2026-11-21 pods 3 cpu 6 req 6"},
		{"", workload.DaemonSet, "2026-11-20 pods 4 cpu 1 req 2"},
		{"data", workload.Deployment, "2026-11-20 pods 2 cpu 1 req 2"},
		{"ops", workload.StatefulSet, ""},
	} {
		if got := totals(c.ns, c.kind); got != c.want {
			t.Errorf("totals namespace %q kind %q: %q, want %q", c.ns, c.kind, got, c.want)
		}
	}

	shares := func(kind string) string {
		t.Helper()
		got, err := Namespaces(ctx, conn, cl, kind, all)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range got {
			out = append(out, fmt.Sprintf("%s workloads %d cpu %.4g share %.4g", g.Namespace, g.Workloads, g.CPUUsage, g.CPUShare))
		}
		return strings.Join(out, "; ")
	}
	for _, c := range []struct{ kind, want string }{
		// Two days with data: data (1+3+6)/2 = 5 of 11 total, ops 1/2 = 0.5; data ran two
		// workloads on day 20.
		{"", "data workloads 2 cpu 5 share 0.9091; ops workloads 1 cpu 0.5 share 0.09091"},
		// StatefulSets only: (3+6)/2 = 4.5, all of it.
		{workload.StatefulSet, "data workloads 1 cpu 4.5 share 1"},
		// DaemonSets only: one day with data, 1 core.
		{workload.DaemonSet, "ops workloads 1 cpu 1 share 1"},
	} {
		if got := shares(c.kind); got != c.want {
			t.Errorf("namespaces of kind %q: %q, want %q", c.kind, got, c.want)
		}
	}
}
