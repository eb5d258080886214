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
// A month of a cluster is the unit of rebuild. Before reading, a query looks at the active part
// names of each month's peak_samples partition (metadata, free). Where they moved since the
// month's mark, it reads the cluster's count() and newest collected_at of that month (without
// FINAL: a re-collection, a deletion or a TTL drop always changes them, a plain merge never
// does); where those moved too, it rebuilds the month from peak_samples FINAL under a new
// generation. The mark is written last, so readers, which read only the generation the mark
// names, never see a half-built month; two rebuilds racing each write a complete generation and
// the later mark wins. A rebuild of a busy month costs about a second at 10,000 workloads
// (BENCHMARKS.md) and happens on the first dashboard query after a collection, unless the
// collection calls RefreshRollups.

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
	parts     uint64 // hash of the partition's active part names
	rows      uint64
	collected time.Time
	gen       uint64
}

func (a monthState) sameData(b monthState) bool {
	return a.rows == b.rows && a.collected.Equal(b.collected)
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

// freshGenerations rebuilds the months overlapping r whose samples changed and returns the
// generations to read.
func freshGenerations(ctx context.Context, conn store.Conn, cluster string, r Range) (generations, error) {
	mu, _ := refreshLocks.LoadOrStore(conn.Database()+"\x00"+cluster, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()

	first, last := monthOf(r.From), monthOf(r.To)
	var months []time.Time
	var partitions []string
	for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
		months = append(months, m)
		partitions = append(partitions, m.Format("200601")) // the partition ID of toYYYYMM(day)
	}
	parts := map[time.Time]uint64{}
	if _, err := collect(ctx, conn, "reading peak sample parts",
		`SELECT partition_id, cityHash64(arraySort(groupArray(name))) FROM system.parts
WHERE database = currentDatabase() AND table = 'peak_samples' AND active AND has({partitions:Array(String)}, partition_id)
GROUP BY partition_id`,
		func(rows store.Rows) (struct{}, error) {
			var id string
			var h uint64
			if err := rows.Scan(&id, &h); err != nil {
				return struct{}{}, err
			}
			m, err := time.Parse("200601", id)
			parts[m] = h
			return struct{}{}, err
		}, store.P("partitions", partitions)); err != nil {
		return generations{}, err
	}
	span := []store.Param{store.P("cluster", cluster), store.P("from", store.Date(first)), store.P("to", store.Date(last))}
	marks := map[time.Time]monthState{}
	if _, err := collect(ctx, conn, "reading rollup marks",
		`SELECT month, argMax(generation, refreshed_at), argMax(parts_hash, refreshed_at), argMax(source_rows, refreshed_at),
       argMax(source_collected, refreshed_at)
FROM peak_rollup_marks WHERE cluster = {cluster:String} AND month BETWEEN {from:Date} AND {to:Date} GROUP BY month`,
		func(rows store.Rows) (struct{}, error) {
			var m time.Time
			var s monthState
			err := rows.Scan(&m, &s.gen, &s.parts, &s.rows, &s.collected)
			marks[m] = s
			return struct{}{}, err
		}, span...); err != nil {
		return generations{}, err
	}
	var moved []time.Time
	for _, m := range months {
		if mark, ok := marks[m]; !ok || mark.parts != parts[m] {
			moved = append(moved, m)
		}
	}
	if len(moved) > 0 {
		data, err := dataFingerprints(ctx, conn, cluster, moved)
		if err != nil {
			return generations{}, err
		}
		for _, m := range moved {
			mark, hasMark := marks[m]
			now := data[m]
			now.parts = parts[m]
			switch {
			case !hasMark && now.rows == 0:
				continue // nothing there, nothing built
			case hasMark && mark.sameData(now):
				// Only merges moved the parts: remember the new names, keep the generation.
				now.gen = mark.gen
				if err := writeMark(ctx, conn, cluster, m, now); err != nil {
					return generations{}, err
				}
			default:
				gen, err := refreshMonth(ctx, conn, cluster, m, now, mark.gen)
				if err != nil {
					return generations{}, err
				}
				now.gen = gen
			}
			marks[m] = now
		}
	}
	var g generations
	for _, m := range months {
		if mark, ok := marks[m]; ok {
			g.gens = append(g.gens, mark.gen)
		}
	}
	return g, nil
}

// dataFingerprints reads the cluster's sample count and newest collected_at of each month.
func dataFingerprints(ctx context.Context, conn store.Conn, cluster string, months []time.Time) (map[time.Time]monthState, error) {
	dates := make([]store.Date, len(months))
	for i, m := range months {
		dates[i] = store.Date(m)
	}
	out := map[time.Time]monthState{}
	for _, m := range months {
		out[m] = monthState{collected: epoch}
	}
	_, err := collect(ctx, conn, "fingerprinting peak samples per month",
		`SELECT toStartOfMonth(day) AS m, count(), max(collected_at) FROM peak_samples
WHERE cluster = {cluster:String} AND has({months:Array(Date)}, toStartOfMonth(day)) GROUP BY m`,
		func(rows store.Rows) (struct{}, error) {
			var m time.Time
			s := monthState{}
			err := rows.Scan(&m, &s.rows, &s.collected)
			out[m] = s
			return struct{}{}, err
		}, store.P("cluster", cluster), store.P("months", dates))
	return out, err
}

func writeMark(ctx context.Context, conn store.Conn, cluster string, month time.Time, s monthState) error {
	collected := s.collected
	if collected.IsZero() {
		collected = epoch
	}
	err := conn.Insert(ctx, "peak_rollup_marks",
		[]string{"cluster", "month", "generation", "parts_hash", "source_rows", "source_collected", "refreshed_at"},
		[][]any{{cluster, month, s.gen, s.parts, s.rows, collected.UTC(), time.Now().UTC()}})
	if err != nil {
		return fmt.Errorf("marking the rollups of %s for %s: %w", cluster, month.Format("2006-01"), err)
	}
	return nil
}

// refreshMonth rebuilds one month of a cluster's rollups as a new generation and marks it.
func refreshMonth(ctx context.Context, conn store.Conn, cluster string, month time.Time, src monthState, prevGen uint64) (uint64, error) {
	start := time.Now()
	gen := max(uint64(start.UnixNano()), prevGen+1)
	p := []store.Param{store.P("cluster", cluster), store.P("month", store.Date(month)), store.P("gen", gen)}
	const inMonth = `cluster = {cluster:String} AND day >= {month:Date} AND day < addMonths({month:Date}, 1)`
	steps := []struct{ what, sql string }{
		{"workload days", `INSERT INTO peak_rollup_workload_days
    (cluster, day, namespace, kind, workload, generation, pods, pods_max, cpu_usage, mem_usage,
     cpu_request, cpu_limit, mem_request, mem_limit, cpu_pct, mem_pct)
SELECT cluster, day, namespace, kind, workload, {gen:UInt64}, max(pods_min), max(pods_max),
       sum(pods_min * cpu_p95_avg), sum(pods_min * mem_p95_avg), sum(pods_min * cpu_request),
       sum(pods_min * cpu_limit), sum(pods_min * mem_request), sum(pods_min * mem_limit),
       max(cpu_pct_of_limit), max(mem_pct_of_limit)
FROM peak_samples FINAL
WHERE ` + inMonth + ` AND container != ''
GROUP BY cluster, day, namespace, kind, workload` + finalSettings},
		{"namespace days", `INSERT INTO peak_rollup_namespace_days
    (cluster, day, namespace, generation, workloads, pods, cpu_usage, mem_usage, cpu_request, cpu_limit, mem_request, mem_limit)
SELECT cluster, day, namespace, {gen:UInt64}, count(), sum(pods), sum(cpu_usage), sum(mem_usage),
       sum(cpu_request), sum(cpu_limit), sum(mem_request), sum(mem_limit)
FROM peak_rollup_workload_days
WHERE ` + inMonth + ` AND generation = {gen:UInt64}
GROUP BY cluster, day, namespace`},
		{"workload months", `INSERT INTO peak_rollup_workload_months
    (cluster, month, namespace, kind, workload, generation, cpu, cpu_day, memory, memory_day,
     cpu_pct, cpu_pct_day, mem_pct, mem_pct_day, pods, pods_day)
SELECT cluster, {month:Date}, namespace, kind, workload, {gen:UInt64},
       max(cpu_usage), argMax(day, (cpu_usage, day)), max(mem_usage), argMax(day, (mem_usage, day)),
       max(cpu_pct), argMax(day, (cpu_pct, day)), max(mem_pct), argMax(day, (mem_pct, day)),
       toFloat64(max(pods_max)), argMax(day, (pods_max, day))
FROM peak_rollup_workload_days
WHERE ` + inMonth + ` AND generation = {gen:UInt64}
GROUP BY cluster, namespace, kind, workload`},
	}
	for _, s := range steps {
		if err := conn.Exec(ctx, s.sql, p...); err != nil {
			return 0, fmt.Errorf("refreshing the %s rollup of %s for %s: %w", s.what, cluster, month.Format("2006-01"), err)
		}
	}
	src.gen = gen
	if err := writeMark(ctx, conn, cluster, month, src); err != nil {
		return 0, err
	}
	if l := rollupLog.Load(); l != nil {
		l.Info("peak rollups refreshed", "cluster", cluster, "month", month.Format("2006-01"),
			"reason", "peak samples changed", "sampleRows", src.rows, "generation", gen, "elapsed", time.Since(start))
	}
	return gen, nil
}
