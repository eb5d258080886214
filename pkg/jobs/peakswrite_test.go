//go:build parts

package jobs

// Tests of peaks.WriteDay and peaks.Prune on the embedded engine. They live here, beside the
// jobs that call them, because pkg/peaks' own test binary belongs to its read queries' TestMain.

import (
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

func peakSample(cluster, ns, wl, ctr string, day time.Time, cpu float64) peaks.Sample {
	start := day.Add(10 * time.Hour)
	return peaks.Sample{Cluster: cluster, Namespace: ns, Workload: wl, Container: ctr, Day: day,
		WindowStart: start, WindowEnd: start.Add(90 * time.Minute), PodsMin: 2, PodsMax: 300,
		CPUMax: cpu, CPUAvg: cpu / 2, MemMax: 512 << 20, MemAvg: 400 << 20, Quantile: 0.95,
		CPURequest: 0.5, CPULimit: 1, MemRequest: 256 << 20, MemLimit: 1 << 30, CPUPctOfLimit: cpu * 100,
		MemPctOfLimit: 50, ThrottlingRatio: 0.125, OOMKills: 1}
}

type peakDayRow struct {
	workload, container string
	cpu                 float64
	podsMax             uint32
	collectedAt         time.Time
}

func readPeakDay(t *testing.T, cluster string, day time.Time) []peakDayRow {
	t.Helper()
	rows, err := conn.Query(t.Context(), `SELECT workload, container, cpu_p95_max, pods_max, collected_at
		FROM peak_samples WHERE cluster = {c:String} AND day = {d:Date} ORDER BY workload, container`,
		store.P("c", cluster), store.P("d", store.DateOf(day)))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []peakDayRow
	for rows.Next() {
		var r peakDayRow
		if err := rows.Scan(&r.workload, &r.container, &r.cpu, &r.podsMax, &r.collectedAt); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPeaksWriteDayReplacesTheDayAndOnlyIt(t *testing.T) {
	ctx := t.Context()
	d1 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	d2 := d1.AddDate(0, 0, 1)
	t0 := time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC)
	first := []peaks.Sample{peakSample("rt", "shop", "api", "app", d1, 0.5), peakSample("rt", "shop", "api", "", d1, 0.6),
		peakSample("rt", "shop", "gone", "app", d1, 0.1)}
	if err := peaks.WriteDay(ctx, conn, "rt", d1, first, t0); err != nil {
		t.Fatal(err)
	}
	other := []peaks.Sample{peakSample("rt", "shop", "api", "app", d2, 0.7)}
	if err := peaks.WriteDay(ctx, conn, "rt", d2, other, t0); err != nil {
		t.Fatal(err)
	}
	if got := readPeakDay(t, "rt", d1); len(got) != 3 || got[0].podsMax != 300 || !got[0].collectedAt.Equal(t0) {
		t.Fatalf("first write read back as %+v", got)
	}
	// A re-run of d1 that no longer sees "gone" and measures api differently.
	rerun := []peaks.Sample{peakSample("rt", "shop", "api", "app", d1, 0.55), peakSample("rt", "shop", "api", "", d1, 0.65)}
	t1 := t0.Add(time.Hour)
	for range 2 { // twice: idempotent
		if err := peaks.WriteDay(ctx, conn, "rt", d1, rerun, t1); err != nil {
			t.Fatal(err)
		}
	}
	got := readPeakDay(t, "rt", d1)
	if len(got) != 2 || got[0].container != "" || got[1].cpu != 0.55 || got[1].collectedAt.Before(t1) || got[0].collectedAt != got[1].collectedAt {
		t.Fatalf("after re-runs d1 holds %+v, want only api's two new rows", got)
	}
	if got := readPeakDay(t, "rt", d2); len(got) != 1 || got[0].cpu != 0.7 {
		t.Fatalf("re-running d1 touched d2: %+v", got)
	}
}

func TestPeaksWriteDayRefusesSamplesOfAnotherDay(t *testing.T) {
	d := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	err := peaks.WriteDay(t.Context(), conn, "rt2", d, []peaks.Sample{peakSample("rt2", "a", "b", "c", d.AddDate(0, 0, 1), 1)}, time.Now())
	if err == nil {
		t.Fatal("a sample of another day was written")
	}
	if got := readPeakDay(t, "rt2", d.AddDate(0, 0, 1)); len(got) != 0 {
		t.Fatalf("rows written: %+v", got)
	}
}

func TestPeaksPruneDropsOnlyOlderDaysOfTheCluster(t *testing.T) {
	ctx := t.Context()
	d := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		day := d.AddDate(0, 0, i)
		for _, c := range []string{"pr", "keep"} {
			if err := peaks.WriteDay(ctx, conn, c, day, []peaks.Sample{peakSample(c, "n", "w", "app", day, 1)}, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := peaks.Prune(ctx, conn, "pr", d.AddDate(0, 0, 2)); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{0, 0, 1} {
		if got := readPeakDay(t, "pr", d.AddDate(0, 0, i)); len(got) != want {
			t.Errorf("pr day %d: %d rows, want %d", i, len(got), want)
		}
		if got := readPeakDay(t, "keep", d.AddDate(0, 0, i)); len(got) != 1 {
			t.Errorf("keep day %d: %d rows, want 1", i, len(got))
		}
	}
}

func TestPeaksWriteDayKeepingLeavesTheNamedWorkloads(t *testing.T) {
	ctx := t.Context()
	d := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	t0 := time.Date(2026, 3, 11, 1, 0, 0, 0, time.UTC)
	first := []peaks.Sample{peakSample("kp", "shop", "api", "app", d, 0.5), peakSample("kp", "shop", "cart", "app", d, 0.2),
		peakSample("kp", "ops", "api", "app", d, 0.1)}
	if err := peaks.WriteDay(ctx, conn, "kp", d, first, t0); err != nil {
		t.Fatal(err)
	}
	stored, err := peaks.StoredWorkloads(ctx, conn, "kp", d)
	if err != nil || len(stored) != 3 || stored[0] != (peaks.Workload{Namespace: "ops", Kind: workload.Deployment, Name: "api"}) {
		t.Fatalf("stored workloads %v %v", stored, err)
	}
	// A re-run found only shop/api; shop/cart is kept, ops/api (same name, other namespace) is not.
	t1 := t0.Add(time.Hour)
	keep := []peaks.Workload{{Namespace: "shop", Name: "cart"}}
	if err := peaks.WriteDayKeeping(ctx, conn, "kp", d, []peaks.Sample{peakSample("kp", "shop", "api", "app", d, 0.7)}, t1, keep); err != nil {
		t.Fatal(err)
	}
	got := readPeakDay(t, "kp", d)
	if len(got) != 2 || got[0].workload != "api" || got[0].cpu != 0.7 || !got[0].collectedAt.Equal(t1) ||
		got[1].workload != "cart" || !got[1].collectedAt.Equal(t0) {
		t.Fatalf("after keeping shop/cart: %+v", got)
	}
}
