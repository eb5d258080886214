package audit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Versioned rows a person writes (control-table rows, schedules) record the entry they owe,
// and that entry's ID is derived from the version (ControlVersionID, ScheduleVersionID). A
// Pass writes the entry of every owing version that has none — the backend died, or the store
// refused the entry, between the two inserts — marked NoteRecordedLater. The Reconciler runs
// the passes.

// Pass records the missing entries of the versions of one table written in [since, until)
// (zero since: from the beginning) and returns what it recorded (one line each) and how many
// versions owed an entry.
type Pass func(ctx context.Context, conn store.Conn, log *Log, since, until time.Time) (recorded []string, owed int, err error)

// Source gives the store in force and says when settings change (pkg/service's Service).
type Source interface {
	Snapshot() (snapshot.Snapshot, error)
	Changed() <-chan struct{}
}

// Reconciler runs its passes over all stored versions once the store is open (and again
// whenever settings change), then every Every over what was written since. A version younger
// than Settle that was written after Started is left alone: its writer may be about to record
// the entry itself.
type Reconciler struct {
	Source  Source
	Log     *slog.Logger
	Passes  map[string]Pass // by what they reconcile ("control table", "schedules")
	Started time.Time       // the process's start; nothing written before it is still in flight here
	Every   time.Duration   // [10m]
	Settle  time.Duration   // [2m]
	now     func() time.Time
}

// Name names the worker in the process's logs.
func (r *Reconciler) Name() string { return "audit-reconcile" }

// Run reconciles until ctx ends.
func (r *Reconciler) Run(ctx context.Context) error {
	if r.now == nil {
		r.now = time.Now
	}
	if r.Every <= 0 {
		r.Every = 10 * time.Minute
	}
	if r.Settle <= 0 {
		r.Settle = 2 * time.Minute
	}
	var since time.Time // zero: everything
	for {
		changed := r.Source.Changed()
		wait := r.Every
		if snap, err := r.Source.Snapshot(); err != nil {
			r.Log.Debug("audit reconciliation waits for the store", "error", err)
			wait = min(wait, 30*time.Second)
		} else if until, err := r.pass(ctx, snap.Conn, since); err != nil {
			r.Log.Error("reconciling audit entries with the stored versions", "error", err)
			wait = min(wait, time.Minute)
		} else {
			since = until.Add(-r.Settle) // overlap: a version can become visible a little late
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
			since = time.Time{} // possibly another store: look at all of it
		case <-time.After(wait):
		}
	}
}

func (r *Reconciler) pass(ctx context.Context, conn store.Conn, since time.Time) (time.Time, error) {
	until := r.now().Add(-r.Settle)
	if until.Before(r.Started) {
		until = r.Started
	}
	log := New(conn)
	level := slog.LevelDebug
	if since.IsZero() {
		level = slog.LevelInfo // the pass over everything, at start: say it ran
	}
	for what, pass := range r.Passes {
		recorded, owed, err := pass(ctx, conn, log, since, until)
		for _, line := range recorded {
			r.Log.Warn("audit entry recorded for a stored version whose own entry was lost", "table", what, "version", line)
		}
		if err != nil {
			return time.Time{}, fmt.Errorf("%s: %w", what, err)
		}
		r.Log.Log(ctx, level, "stored versions checked for their audit entries", "table", what,
			"owed", owed, "recorded", len(recorded), "until", until)
	}
	return until, nil
}

// RecordMissing is the body every Pass shares: of the owed versions, it records the entry of
// each the log does not hold (looking at entries from since on), built by entry with the ID id
// gives it and marked NoteRecordedLater, and returns the versions it recorded. It stops at the
// first error, returning what it recorded before it.
func RecordMissing[V any](ctx context.Context, log *Log, since time.Time, owed []V,
	id func(V) uuid.UUID, entry func(context.Context, V) (Entry, error)) ([]V, error) {
	if len(owed) == 0 {
		return nil, nil
	}
	ids := make([]uuid.UUID, len(owed))
	for i, v := range owed {
		ids[i] = id(v)
	}
	have, err := log.Recorded(ctx, ids, since)
	if err != nil {
		return nil, fmt.Errorf("looking up the entries of %d versions that owe one: %w", len(owed), err)
	}
	var recorded []V
	for i, v := range owed {
		if have[ids[i]] {
			continue
		}
		e, err := entry(ctx, v)
		if err != nil {
			return recorded, err
		}
		e.ID, e.Result, e.Note = ids[i], ResultOK, NoteRecordedLater
		if err := log.Record(ctx, e); err != nil {
			return recorded, fmt.Errorf("recording the lost audit entry of %s (%s): %w", e.Target, e.ID, err)
		}
		recorded = append(recorded, v)
	}
	return recorded, nil
}
