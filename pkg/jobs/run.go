package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/collect"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
)

// MaxFailedInARow is how many consecutive failed days end a job early.
const MaxFailedInARow = 3

// run works through the job's days, newest last, saving progress after each. A day that fails
// is recorded and the job goes on with the next one: what was stored stays stored.
func (m *Manager) run(ctx context.Context, a *active) {
	defer func() {
		m.mu.Lock()
		delete(m.active, a.snapshot().Cluster)
		m.mu.Unlock()
		a.cancel()
		close(a.done)
	}()
	// Saving progress uses the process context: a cancelled job must still record that it stopped.
	persist := func(j Job) {
		snap, err := m.svc.Snapshot()
		if err == nil {
			err = save(m.ctx, snap.Conn, &j, m.now())
		}
		if err != nil {
			m.log.Error("collection job progress not saved", "job", j.ID, "error", err)
			return
		}
		a.update(func(cur *Job) { cur.updatedAt = j.updatedAt })
	}
	persist(a.update(func(j *Job) { j.State = StateRunning }))

	stored, failedInARow := 0, 0
	j := a.snapshot()
	for day := j.FirstDay; !j.LastDay.Before(day); day = day.AddDays(1) {
		if ctx.Err() != nil {
			break
		}
		if failedInARow >= MaxFailedInARow {
			// Prometheus is most likely down: stop rather than fail hundreds of days one by one.
			msg := fmt.Sprintf("gave up after %d days failed in a row; %s to %s were not attempted", failedInARow, day, j.LastDay)
			m.log.Warn("collection job gives up", "job", j.ID, "cluster", j.Cluster, "reason", msg)
			persist(a.update(func(j *Job) { j.addError(msg) }))
			break
		}
		workloads, skipped, err := m.collectDay(ctx, j.Cluster, day)
		switch {
		case ctx.Err() != nil:
			// cancelled midway: this day is not stored; nothing else changes
		case err != nil:
			m.log.Error("collection day failed", "job", j.ID, "cluster", j.Cluster, "day", day.String(), "error", err)
			failedInARow++
			persist(a.update(func(j *Job) { j.DaysDone++; j.addError(fmt.Sprintf("%s: %v", day, err)) }))
		default:
			failedInARow = 0
			if skipped != "" {
				m.log.Info("collection day skipped", "job", j.ID, "cluster", j.Cluster, "day", day.String(), "reason", skipped)
			} else {
				stored++
			}
			persist(a.update(func(j *Job) { j.DaysDone++; j.Workloads = max(j.Workloads, workloads) }))
		}
	}

	cancelled := ctx.Err() != nil
	if stored > 0 && !cancelled {
		if err := m.afterCollection(j.Cluster); err != nil {
			a.update(func(j *Job) { j.addError(err.Error()) })
		}
	}
	final := a.update(func(j *Job) {
		now := m.now().UTC().Truncate(time.Millisecond)
		j.FinishedAt = &now
		switch {
		case cancelled:
			j.State = StateCancelled
		case j.ErrorCount > 0:
			j.State = StateFailed
		default:
			j.State = StateSucceeded
		}
	})
	persist(final)
	m.log.Info("collection job finished", "job", final.ID, "cluster", final.Cluster, "state", final.State,
		"daysDone", final.DaysDone, "daysTotal", final.DaysTotal, "workloads", final.Workloads, "errors", final.ErrorCount)
}

// collectDay collects and stores one day; skipped says why nothing was collected.
func (m *Manager) collectDay(ctx context.Context, cluster string, day peakwindow.Day) (workloads int, skipped string, err error) {
	snap, err := m.svc.Snapshot()
	if err != nil {
		return 0, "", err
	}
	cl, ok := snap.App.Cluster(cluster)
	if !ok {
		return 0, "", fmt.Errorf("%w: %q is no longer in the app settings", ErrUnknownCluster, cluster)
	}
	client, ok := snap.Prometheus[cluster]
	if !ok {
		return 0, "", errors.New("no Prometheus client for the cluster (check its Prometheus URL in the app settings)")
	}
	cs, err := clustersettings.NewStore(snap.Conn).Get(ctx, cl.Name, cl.TimeZone)
	if err != nil {
		return 0, "", err
	}
	c := collect.New(client, collect.OptionsFor(m.opts, cs))
	res, err := c.Day(ctx, collect.Target{Cluster: cl.Name, ClusterKey: cl.ClusterLabelKey, ClusterValue: cl.ClusterLabelValue, Settings: cs}, day, m.now())
	if err != nil {
		return 0, "", err
	}
	if res.Skipped != "" {
		return 0, res.Skipped, nil
	}
	if err := peaks.WriteDay(ctx, snap.Conn, cluster, day.Time(), res.Samples, m.now()); err != nil {
		return 0, "", err
	}
	m.log.Info("collection day stored", "cluster", cluster, "day", day.String(), "workloads", res.Workloads,
		"samples", len(res.Samples), "queries", res.Stats.Queries, "retries", res.Stats.Retries, "maxPointsPerSeries", res.Stats.MaxPoints)
	return res.Workloads, "", nil
}

// afterCollection prunes days past the cluster's retention and derives its control table.
func (m *Manager) afterCollection(cluster string) error {
	ctx, cancel := context.WithTimeout(m.ctx, 10*time.Minute)
	defer cancel()
	snap, err := m.svc.Snapshot()
	if err != nil {
		return err
	}
	if cl, ok := snap.App.Cluster(cluster); ok {
		cs, err := clustersettings.NewStore(snap.Conn).Get(ctx, cl.Name, cl.TimeZone)
		if err == nil {
			if loc, lerr := cs.Location(); lerr == nil {
				cutoff := peakwindow.DayOf(m.now(), loc).AddDays(-cs.RetentionDays)
				err = peaks.Prune(ctx, snap.Conn, cluster, cutoff.Time())
			}
		}
		if err != nil {
			m.log.Warn("pruning old peak samples failed", "cluster", cluster, "error", err)
		}
	}
	if m.deriver == nil {
		m.log.Info("no control-table deriver wired; skipping derivation", "cluster", cluster)
		return nil
	}
	if err := m.deriver.Derive(ctx, cluster); err != nil {
		m.log.Error("deriving the control table failed", "cluster", cluster, "error", err)
		return fmt.Errorf("deriving the control table: %w", err)
	}
	m.log.Info("control table derived after collection", "cluster", cluster)
	return nil
}
