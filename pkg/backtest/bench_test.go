//go:build parts

package backtest

// Backtest of one row over 400 days on the embedded engine, in a table that holds 400 days of
// 10,000 workloads (app, sidecar and pod total: 12 M rows), loaded one insert per day as the
// daily collection writes them. Each iteration is what the route does: the one query over the
// workload's peak samples and the replay; first as the daily inserts leave the table, then
// merged (OPTIMIZE … FINAL).
//
//	go test -run '^$' -bench BenchmarkBacktest400Days -benchtime 50x -timeout 30m ./pkg/backtest/
//
// KUBEDOOR_BENCH_WORKLOADS shrinks the table for a quick look.

import (
	"context"
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

func BenchmarkBacktest400Days(b *testing.B) {
	workloads := 10_000
	if v := os.Getenv("KUBEDOOR_BENCH_WORKLOADS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("KUBEDOOR_BENCH_WORKLOADS=%q", v)
		}
		workloads = n
	}
	const days = 400
	ctx, cancel := context.WithTimeout(b.Context(), 25*time.Minute)
	defer cancel()
	// Days up to today: the table's TTL (400 days by default) drops anything older.
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
			b.Fatal(err)
		}
	}
	b.Logf("loaded %d rows (%d workloads × %d days × 3) in %d inserts, %v",
		3*workloads*days, workloads, days, days, time.Since(start).Round(time.Millisecond))

	svc := New(conn, control.New(conn, nil))
	k := control.Key{Cluster: "bench", Namespace: "ns-23", Workload: "wl-123"}
	n := days
	req := Request{Days: &n, Proposed: &Proposal{Replicas: 3, Containers: []Container{
		{Name: "app", CPURequestMillis: 800, CPULimitMillis: 2000, MemRequestMiB: 1024, MemLimitMiB: 2048}}}}
	// The last generated day is "today" in UTC at noon.
	now := last.Add(12 * time.Hour)
	run := func(b *testing.B) {
		cpu0 := cpuTime()
		for b.Loop() {
			r, err := svc.Run(ctx, k, time.UTC, now, req)
			if err != nil {
				b.Fatal(err)
			}
			if r.DaysWithData != days {
				b.Fatalf("replayed %d days, want %d", r.DaysWithData, days)
			}
		}
		// The process's CPU time per backtest: on a shared 2-core host, wall time also counts
		// the wait for a core (the engine's background merges included).
		b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	}
	// As the daily collections leave the table (merges still running), then fully merged.
	b.Run("as-collected", run)
	if err := conn.Exec(ctx, "OPTIMIZE TABLE peak_samples FINAL"); err != nil {
		b.Fatal(err)
	}
	b.Run("merged", run)
}
