//go:build parts

package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

var peakColumns = []string{"cluster", "namespace", "workload", "container", "day", "window_start", "window_end",
	"pods_min", "pods_max", "cpu_p95_max", "cpu_p95_avg", "mem_p95_max", "mem_p95_avg", "cpu_request", "cpu_limit",
	"mem_request", "mem_limit", "cpu_pct_of_limit", "mem_pct_of_limit", "throttling_ratio", "oom_kills", "quantile", "collected_at"}

// peakRows makes one day of samples for n workloads (one container each) in 50 namespaces.
func peakRows(n int, day time.Time) [][]any {
	rows := make([][]any, n)
	now := time.Now().UTC()
	for i := range rows {
		cpu := float64(i%400) / 100
		rows[i] = []any{"prod", fmt.Sprintf("ns-%02d", i%50), fmt.Sprintf("workload-%05d", i), "app", day,
			day.Add(10 * time.Hour), day.Add(11*time.Hour + 30*time.Minute), uint32(2), uint32(4), cpu, cpu * 0.8,
			float64(i%64) * 64e6, float64(i%64) * 50e6, 0.5, 2.0, 256e6, 1024e6, cpu / 2 * 100, 30.0, 0.01,
			uint32(0), 0.95, now}
	}
	return rows
}

// BenchmarkInsertPeakSamples inserts one day of 100,000 workloads per op.
func BenchmarkInsertPeakSamples(b *testing.B) {
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			c := withSchema(b, tg.conn)
			ctx := b.Context()
			base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			data := make([][][]any, b.N)
			for i := range data {
				data[i] = peakRows(100_000, base.AddDate(0, 0, i))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := c.Insert(ctx, "peak_samples", peakColumns, data[i%len(data)]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkQueryPeakTotals reads a dashboard-style aggregate (per-day CPU totals over all
// workloads) from whatever BenchmarkInsertPeakSamples or the tests left in peak_samples.
func BenchmarkQueryPeakTotals(b *testing.B) {
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			c := withSchema(b, tg.conn)
			ctx := b.Context()
			if err := c.Insert(ctx, "peak_samples", peakColumns, peakRows(100_000, time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC))); err != nil {
				b.Fatal(err)
			}
			const q = `SELECT day, sum(cpu_p95_max * pods_min) AS cpu, sum(mem_p95_max * pods_min) AS mem
				FROM peak_samples FINAL WHERE cluster = {c:String} AND day >= {from:Date} GROUP BY day ORDER BY day`
			for b.Loop() {
				rows, err := c.Query(ctx, q, P("c", "prod"), P("from", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)))
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					var day time.Time
					var cpu, mem float64
					if err := rows.Scan(&day, &cpu, &mem); err != nil {
						b.Fatal(err)
					}
					n++
				}
				if err := rows.Err(); err != nil || n == 0 {
					b.Fatalf("rows %d, err %v", n, err)
				}
				_ = rows.Close()
			}
		})
	}
}

// BenchmarkPing is the cost of one trivial statement, with and without a context deadline
// (embedded mirrors a deadline into max_execution_time with an extra SET when it changes).
func BenchmarkPing(b *testing.B) {
	for _, tg := range targets {
		b.Run(tg.name+"/no-deadline", func(b *testing.B) {
			ctx := b.Context()
			for b.Loop() {
				if err := tg.conn.Ping(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tg.name+"/deadline", func(b *testing.B) {
			ctx, cancel := context.WithTimeout(b.Context(), time.Hour)
			defer cancel()
			for b.Loop() {
				if err := tg.conn.Ping(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
