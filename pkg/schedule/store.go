package schedule

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// ErrNotFound is returned (wrapped, naming the id) for a schedule that does not exist; it is a
// refusal.ErrNotFound.
var ErrNotFound = refusal.Kind(refusal.ErrNotFound, "no such schedule")

// conflict refuses a write based on a version other than cur's, carrying cur.
func conflict(cur Schedule) *refusal.Conflict[Schedule] {
	return &refusal.Conflict[Schedule]{Current: cur,
		Message: fmt.Sprintf("the schedule was changed by someone else: it is at version %d; reload it and apply your change again", cur.Version)}
}

// Store keeps schedules (versioned rows in `schedules`, the highest version wins) and their runs
// (`schedule_runs`, re-inserted as a run progresses, the latest wins).
type Store struct {
	conn store.Conn
	// Writes are serialised in the process so a version check and its insert are not split by
	// another write here; across backends ClickHouse gives no such guarantee.
	mu *sync.Mutex
	// owed is the audit entry each version this Store writes owes (zero: none); see Audited.
	owed owed
}

type owed struct{ action, role string }

// Audited returns a Store whose writes record that each version owes the audit entry action
// by a caller of role, which the caller records under audit.ScheduleVersionID; should it be
// lost, AuditPass writes it from the version.
func (s *Store) Audited(action, role string) *Store {
	c := *s
	c.owed = owed{action, role}
	return &c
}

var writeMu sync.Mutex

// NewStore returns a Store on conn.
func NewStore(conn store.Conn) *Store { return &Store{conn: conn, mu: &writeMu} }

// params is what the schedules.params JSON column holds.
type params struct {
	Items           []Item `json:"items"`
	Temporary       bool   `json:"temporary,omitempty"`
	IntervalSeconds int    `json:"intervalSeconds,omitempty"`
	Days            int    `json:"days,omitempty"`
}

var scheduleColumns = []string{"id", "version", "cluster", "name", "kind", "run_at", "cron", "timezone", "action",
	"targets", "params", "enabled", "next_run_at", "created_by", "created_at", "updated_by", "updated_at", "deleted",
	"audit_action", "audit_role"}

func (s *Store) insert(ctx context.Context, sc Schedule, deleted bool) error {
	id, err := uuid.Parse(sc.ID)
	if err != nil {
		return fmt.Errorf("schedule id %q: %w", sc.ID, err)
	}
	p, err := json.Marshal(params{Items: sc.Items, Temporary: sc.Temporary, IntervalSeconds: sc.IntervalSeconds, Days: sc.Days})
	if err != nil {
		return fmt.Errorf("encoding schedule %s: %w", sc.ID, err)
	}
	targets := make([]string, len(sc.Items))
	for i, it := range sc.Items {
		targets[i] = it.Ref().Target() // namespace/name for a Deployment, as before kinds existed
	}
	var runAt, next *time.Time
	if sc.RunAt != nil {
		t := sc.RunAt.UTC()
		runAt = &t
	}
	if sc.NextRunAt != nil {
		t := sc.NextRunAt.UTC()
		next = &t
	}
	row := []any{id, sc.Version, sc.Cluster, sc.Name, sc.Kind, runAt, sc.Cron, sc.TimeZone, sc.Action,
		targets, string(p), boolByte(sc.Enabled), next, sc.CreatedBy, sc.CreatedAt.UTC(), sc.UpdatedBy, sc.UpdatedAt.UTC(), boolByte(deleted),
		s.owed.action, s.owed.role}
	if err := s.conn.Insert(ctx, "schedules", scheduleColumns, [][]any{row}); err != nil {
		return fmt.Errorf("writing schedule %s version %d: %w", sc.ID, sc.Version, err)
	}
	return nil
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

const selectSchedules = `SELECT toString(id), version, cluster, name, kind, run_at, cron, timezone, action, params, enabled,
       created_by, created_at, updated_by, updated_at
FROM schedules FINAL
WHERE deleted = 0`

func (s *Store) query(ctx context.Context, where string, ps ...store.Param) ([]Schedule, error) {
	rows, err := s.conn.Query(ctx, selectSchedules+where+"\nORDER BY created_at, id", ps...)
	if err != nil {
		return nil, fmt.Errorf("reading schedules: %w", err)
	}
	defer rows.Close()
	out := []Schedule{}
	for rows.Next() {
		var sc Schedule
		var p string
		var enabled uint8
		if err := rows.Scan(&sc.ID, &sc.Version, &sc.Cluster, &sc.Name, &sc.Kind, &sc.RunAt, &sc.Cron, &sc.TimeZone,
			&sc.Action, &p, &enabled, &sc.CreatedBy, &sc.CreatedAt, &sc.UpdatedBy, &sc.UpdatedAt); err != nil {
			return nil, fmt.Errorf("reading a schedule: %w", err)
		}
		var pp params
		if err := json.Unmarshal([]byte(p), &pp); err != nil {
			return nil, fmt.Errorf("schedule %s: its stored parameters do not decode: %w", sc.ID, err)
		}
		sc.Items, sc.Temporary, sc.IntervalSeconds, sc.Days = pp.Items, pp.Temporary, pp.IntervalSeconds, pp.Days
		if sc.Items == nil {
			sc.Items = []Item{}
		}
		for i := range sc.Items {
			sc.Items[i].Kind = workload.Kind(sc.Items[i].Kind) // "" in items stored before kinds existed
		}
		sc.Enabled = enabled != 0
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading schedules: %w", err)
	}
	return out, nil
}

// List returns the current schedules, of one cluster when cluster is not "".
func (s *Store) List(ctx context.Context, cluster string) ([]Schedule, error) {
	if cluster == "" {
		return s.query(ctx, "")
	}
	return s.query(ctx, " AND cluster = {cluster:String}", store.P("cluster", cluster))
}

// Get returns schedule id, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (Schedule, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Schedule{}, fmt.Errorf("%w: %q is not a schedule id", ErrNotFound, id)
	}
	got, err := s.query(ctx, " AND id = {id:UUID}", store.P("id", id))
	if err != nil {
		return Schedule{}, err
	}
	if len(got) == 0 {
		return Schedule{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return got[0], nil
}

// Create stores a new schedule as version 1 and returns it with its id.
func (s *Store) Create(ctx context.Context, sc Schedule, by string, now time.Time) (Schedule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc.ID = uuid.NewString()
	sc.Version = 1
	sc.CreatedBy, sc.UpdatedBy = by, by
	sc.CreatedAt, sc.UpdatedAt = now.UTC(), now.UTC()
	return sc, s.insert(ctx, sc, false)
}

// Update stores next as the schedule's new version if the stored one is at expected (any
// version when expected is nil; pause and resume need no version). change builds the new
// schedule from the current one; an error from it is returned as is.
func (s *Store) Update(ctx context.Context, id string, expected *uint64, by string, now time.Time, change func(cur Schedule) (Schedule, error)) (before, after Schedule, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.Get(ctx, id)
	if err != nil {
		return Schedule{}, Schedule{}, err
	}
	if expected != nil && *expected != cur.Version {
		return cur, Schedule{}, conflict(cur)
	}
	next, err := change(cur)
	if err != nil {
		return cur, Schedule{}, err
	}
	next.ID, next.Version = cur.ID, cur.Version+1
	next.CreatedBy, next.CreatedAt = cur.CreatedBy, cur.CreatedAt
	next.UpdatedBy, next.UpdatedAt = by, now.UTC()
	return cur, next, s.insert(ctx, next, false)
}

// Delete removes schedule id (a deleted version); its runs are kept.
func (s *Store) Delete(ctx context.Context, id, by string, now time.Time) (Schedule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.Get(ctx, id)
	if err != nil {
		return Schedule{}, err
	}
	gone := cur
	gone.Version, gone.UpdatedBy, gone.UpdatedAt = cur.Version+1, by, now.UTC()
	return cur, s.insert(ctx, gone, true)
}

// LastRuns returns, per schedule id, the latest occurrence a run was recorded for.
func (s *Store) LastRuns(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.conn.Query(ctx, `SELECT toString(schedule_id), max(scheduled_for) FROM schedule_runs GROUP BY schedule_id`)
	if err != nil {
		return nil, fmt.Errorf("reading the last runs: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("reading the last runs: %w", err)
		}
		out[id] = at
	}
	return out, rows.Err()
}

// runNamespace makes run ids deterministic per (schedule, occurrence): two backends recording
// the same occurrence write one run, not two.
var runNamespace = uuid.MustParse("5b0c8f4e-7f0d-4a7e-9d0a-6b1c2e3f4a5b")

// RunID is the id of schedule id's run for the occurrence at.
func RunID(scheduleID string, at time.Time) string {
	return uuid.NewSHA1(runNamespace, []byte(scheduleID+"@"+at.UTC().Format(time.RFC3339))).String()
}

var runColumns = []string{"id", "schedule_id", "cluster", "scheduled_for", "started_at", "finished_at", "status", "error", "result", "runner", "updated_at"}

// RecordRun writes run's current state (insert again to update it).
func (s *Store) RecordRun(ctx context.Context, r Run, now time.Time) error {
	id, err := uuid.Parse(r.ID)
	if err != nil {
		return fmt.Errorf("run id %q: %w", r.ID, err)
	}
	sid, err := uuid.Parse(r.ScheduleID)
	if err != nil {
		return fmt.Errorf("schedule id %q: %w", r.ScheduleID, err)
	}
	results := r.Results
	if results == nil {
		results = []actions.Result{}
	}
	res, err := json.Marshal(results)
	if err != nil {
		return fmt.Errorf("encoding run results: %w", err)
	}
	var finished *time.Time
	if r.FinishedAt != nil {
		t := r.FinishedAt.UTC()
		finished = &t
	}
	row := []any{id, sid, r.Cluster, r.ScheduledFor.UTC(), r.StartedAt.UTC(), finished, r.Status, r.Error, string(res), r.Runner, now.UTC()}
	if err := s.conn.Insert(ctx, "schedule_runs", runColumns, [][]any{row}); err != nil {
		return fmt.Errorf("recording run %s of schedule %s: %w", r.ID, r.ScheduleID, err)
	}
	return nil
}

const selectRuns = `SELECT toString(id), toString(schedule_id), cluster, scheduled_for, started_at, finished_at, status, error, result, runner
FROM schedule_runs FINAL`

func (s *Store) runs(ctx context.Context, where, tail string, ps ...store.Param) ([]Run, error) {
	rows, err := s.conn.Query(ctx, selectRuns+where+tail, ps...)
	if err != nil {
		return nil, fmt.Errorf("reading runs: %w", err)
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		var r Run
		var res string
		if err := rows.Scan(&r.ID, &r.ScheduleID, &r.Cluster, &r.ScheduledFor, &r.StartedAt, &r.FinishedAt, &r.Status, &r.Error, &res, &r.Runner); err != nil {
			return nil, fmt.Errorf("reading a run: %w", err)
		}
		if err := json.Unmarshal([]byte(res), &r.Results); err != nil {
			return nil, fmt.Errorf("run %s: its stored results do not decode: %w", r.ID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Runs lists schedule id's runs, newest first, and how many there are.
func (s *Store) Runs(ctx context.Context, id string, limit, offset int) ([]Run, uint64, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, 0, fmt.Errorf("%w: %q is not a schedule id", ErrNotFound, id)
	}
	out, err := s.runs(ctx, "\nWHERE schedule_id = {id:UUID}", "\nORDER BY scheduled_for DESC, started_at DESC\nLIMIT {limit:UInt32} OFFSET {offset:UInt32}",
		store.P("id", id), store.P("limit", limit), store.P("offset", offset))
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.conn.Query(ctx, `SELECT count() FROM schedule_runs FINAL WHERE schedule_id = {id:UUID}`, store.P("id", id))
	if err != nil {
		return nil, 0, fmt.Errorf("counting runs: %w", err)
	}
	defer rows.Close()
	var n uint64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return nil, 0, fmt.Errorf("counting runs: %w", err)
		}
	}
	return out, n, rows.Err()
}

// Unfinished lists runs still marked running.
func (s *Store) Unfinished(ctx context.Context) ([]Run, error) {
	return s.runs(ctx, "\nWHERE status = {status:String}", "", store.P("status", StatusRunning))
}
