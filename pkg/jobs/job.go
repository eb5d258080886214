// Package jobs runs collection jobs — a backfill of the last N days, a day range, or the daily
// collection — one cluster at a time, with their state and progress persisted in the store's
// collection_jobs table as they go, and readable and cancellable through the API. After a job
// that stored at least one day, the cluster's control table is derived again (Deriver).
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Kinds and states.
const (
	KindDaily    = "daily"
	KindBackfill = "backfill"
	KindRerun    = "rerun"

	StateQueued    = "queued"
	StateRunning   = "running"
	StateSucceeded = "succeeded"
	StateFailed    = "failed"
	StateCancelled = "cancelled"
)

// MaxErrors is how many error messages a job keeps (ErrorCount counts them all).
const MaxErrors = 20

// Job is one collection job as docs/api.md describes it.
type Job struct {
	ID         string         `json:"id"`
	Cluster    string         `json:"cluster"`
	Kind       string         `json:"kind"`
	State      string         `json:"state"`
	FirstDay   peakwindow.Day `json:"firstDay"`
	LastDay    peakwindow.Day `json:"lastDay"`
	DaysTotal  int            `json:"daysTotal"`
	DaysDone   int            `json:"daysDone"`
	Workloads  int            `json:"workloads"`
	ErrorCount int            `json:"errorCount"`
	Errors     []string       `json:"errors"`
	// Kept lists the days whose stored rows the job left in place, with the reason;
	// Unavailable the days Prometheus held nothing of when the job started (not collected).
	Kept        []KeptDay        `json:"kept"`
	Unavailable []peakwindow.Day `json:"unavailable"`
	StartedBy   string           `json:"startedBy"`
	StartedAt   time.Time        `json:"startedAt"`
	FinishedAt  *time.Time       `json:"finishedAt"`

	updatedAt time.Time
}

// Finished reports whether the job has stopped.
func (j Job) Finished() bool {
	return j.State == StateSucceeded || j.State == StateFailed || j.State == StateCancelled
}

// clone copies the job with its own slices, for a reader outside the active job's lock.
func (j Job) clone() Job {
	j.Errors = append([]string{}, j.Errors...)
	j.Kept = append([]KeptDay{}, j.Kept...)
	j.Unavailable = append([]peakwindow.Day{}, j.Unavailable...)
	return j
}

// keptOrEmpty is Kept, never nil, so the JSON holds [] rather than null.
func (j *Job) keptOrEmpty() []KeptDay {
	if j.Kept == nil {
		return []KeptDay{}
	}
	return j.Kept
}

func (j *Job) addError(msg string) {
	j.ErrorCount++
	if len(j.Errors) < MaxErrors {
		j.Errors = append(j.Errors, msg)
	}
}

var columns = []string{"id", "cluster", "kind", "state", "first_day", "last_day", "days_total", "days_done",
	"workloads", "error_count", "errors", "kept", "unavailable", "started_by", "started_at", "finished_at", "updated_at"}

// save inserts the job's current state; the newest updated_at wins (ReplacingMergeTree).
func save(ctx context.Context, conn store.Conn, j *Job, now time.Time) error {
	at := now.UTC().Truncate(time.Millisecond)
	if !at.After(j.updatedAt) {
		at = j.updatedAt.Add(time.Millisecond) // keep versions strictly increasing
	}
	id, err := uuid.Parse(j.ID)
	if err != nil {
		return fmt.Errorf("job id %q: %w", j.ID, err)
	}
	var finished *time.Time
	if j.FinishedAt != nil {
		f := j.FinishedAt.UTC()
		finished = &f
	}
	errs := j.Errors
	if errs == nil {
		errs = []string{}
	}
	kept, err := json.Marshal(j.keptOrEmpty())
	if err != nil {
		return fmt.Errorf("encoding the kept days of job %s: %w", j.ID, err)
	}
	unavailable := make([]time.Time, len(j.Unavailable))
	for i, d := range j.Unavailable {
		unavailable[i] = d.Time()
	}
	row := []any{id, j.Cluster, j.Kind, j.State, j.FirstDay.Time(), j.LastDay.Time(), uint32(j.DaysTotal), uint32(j.DaysDone),
		uint32(j.Workloads), uint32(j.ErrorCount), errs, string(kept), unavailable, j.StartedBy, j.StartedAt.UTC(), finished, at}
	if err := conn.Insert(ctx, "collection_jobs", columns, [][]any{row}); err != nil {
		return fmt.Errorf("saving collection job %s: %w", j.ID, err)
	}
	j.updatedAt = at
	return nil
}

// Filter selects jobs; zero fields do not filter.
type Filter struct {
	Cluster, State string
	ID             string
	Limit, Offset  int
}

const (
	latestJobs = `SELECT * FROM collection_jobs ORDER BY updated_at DESC LIMIT 1 BY id`
	jobFields  = `toString(id), cluster, kind, state, first_day, last_day, days_total, days_done, workloads,
	error_count, errors, kept, unavailable, started_by, started_at, finished_at, updated_at`
)

// list reads the newest version of each job matching f, newest started first, and the count.
func list(ctx context.Context, conn store.Conn, f Filter) ([]Job, uint64, error) {
	where, params := "1", []store.Param{}
	if f.Cluster != "" {
		where += " AND cluster = {cluster:String}"
		params = append(params, store.P("cluster", f.Cluster))
	}
	if f.State != "" {
		where += " AND state = {state:String}"
		params = append(params, store.P("state", f.State))
	}
	if f.ID != "" {
		id, err := uuid.Parse(f.ID)
		if err != nil {
			return nil, 0, nil // not a job id: no such job
		}
		where += " AND id = {id:UUID}"
		params = append(params, store.P("id", id))
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	from := " FROM (" + latestJobs + ") WHERE " + where
	total, err := count(ctx, conn, "SELECT count()"+from, params)
	if err != nil {
		return nil, 0, err
	}
	rows, err := conn.Query(ctx, "SELECT "+jobFields+from+" ORDER BY started_at DESC, id LIMIT {limit:UInt32} OFFSET {offset:UInt32}",
		append(params, store.P("limit", limit), store.P("offset", max(f.Offset, 0)))...)
	if err != nil {
		return nil, 0, fmt.Errorf("listing collection jobs: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		var (
			j                                Job
			first, last                      time.Time
			total, done, workloads, errCount uint32
			kept                             string
			unavailable                      []time.Time
		)
		if err := rows.Scan(&j.ID, &j.Cluster, &j.Kind, &j.State, &first, &last, &total, &done, &workloads, &errCount,
			&j.Errors, &kept, &unavailable, &j.StartedBy, &j.StartedAt, &j.FinishedAt, &j.updatedAt); err != nil {
			return nil, 0, fmt.Errorf("reading collection jobs: %w", err)
		}
		if err := json.Unmarshal([]byte(kept), &j.Kept); err != nil {
			return nil, 0, fmt.Errorf("reading the kept days of collection job %s: %w", j.ID, err)
		}
		j.Kept = j.keptOrEmpty()
		j.Unavailable = []peakwindow.Day{}
		for _, d := range unavailable {
			j.Unavailable = append(j.Unavailable, peakwindow.DayOf(d, time.UTC))
		}
		j.FirstDay, j.LastDay = peakwindow.DayOf(first, time.UTC), peakwindow.DayOf(last, time.UTC)
		j.DaysTotal, j.DaysDone, j.Workloads, j.ErrorCount = int(total), int(done), int(workloads), int(errCount)
		j.StartedAt = j.StartedAt.UTC()
		if j.FinishedAt != nil {
			f := j.FinishedAt.UTC()
			j.FinishedAt = &f
		}
		if j.Errors == nil {
			j.Errors = []string{}
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("reading collection jobs: %w", err)
	}
	return out, total, nil
}

func count(ctx context.Context, conn store.Conn, q string, params []store.Param) (uint64, error) {
	rows, err := conn.Query(ctx, q, params...)
	if err != nil {
		return 0, fmt.Errorf("counting collection jobs: %w", err)
	}
	defer rows.Close()
	var n uint64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("counting collection jobs: %w", err)
		}
	}
	return n, rows.Err()
}
