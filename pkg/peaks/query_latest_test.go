//go:build parts

package peaks

import (
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// The newest day's memory peak is the one an in-place resize reads, per container, even when an
// older day was higher; pod totals and other workloads are not read.
func TestLatestMemoryIsTheNewestDaysPeakPerContainer(t *testing.T) {
	ctx := ctxT(t)
	const cl = "qlatest"
	mk := func(name, container string, day int, mem float64) []any {
		return Sample{Cluster: cl, Namespace: "web", Kind: workload.StatefulSet, Workload: name, Container: container, Day: d(day),
			WindowStart: d(day).Add(2 * time.Hour), WindowEnd: d(day).Add(3 * time.Hour), PodsMin: 1, PodsMax: 1,
			MemMax: mem, MemAvg: mem, Quantile: 0.95, CollectedAt: d(day + 1)}.Row()
	}
	rows := [][]any{
		mk("db", "app", 20, 4*gib), mk("db", "app", 22, 1*gib), mk("db", "sidecar", 21, 0.5*gib),
		mk("db", PodTotal, 22, 9*gib), mk("other", "app", 23, 7*gib),
	}
	if err := conn.Insert(ctx, "peak_samples", Columns, rows); err != nil {
		t.Fatal(err)
	}
	got, err := LatestMemory(ctx, conn, cl, Workload{Namespace: "web", Kind: workload.StatefulSet, Name: "db"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Container != "app" || got[0].Bytes != gib || got[0].Day.Format(time.DateOnly) != "2026-11-22" ||
		got[1].Container != "sidecar" || got[1].Bytes != 0.5*gib {
		t.Fatalf("latest peaks %+v; want app 1Gi of 11-22 and sidecar 0.5Gi", got)
	}
	if none, err := LatestMemory(ctx, conn, cl, Workload{Namespace: "web", Name: "db"}); err != nil || len(none) != 0 {
		t.Fatalf("the Deployment of that name has no peaks: %+v, %v", none, err)
	}
}
