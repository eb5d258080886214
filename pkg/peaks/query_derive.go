package peaks

import (
	"context"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// The derivation's day choice, done where the data is so that only the chosen days' rows
// leave the engine (a tenth of the window's rows at 10 days). The rule is the one
// recommend.Choose applies in Go, and a test holds the two to the same answers:
//
//	pods(workload, day) = replicas_desired, else pods_ready_median, else pods_max (a row
//	                      collected before the first two were stored) — never pods_min, which
//	                      a momentary dip in Ready pods drives to 0
//	load(workload, day) = pods × Σ containers' pod-average CPU (NaN or negative counts as 0)
//	per-workload: each workload's day with the highest load, the later day on a tie
//	kubedoor:     the day with the highest Σ over workloads of load, the later day on a tie
//
// Workloads are grouped by a 64-bit hash of (namespace, workload) rather than by the two
// strings: it halves the engine's work at 100,000 workloads (measured, BENCHMARKS.md). A
// collision can only add another workload-day's rows to what is read; the derivation takes
// each workload's highest-load day among the rows it gets, and a workload's own choice is
// always among them, so an extra day never changes the answer.
//
// The rows read are the container rows plus the pod-total row of a Deployment whose spec was
// at 0 replicas for the whole window (the collector writes only that row for it, as it had no
// pods): the one case in which the derivation observes 0 replicas.

const dayLoads = `SELECT cityHash64(namespace, kind, workload) AS wh, day,
       max(` + PodsAtPeak + `) * sum(if(container = '' OR isNaN(cpu_p95_avg) OR cpu_p95_avg < 0, 0, cpu_p95_avg)) AS load
FROM peak_samples FINAL
WHERE cluster = {cluster:String} AND day BETWEEN {from:Date} AND {to:Date} AND ` + derivedRows + `
GROUP BY wh, day`

// PodsAtPeak is the SQL of a row's pods figure (see above); recommend applies the same rule.
const PodsAtPeak = `coalesce(replicas_desired, pods_ready_median, pods_max)`

// derivedRows selects the rows the derivation reads: container rows, and the pod-total row of
// a Deployment at 0 desired replicas for the whole window (NULL = 0 is not true).
const derivedRows = `(container != '' OR replicas_desired = 0)`

// derivationColumns are the fields the derivation reads.
const derivationColumns = `namespace, kind, workload, container, day, pods_min, pods_max, replicas_desired, pods_ready_median,
       hpa_min_replicas, cpu_p95_max, cpu_p95_avg, mem_p95_max, mem_p95_avg, cpu_request, mem_request, cpu_limit, mem_limit,
       oom_kills, collected_at`

func scanForDerivation(cluster string) func(store.Rows) (Sample, error) {
	return func(rows store.Rows) (Sample, error) {
		s := Sample{Cluster: cluster}
		err := rows.Scan(&s.Namespace, &s.Kind, &s.Workload, &s.Container, &s.Day, &s.PodsMin, &s.PodsMax,
			&s.ReplicasDesired, &s.PodsReadyMedian, &s.HPAMinReplicas, &s.CPUMax, &s.CPUAvg, &s.MemMax, &s.MemAvg,
			&s.CPURequest, &s.MemRequest, &s.CPULimit, &s.MemLimit, &s.OOMKills, &s.CollectedAt)
		return s, err
	}
}

func rangeParams(cluster string, r Range) []store.Param {
	return append([]store.Param{store.P("cluster", cluster)}, r.params()...)
}

// WorstDays returns, for every workload with samples in r, the container samples (pod totals
// excluded, but for a Deployment at 0 replicas the whole window) of its day with the highest load.
func WorstDays(ctx context.Context, conn store.Conn, cluster string, r Range) ([]Sample, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	q := `SELECT ` + derivationColumns + `
FROM peak_samples FINAL
WHERE cluster = {cluster:String} AND day BETWEEN {from:Date} AND {to:Date} AND ` + derivedRows + `
  AND cityHash64(cityHash64(namespace, kind, workload), day) IN (
      SELECT cityHash64(wh, argMax(day, (load, day))) FROM (` + dayLoads + `) GROUP BY wh)` + finalSettings
	return collect(ctx, conn, "reading each workload's worst day", q, scanForDerivation(cluster), rangeParams(cluster, r)...)
}

// ClusterDay is mode kubedoor's input: the cluster's day with the highest load, its container
// samples, and the workloads with samples in the range but none that day.
type ClusterDay struct {
	Day     time.Time // zero when the range has no samples
	Samples []Sample
	Absent  []Workload
}

// PeakClusterDay finds the day of r with the highest cluster load and reads it.
func PeakClusterDay(ctx context.Context, conn store.Conn, cluster string, r Range) (ClusterDay, error) {
	if err := r.Validate(); err != nil {
		return ClusterDay{}, err
	}
	params := rangeParams(cluster, r)
	days, err := collect(ctx, conn, "finding the cluster's peak day",
		`SELECT argMax(day, (total, day)), count() FROM (SELECT day, sum(load) AS total FROM (`+dayLoads+`) GROUP BY day)`+finalSettings,
		func(rows store.Rows) (time.Time, error) {
			var d time.Time
			var n uint64
			if err := rows.Scan(&d, &n); err != nil || n == 0 {
				return time.Time{}, err
			}
			return d, nil
		}, params...)
	if err != nil {
		return ClusterDay{}, err
	}
	var out ClusterDay
	if len(days) == 0 || days[0].IsZero() {
		return out, nil
	}
	out.Day = days[0]
	dayParams := append(params, store.P("day", store.Date(out.Day)))
	if out.Samples, err = collect(ctx, conn, "reading the cluster's peak day", `SELECT `+derivationColumns+`
FROM peak_samples FINAL
WHERE cluster = {cluster:String} AND day = {day:Date} AND `+derivedRows+``+finalSettings,
		scanForDerivation(cluster), store.P("cluster", cluster), store.P("day", store.Date(out.Day))); err != nil {
		return ClusterDay{}, err
	}
	if out.Absent, err = collect(ctx, conn, "listing workloads absent on the cluster's peak day",
		`SELECT namespace, kind, workload FROM peak_samples FINAL
WHERE cluster = {cluster:String} AND day BETWEEN {from:Date} AND {to:Date} AND `+derivedRows+`
GROUP BY namespace, kind, workload HAVING countIf(day = {day:Date}) = 0
ORDER BY namespace, kind, workload`+finalSettings,
		func(rows store.Rows) (Workload, error) {
			var w Workload
			return w, rows.Scan(&w.Namespace, &w.Kind, &w.Name)
		}, dayParams...); err != nil {
		return ClusterDay{}, err
	}
	return out, nil
}
