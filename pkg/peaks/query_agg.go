package peaks

import (
	"context"
	"fmt"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Aggregates over workloads, read from the rollups (query_rollup.go). A workload's usage on a
// day is pods_min × its per-pod value, summed over its containers (pod-total rows excluded, so
// nothing is counted twice): the pod-average quantile for usage (cpu_p95_avg cores, mem_p95_avg
// bytes), requests and limits as collected. pods_min is the fewest Running+Ready pods in the
// peak window, so these are what the workload held at the least, never more than it had.

// DayTotal is one day's sum over workloads (cores, bytes).
type DayTotal struct {
	Day        string  `json:"day"`
	Pods       uint64  `json:"pods"`
	CPUUsage   float64 `json:"cpuUsage"`
	CPURequest float64 `json:"cpuRequest"`
	CPULimit   float64 `json:"cpuLimit"`
	MemUsage   float64 `json:"memUsage"`
	MemRequest float64 `json:"memRequest"`
	MemLimit   float64 `json:"memLimit"`
}

// rollupParams are the parameters every rollup query takes.
func rollupParams(cluster string, r Range, g generations) []store.Param {
	return append(append([]store.Param{store.P("cluster", cluster)}, r.params()...), g.params()...)
}

// namespaceDays is the namespace-day rollup to read from where the query's condition cond
// holds. It has no kind, so for one kind (kind != "") it is the same sums taken from that
// kind's rows of the workload-day rollup, which it is built from (query_rollup.go); cond is
// applied inside, so only the range's rows are grouped.
func namespaceDays(kind, cond string) string {
	if kind == "" {
		return "peak_rollup_namespace_days"
	}
	return `(SELECT cluster, day, namespace, generation, toUInt32(count()) AS workloads, sum(toUInt64(pods)) AS pods,
        sum(cpu_usage) AS cpu_usage, sum(mem_usage) AS mem_usage, sum(cpu_request) AS cpu_request,
        sum(cpu_limit) AS cpu_limit, sum(mem_request) AS mem_request, sum(mem_limit) AS mem_limit
    FROM peak_rollup_workload_days
    WHERE ` + cond + ` AND kind = {kind:String}
    GROUP BY cluster, day, namespace, generation)`
}

// kindParams adds kind's parameter when it filters.
func kindParams(params []store.Param, kind string) []store.Param {
	if kind == "" {
		return params
	}
	return append(params, store.P("kind", workload.Kind(kind)))
}

// Totals returns per day the sums over the cluster's workloads (in namespace, if set; of kind,
// if set).
func Totals(ctx context.Context, conn store.Conn, cluster, namespace, kind string, r Range) ([]DayTotal, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	g, err := freshGenerations(ctx, conn, cluster, r)
	if err != nil {
		return nil, err
	}
	params := kindParams(rollupParams(cluster, r, g), kind)
	cond := `cluster = {cluster:String} AND day BETWEEN {from:Date} AND {to:Date} AND ` + genCond
	if namespace != "" {
		cond += " AND namespace = {namespace:String}"
		params = append(params, store.P("namespace", namespace))
	}
	q := `SELECT day, sum(pods), sum(cpu_usage), sum(cpu_request), sum(cpu_limit), sum(mem_usage), sum(mem_request), sum(mem_limit)
FROM ` + namespaceDays(kind, cond) + `
WHERE ` + cond + `
GROUP BY day ORDER BY day`
	return collect(ctx, conn, "summing peak samples per day", q, func(rows store.Rows) (DayTotal, error) {
		var t DayTotal
		var day time.Time
		err := rows.Scan(&day, &t.Pods, &t.CPUUsage, &t.CPURequest, &t.CPULimit, &t.MemUsage, &t.MemRequest, &t.MemLimit)
		t.Day = day.Format(time.DateOnly)
		return t, err
	}, params...)
}

// Top orders.
const (
	ByCPU    = "cpu"    // Σ containers pods_min × cpu_p95_avg: the workload's CPU at the peak (cores)
	ByMemory = "memory" // Σ containers pods_min × mem_p95_avg (bytes)
	ByCPUPct = "cpuPct" // the highest container's worst-pod CPU as % of its limit
	ByMemPct = "memPct" // the same for memory
	ByPods   = "pods"   // the most Running+Ready pods in the window
)

// topColumns are each order's value column in the workload-day rollup and its value and day
// columns in the workload-month rollup.
var topColumns = map[string][3]string{
	ByCPU:    {"cpu_usage", "cpu", "cpu_day"},
	ByMemory: {"mem_usage", "memory", "memory_day"},
	ByCPUPct: {"cpu_pct", "cpu_pct", "cpu_pct_day"},
	ByMemPct: {"mem_pct", "mem_pct", "mem_pct_day"},
	ByPods:   {"toFloat64(pods_max)", "pods", "pods_day"},
}

// TopItem is one workload's worst day in the range by some order.
type TopItem struct {
	Namespace string  `json:"namespace"`
	Kind      string  `json:"kind"`
	Workload  string  `json:"workload"`
	Value     float64 `json:"value"`
	Day       string  `json:"day"`
}

// Top returns the limit workloads whose worst day in the range is highest by the order by
// (one of the By constants); ties within a workload go to the later day. kind, when not "",
// keeps only workloads of that kind. Months the range covers whole are read from the month
// rollup, the rest day by day.
func Top(ctx context.Context, conn store.Conn, cluster, kind, by string, r Range, limit int) ([]TopItem, error) {
	cols, ok := topColumns[by]
	if !ok {
		return nil, fmt.Errorf("unknown order %q: want cpu, memory, cpuPct, memPct or pods", by)
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 10
	}
	g, err := freshGenerations(ctx, conn, cluster, r)
	if err != nil {
		return nil, err
	}
	// Months the range covers whole (contiguous) come from the month rollup; the days of the
	// partial months at either end from the day rollup. Both are given as key ranges, so the
	// engine reads only those rows.
	wholeFrom := monthOf(r.From) // the first whole month: From's, if From is its first day
	if !wholeFrom.Equal(r.From) {
		wholeFrom = wholeFrom.AddDate(0, 1, 0)
	}
	wholeTo := monthOf(r.To) // the last whole month: To's, if To is its last day
	if !wholeTo.AddDate(0, 1, -1).Equal(r.To) {
		wholeTo = wholeTo.AddDate(0, -1, 0)
	}
	headTo, tailFrom := r.To, r.From // no whole month: both day ranges are the whole range
	if !wholeTo.Before(wholeFrom) {
		headTo, tailFrom = wholeFrom.AddDate(0, 0, -1), wholeTo.AddDate(0, 1, 0)
	}
	kindCond := ""
	if kind != "" {
		kindCond = " AND kind = {kind:String}"
	}
	q := `SELECT any(namespace) AS ns, any(kind) AS k, any(workload) AS wl, max(v) AS value, argMax(d, (v, d)) AS at
FROM (
    SELECT namespace, kind, workload, ` + cols[1] + ` AS v, ` + cols[2] + ` AS d
    FROM peak_rollup_workload_months
    WHERE cluster = {cluster:String} AND month BETWEEN {wholeFrom:Date} AND {wholeTo:Date} AND ` + genCond + kindCond + `
    UNION ALL
    SELECT namespace, kind, workload, ` + cols[0] + ` AS v, day AS d
    FROM peak_rollup_workload_days
    WHERE cluster = {cluster:String} AND ` + genCond + kindCond + `
      AND (day BETWEEN {from:Date} AND {headTo:Date} OR day BETWEEN {tailFrom:Date} AND {to:Date})
)
GROUP BY cityHash64(namespace, kind, workload)
ORDER BY value DESC, ns, wl, k
LIMIT {limit:UInt32}`
	// Grouped by a hash of the names: cheaper than by the two strings (measured ~20 %); a
	// collision would merge two workloads' rows, which 64 bits make negligible at any cluster size.
	params := append(rollupParams(cluster, r, g), store.P("wholeFrom", store.Date(wholeFrom)), store.P("wholeTo", store.Date(wholeTo)),
		store.P("headTo", store.Date(headTo)), store.P("tailFrom", store.Date(tailFrom)), store.P("limit", limit))
	params = kindParams(params, kind)
	return collect(ctx, conn, "ranking workloads by "+by, q, func(rows store.Rows) (TopItem, error) {
		var t TopItem
		var day time.Time
		err := rows.Scan(&t.Namespace, &t.Kind, &t.Workload, &t.Value, &day)
		t.Day = day.Format(time.DateOnly)
		return t, err
	}, params...)
}

// NamespaceShare is one namespace's part of the cluster over a range: the mean per day (over
// the days in the range that have data) of its workloads' sums, and its share of the
// cluster's total (0..1).
type NamespaceShare struct {
	Namespace  string  `json:"namespace"`
	Workloads  uint64  `json:"workloads"` // the most workloads seen on one day of the range
	Pods       float64 `json:"pods"`
	CPUUsage   float64 `json:"cpuUsage"`
	MemUsage   float64 `json:"memUsage"`
	CPURequest float64 `json:"cpuRequest"`
	MemRequest float64 `json:"memRequest"`
	CPUShare   float64 `json:"cpuShare"`
	MemShare   float64 `json:"memShare"`
}

// Namespaces returns each namespace's share of the cluster, largest CPU usage first. kind, when
// not "", counts only workloads of that kind, shares being of that kind's total.
func Namespaces(ctx context.Context, conn store.Conn, cluster, kind string, r Range) ([]NamespaceShare, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	g, err := freshGenerations(ctx, conn, cluster, r)
	if err != nil {
		return nil, err
	}
	const cond = `cluster = {cluster:String} AND day BETWEEN {from:Date} AND {to:Date} AND ` + genCond
	src := namespaceDays(kind, cond)
	q := `SELECT namespace, max(workloads), sum(pods), sum(cpu_usage), sum(mem_usage), sum(cpu_request), sum(mem_request),
       (SELECT uniqExact(day) FROM ` + src + ` WHERE ` + cond + `) AS days_with_data
FROM ` + src + `
WHERE ` + cond + `
GROUP BY namespace
ORDER BY sum(cpu_usage) DESC, namespace`
	var days uint64
	out, err := collect(ctx, conn, "summing peak samples per namespace", q, func(rows store.Rows) (NamespaceShare, error) {
		var n NamespaceShare
		var workloads uint32
		var pods uint64
		err := rows.Scan(&n.Namespace, &workloads, &pods, &n.CPUUsage, &n.MemUsage, &n.CPURequest, &n.MemRequest, &days)
		n.Workloads, n.Pods = uint64(workloads), float64(pods)
		return n, err
	}, kindParams(rollupParams(cluster, r, g), kind)...)
	if err != nil || len(out) == 0 {
		return out, err
	}
	var cpu, mem float64
	for _, n := range out {
		cpu += n.CPUUsage
		mem += n.MemUsage
	}
	d := float64(max(days, 1))
	for i := range out {
		n := &out[i]
		if cpu > 0 {
			n.CPUShare = n.CPUUsage / cpu
		}
		if mem > 0 {
			n.MemShare = n.MemUsage / mem
		}
		n.Pods, n.CPUUsage, n.MemUsage, n.CPURequest, n.MemRequest = n.Pods/d, n.CPUUsage/d, n.MemUsage/d, n.CPURequest/d, n.MemRequest/d
	}
	return out, nil
}
