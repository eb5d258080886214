package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

// Manager is what the API calls: validation, versioned writes, and nextRunAt from the runs.
type Manager struct {
	Store *Store
	Now   func() time.Time
	// Wake tells the runner a schedule was written (nil: it notices within its MaxWait).
	Wake func()
}

// Audited returns a Manager whose writes owe the audit entry action by a caller of role (see
// Store.Audited).
func (m *Manager) Audited(action, role string) *Manager {
	c := *m
	c.Store = m.Store.Audited(action, role)
	return &c
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Manager) wake() {
	if m.Wake != nil {
		m.Wake()
	}
}

// withNext fills NextRunAt of each schedule from its last recorded run.
func (m *Manager) withNext(ctx context.Context, list []Schedule) ([]Schedule, error) {
	last, err := m.Store.LastRuns(ctx)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].NextRunAt = nil
		if n, ok := list[i].Next(last[list[i].ID]); ok {
			list[i].NextRunAt = &n
		}
	}
	return list, nil
}

// List returns one page of the schedules (of a cluster, or all) and their count.
func (m *Manager) List(ctx context.Context, cluster string, limit, offset int) ([]Schedule, int, error) {
	all, err := m.Store.List(ctx, cluster)
	if err != nil {
		return nil, 0, err
	}
	total := len(all)
	page := all[min(offset, total):min(offset+limit, total)]
	page, err = m.withNext(ctx, page)
	return page, total, err
}

// Get returns schedule id with its next run.
func (m *Manager) Get(ctx context.Context, id string) (Schedule, error) {
	sc, err := m.Store.Get(ctx, id)
	if err != nil {
		return Schedule{}, err
	}
	out, err := m.withNext(ctx, []Schedule{sc})
	if err != nil {
		return Schedule{}, err
	}
	return out[0], nil
}

// Create validates spec against the clusters in force and stores it.
func (m *Manager) Create(ctx context.Context, spec Spec, clusters []settings.Cluster, by string) (Schedule, error) {
	now := m.now()
	sc, err := spec.Validate(now, clusters)
	if err != nil {
		return Schedule{}, err
	}
	sc, err = m.Store.Create(ctx, sc, by, now)
	if err != nil {
		return Schedule{}, err
	}
	m.wake()
	return m.Get(ctx, sc.ID)
}

// Update replaces schedule id with spec if it is still at spec.ExpectedVersion (409 otherwise).
// Keeping a once schedule's runAt as it was is allowed even once it passed (renaming a schedule
// that ran); a changed runAt must be in the future, and arms the schedule again.
func (m *Manager) Update(ctx context.Context, id string, spec Spec, clusters []settings.Cluster, by string) (before, after Schedule, err error) {
	if spec.ExpectedVersion == nil {
		return Schedule{}, Schedule{}, &refusal.FieldError{Field: "expectedVersion", Reason: "required: the version you read"}
	}
	now := m.now()
	// The stored row is re-read below (with its new version), so Update's copy is dropped.
	before, _, err = m.Store.Update(ctx, id, spec.ExpectedVersion, by, now, func(cur Schedule) (Schedule, error) {
		at := now
		if spec.Kind == KindOnce && cur.Kind == KindOnce && spec.RunAt != nil && cur.RunAt != nil &&
			spec.RunAt.Truncate(time.Second).Equal(*cur.RunAt) {
			at = cur.RunAt.Add(-time.Second)
		}
		return spec.Validate(at, clusters)
	})
	if err != nil {
		return before, Schedule{}, err
	}
	m.wake()
	after, err = m.Get(ctx, id)
	return before, after, err
}

// Pause stops schedule id from firing; its occurrences while paused are not owed.
func (m *Manager) Pause(ctx context.Context, id, by string) (before, after Schedule, err error) {
	return m.setEnabled(ctx, id, by, false)
}

// Resume lets schedule id fire again from now on. A once schedule whose time passed while it
// was paused cannot be resumed: give it a new runAt.
func (m *Manager) Resume(ctx context.Context, id, by string) (before, after Schedule, err error) {
	return m.setEnabled(ctx, id, by, true)
}

func (m *Manager) setEnabled(ctx context.Context, id, by string, enabled bool) (before, after Schedule, err error) {
	now := m.now()
	before, _, err = m.Store.Update(ctx, id, nil, by, now, func(cur Schedule) (Schedule, error) {
		if enabled && cur.Kind == KindOnce && cur.RunAt != nil && !cur.RunAt.After(now) {
			return Schedule{}, &refusal.FieldError{Field: "runAt", Reason: fmt.Sprintf(
				"%s has passed; edit the schedule with a new runAt instead of resuming it", cur.RunAt.Format(time.RFC3339))}
		}
		cur.Enabled = enabled
		return cur, nil
	})
	if err != nil {
		return before, Schedule{}, err
	}
	m.wake()
	after, err = m.Get(ctx, id)
	return before, after, err
}

// Delete removes schedule id; its runs stay in the store (schedule_runs) for the record.
func (m *Manager) Delete(ctx context.Context, id, by string) (Schedule, error) {
	before, err := m.Store.Delete(ctx, id, by, m.now())
	if err == nil {
		m.wake()
	}
	return before, err
}

// Runs returns a page of schedule id's runs, newest first, after checking the schedule exists.
func (m *Manager) Runs(ctx context.Context, id string, limit, offset int) ([]Run, uint64, error) {
	if _, err := m.Store.Get(ctx, id); err != nil {
		return nil, 0, err
	}
	return m.Store.Runs(ctx, id, limit, offset)
}
