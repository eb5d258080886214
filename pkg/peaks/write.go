package peaks

import (
	"context"
	"fmt"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// insertChunk bounds one INSERT: 10,000 workloads × a few containers stays well under it in
// memory, and a very large day is sent in several blocks.
const insertChunk = 50_000

// WriteDay stores one cluster's collection of day and makes it the day's whole content: the
// samples are inserted with collectedAt (ReplacingMergeTree keeps the newest per identity), then
// every older row of that cluster and day is deleted, including rows a re-run no longer
// produced (a workload gone, or another peak window). Inserting before deleting means a failure
// midway never leaves the day emptier than before; readers use FINAL or the newest collected_at.
// The collection jobs call WriteDayKeeping instead, so an answer that lacks workloads never
// removes their stored rows.
func WriteDay(ctx context.Context, conn store.Conn, cluster string, day time.Time, samples []Sample, collectedAt time.Time) error {
	return WriteDayKeeping(ctx, conn, cluster, day, samples, collectedAt, nil)
}

// WriteDayKeeping is WriteDay except that the older rows of the workloads in keep stay: the
// workloads a re-collection did not find keep what an earlier collection stored for them.
func WriteDayKeeping(ctx context.Context, conn store.Conn, cluster string, day time.Time, samples []Sample, collectedAt time.Time, keep []Workload) error {
	collectedAt, err := laterThanStored(ctx, conn, cluster, day, collectedAt.UTC().Truncate(time.Millisecond))
	if err != nil {
		return err
	}
	rows := make([][]any, 0, min(len(samples), insertChunk))
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		if err := conn.Insert(ctx, "peak_samples", Columns, rows); err != nil {
			return fmt.Errorf("writing %d peak samples of %s on %s: %w", len(rows), cluster, day.Format(time.DateOnly), err)
		}
		rows = rows[:0]
		return nil
	}
	for _, s := range samples {
		if s.Cluster != cluster || !sameDay(s.Day, day) {
			return fmt.Errorf("writing peak samples of %s on %s: got a sample of %s on %s",
				cluster, day.Format(time.DateOnly), s.Cluster, s.Day.Format(time.DateOnly))
		}
		s.CollectedAt = collectedAt
		rows = append(rows, s.Row())
		if len(rows) == insertChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	where := " WHERE cluster = {cluster:String} AND day = {day:Date} AND collected_at < {at:DateTime64(3)}"
	params := []store.Param{store.P("cluster", cluster), store.P("day", store.DateOf(day)), store.P("at", collectedAt)}
	if len(keep) > 0 {
		keys := make([]string, len(keep))
		for i, w := range keep {
			keys[i] = w.key()
		}
		where += " AND NOT has({keep:Array(String)}, " + TargetSQL + ")"
		params = append(params, store.P("keep", keys))
	}
	err = conn.Exec(ctx, "DELETE FROM peak_samples"+onCluster(conn)+where, params...)
	if err != nil {
		return fmt.Errorf("removing earlier peak samples of %s on %s: %w", cluster, day.Format(time.DateOnly), err)
	}
	return nil
}

// laterThanStored returns at, or just after the day's newest stored collected_at when that is
// not earlier (two runs within one millisecond, or a clock step back), so the delete that ends
// WriteDay always removes every earlier row and a count never sees duplicates.
func laterThanStored(ctx context.Context, conn store.Conn, cluster string, day, at time.Time) (time.Time, error) {
	rows, err := conn.Query(ctx, "SELECT max(collected_at) FROM peak_samples WHERE cluster = {cluster:String} AND day = {day:Date}",
		store.P("cluster", cluster), store.P("day", store.DateOf(day)))
	if err != nil {
		return at, fmt.Errorf("reading the last collection of %s on %s: %w", cluster, day.Format(time.DateOnly), err)
	}
	defer rows.Close()
	var last time.Time
	if rows.Next() {
		if err := rows.Scan(&last); err != nil {
			return at, fmt.Errorf("reading the last collection of %s on %s: %w", cluster, day.Format(time.DateOnly), err)
		}
	}
	if err := rows.Err(); err != nil {
		return at, fmt.Errorf("reading the last collection of %s on %s: %w", cluster, day.Format(time.DateOnly), err)
	}
	if !last.Before(at) {
		at = last.UTC().Add(time.Millisecond)
	}
	return at, nil
}

// Prune deletes a cluster's samples of days before the given one (its retention).
func Prune(ctx context.Context, conn store.Conn, cluster string, before time.Time) error {
	err := conn.Exec(ctx, "DELETE FROM peak_samples"+onCluster(conn)+" WHERE cluster = {cluster:String} AND day < {day:Date}",
		store.P("cluster", cluster), store.P("day", store.DateOf(before)))
	if err != nil {
		return fmt.Errorf("pruning peak samples of %s before %s: %w", cluster, before.Format(time.DateOnly), err)
	}
	return nil
}

func onCluster(conn store.Conn) string {
	if c := conn.Cluster(); c != "" {
		return " ON CLUSTER `" + c + "`" // validated as a plain identifier by settings
	}
	return ""
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
