package savings

import (
	"context"
	"fmt"

	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// clusterHistory reads every container sample of a cluster in r in one query, with only the
// columns a replay and the stored "now" use: one query for the whole cluster rather than one
// per workload.
func clusterHistory(ctx context.Context, conn store.Conn, cluster string, r peaks.Range) (History, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	rows, err := conn.Query(ctx, `SELECT namespace, workload, container, day, pods_max, cpu_p95_max, mem_p95_max,
       cpu_request, cpu_limit, mem_request, mem_limit, oom_kills
FROM peak_samples FINAL
WHERE cluster = {cluster:String} AND container != '' AND day BETWEEN {from:Date} AND {to:Date}
SETTINGS do_not_merge_across_partitions_select_final = 1`,
		store.P("cluster", cluster), store.P("from", store.Date(r.From)), store.P("to", store.Date(r.To)))
	if err != nil {
		return nil, fmt.Errorf("reading the cluster's peak days: %w", err)
	}
	defer rows.Close()
	out := History{}
	days := int(r.To.Sub(r.From).Hours()/24) + 1
	for rows.Next() {
		var s peaks.Sample
		if err := rows.Scan(&s.Namespace, &s.Workload, &s.Container, &s.Day, &s.PodsMax, &s.CPUMax, &s.MemMax,
			&s.CPURequest, &s.CPULimit, &s.MemRequest, &s.MemLimit, &s.OOMKills); err != nil {
			return nil, fmt.Errorf("reading the cluster's peak days: %w", err)
		}
		s.Cluster = cluster
		k := [2]string{s.Namespace, s.Workload}
		ss, ok := out[k]
		if !ok { // sized for two containers a day: growing slices of samples was a third of the Go time
			ss = make([]peaks.Sample, 0, 2*days)
		}
		out[k] = append(ss, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the cluster's peak days: %w", err)
	}
	return out, nil
}
