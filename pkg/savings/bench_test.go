//go:build parts

package savings

// Recommendations and savings for a cluster of 10,000 workloads on the embedded engine, in a
// peak table holding 365 days of them (app, sidecar and pod total: 11 M rows) loaded one insert
// per day as the daily collection writes them, and a control table of 10,000 current rows.
// Each iteration is what the route does after the settings: the two queries and the compute,
// over the default 30 days and over all 365; sql-ms/op is the two queries (rows scanned into
// Go), go-ms/op the replays, scores and sorting. The cached case is a repeated request whose
// inputs did not change (the fingerprint query and the compute).
//
//	go test -run '^$' -bench BenchmarkRecommendations10k -benchtime 5x -timeout 30m ./pkg/savings/
//
// KUBEDOOR_BENCH_WORKLOADS shrinks the tables for a quick look.

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkRecommendations10k(b *testing.B) {
	workloads := 10_000
	if v := os.Getenv("KUBEDOOR_BENCH_WORKLOADS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("KUBEDOOR_BENCH_WORKLOADS=%q", v)
		}
		workloads = n
	}
	const days = 365
	ctx, cancel := context.WithTimeout(b.Context(), 25*time.Minute)
	defer cancel()
	last := loadFleet(ctx, b, workloads, days)
	tbl := control.New(conn, nil)
	now := last.Add(12 * time.Hour)
	run := func(n int) func(b *testing.B) {
		return func(b *testing.B) {
			var sql, compute time.Duration
			cpu0 := cpuTime()
			for b.Loop() {
				// What Service.Recommendations does, timed in its two halves.
				t0 := time.Now()
				rows, _, err := tbl.Current(ctx, "bench", control.Filter{})
				if err != nil {
					b.Fatal(err)
				}
				h, err := clusterReplays(ctx, conn, "bench", peaks.LastDays(n, time.UTC, now), nil)
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				a := Compute("bench", listPrices, Query{Days: n}, rows, h, nil, nil)
				sql, compute = sql+t1.Sub(t0), compute+time.Since(t1)
				if a.Total != workloads || a.Items[0].HistoryDays != n {
					b.Fatalf("%d workloads, first with %d days, want %d × %d", a.Total, a.Items[0].HistoryDays, workloads, n)
				}
			}
			b.ReportMetric(float64(sql.Milliseconds())/float64(b.N), "sql-ms/op")
			b.ReportMetric(float64(compute.Milliseconds())/float64(b.N), "go-ms/op")
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		}
	}
	// What the route does once the cache holds the window: the fingerprint query, then Compute.
	cached := func(n int) func(b *testing.B) {
		return func(b *testing.B) {
			svc := New(conn, tbl, NewCache(DefaultCacheEntries))
			ask := func() {
				a, err := svc.Recommendations(ctx, "bench", listPrices, time.UTC, now, Query{Days: n}, nil, nil)
				if err != nil || a.Total != workloads {
					b.Fatalf("%d workloads, %v", a.Total, err)
				}
			}
			ask() // fills the cache
			cpu0 := cpuTime()
			for b.Loop() {
				ask()
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
			if st := svc.cache.Stats(); st.Misses != 1 || st.Hits < 1 {
				b.Fatalf("cache %+v: the loop did not run from the cache", st)
			}
		}
	}
	// A read after one row was edited (the cache re-replays that row only); the edit is not timed.
	refreshed := func(n int) func(b *testing.B) {
		return func(b *testing.B) {
			svc := New(conn, tbl, NewCache(DefaultCacheEntries))
			ask := func() {
				a, err := svc.Recommendations(ctx, "bench", listPrices, time.UTC, now, Query{Days: n}, nil, nil)
				if err != nil || a.Total != workloads {
					b.Fatalf("%d workloads, %v", a.Total, err)
				}
			}
			ask()
			var asked time.Duration
			i := 0
			for b.Loop() {
				rows, _, err := tbl.Current(ctx, "bench", control.Filter{Namespace: "ns-7"})
				if err != nil || len(rows) == 0 {
					b.Fatalf("rows %d, %v", len(rows), err)
				}
				r := rows[i%len(rows)].Clone()
				r.Replicas.Manual = int32(1 + i%5)
				for j := range r.Containers {
					r.Containers[j].Sources = control.Sources{CPURequest: control.SourceManual, CPULimit: control.SourceManual,
						MemRequest: control.SourceManual, MemLimit: control.SourceManual}
				}
				if _, err := tbl.Put(ctx, r, r.Version, "bench"); err != nil {
					b.Fatal(err)
				}
				i++
				t0 := time.Now()
				ask()
				asked += time.Since(t0)
			}
			b.ReportMetric(float64(asked.Milliseconds())/float64(b.N), "read-ms/op")
			if st := svc.cache.Stats(); st.Refreshes != uint64(b.N) {
				b.Fatalf("cache %+v: the reads were not refreshes", st)
			}
		}
	}
	for _, state := range []string{"as-collected", "merged"} {
		if state == "merged" {
			if err := conn.Exec(ctx, "OPTIMIZE TABLE peak_samples FINAL"); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(state+"/days=30", run(30))
		b.Run(state+"/days=365", run(365))
		b.Run(state+"/days=30/cached", cached(30))
		b.Run(state+"/days=30/after-one-edit", refreshed(30))
	}
}

// loadFleet writes the peak rows (days up to today, one insert per day) and the control rows
// of cluster "bench"; it returns the last day.
func loadFleet(ctx context.Context, tb testing.TB, workloads, days int) time.Time {
	last := time.Now().UTC().Truncate(24 * time.Hour)
	start := time.Now()
	for d := days - 1; d >= 0; d-- {
		err := conn.Exec(ctx, `INSERT INTO peak_samples (`+strings.Join(peaks.Columns, ", ")+`)
SELECT 'bench', concat('ns-', toString(w % 100)), concat('wl-', toString(w)),
       ['', 'app', 'sidecar'][c + 1] AS container, {day:Date}, toDateTime({day:Date}) + 7200, toDateTime({day:Date}) + 12600,
       toUInt32(1 + w % 8) AS pods, pods + 1, NULL, NULL, NULL,
       (cityHash64(w, {d:UInt32}, c) % 2000) / 1000 * if(c = 2, 0.05, 1) AS cpu_max, cpu_max * 0.8,
       (64 + cityHash64({d:UInt32}, w, c) % 2048) * 1048576 * if(c = 2, 0.1, 1) AS mem_max, mem_max * 0.9,
       if(c = 0, 0, 0.5), if(c = 0, 0, 2), if(c = 0, 0, 536870912), if(c = 0, 0, 4294967296),
       cpu_max / 2 * 100, mem_max / 4294967296 * 100, 0.01, toUInt32(w % 97 = 0), 0.95, now64(3)
FROM (SELECT number % 3 AS c, intDiv(number, 3) AS w FROM numbers({rows:UInt64}))`,
			store.P("day", store.Date(last.AddDate(0, 0, -d))), store.P("d", d), store.P("rows", 3*workloads))
		if err != nil {
			tb.Fatal(err)
		}
	}
	// The table: app 800m / 1 GiB (limits 2000m / 4 GiB), sidecar 50m / 64 MiB; a third of
	// the rows carry a recommendation one replica under what they observed.
	if _, err := control.New(conn, nil).Rederive(ctx, "bench", "bench", func([]control.Row) ([]control.Row, error) {
		rows := make([]control.Row, workloads)
		for w := range rows {
			app, side := control.NewContainer("app"), control.NewContainer("sidecar")
			app.CPURequestMillis, app.CPULimitMillis, app.MemRequestMiB, app.MemLimitMiB = 800, 2000, 1024, 4096
			side.CPURequestMillis, side.MemRequestMiB = 50, 64
			rec := int32(-1)
			if w%3 == 0 {
				rec = int32(w % 8)
			}
			rows[w] = control.Row{Cluster: "bench", Namespace: fmt.Sprintf("ns-%d", w%100), Workload: fmt.Sprintf("wl-%d", w), Version: 1,
				Replicas: control.Replicas{Manual: -1, Recommended: rec, RecommendedFor: recFor(rec), Observed: int32(1 + w%8)}, Containers: []control.Container{app, side}}
		}
		return rows, nil
	}); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("loaded %d peak rows (%d workloads × %d days × 3) in %d inserts and %d control rows, %v",
		3*workloads*days, workloads, days, days, workloads, time.Since(start).Round(time.Millisecond))

	return last
}

// recFor is what the derivation records for a recommended count: replicas when there is one.
func recFor(rec int32) string {
	if rec < 0 {
		return control.RecommendedForNone
	}
	return control.RecommendedForReplicas
}
