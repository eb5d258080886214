package peaks

import (
	"context"
	"strings"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// LastDays is the inclusive range of the n calendar days up to today in loc.
func LastDays(n int, loc *time.Location, now time.Time) Range {
	if loc == nil {
		loc = time.UTC
	}
	to := dateIn(now, loc)
	return Range{From: to.AddDate(0, 0, -(n - 1)), To: to}
}

// WorkloadContainers returns every container sample (pod totals excluded) of one workload in r,
// oldest day first and by container name within a day: the input of a backtest, in one query.
func WorkloadContainers(ctx context.Context, conn store.Conn, cluster string, w Workload, r Range) ([]Sample, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return collect(ctx, conn, "reading a workload's peak days",
		"SELECT "+strings.Join(Columns, ", ")+" FROM peak_samples FINAL"+
			"\nWHERE "+w.where()+" AND container != '' AND day BETWEEN {from:Date} AND {to:Date}"+
			"\nORDER BY day, container"+finalSettings,
		scanSample, append(w.params(cluster), r.params()...)...)
}
