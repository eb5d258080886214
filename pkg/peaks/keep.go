package peaks

import (
	"context"
	"fmt"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Workload names one workload of a cluster; Kind "" reads as Deployment.
type Workload struct {
	Namespace, Kind, Name string
}

// key is how a workload is matched in SQL (keySQL): its target text, which is unambiguous
// because names hold no '/'.
func (w Workload) key() string {
	return workload.Ref{Namespace: w.Namespace, Kind: w.Kind, Name: w.Name}.Target()
}

// TargetSQL computes a peak_samples row's workload.Ref.Target text (its key here).
const TargetSQL = `if(kind = '` + workload.Deployment + `', concat(namespace, '/', workload), concat(namespace, '/', kind, '/', workload))`

// where selects w's rows of the cluster given as {cluster:String}; params holds w's values.
func (w Workload) where() string {
	return "cluster = {cluster:String} AND namespace = {namespace:String} AND kind = {kind:String} AND workload = {workload:String}"
}

func (w Workload) params(cluster string) []store.Param {
	return []store.Param{store.P("cluster", cluster), store.P("namespace", w.Namespace),
		store.P("kind", workload.Kind(w.Kind)), store.P("workload", w.Name)}
}

// StoredWorkloads lists the workloads that have rows stored for the cluster's day, sorted.
func StoredWorkloads(ctx context.Context, conn store.Conn, cluster string, day time.Time) ([]Workload, error) {
	rows, err := conn.Query(ctx, `SELECT DISTINCT namespace, kind, workload FROM peak_samples
		WHERE cluster = {cluster:String} AND day = {day:Date} ORDER BY namespace, kind, workload`,
		store.P("cluster", cluster), store.P("day", store.DateOf(day)))
	if err != nil {
		return nil, fmt.Errorf("reading the stored workloads of %s on %s: %w", cluster, day.Format(time.DateOnly), err)
	}
	defer rows.Close()
	var out []Workload
	for rows.Next() {
		var w Workload
		if err := rows.Scan(&w.Namespace, &w.Kind, &w.Name); err != nil {
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
		w := Workload{s.Namespace, workload.Kind(s.Kind), s.Workload}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
