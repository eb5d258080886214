//go:build parts

package recommend

// Derivation at docs/design.md §11's scale: 100,000 workloads × 10 days on the embedded engine.
//
//	go test -run '^$' -bench BenchmarkDeriver -benchtime 3x -timeout 30m ./pkg/recommend/
//
// KUBEDOOR_BENCH_WORKLOADS overrides the workload count (for a quick look).

import (
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

func benchWorkloads(b *testing.B) int {
	if v := os.Getenv("KUBEDOOR_BENCH_WORKLOADS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("KUBEDOOR_BENCH_WORKLOADS=%q", v)
		}
		return n
	}
	return 100_000
}

// benchDay0 is the first generated day; the derivation runs on day 11 so the window is days 1..10.
var benchDay0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// generateSamples writes workloads × days × (app, sidecar, pod total) rows for cluster with
// INSERT … SELECT, the engine generating the values: usage varies by workload, day and
// container; one workload in 50 had OOM kills; limits exist on the app container.
func generateSamples(b *testing.B, cluster string, workloads, firstDay, days int) {
	b.Helper()
	start := time.Now()
	err := conn.Exec(ctxT(b), `INSERT INTO peak_samples (`+strings.Join(peaks.Columns, ", ")+`)
SELECT {cluster:String}, concat('ns-', toString(w % 200)), concat('wl-', toString(w)),
       ['', 'app', 'sidecar'][c + 1] AS container,
       toDate({day0:Date}) + d AS day, toDateTime(day) + 7200, toDateTime(day) + 12600,
       toUInt32(1 + w % 8 + (cityHash64(w, d) % 3)) AS pods, pods + 1, pods, pods, NULL,
       (cityHash64(w, d, c) % 2000) / 1000 * if(c = 2, 0.05, 1) AS cpu_max, cpu_max * 0.8,
       (64 + cityHash64(d, w, c) % 2048) * 1048576 * if(c = 2, 0.1, 1) AS mem_max, mem_max * 0.9,
       if(c = 1, 0.5, 0), if(c = 1, 2, 0), if(c = 1, 536870912, 0), if(c = 1, 4294967296, 0),
       if(c = 1, cpu_max / 2 * 100, 0), if(c = 1, mem_max / 4294967296 * 100, 0), 0.01,
       toUInt32(if(c = 1 AND w % 50 = 0 AND d % 4 = 0, 1, 0)), 0.95, now64(3)
FROM (SELECT number % 3 AS c, intDiv(number, 3) % {workloads:UInt64} AS w,
             {first:UInt64} + intDiv(number, 3 * {workloads:UInt64}) AS d
      FROM numbers({rows:UInt64}))`,
		store.P("cluster", cluster), store.P("day0", store.Date(benchDay0)), store.P("workloads", workloads),
		store.P("first", firstDay), store.P("rows", 3*workloads*days))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d samples (%d workloads × %d days × 3 rows) in %v", 3*workloads*days, workloads, days, time.Since(start).Round(time.Millisecond))
}

func BenchmarkDeriver(b *testing.B) {
	n := benchWorkloads(b)
	ctx := ctxT(b)
	cluster := "bench-derive-" + strconv.Itoa(n)
	generateSamples(b, cluster, n, 1, 10)
	if err := conn.Exec(ctx, "OPTIMIZE TABLE peak_samples FINAL"); err != nil {
		b.Fatal(err)
	}
	at := benchDay0.AddDate(0, 0, 11).Add(9 * time.Hour)
	d := Deriver{}
	p := DefaultParams()
	clear := func() {
		if err := conn.Exec(ctx, "ALTER TABLE control_rows DELETE WHERE cluster = {c:String} SETTINGS mutations_sync = 2", store.P("c", cluster)); err != nil {
			b.Fatal(err)
		}
	}

	b.Run("first derivation writes every row", func(b *testing.B) {
		var cpu time.Duration
		for b.Loop() {
			b.StopTimer()
			clear()
			b.StartTimer()
			c0 := cpuTime()
			rep, err := d.Derive(ctx, conn, cluster, p, at)
			cpu += cpuTime() - c0
			if err != nil || len(rep.New) != n {
				b.Fatalf("%v, %d new", err, len(rep.New))
			}
		}
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	})
	b.Run("re-derivation of unchanged data writes nothing", func(b *testing.B) {
		var cpu time.Duration
		for b.Loop() {
			c0 := cpuTime()
			rep, err := d.Derive(ctx, conn, cluster, p, at)
			cpu += cpuTime() - c0
			if err != nil || rep.Written() != 0 || rep.Unchanged != n {
				b.Fatalf("%v, %d written, %d unchanged", err, rep.Written(), rep.Unchanged)
			}
		}
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	})
	// The phases, once, so BENCHMARKS.md can say where the time goes.
	c0, t0 := cpuTime(), time.Now()
	in, err := choose(ctx, conn, cluster, p, at)
	if err != nil {
		b.Fatal(err)
	}
	c1, t1 := cpuTime(), time.Now()
	cur, _, err := control.New(conn, nil).Current(ctx, cluster, control.Filter{IncludeDeleted: true})
	if err != nil {
		b.Fatal(err)
	}
	c2, t2 := cpuTime(), time.Now()
	next, _, err := DeriveChosen(p, in, cur, at)
	if err != nil {
		b.Fatal(err)
	}
	c3, t3 := cpuTime(), time.Now()
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	b.Logf("phases (wall/cpu): choose days and read %d samples %v/%v, read %d current rows %v/%v, pure derivation %v/%v (%d rows to write)",
		len(in.Samples), ms(t1.Sub(t0)), ms(c1-c0), len(cur), ms(t2.Sub(t1)), ms(c2-c1), ms(t3.Sub(t2)), ms(c3-c2), len(next))
}

// cpuTime is the process's CPU time so far, the embedded engine's threads included: on a
// shared machine it says what the work cost when wall time says mostly who else was running.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
