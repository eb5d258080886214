package jobs

import (
	"context"
	"fmt"
	"strings"
)

// Collect runs a backfill of the last days for a collect schedule and waits for it, so the
// schedule's run records the job's outcome (schedule.Collector).
func (m *Manager) Collect(ctx context.Context, cluster string, days int) error {
	j, err := m.Start(ctx, Request{Cluster: cluster, Kind: KindBackfill, Days: days, StartedBy: "schedule"})
	if err != nil {
		return fmt.Errorf("starting the collection of %s: %w", cluster, err)
	}
	m.Wait(ctx, cluster)
	if ctx.Err() != nil {
		return fmt.Errorf("collection job %s of %s: %w", j.ID, cluster, ctx.Err())
	}
	if j, err = m.Get(ctx, j.ID); err != nil {
		return err
	}
	if j.State != StateSucceeded {
		return fmt.Errorf("collection job %s of %s %s: %s", j.ID, cluster, j.State, strings.Join(j.Errors, "; "))
	}
	return nil
}

// LastCollection is the cluster's latest job, or nil (clusterhealth.LastCollection).
func (m *Manager) LastCollection(ctx context.Context, cluster string) (any, error) {
	j, err := m.Last(ctx, cluster)
	if err != nil || j == nil {
		return nil, err
	}
	return j, nil
}

// Derive derives the cluster's control table again now, outside any job: for a settings change
// that the derivation reads (the recommend switch) to apply without waiting for a collection.
// Without a deriver it does nothing.
func (m *Manager) Derive(ctx context.Context, cluster string) error {
	if m.deriver == nil {
		return nil
	}
	return m.deriver.Derive(ctx, cluster)
}
