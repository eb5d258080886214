package control

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"

	"github.com/google/uuid"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

// How writes stay consistent, and where they cannot.
//
// ClickHouse has no transactions and no conditional insert, so "insert version v+1 only if the
// current version is still v" cannot be one statement. Three things narrow the gap:
//
//  1. In this process, a write holds a lock for its row (and a shared lock for its cluster,
//     which a derivation takes exclusively) from reading the current version to confirming
//     its insert. The embedded engine belongs to one process, so there the check-then-insert is
//     fully serialised and a stale expectedVersion is always a 409.
//  2. Every version carries a write_id, a time-ordered UUIDv7. If two backends sharing a
//     ClickHouse server both pass the check and insert version v+1, every reader takes the row
//     with the smaller write_id; the other row stays in the table but is never shown.
//  3. After inserting, a writer re-reads the version it wrote. If a row with a smaller
//     write_id is there, it lost: it answers 409 with the winner as "current".
//
// What remains (server mode with several backends only): writer B passes its check before
// writer A's insert is visible, and inserts after A has already re-read and answered success.
// If B's write_id is larger (B generated it later — the usual case), B's re-read sees A and
// answers 409: correct. Only if B generated its id before A yet became visible after A's
// re-read do both answer success while readers see B. That needs B to stall between
// generating the id and committing its insert for longer than A's whole insert and re-read, and
// a replicated cluster may widen it by replication lag unless reads are sequentially
// consistent (select_sequential_consistency).

// process-wide writer locks: one RWMutex per cluster, striped mutexes per row.
var locks = struct {
	mu       sync.Mutex
	clusters map[string]*sync.RWMutex
	rows     [1024]sync.Mutex
}{clusters: map[string]*sync.RWMutex{}}

func clusterLock(db, cluster string) *sync.RWMutex {
	locks.mu.Lock()
	defer locks.mu.Unlock()
	k := db + "\x00" + cluster
	l := locks.clusters[k]
	if l == nil {
		l = &sync.RWMutex{}
		locks.clusters[k] = l
	}
	return l
}

// lockRow takes the cluster's shared lock and the row's stripe; the returned func releases both.
func (t *Table) lockRow(k Key) func() {
	cl := clusterLock(t.conn.Database(), k.Cluster)
	cl.RLock()
	h := fnv.New32a()
	_, _ = h.Write([]byte(t.conn.Database() + "\x00" + k.String()))
	rl := &locks.rows[h.Sum32()%uint32(len(locks.rows))]
	rl.Lock()
	return func() { rl.Unlock(); cl.RUnlock() }
}

func newWriteID() string { return uuid.Must(uuid.NewV7()).String() }

// stamp makes next the version after cur (cur nil: the first version).
func (t *Table) stamp(next *Row, cur *Row, by string) {
	next.Version = 1
	if cur != nil {
		next.Version = cur.Version + 1
	}
	next.UpdatedBy, next.UpdatedAt, next.writeID, next.owed = by, t.now().UTC(), newWriteID(), t.owed
	if next.Notes == nil {
		next.Notes = []string{}
	}
	next.Replicas.Resolve()
}

// current reads the row for a writer: nil when it never existed.
func (t *Table) current(ctx context.Context, k Key) (*Row, error) {
	cur, err := t.Get(ctx, k)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &cur, nil
}

// Change is what a write did: the row before (nil when it never existed), the row after, and
// whether a version was written (an edit that changes nothing writes none).
type Change struct {
	Before  *Row
	After   Row
	Written bool
}

// commit inserts next and confirms that readers see it, or returns the winning row as a
// *refusal.Conflict.
func (t *Table) commit(ctx context.Context, next Row) (Row, error) {
	if err := t.insert(ctx, []Row{next}); err != nil {
		return Row{}, err
	}
	got, err := t.Get(ctx, next.Key())
	if err != nil {
		return Row{}, fmt.Errorf("confirming control row %s version %d: %w", next.Key(), next.Version, err)
	}
	if got.writeID != next.writeID {
		t.log.Warn("control row write lost a race with another writer", "row", next.Key().String(),
			"version", next.Version, "by", next.UpdatedBy, "winner", got.UpdatedBy, "winnerVersion", got.Version)
		return Row{}, conflict(got, "another write of the same version won")
	}
	return got, nil
}

// Put writes row as the next version if the row's current version is expectedVersion (0 when
// it has never existed; a deleted row's version when re-adding it). It validates the row as a
// person's addition and returns the version written.
func (t *Table) Put(ctx context.Context, row Row, expectedVersion uint64, by string) (Change, error) {
	if err := ValidateKey(row.Key()); err != nil {
		return Change{}, err
	}
	if err := validateContainers(row.Containers, "containers", nil); err != nil {
		return Change{}, err
	}
	unlock := t.lockRow(row.Key())
	defer unlock()
	cur, err := t.current(ctx, row.Key())
	if err != nil {
		return Change{}, err
	}
	switch {
	case cur == nil && expectedVersion != 0:
		return Change{}, fmt.Errorf("%w: %s (expected version %d)", ErrNotFound, row.Key(), expectedVersion)
	case cur != nil && cur.Version != expectedVersion:
		return Change{}, conflict(*cur, fmt.Sprintf("expected version %d", expectedVersion))
	}
	next := row.Clone()
	t.stamp(&next, cur, by)
	return t.commitChange(ctx, cur, next)
}

func (t *Table) commitChange(ctx context.Context, before *Row, next Row) (Change, error) {
	after, err := t.commit(ctx, next)
	if err != nil {
		return Change{}, err
	}
	return Change{Before: before, After: after, Written: true}, nil
}

// Add puts a new row a person typed (see NewRow) under control. A row already under control is
// a *refusal.Conflict; a removed one is re-added as its next version.
func (t *Table) Add(ctx context.Context, in Row, by string) (Change, error) {
	next, err := NewRow(in)
	if err != nil {
		return Change{}, err
	}
	unlock := t.lockRow(next.Key())
	defer unlock()
	cur, err := t.current(ctx, next.Key())
	if err != nil {
		return Change{}, err
	}
	if cur != nil && !cur.Deleted {
		return Change{}, conflict(*cur, "the workload is already in the control table")
	}
	next.Notes = []string{"added by hand; collected fields are filled by the next derivation"}
	t.stamp(&next, cur, by)
	return t.commitChange(ctx, cur, next)
}

// Update applies a person's edit to the row at e.ExpectedVersion. An edit that changes nothing
// writes nothing and returns the current row.
func (t *Table) Update(ctx context.Context, k Key, e Edit, by string) (Change, error) {
	if e.ExpectedVersion == nil {
		return Change{}, fieldErr("expectedVersion", "is required (the version the edit is based on)")
	}
	unlock := t.lockRow(k)
	defer unlock()
	cur, err := t.live(ctx, k)
	if err != nil {
		return Change{}, err
	}
	if cur.Version != *e.ExpectedVersion {
		return Change{}, conflict(cur, fmt.Sprintf("expected version %d", *e.ExpectedVersion))
	}
	next, err := e.Apply(cur)
	if err != nil {
		return Change{}, err
	}
	if SameContent(next, cur) {
		return Change{Before: &cur, After: cur}, nil
	}
	t.stamp(&next, &cur, by)
	return t.commitChange(ctx, &cur, next)
}

// live returns the current version of a row under control.
func (t *Table) live(ctx context.Context, k Key) (Row, error) {
	cur, err := t.Get(ctx, k)
	if err != nil {
		return Row{}, err
	}
	if cur.Deleted {
		return Row{}, fmt.Errorf("%w: %s was removed from control (version %d)", ErrNotFound, k, cur.Version)
	}
	return cur, nil
}

// Delete removes a row from control by writing a deleted version; the history stays.
func (t *Table) Delete(ctx context.Context, k Key, expectedVersion uint64, by string) (Change, error) {
	unlock := t.lockRow(k)
	defer unlock()
	cur, err := t.live(ctx, k)
	if err != nil {
		return Change{}, err
	}
	if cur.Version != expectedVersion {
		return Change{}, conflict(cur, fmt.Sprintf("expected version %d", expectedVersion))
	}
	next := cur.Clone()
	next.Deleted, next.Notes = true, nil
	t.stamp(&next, &cur, by)
	return t.commitChange(ctx, &cur, next)
}

// SetManualReplicas records a replica count a person chose (a scale action) on the current
// version, whatever it is: the action has no version to compare with. Racing writers are
// retried a few times.
func (t *Table) SetManualReplicas(ctx context.Context, k Key, replicas int32, by string) (Change, error) {
	for attempt := 0; ; attempt++ {
		cur, err := t.live(ctx, k)
		if err != nil {
			return Change{}, err
		}
		v := cur.Version
		ch, err := t.Update(ctx, k, Edit{ExpectedVersion: &v, ReplicasManual: &replicas}, by)
		var ce *refusal.Conflict[Row]
		if errors.As(err, &ce) && attempt < 3 {
			continue
		}
		return ch, err
	}
}

// Rederive rewrites a cluster's rows in one go, as the derivation does: it holds the cluster's
// lock exclusively (edits wait), hands f every row's current version (removed rows included),
// and writes what f returns in one insert. f must return each changed row as the version
// after the one it was given (1 for a new row); anything else is refused, since it would
// overwrite a version. It returns the versions written.
func (t *Table) Rederive(ctx context.Context, cluster, by string, f func(current []Row) ([]Row, error)) ([]Row, error) {
	cl := clusterLock(t.conn.Database(), cluster)
	cl.Lock()
	defer cl.Unlock()
	current, _, err := t.Current(ctx, cluster, Filter{IncludeDeleted: true})
	if err != nil {
		return nil, err
	}
	versions := make(map[Key]uint64, len(current))
	for _, r := range current {
		versions[r.Key()] = r.Version
	}
	next, err := f(current)
	if err != nil {
		return nil, err
	}
	now := t.now().UTC()
	seen := make(map[Key]bool, len(next))
	for i := range next {
		r := &next[i]
		k := r.Key()
		if k.Cluster != cluster {
			return nil, fmt.Errorf("rederiving %s: row %s belongs to another cluster", cluster, k)
		}
		if seen[k] {
			return nil, fmt.Errorf("rederiving %s: row %s returned twice", cluster, k)
		}
		seen[k] = true
		if want := versions[k] + 1; r.Version != want {
			return nil, fmt.Errorf("rederiving %s: row %s has version %d, want %d", cluster, k, r.Version, want)
		}
		// The derivation's versions owe no entry (its runs are the collection jobs' record).
		r.UpdatedBy, r.UpdatedAt, r.writeID, r.owed = by, now, newWriteID(), Owed{}
		if r.Notes == nil {
			r.Notes = []string{}
		}
		r.Replicas.Resolve()
	}
	if err := t.insert(ctx, next); err != nil {
		return nil, fmt.Errorf("rederiving %s: %w", cluster, err)
	}
	return next, nil
}
