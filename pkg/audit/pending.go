package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// A write that changes a cluster (scale, restart, …) leaves nothing in the product's own tables
// to reconcile from, unlike a versioned row. So it records its entry twice under one ID: pending
// just before it acts (Begin), and with its result when it is done (Record with that ID; List
// reads the later one). PendingPass settles an entry that stayed pending because the backend died
// (or the store refused the result) in between.
const (
	ResultPending = "pending" // begun; the result entry has not been recorded (yet)
	ResultUnknown = "unknown" // begun, and the backend stopped before it recorded the result
)

// NoteInterrupted explains an entry PendingPass settled.
const NoteInterrupted = "the backend stopped (or the store refused the entry) after this action began and before its " +
	"result was recorded, so whether it took effect is unknown: check the cluster"

// PendingSettle is how old a pending entry must be before PendingPass settles it: longer than any
// single action takes (a scale waits at most seconds for the webhook), so an action another live
// backend is running is left alone. $KUBEDOOR_AUDIT_PENDING_SETTLE changes it (PendingSettleFrom).
const PendingSettle = 15 * time.Minute

// EnvPendingSettle names the environment variable that sets the settle age (a Go duration such
// as "30s"), for the fault suite's process tests, which cannot wait 15 minutes. An operator has
// no reason to set it: shorter risks settling an action a live peer is still running (its own
// result, recorded later, is still the entry readers see).
const EnvPendingSettle = "KUBEDOOR_AUDIT_PENDING_SETTLE"

// PendingSettleFrom parses the settle age from the value of EnvPendingSettle: PendingSettle when
// empty, else a positive Go duration.
func PendingSettleFrom(value string) (time.Duration, error) {
	if value == "" {
		return PendingSettle, nil
	}
	d, err := time.ParseDuration(value)
	if err != nil || d <= 0 {
		return PendingSettle, fmt.Errorf("%s=%q is not a positive duration such as 30s or 15m; using %v", EnvPendingSettle, value, PendingSettle)
	}
	return d, nil
}

// Begin records e as pending under a new ID and returns that ID, which the result entry reuses.
// An error means nothing was recorded: the caller must not act, or the action would go unaudited.
func (l *Log) Begin(ctx context.Context, e Entry) (uuid.UUID, error) {
	e.ID, e.Result, e.Error, e.After = uuid.New(), ResultPending, "", nil
	if err := l.Record(ctx, e); err != nil {
		return uuid.Nil, fmt.Errorf("beginning the audit entry: %w", err)
	}
	return e.ID, nil
}

// PendingPass is PendingPassAfter(PendingSettle).
func PendingPass(ctx context.Context, conn store.Conn, log *Log, since, until time.Time) ([]string, int, error) {
	return PendingPassAfter(PendingSettle)(ctx, conn, log, since, until)
}

// PendingPassAfter is a Pass over the audit log itself: every entry begun in [since, until) that
// is still pending settle after it began gets a result entry, ResultUnknown with
// NoteInterrupted, one millisecond after it (so it is the one List reads).
func PendingPassAfter(settle time.Duration) Pass {
	return func(ctx context.Context, conn store.Conn, log *Log, since, until time.Time) ([]string, int, error) {
		return pendingPass(ctx, conn, log, since, until, settle)
	}
}

func pendingPass(ctx context.Context, conn store.Conn, log *Log, since, until time.Time, settle time.Duration) ([]string, int, error) {
	// The window lags by settle, and the Reconciler's next since overlaps only by its own
	// settle time, so look back the settle time further than asked.
	until = until.Add(-settle)
	if since.IsZero() {
		since = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) // the engine parses no parameter near the epoch
	} else {
		since = since.Add(-settle - time.Hour)
	}
	if !since.Before(until) {
		return nil, 0, nil
	}
	pending, err := stillPending(ctx, conn, since, until)
	if err != nil {
		return nil, 0, err
	}
	var recorded []string
	for _, p := range pending {
		e := Entry{ID: uuid.MustParse(p.ID), At: p.At.Add(time.Millisecond), User: p.User, Role: p.Role,
			Action: p.Action, Cluster: p.Cluster, Target: p.Target, Before: p.Before,
			Result: ResultUnknown, Note: NoteInterrupted}
		if err := log.Record(ctx, e); err != nil {
			return recorded, len(pending), fmt.Errorf("settling the pending audit entry %s: %w", p.ID, err)
		}
		recorded = append(recorded, fmt.Sprintf("%s %s begun %s", p.Action, p.Target, p.At.UTC().Format(time.RFC3339)))
	}
	return recorded, len(pending), nil
}

// stillPending lists the entries begun in [since, until) that have no other entry under their ID.
func stillPending(ctx context.Context, conn store.Conn, since, until time.Time) ([]Record, error) {
	rows, err := conn.Query(ctx, `SELECT toString(id), at, user_login, user_role, action, cluster, target, before_json
FROM audit_log
WHERE result = 'pending' AND at >= {since:DateTime64(3, 'UTC')} AND at < {until:DateTime64(3, 'UTC')}
  AND id NOT IN (SELECT id FROM audit_log WHERE result != 'pending' AND at >= {since:DateTime64(3, 'UTC')})
ORDER BY at, id
LIMIT 1 BY id`, store.P("since", since.UTC()), store.P("until", until.UTC()))
	if err != nil {
		return nil, fmt.Errorf("listing pending audit entries: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var before string
		if err := rows.Scan(&r.ID, &r.At, &r.User, &r.Role, &r.Action, &r.Cluster, &r.Target, &before); err != nil {
			return nil, fmt.Errorf("reading a pending audit entry: %w", err)
		}
		r.Before = json.RawMessage(before) // empty stays empty when recorded again
		out = append(out, r)
	}
	return out, rows.Err()
}
