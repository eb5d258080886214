package peaks

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Rollups (tables peak_rollup_*, migration 002) keep the dashboards' aggregates cheap: a year
// of a 10,000-workload cluster is 11 M sample rows, and summing them per query takes seconds.
//
// A month of a cluster is the unit of refresh. Before reading, a query compares each month's
// samples — count() and newest collected_at, without FINAL, which a re-collection, a deletion
// or a TTL drop always changes and a plain merge never does — with the month's mark, and
// rebuilds the months that differ from peak_samples FINAL under a new generation. The mark is
// written last, so readers, which read only the generation the mark names, never see a
// half-built month; two refreshes racing each write a complete generation and the later mark
// wins. A refresh of a busy month costs about a second at 10,000 workloads (BENCHMARKS.md);
// it happens on the first dashboard query after a collection.

// generations are the rollup generations to read, one per month overlapping a range. A
// generation is the refresh's start in nanoseconds, so it names its month as well: rows are
// selected by generation alone.
type generations struct {
	gens []uint64
}

func (g generations) params() []store.Param {
	gens := g.gens
	if gens == nil {
		gens = []uint64{}
	}
	return []store.Param{store.P("gens", gens)}
}

// genCond keeps the rollup rows of the generations to read.
const genCond = "has({gens:Array(UInt64)}, generation)"

var refreshLocks sync.Map // database + cluster → *sync.Mutex

var rollupLog atomic.Pointer[slog.Logger]

// SetLogger makes refreshes log to l (they are discarded until it is called).
func SetLogger(l *slog.Logger) { rollupLog.Store(l) }

var epoch = time.Unix(0, 0).UTC()

func monthOf(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }

type monthState struct {
	rows      uint64
	collected time.Time
	gen       uint64
}

// RefreshRollups brings the rollups of the months overlapping r up to date. Queries do it
// themselves; calling it after a collection or a backfill moves the cost off the first
// dashboard view.
func RefreshRollups(ctx context.Context, conn store.Conn, cluster string, r Range) error {
	if err := r.Validate(); err != nil {
		return err
	}
	_, err := freshGenerations(ctx, conn, cluster, r)
	return err
}

// freshGenerations refreshes the months overlapping r whose samples changed and returns the
// generations to read.
func freshGenerations(ctx context.Context, conn store.Conn, cluster string, r Range) (generations, error) {
	mu, _ := refreshLocks.LoadOrStore(conn.Database()+"\x00"+cluster, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()

	first, last := monthOf(r.From), monthOf(r.To).AddDate(0, 1, -1)
	span := []store.Param{store.P("cluster", cluster), store.P("from", store.Date(first)), store.P("to", store.Date(last))}
	samples := map[time.Time]monthState{}
	if _, err := collect(ctx, conn, "fingerprinting peak samples per month",
		`SELECT toStartOfMonth(day) AS m, count(), max(collected_at) FROM peak_samples
WHERE cluster = {cluster:String} AND day BETWEEN {from:Date} AND {to:Date} GROUP BY m`,
		func(rows store.Rows) (struct{}, error) {
			var m time.Time
			var s monthState
			err := rows.Scan(&m, &s.rows, &s.collected)
			samples[m] = s
			return struct{}{}, err
		}, span...); err != nil {
		return generations{}, err
	}
	marks := map[time.Time]monthState{}
	if _, err := collect(ctx, conn, "reading rollup marks",
		`SELECT month, max(generation), argMax(source_rows, generation), argMax(source_collected, generation)
FROM peak_rollup_marks WHERE cluster = {cluster:String} AND month BETWEEN {from:Date} AND {to:Date} GROUP BY month`,
		func(rows store.Rows) (struct{}, error) {
			var m time.Time
			var s monthState
			err := rows.Scan(&m, &s.gen, &s.rows, &s.collected)
			marks[m] = s
			return struct{}{}, err
		}, span...); err != nil {
		return generations{}, err
	}
	var g generations
	for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
		s, hasSamples := samples[m]
		mark, hasMark := marks[m]
		if !hasSamples {
			s.collected = epoch // as an empty month's mark records it
		}
		if !hasSamples && !hasMark {
			continue
		}
		if !hasMark || mark.rows != s.rows || !mark.collected.Equal(s.collected) {
			gen, err := refreshMonth(ctx, conn, cluster, m, s, mark.gen)
			if err != nil {
				return generations{}, err
			}
			mark.gen = gen
		}
		g.gens = append(g.gens, mark.gen)
	}
	return g, nil
}

// refreshMonth rebuilds one month of a cluster's rollups as a new generation and marks it.
func refreshMonth(ctx context.Context, conn store.Conn, cluster string, month time.Time, src monthState, prevGen uint64) (uint64, error) {
	start := time.Now()
	gen := max(uint64(start.UnixNano()), prevGen+1)
	p := []store.Param{store.P("cluster", cluster), store.P("month", store.Date(month)), store.P("gen", gen)}
	const inMonth = `cluster = {cluster:String} AND day >= {month:Date} AND day < addMonths({month:Date}, 1)`
	steps := []struct{ what, sql string }{
		{"workload days", `INSERT INTO peak_rollup_workload_days
    (cluster, day, namespace, workload, generation, pods, pods_max, cpu_usage, mem_usage,
     cpu_request, cpu_limit, mem_request, mem_limit, cpu_pct, mem_pct)
SELECT cluster, day, namespace, workload, {gen:UInt64}, max(pods_min), max(pods_max),
       sum(pods_min * cpu_p95_avg), sum(pods_min * mem_p95_avg), sum(pods_min * cpu_request),
       sum(pods_min * cpu_limit), sum(pods_min * mem_request), sum(pods_min * mem_limit),
       max(cpu_pct_of_limit), max(mem_pct_of_limit)
FROM peak_samples FINAL
WHERE ` + inMonth + ` AND container != ''
GROUP BY cluster, day, namespace, workload` + finalSettings},
		{"namespace days", `INSERT INTO peak_rollup_namespace_days
    (cluster, day, namespace, generation, workloads, pods, cpu_usage, mem_usage, cpu_request, cpu_limit, mem_request, mem_limit)
SELECT cluster, day, namespace, {gen:UInt64}, count(), sum(pods), sum(cpu_usage), sum(mem_usage),
       sum(cpu_request), sum(cpu_limit), sum(mem_request), sum(mem_limit)
FROM peak_rollup_workload_days
WHERE ` + inMonth + ` AND generation = {gen:UInt64}
GROUP BY cluster, day, namespace`},
		{"workload months", `INSERT INTO peak_rollup_workload_months
    (cluster, month, namespace, workload, generation, cpu, cpu_day, memory, memory_day,
     cpu_pct, cpu_pct_day, mem_pct, mem_pct_day, pods, pods_day)
SELECT cluster, {month:Date}, namespace, workload, {gen:UInt64},
       max(cpu_usage), argMax(day, (cpu_usage, day)), max(mem_usage), argMax(day, (mem_usage, day)),
       max(cpu_pct), argMax(day, (cpu_pct, day)), max(mem_pct), argMax(day, (mem_pct, day)),
       toFloat64(max(pods_max)), argMax(day, (pods_max, day))
FROM peak_rollup_workload_days
WHERE ` + inMonth + ` AND generation = {gen:UInt64}
GROUP BY cluster, namespace, workload`},
	}
	for _, s := range steps {
		if err := conn.Exec(ctx, s.sql, p...); err != nil {
			return 0, fmt.Errorf("refreshing the %s rollup of %s for %s: %w", s.what, cluster, month.Format("2006-01"), err)
		}
	}
	collected := src.collected
	if collected.IsZero() {
		collected = epoch
	}
	if err := conn.Insert(ctx, "peak_rollup_marks",
		[]string{"cluster", "month", "generation", "source_rows", "source_collected", "refreshed_at"},
		[][]any{{cluster, month, gen, src.rows, collected.UTC(), time.Now().UTC()}}); err != nil {
		return 0, fmt.Errorf("marking the rollups of %s for %s: %w", cluster, month.Format("2006-01"), err)
	}
	if l := rollupLog.Load(); l != nil {
		l.Info("peak rollups refreshed", "cluster", cluster, "month", month.Format("2006-01"),
			"reason", "peak samples changed", "sampleRows", src.rows, "generation", gen, "elapsed", time.Since(start))
	}
	return gen, nil
}
