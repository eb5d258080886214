package peaks

import (
	"context"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// MemoryPeak is a container's newest stored memory peak: the worst pod's quantile on Day.
type MemoryPeak struct {
	Container string
	Day       time.Time
	Bytes     float64
}

// LatestMemory returns, per container of w (pod totals excluded), the memory peak of the newest
// day stored for it: what an in-place resize must not go below.
func LatestMemory(ctx context.Context, conn store.Conn, cluster string, w Workload) ([]MemoryPeak, error) {
	return collect(ctx, conn, "reading a workload's newest memory peaks",
		"SELECT container, max(day) AS d, argMax(mem_p95_max, day) FROM peak_samples FINAL"+
			"\nWHERE "+w.where()+" AND container != ''"+
			"\nGROUP BY container ORDER BY container"+finalSettings,
		func(rows store.Rows) (MemoryPeak, error) {
			var p MemoryPeak
			err := rows.Scan(&p.Container, &p.Day, &p.Bytes)
			return p, err
		}, w.params(cluster)...)
}
