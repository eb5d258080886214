package peaks

import (
	"context"
	"fmt"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Workload names one workload (Deployment) of a cluster.
type Workload struct {
	Namespace, Name string
}

// key is how a workload is matched in SQL: a namespace is a DNS label, so it holds no '/', and
// "namespace/name" is unambiguous.
func (w Workload) key() string { return w.Namespace + "/" + w.Name }

// StoredWorkloads lists the workloads that have rows stored for the cluster's day, sorted.
func StoredWorkloads(ctx context.Context, conn store.Conn, cluster string, day time.Time) ([]Workload, error) {
	rows, err := conn.Query(ctx, `SELECT DISTINCT namespace, workload FROM peak_samples
		WHERE cluster = {cluster:String} AND day = {day:Date} ORDER BY namespace, workload`,
		store.P("cluster", cluster), store.P("day", store.DateOf(day)))
	if err != nil {
		return nil, fmt.Errorf("reading the stored workloads of %s on %s: %w", cluster, day.Format(time.DateOnly), err)
	}
	defer rows.Close()
	var out []Workload
	for rows.Next() {
		var w Workload
		if err := rows.Scan(&w.Namespace, &w.Name); err != nil {
			return nil, fmt.Errorf("reading the stored workloads of %s on %s: %w", cluster, day.Format(time.DateOnly), err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the stored workloads of %s on %s: %w", cluster, day.Format(time.DateOnly), err)
	}
	return out, nil
}

// SampleWorkloads lists the distinct workloads of samples, in first-seen order.
func SampleWorkloads(samples []Sample) []Workload {
	seen := map[Workload]bool{}
	var out []Workload
	for _, s := range samples {
		w := Workload{s.Namespace, s.Workload}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
