package peaks

// Read queries over peak_samples for the API and the dashboards (docs/api.md "Peak data").
//
// peak_samples is a ReplacingMergeTree: until a merge runs, a re-collected day exists twice.
// Every query reads with FINAL, which collapses those duplicates at read time. Duplicates only
// ever share a partition (the table is partitioned by month of day, and day is in the sorting
// key), so the queries let FINAL work partition by partition
// (do_not_merge_across_partitions_select_final), which keeps it cheap on merged data.
//
// Values are parameters, never SQL text; the only text spliced into a query is chosen from
// constants in this package.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// finalSettings ends every FINAL query; see the package comment above.
const finalSettings = "\nSETTINGS do_not_merge_across_partitions_select_final = 1"

// MaxRangeDays bounds a query's day range (the longest retention the settings allow).
const MaxRangeDays = 3650

// Range is an inclusive range of calendar days (dates at midnight UTC, as the store keeps them).
type Range struct{ From, To time.Time }

// Validate checks the range's order and length.
func (r Range) Validate() error {
	if r.From.IsZero() || r.To.IsZero() {
		return fmt.Errorf("a day range needs both from and to")
	}
	if r.To.Before(r.From) {
		return fmt.Errorf("the range ends (%s) before it starts (%s)", r.To.Format(time.DateOnly), r.From.Format(time.DateOnly))
	}
	if days := int(r.To.Sub(r.From).Hours()/24) + 1; days > MaxRangeDays {
		return fmt.Errorf("the range spans %d days; at most %d", days, MaxRangeDays)
	}
	return nil
}

func (r Range) params() []store.Param {
	return []store.Param{store.P("from", store.Date(r.From)), store.P("to", store.Date(r.To))}
}

// Row is a peak sample in the API's shape (PeakRow): cores and bytes, day as YYYY-MM-DD.
type Row struct {
	Cluster     string    `json:"cluster"`
	Namespace   string    `json:"namespace"`
	Kind        string    `json:"kind"`
	Workload    string    `json:"workload"`
	Container   string    `json:"container"`
	Day         string    `json:"day"`
	WindowStart time.Time `json:"windowStart"`
	WindowEnd   time.Time `json:"windowEnd"`
	PodsMin     uint32    `json:"podsMin"`
	PodsMax     uint32    `json:"podsMax"`
	// ReplicasDesired and PodsReadyMedian are null when not collected (see Sample).
	ReplicasDesired *uint32 `json:"replicasDesired"`
	PodsReadyMedian *uint32 `json:"podsReadyMedian"`
	// HPAMinReplicas is null when no HPA targets the workload (or it was not collected).
	HPAMinReplicas  *uint32   `json:"hpaMinReplicas"`
	CPUMax          float64   `json:"cpuMax"`
	CPUAvg          float64   `json:"cpuAvg"`
	MemMax          float64   `json:"memMax"`
	MemAvg          float64   `json:"memAvg"`
	CPURequest      float64   `json:"cpuRequest"`
	CPULimit        float64   `json:"cpuLimit"`
	MemRequest      float64   `json:"memRequest"`
	MemLimit        float64   `json:"memLimit"`
	CPUPctOfLimit   float64   `json:"cpuPctOfLimit"`
	MemPctOfLimit   float64   `json:"memPctOfLimit"`
	ThrottlingRatio float64   `json:"throttlingRatio"`
	OOMKills        uint32    `json:"oomKills"`
	Quantile        float64   `json:"quantile"`
	CollectedAt     time.Time `json:"collectedAt"`
}

// RowOf converts a sample to the API's shape.
func RowOf(s Sample) Row {
	return Row{
		Cluster: s.Cluster, Namespace: s.Namespace, Kind: workload.Kind(s.Kind), Workload: s.Workload, Container: s.Container,
		Day: s.Day.Format(time.DateOnly), WindowStart: s.WindowStart.UTC(), WindowEnd: s.WindowEnd.UTC(),
		PodsMin: s.PodsMin, PodsMax: s.PodsMax, ReplicasDesired: s.ReplicasDesired, PodsReadyMedian: s.PodsReadyMedian,
		HPAMinReplicas: s.HPAMinReplicas,
		CPUMax:         s.CPUMax, CPUAvg: s.CPUAvg, MemMax: s.MemMax, MemAvg: s.MemAvg,
		CPURequest: s.CPURequest, CPULimit: s.CPULimit, MemRequest: s.MemRequest, MemLimit: s.MemLimit,
		CPUPctOfLimit: s.CPUPctOfLimit, MemPctOfLimit: s.MemPctOfLimit, ThrottlingRatio: s.ThrottlingRatio,
		OOMKills: s.OOMKills, Quantile: s.Quantile, CollectedAt: s.CollectedAt.UTC(),
	}
}

func scanSample(rows store.Rows) (Sample, error) {
	var s Sample
	err := rows.Scan(&s.Cluster, &s.Namespace, &s.Kind, &s.Workload, &s.Container, &s.Day, &s.WindowStart, &s.WindowEnd,
		&s.PodsMin, &s.PodsMax, &s.ReplicasDesired, &s.PodsReadyMedian, &s.HPAMinReplicas, &s.CPUMax, &s.CPUAvg, &s.MemMax, &s.MemAvg,
		&s.CPURequest, &s.CPULimit, &s.MemRequest, &s.MemLimit, &s.CPUPctOfLimit, &s.MemPctOfLimit,
		&s.ThrottlingRatio, &s.OOMKills, &s.Quantile, &s.CollectedAt)
	return s, err
}

// collect runs q and converts every row with scan.
func collect[T any](ctx context.Context, conn store.Conn, what, q string, scan func(store.Rows) (T, error), params ...store.Param) ([]T, error) {
	rows, err := conn.Query(ctx, q, params...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: reading a row: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// ListFilter selects rows for List. Namespace, Kind, Workload: "" = any. Container is a filter only
// when HasContainer (so that "" can select the pod totals).
type ListFilter struct {
	Cluster      string
	Namespace    string
	Kind         string
	Workload     string
	Container    string
	HasContainer bool
	Range        Range
	Limit        int // 1..1000, 0 = 100
	Offset       int
}

func (f ListFilter) where() (string, []store.Param) {
	conds := []string{"cluster = {cluster:String}", "day BETWEEN {from:Date} AND {to:Date}"}
	params := append([]store.Param{store.P("cluster", f.Cluster)}, f.Range.params()...)
	if f.Namespace != "" {
		conds = append(conds, "namespace = {namespace:String}")
		params = append(params, store.P("namespace", f.Namespace))
	}
	if f.Kind != "" {
		conds = append(conds, "kind = {kind:String}")
		params = append(params, store.P("kind", workload.Kind(f.Kind)))
	}
	if f.Workload != "" {
		conds = append(conds, "workload = {workload:String}")
		params = append(params, store.P("workload", f.Workload))
	}
	if f.HasContainer {
		conds = append(conds, "container = {container:String}")
		params = append(params, store.P("container", f.Container))
	}
	return "WHERE " + strings.Join(conds, " AND "), params
}

// List returns a page of samples, newest day first, and how many match in all.
func List(ctx context.Context, conn store.Conn, f ListFilter) ([]Row, uint64, error) {
	if err := f.Range.Validate(); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	where, params := f.where()
	pageParams := append(append([]store.Param{}, params...), store.P("limit", limit), store.P("offset", max(f.Offset, 0)))
	samples, err := collect(ctx, conn, "listing peak samples",
		"SELECT "+strings.Join(Columns, ", ")+" FROM peak_samples FINAL "+where+
			"\nORDER BY day DESC, namespace, workload, kind, container LIMIT {limit:UInt32} OFFSET {offset:UInt32}"+finalSettings,
		scanSample, pageParams...)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Row, len(samples))
	for i, s := range samples {
		out[i] = RowOf(s)
	}
	if f.Offset <= 0 && len(out) < limit {
		return out, uint64(len(out)), nil // the page holds every match
	}
	totals, err := collect(ctx, conn, "counting peak samples", "SELECT count() FROM peak_samples FINAL "+where+finalSettings,
		func(r store.Rows) (uint64, error) {
			var n uint64
			return n, r.Scan(&n)
		}, params...)
	if err != nil {
		return nil, 0, err
	}
	return out, totals[0], nil
}

// Series returns one workload's rows for one container name (PodTotal for the pod totals), one
// per day, oldest first.
func Series(ctx context.Context, conn store.Conn, cluster string, w Workload, container string, r Range) ([]Row, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	samples, err := collect(ctx, conn, "reading a workload's peak series",
		"SELECT "+strings.Join(Columns, ", ")+" FROM peak_samples FINAL"+
			"\nWHERE "+w.where()+" AND container = {container:String} AND day BETWEEN {from:Date} AND {to:Date}"+
			"\nORDER BY day"+finalSettings,
		scanSample, append(append(w.params(cluster), store.P("container", container)), r.params()...)...)
	if err != nil {
		return nil, err
	}
	out := make([]Row, len(samples))
	for i, s := range samples {
		out[i] = RowOf(s)
	}
	return out, nil
}
