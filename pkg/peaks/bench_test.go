//go:build parts

package peaks

// Dashboard queries at docs/design.md §11's scale: 1 year × 10,000 workloads of daily rows (app,
// sidecar and pod-total rows: 10.95 M rows) on the embedded engine, each route's query timed
// for p50/p95, first as the daily collections leave the table (one insert per day, merges
// running in the background), then fully merged.
//
//	go test -run '^$' -bench BenchmarkDashboardQueries -benchtime 20x -timeout 60m ./pkg/peaks/
//
// KUBEDOOR_BENCH_WORKLOADS and KUBEDOOR_BENCH_DAYS shrink it for a quick look.

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

func envInt(b *testing.B, name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q", name, v)
		}
		return n
	}
	return def
}

const benchCluster = "bench-year"

// benchLast is the last generated day; the data covers the days before it.
var benchLast = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// loadYear writes one INSERT … SELECT per day, as daily collections do.
func loadYear(b *testing.B, ctx context.Context, workloads, days int) {
	start := time.Now()
	for d := days - 1; d >= 0; d-- {
		day := benchLast.AddDate(0, 0, -d)
		err := conn.Exec(ctx, `INSERT INTO peak_samples (`+strings.Join(Columns, ", ")+`)
SELECT {cluster:String}, concat('ns-', toString(w % 100)), concat('wl-', toString(w)),
       ['', 'app', 'sidecar'][c + 1] AS container, {day:Date}, toDateTime({day:Date}) + 7200, toDateTime({day:Date}) + 12600,
       toUInt32(1 + w % 8 + cityHash64(w, {d:UInt32}) % 3) AS pods, pods + 1, pods, pods,
       (cityHash64(w, {d:UInt32}, c) % 2000) / 1000 * if(c = 2, 0.05, 1) AS cpu_max, cpu_max * 0.8,
       (64 + cityHash64({d:UInt32}, w, c) % 2048) * 1048576 * if(c = 2, 0.1, 1) AS mem_max, mem_max * 0.9,
       if(c = 0, 0, 0.5), if(c = 0, 0, 2), if(c = 0, 0, 536870912), if(c = 0, 0, 4294967296),
       cpu_max / 2 * 100, mem_max / 4294967296 * 100, 0.01, toUInt32(w % 97 = 0), 0.95, now64(3)
FROM (SELECT number % 3 AS c, intDiv(number, 3) AS w FROM numbers({rows:UInt64}))`,
			store.P("cluster", benchCluster), store.P("day", store.Date(day)), store.P("d", d), store.P("rows", 3*workloads))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("loaded %d rows (%d workloads × %d days × 3) in %d inserts, %v",
		3*workloads*days, workloads, days, days, time.Since(start).Round(time.Millisecond))
}

func BenchmarkDashboardQueries(b *testing.B) {
	workloads := envInt(b, "KUBEDOOR_BENCH_WORKLOADS", 10_000)
	days := envInt(b, "KUBEDOOR_BENCH_DAYS", 365)
	ctx, cancel := context.WithTimeout(b.Context(), 50*time.Minute)
	defer cancel()
	if err := conn.Exec(ctx, "SYSTEM START MERGES peak_samples"); err != nil { // the fixture stops them
		b.Fatal(err)
	}
	loadYear(b, ctx, workloads, days)

	month := Range{From: benchLast.AddDate(0, 0, -29), To: benchLast}
	year := Range{From: benchLast.AddDate(0, 0, -(days - 1)), To: benchLast}
	queries := []struct {
		name string
		run  func() error
	}{
		{"list page 1, 30 days", func() error {
			_, _, err := List(ctx, conn, ListFilter{Cluster: benchCluster, Range: month, Limit: 100})
			return err
		}},
		{"list one namespace, 30 days", func() error {
			_, _, err := List(ctx, conn, ListFilter{Cluster: benchCluster, Namespace: "ns-7", Range: month, Limit: 100})
			return err
		}},
		{"totals, 30 days", func() error { _, err := Totals(ctx, conn, benchCluster, "", "", month); return err }},
		{"totals, 1 year", func() error { _, err := Totals(ctx, conn, benchCluster, "", "", year); return err }},
		{"top 10 by cpu, 30 days", func() error { _, err := Top(ctx, conn, benchCluster, "", ByCPU, month, 10); return err }},
		{"top 10 by cpu, 1 year", func() error { _, err := Top(ctx, conn, benchCluster, "", ByCPU, year, 10); return err }},
		{"top 10 by memPct, 30 days", func() error { _, err := Top(ctx, conn, benchCluster, "", ByMemPct, month, 10); return err }},
		{"namespaces, 30 days", func() error { _, err := Namespaces(ctx, conn, benchCluster, "", month); return err }},
		{"namespaces, 1 year", func() error { _, err := Namespaces(ctx, conn, benchCluster, "", year); return err }},
		{"series of a workload, 1 year", func() error {
			_, err := Series(ctx, conn, benchCluster, Workload{Namespace: "ns-42", Name: "wl-4242"}, "app", year)
			return err
		}},
	}
	for _, state := range []string{"as collected", "merged"} {
		if state == "merged" {
			start := time.Now()
			if err := conn.Exec(ctx, "OPTIMIZE TABLE peak_samples FINAL"); err != nil {
				b.Fatal(err)
			}
			b.Logf("OPTIMIZE TABLE peak_samples FINAL took %v", time.Since(start).Round(time.Millisecond))
		}
		b.Logf("%s: %s", state, partsSummary(b, ctx))
		// The first aggregate query builds (or, after the merge dropped the re-collected rows'
		// predecessors, rebuilds) the rollups of the months it covers; later ones only check
		// them. That is a once-per-change cost, logged here and kept out of the percentiles.
		c0, t0 := cpuTime(), time.Now()
		if _, err := Totals(ctx, conn, benchCluster, "", "", year); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: the first query over the year (re)built rollups as needed: %v wall, %v cpu",
			state, time.Since(t0).Round(time.Millisecond), (cpuTime() - c0).Round(time.Millisecond))
		if state == "as collected" {
			one := Range{From: monthOf(benchLast), To: benchLast}
			if err := conn.Exec(ctx, "INSERT INTO peak_samples SELECT * REPLACE (now64(3) AS collected_at) FROM peak_samples WHERE cluster = {c:String} AND day = {d:Date} AND workload = 'wl-1'",
				store.P("c", benchCluster), store.P("d", store.Date(benchLast))); err != nil {
				b.Fatal(err)
			}
			c0, t0 := cpuTime(), time.Now()
			if _, err := Totals(ctx, conn, benchCluster, "", "", one); err != nil {
				b.Fatal(err)
			}
			b.Logf("after a re-collection in the current month, the next query rebuilt that month: %v wall, %v cpu",
				time.Since(t0).Round(time.Millisecond), (cpuTime() - c0).Round(time.Millisecond))
		}
		for _, q := range queries {
			b.Run(state+"/"+q.name, func(b *testing.B) {
				var lat []time.Duration
				var cpu time.Duration
				for b.Loop() {
					c0, t0 := cpuTime(), time.Now()
					if err := q.run(); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(t0))
					cpu += cpuTime() - c0
				}
				slices.Sort(lat)
				b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
				b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*95/100)]), "p95-ms")
				b.ReportMetric(ms(cpu)/float64(len(lat)), "cpu-ms/op")
			})
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func partsSummary(b *testing.B, ctx context.Context) string {
	rows, err := conn.Query(ctx, `SELECT count(), uniqExact(partition), sum(rows) FROM system.parts
WHERE database = currentDatabase() AND table = 'peak_samples' AND active`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var parts, partitions, n uint64
	for rows.Next() {
		if err := rows.Scan(&parts, &partitions, &n); err != nil {
			b.Fatal(err)
		}
	}
	return strconv.FormatUint(parts, 10) + " active parts in " + strconv.FormatUint(partitions, 10) + " partitions, " + strconv.FormatUint(n, 10) + " rows"
}

// cpuTime is the process's CPU time so far, the embedded engine's threads included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
