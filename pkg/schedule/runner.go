package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
)

// Executor carries out one run of a schedule and reports per-item results; an error means the
// run as a whole failed (e.g. the collector is unavailable).
type Executor func(ctx context.Context, sc Schedule, by actions.Actor) ([]actions.Result, error)

// Collector starts a collection of a cluster's last days and returns when it ended.
type Collector interface {
	Collect(ctx context.Context, cluster string, days int) error
}

// Leader tells whether this backend runs a cluster's schedules now (Leases).
type Leader interface {
	// Sync follows the clusters in force in snap.
	Sync(ctx context.Context, snap snapshot.Snapshot)
	// Holds reports whether this backend runs cluster's schedules; needKube says the schedule
	// acts through the cluster's Kubernetes API (scale, restart), which only the lease holder
	// may do.
	Holds(cluster string, needKube bool) bool
	// Blocked says why no schedule of cluster that acts through Kubernetes can run on this
	// backend ("" = nothing blocks it), e.g. the lease namespace is missing.
	Blocked(cluster string) string
	// Holder is the identity of another backend seen holding cluster's lease ("" = none seen,
	// or this backend holds it).
	Holder(cluster string) string
}

// NeedsKube reports whether s acts through the cluster's Kubernetes API.
func (s Schedule) NeedsKube() bool { return s.Action != ActionCollect }

// RunnerOptions configure a Runner; zero fields take the defaults in brackets.
type RunnerOptions struct {
	ID      string        // this backend instance, recorded on each run [hostname-pid]
	Clock   clock.Clock   // [real time]
	Grace   time.Duration // how late a run may start before it counts as missed [2m]
	MaxWait time.Duration // longest pause between looks at the store [30s]
	// MaxMissed caps the missed runs recorded one by one per schedule in one look; the rest
	// are summed up in the last one's error [20].
	MaxMissed int
	Source    Source   // required by Run (Tick takes its snapshot)
	Execute   Executor // required
	Leader    Leader   // nil: this backend runs every schedule
	// OwnStore reports whether snap's store is this process's alone (the embedded engine: one
	// process owns a data directory) rather than shared with other backends (a ClickHouse
	// server). nil: taken as shared. With a store of its own, every run left running in it by
	// another instance is an earlier process's, and a peer holding the lease cannot see this
	// store's schedules.
	OwnStore func(snap snapshot.Snapshot) bool
	Notifier notify.Notifier // [none]
	Log      *slog.Logger
}

// Source gives the parts in force and says when settings change (pkg/service's Service).
type Source interface {
	Snapshot() (snapshot.Snapshot, error)
	Changed() <-chan struct{}
}

// Runner fires due schedules. pkg/service runs it (Run), and Tick is one look at the store,
// callable directly with an injected clock.
type Runner struct {
	o       RunnerOptions
	started time.Time
	wake    chan struct{}

	mu     sync.Mutex
	active map[string]bool // schedule ids with a run in progress here
	wg     sync.WaitGroup
}

// NewRunner returns a Runner.
func NewRunner(o RunnerOptions) *Runner {
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	if o.Grace <= 0 {
		o.Grace = 2 * time.Minute
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 30 * time.Second
	}
	if o.MaxMissed <= 0 {
		o.MaxMissed = 20
	}
	if o.Notifier == nil {
		o.Notifier = notify.Discard{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.ID == "" {
		o.ID = InstanceID()
	}
	return &Runner{o: o, started: o.Clock.Now(), wake: make(chan struct{}, 1), active: map[string]bool{}}
}

// Name names the worker in the process's logs.
func (r *Runner) Name() string { return "schedules" }

// Wake makes the runner look at the store now (after a schedule was written).
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run looks at the store whenever a schedule may be due, a schedule was written, or the
// settings changed, until ctx ends; then it waits for runs in progress to record their end.
func (r *Runner) Run(ctx context.Context) error {
	defer r.wg.Wait()
	for {
		changed := r.o.Source.Changed()
		wait := r.o.MaxWait
		if snap, err := r.o.Source.Snapshot(); err != nil {
			r.o.Log.Warn("schedules wait for the store", "error", err)
		} else if next := r.Tick(ctx, snap); !next.IsZero() {
			wait = min(wait, max(next.Sub(r.o.Clock.Now()), 0))
		}
		t := r.o.Clock.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C():
		case <-r.wake:
			t.Stop()
		case <-changed:
			t.Stop()
		}
	}
}

// WaitIdle waits until the runs this runner started have ended (tests).
func (r *Runner) WaitIdle() { r.wg.Wait() }

// Tick records the missed runs, starts the due ones and returns when the next schedule is due
// (zero when none is). It uses snap's store and, through the Leader, its clusters.
func (r *Runner) Tick(ctx context.Context, snap snapshot.Snapshot) time.Time {
	if r.o.Leader != nil {
		r.o.Leader.Sync(ctx, snap)
	}
	now := r.o.Clock.Now()
	st := NewStore(snap.Conn)
	schedules, err := st.List(ctx, "")
	if err != nil {
		r.o.Log.Error("schedules not read; none run until the store answers", "error", err)
		return time.Time{}
	}
	last, err := st.LastRuns(ctx)
	if err != nil {
		r.o.Log.Error("schedule runs not read; none run until the store answers", "error", err)
		return time.Time{}
	}
	own := r.o.OwnStore != nil && r.o.OwnStore(snap)
	r.settleInterrupted(ctx, st, now, own)
	var earliest time.Time
	for _, sc := range schedules {
		if r.isActive(sc.ID) {
			continue // one run of a schedule at a time; the next is looked at when it ends
		}
		if r.o.Leader != nil && !r.o.Leader.Holds(sc.Cluster, sc.NeedsKube()) {
			// Held elsewhere on a shared store: that backend runs it. Blocked, or held by a peer
			// that cannot see this store: nobody runs it, so say so on each run.
			if reason := r.o.Leader.Blocked(sc.Cluster); reason != "" {
				r.recordMissed(ctx, st, sc, last[sc.ID], now, "no backend can take the cluster's schedule lease: "+reason)
			} else if holder := r.o.Leader.Holder(sc.Cluster); own && holder != "" {
				r.recordMissed(ctx, st, sc, last[sc.ID], now, ownStoreReason(holder))
			}
			continue
		}
		due, ok := r.recordMissed(ctx, st, sc, last[sc.ID], now, "")
		if !ok {
			continue
		}
		if due.After(now) {
			if earliest.IsZero() || due.Before(earliest) {
				earliest = due
			}
			continue
		}
		r.start(ctx, st, sc, due, now)
	}
	return earliest
}

// recordMissed records as missed every occurrence of sc that is more than Grace in the past,
// and returns the next occurrence still to run (ok=false: none). why, when known, says why
// they were missed.
func (r *Runner) recordMissed(ctx context.Context, st *Store, sc Schedule, last, now time.Time, why string) (time.Time, bool) {
	due, ok := sc.Next(last)
	recorded := 0
	for ok && now.Sub(due) > r.o.Grace {
		occurrence := due
		skipped := 0
		due, ok = sc.Next(occurrence)
		if recorded == r.o.MaxMissed-1 {
			// Sum up the rest in one run, at the latest missed occurrence.
			for ok && now.Sub(due) > r.o.Grace {
				occurrence, skipped = due, skipped+1
				due, ok = sc.Next(occurrence)
			}
		}
		msg := fmt.Sprintf("missed: not started at %s but only looked at %s (the backend was down, no backend held the "+
			"cluster's lease, or the previous run was still going); missed runs are not replayed late",
			occurrence.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		if why != "" {
			msg = fmt.Sprintf("missed: not started at %s: %s; missed runs are not replayed late", occurrence.UTC().Format(time.RFC3339), why)
		}
		if skipped > 0 {
			msg += fmt.Sprintf("; %d earlier occurrences were missed too and are not listed one by one", skipped)
		}
		run := Run{ID: RunID(sc.ID, occurrence), ScheduleID: sc.ID, Cluster: sc.Cluster, ScheduledFor: occurrence,
			StartedAt: now, FinishedAt: &now, Status: StatusMissed, Error: msg, Runner: r.o.ID}
		if err := st.RecordRun(ctx, run, now); err != nil {
			r.o.Log.Error("missed run not recorded", "schedule", sc.ID, "scheduledFor", occurrence, "error", err)
			return time.Time{}, false // try again on the next look rather than skip silently
		}
		recorded++
		r.o.Log.Warn("schedule run missed", "schedule", sc.ID, "name", sc.Name, "cluster", sc.Cluster, "scheduledFor", occurrence, "alsoMissed", skipped)
		r.o.Notifier.Notify(ctx, notify.Event{Kind: notify.EventScheduleFailed, Cluster: sc.Cluster, Key: sc.ID,
			Title: "schedule " + sc.Name + " missed a run", Text: msg})
	}
	return due, ok
}

func (r *Runner) isActive(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.active[id]
}

// start records the run as running before doing anything, so a crash mid-run can never fire it
// again (at most once), then executes it in the background.
func (r *Runner) start(ctx context.Context, st *Store, sc Schedule, due, now time.Time) {
	run := Run{ID: RunID(sc.ID, due), ScheduleID: sc.ID, Cluster: sc.Cluster, ScheduledFor: due, StartedAt: now, Status: StatusRunning, Runner: r.o.ID}
	if err := st.RecordRun(ctx, run, now); err != nil {
		r.o.Log.Error("schedule run not started: its start could not be recorded", "schedule", sc.ID, "scheduledFor", due, "error", err)
		return
	}
	r.mu.Lock()
	r.active[sc.ID] = true
	r.mu.Unlock()
	r.wg.Add(1)
	r.o.Log.Info("schedule run started", "schedule", sc.ID, "name", sc.Name, "cluster", sc.Cluster, "action", sc.Action, "scheduledFor", due, "late", now.Sub(due))
	go func() {
		defer r.wg.Done()
		defer func() {
			r.mu.Lock()
			delete(r.active, sc.ID)
			r.mu.Unlock()
			r.Wake()
		}()
		by := actions.Actor{User: fmt.Sprintf("schedule %q (%s)", sc.Name, sc.ID), Role: "Schedule"}
		results, err := r.o.Execute(ctx, sc, by)
		run.Results = results
		run.Status = StatusSucceeded
		failed := 0
		for _, res := range results {
			if !res.OK {
				failed++
			}
		}
		switch {
		case err != nil:
			run.Status, run.Error = StatusFailed, err.Error()
		case failed > 0:
			run.Status, run.Error = StatusFailed, fmt.Sprintf("%d of %d items failed", failed, len(results))
		}
		end := r.o.Clock.Now()
		run.FinishedAt = &end
		// The run is over even if the backend is stopping: record it.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := st.RecordRun(rctx, run, end); err != nil {
			r.o.Log.Error("schedule run's end not recorded", "schedule", sc.ID, "run", run.ID, "status", run.Status, "error", err)
		}
		r.o.Log.Info("schedule run ended", "schedule", sc.ID, "name", sc.Name, "status", run.Status, "error", run.Error, "took", end.Sub(now))
		if run.Status == StatusFailed {
			r.o.Notifier.Notify(rctx, notify.Event{Kind: notify.EventScheduleFailed, Cluster: sc.Cluster, Key: sc.ID,
				Title: "schedule " + sc.Name + " failed", Text: run.Error,
				Fields: []notify.Field{{Name: "Scheduled for", Value: due.UTC().Format(time.RFC3339)}, {Name: "Action", Value: sc.Action}}})
		}
	}()
}

// ownStoreReason says why a schedule in a store of this backend's own did not run: the lease
// holder cannot see it.
func ownStoreReason(holder string) string {
	return fmt.Sprintf("another backend (%s) holds the cluster's schedule lease and cannot see this schedule: this backend's "+
		"store is its own (embedded engine); give every backend of a cluster the same ClickHouse server (storage mode server), "+
		"or run one backend", holder)
}

// settleInterrupted marks as failed the runs left "running" by a backend that stopped before
// they ended: started before this runner, by another instance, and either in a cluster whose
// lease this runner now holds (so the instance that started them lost it), or by an earlier
// backend process on this host that is gone, or in a store of this process's own (own: no peer
// writes there, so the instance was an earlier process on this store, whatever host it named).
// A cluster merely treated as local (no Kubernetes access, or access not known yet at start)
// proves nothing about a peer's runs in a shared store, so those of a live peer are left to it.
func (r *Runner) settleInterrupted(ctx context.Context, st *Store, now time.Time, own bool) {
	runs, err := st.Unfinished(ctx)
	if err != nil {
		r.o.Log.Warn("unfinished runs not checked", "error", err)
		return
	}
	for _, run := range runs {
		leads := r.o.Leader == nil || r.o.Leader.Holds(run.Cluster, true)
		if run.Runner == r.o.ID || !run.StartedAt.Before(r.started) || (!leads && !own && !EarlierOnThisHost(run.Runner, r.o.ID)) {
			continue
		}
		run.Status = StatusFailed
		run.Error = fmt.Sprintf("interrupted: the backend running it (%s) stopped before it ended; items may have been done in part", run.Runner)
		run.FinishedAt = &now
		if err := st.RecordRun(ctx, run, now); err != nil {
			r.o.Log.Warn("interrupted run not settled", "run", run.ID, "error", err)
			continue
		}
		r.o.Log.Warn("schedule run was interrupted by a backend stop", "schedule", run.ScheduleID, "run", run.ID, "runner", run.Runner)
	}
}
