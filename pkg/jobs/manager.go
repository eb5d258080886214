package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/collect"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Deriver recomputes a cluster's control table from its peak samples; it runs after each job
// that stored at least one day. The control-table package provides it.
type Deriver interface {
	Derive(ctx context.Context, cluster string) error
}

// Snapshotter gives the store, settings and Prometheus clients in force (service.Service).
type Snapshotter interface {
	Snapshot() (snapshot.Snapshot, error)
}

// MaxDays is the longest backfill.
const MaxDays = 400

// busyWith refuses Start while the cluster already has job cur: one job per cluster at a time, and
// a second request is refused (409, with the job as "current") rather than queued, so nobody
// waits on work they cannot see.
func busyWith(cur Job) *refusal.Conflict[Job] {
	return &refusal.Conflict[Job]{Current: cur, Message: fmt.Sprintf(
		"cluster %s already has collection job %s (%s); cancel it or wait for it to finish", cur.Cluster, cur.ID, cur.State)}
}

// ErrNotFound is returned for an unknown job id; it is a refusal.ErrNotFound.
var ErrNotFound = refusal.Kind(refusal.ErrNotFound, "no such collection job")

// Manager starts, tracks and cancels jobs. It lives as long as the process; jobs run on its
// context, not on the request that started them.
type Manager struct {
	ctx     context.Context
	svc     Snapshotter
	deriver Deriver
	opts    collect.Options
	log     *slog.Logger
	now     func() time.Time

	mu     sync.Mutex
	active map[string]*active // by cluster
}

type active struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	job    Job
}

// NewManager returns a manager whose jobs run until ctx ends. deriver may be nil (nothing to
// derive yet). opts are the collector's base options; each cluster's settings set concurrency
// and the per-query timeout.
func NewManager(ctx context.Context, svc Snapshotter, deriver Deriver, opts collect.Options, log *slog.Logger) *Manager {
	if opts.Logger == nil {
		opts.Logger = log
	}
	return &Manager{ctx: ctx, svc: svc, deriver: deriver, opts: opts, log: log, now: time.Now, active: map[string]*active{}}
}

// Request asks for a job: Days (the last N ended days) or From..To.
type Request struct {
	Cluster   string
	Kind      string
	Days      int
	From, To  peakwindow.Day
	StartedBy string
}

// plan resolves the cluster and the day range, validating the request.
func (m *Manager) plan(ctx context.Context, snap snapshot.Snapshot, req Request) (settings.Cluster, clustersettings.ClusterSettings, peakwindow.Day, peakwindow.Day, error) {
	cl, ok := snap.App.Cluster(req.Cluster)
	if !ok {
		return cl, clustersettings.ClusterSettings{}, peakwindow.Day{}, peakwindow.Day{}, fmt.Errorf("%w: cluster %q", ErrUnknownCluster, req.Cluster)
	}
	cs, err := clustersettings.NewStore(snap.Conn).Get(ctx, cl.Name, cl.TimeZone)
	if err != nil {
		return cl, cs, peakwindow.Day{}, peakwindow.Day{}, err
	}
	latest, err := LatestEnded(cs, m.now())
	if err != nil {
		return cl, cs, peakwindow.Day{}, peakwindow.Day{}, err
	}
	var first, last peakwindow.Day
	switch {
	case req.Days != 0 && (!req.From.IsZero() || !req.To.IsZero()):
		return cl, cs, first, last, &refusal.FieldError{Field: "days", Reason: "give either days or from/to, not both"}
	case req.Days != 0:
		if req.Days < 1 || req.Days > MaxDays {
			return cl, cs, first, last, &refusal.FieldError{Field: "days", Reason: fmt.Sprintf("must be from 1 to %d", MaxDays)}
		}
		first, last = latest.AddDays(-(req.Days - 1)), latest
	default:
		if req.From.IsZero() {
			return cl, cs, first, last, &refusal.FieldError{Field: "from", Reason: "required (YYYY-MM-DD) unless days is given"}
		}
		if req.To.IsZero() {
			return cl, cs, first, last, &refusal.FieldError{Field: "to", Reason: "required (YYYY-MM-DD) unless days is given"}
		}
		if req.To.Before(req.From) {
			return cl, cs, first, last, &refusal.FieldError{Field: "to", Reason: "must not be before from"}
		}
		if latest.Before(req.To) {
			return cl, cs, first, last, &refusal.FieldError{Field: "to",
				Reason: fmt.Sprintf("the peak window of %s has not ended yet; the latest day that can be collected is %s", req.To, latest)}
		}
		if n := req.From.DaysUntil(req.To) + 1; n > MaxDays {
			return cl, cs, first, last, &refusal.FieldError{Field: "from", Reason: fmt.Sprintf("the range has %d days; at most %d", n, MaxDays)}
		}
		first, last = req.From, req.To
	}
	return cl, cs, first, last, nil
}

// ErrUnknownCluster is returned for a cluster the app settings do not name.
var ErrUnknownCluster = refusal.Kind(refusal.ErrNotFound, "unknown cluster")

// LatestEnded is the latest day all of whose peak windows have ended at now.
func LatestEnded(cs clustersettings.ClusterSettings, now time.Time) (peakwindow.Day, error) {
	loc, err := cs.Location()
	if err != nil {
		return peakwindow.Day{}, err
	}
	ws, err := cs.Windows()
	if err != nil {
		return peakwindow.Day{}, err
	}
	var latest peakwindow.Day
	for i, w := range ws {
		if d := w.LatestEnded(now, loc); i == 0 || d.Before(latest) {
			latest = d
		}
	}
	return latest, nil
}

// Start validates req, records the job as queued and runs it in the background. A cluster that
// already has a job gets a *refusal.Conflict[Job]; a bad request a *refusal.FieldError.
func (m *Manager) Start(ctx context.Context, req Request) (Job, error) {
	snap, err := m.svc.Snapshot()
	if err != nil {
		return Job{}, err
	}
	cl, _, first, last, err := m.plan(ctx, snap, req)
	if err != nil {
		return Job{}, err
	}
	if req.Kind == "" {
		req.Kind = KindBackfill
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, busy := m.active[cl.Name]; busy {
		return Job{}, busyWith(a.snapshot())
	}
	j := Job{ID: uuid.NewString(), Cluster: cl.Name, Kind: req.Kind, State: StateQueued, FirstDay: first, LastDay: last,
		DaysTotal: first.DaysUntil(last) + 1, Errors: []string{}, Kept: []KeptDay{}, Unavailable: []peakwindow.Day{}, StartedBy: req.StartedBy, StartedAt: m.now().UTC().Truncate(time.Millisecond)}
	if err := save(ctx, snap.Conn, &j, m.now()); err != nil {
		return Job{}, err
	}
	jctx, cancel := context.WithCancel(m.ctx)
	a := &active{cancel: cancel, done: make(chan struct{}), job: j}
	m.active[cl.Name] = a
	m.log.Info("collection job queued", "job", j.ID, "cluster", j.Cluster, "kind", j.Kind, "from", first.String(), "to", last.String(), "by", j.StartedBy)
	go m.run(jctx, a)
	return j, nil
}

func (a *active) snapshot() Job {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.job.clone()
}

func (a *active) update(f func(*Job)) Job {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(&a.job)
	return a.job.clone()
}

// Cancel stops a running job; it answers the job as it stands (state cancelled once it stops).
func (m *Manager) Cancel(ctx context.Context, id string) (Job, error) {
	m.mu.Lock()
	var found *active
	for _, a := range m.active {
		if a.snapshot().ID == id {
			found = a
		}
	}
	m.mu.Unlock()
	if found == nil {
		return m.Get(ctx, id) // finished (or unknown): nothing to cancel
	}
	found.cancel()
	m.log.Info("collection job cancel requested", "job", id)
	select { // a job stops at the next query or day boundary; answer its final state if quick
	case <-found.done:
	case <-time.After(2 * time.Second):
	case <-ctx.Done():
	}
	return found.snapshot(), nil
}

// Get returns a job: the live state of an active one, else the stored one.
func (m *Manager) Get(ctx context.Context, id string) (Job, error) {
	m.mu.Lock()
	for _, a := range m.active {
		if j := a.snapshot(); j.ID == id {
			m.mu.Unlock()
			return j, nil
		}
	}
	m.mu.Unlock()
	snap, err := m.svc.Snapshot()
	if err != nil {
		return Job{}, err
	}
	items, _, err := list(ctx, snap.Conn, Filter{ID: id, Limit: 1})
	if err != nil {
		return Job{}, err
	}
	if len(items) == 0 {
		return Job{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return items[0], nil
}

// List returns stored jobs, newest first.
func (m *Manager) List(ctx context.Context, f Filter) ([]Job, uint64, error) {
	snap, err := m.svc.Snapshot()
	if err != nil {
		return nil, 0, err
	}
	return list(ctx, snap.Conn, f)
}

// Last returns the cluster's most recent job, or nil.
func (m *Manager) Last(ctx context.Context, cluster string) (*Job, error) {
	items, _, err := m.List(ctx, Filter{Cluster: cluster, Limit: 1})
	if err != nil || len(items) == 0 {
		return nil, err
	}
	if live, err := m.Get(ctx, items[0].ID); err == nil {
		return &live, nil
	}
	return &items[0], nil
}

// Wait blocks until the cluster has no active job or ctx ends.
func (m *Manager) Wait(ctx context.Context, cluster string) {
	m.mu.Lock()
	a := m.active[cluster]
	m.mu.Unlock()
	if a == nil {
		return
	}
	select {
	case <-a.done:
	case <-ctx.Done():
	}
}

// Recover marks jobs the store still shows queued or running, but that no manager in this
// process runs, as failed: the backend stopped while they ran. Call it once at start.
func (m *Manager) Recover(ctx context.Context) error {
	snap, err := m.svc.Snapshot()
	if err != nil {
		return err
	}
	for _, state := range []string{StateQueued, StateRunning} {
		items, _, err := list(ctx, snap.Conn, Filter{State: state, Limit: 1000})
		if err != nil {
			return err
		}
		for _, j := range items {
			m.mu.Lock()
			a, live := m.active[j.Cluster]
			m.mu.Unlock()
			if live && a.snapshot().ID == j.ID {
				continue
			}
			now := m.now().UTC()
			// Progress is saved after a day is stored, so a crash in between leaves days_done
			// short: count up to the newest day the job stored (days run in order).
			if through, ok, err := storedThrough(ctx, snap.Conn, j); err != nil {
				m.log.Warn("interrupted collection job: its stored days could not be counted", "job", j.ID, "error", err)
			} else if ok {
				j.DaysDone = min(max(j.DaysDone, j.FirstDay.DaysUntil(through)+1), j.DaysTotal)
			}
			j.State, j.FinishedAt = StateFailed, &now
			j.addError(fmt.Sprintf("interrupted: the backend stopped while the job ran, after %d of %d days; "+
				"start it again (re-running a day is idempotent)", j.DaysDone, j.DaysTotal))
			if err := save(ctx, snap.Conn, &j, now); err != nil {
				return err
			}
			m.log.Warn("collection job interrupted by a restart, marked failed", "job", j.ID, "cluster", j.Cluster)
		}
	}
	return nil
}

// storedThrough returns the newest day of j's range holding samples stored since j started
// (ok false: none).
func storedThrough(ctx context.Context, conn store.Conn, j Job) (peakwindow.Day, bool, error) {
	rows, err := conn.Query(ctx, `SELECT count(), max(day) FROM peak_samples
WHERE cluster = {cluster:String} AND day >= {first:Date} AND day <= {last:Date}
  AND collected_at >= {started:DateTime64(3, 'UTC')}`,
		store.P("cluster", j.Cluster), store.P("first", store.DateOf(j.FirstDay.Time())),
		store.P("last", store.DateOf(j.LastDay.Time())), store.P("started", j.StartedAt.UTC()))
	if err != nil {
		return peakwindow.Day{}, false, fmt.Errorf("counting the days job %s stored: %w", j.ID, err)
	}
	defer rows.Close()
	var n uint64
	var last time.Time
	if rows.Next() {
		if err := rows.Scan(&n, &last); err != nil {
			return peakwindow.Day{}, false, fmt.Errorf("counting the days job %s stored: %w", j.ID, err)
		}
	}
	if err := rows.Err(); err != nil {
		return peakwindow.Day{}, false, fmt.Errorf("counting the days job %s stored: %w", j.ID, err)
	}
	if n == 0 {
		return peakwindow.Day{}, false, nil
	}
	return peakwindow.Day{Year: last.Year(), Month: last.Month(), Day: last.Day()}, true, nil
}
