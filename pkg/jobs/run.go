package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/collect"
	"github.com/kubedoor/kubedoor-grafana/pkg/fault"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
	"github.com/kubedoor/kubedoor-grafana/pkg/prom"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
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
	j := a.snapshot()
	unavailable := map[peakwindow.Day]bool{}
	for _, d := range m.probe(ctx, a, persist) {
		unavailable[d] = true
	}
	stored, failedInARow := 0, 0
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
		var (
			out dayOutcome
			err error
		)
		if unavailable[day] {
			out, err = m.keepUnavailable(ctx, j.Cluster, day)
		} else {
			out, err = m.collectDay(ctx, j.Cluster, day)
		}
		switch {
		case ctx.Err() != nil:
			// cancelled midway: this day is not stored; nothing else changes
		case err != nil:
			m.log.Error("collection day failed", "job", j.ID, "cluster", j.Cluster, "day", day.String(), "error", err)
			failedInARow++
			persist(a.update(func(j *Job) { j.DaysDone++; j.addError(fmt.Sprintf("%s: %v", day, err)) }))
		default:
			failedInARow = 0
			switch {
			case out.skipped != "":
				m.log.Info("collection day skipped", "job", j.ID, "cluster", j.Cluster, "day", day.String(), "reason", out.skipped)
			case out.written:
				stored++
			}
			if out.kept != nil {
				m.log.Warn("collection day kept stored rows", "job", j.ID, "cluster", j.Cluster, "day", day.String(),
					"stored", out.kept.StoredWorkloads, "found", out.kept.FoundWorkloads, "kept", out.kept.KeptWorkloads, "reason", out.kept.Reason)
			}
			persist(a.update(func(j *Job) {
				j.DaysDone++
				j.Workloads = max(j.Workloads, out.workloads)
				if out.kept != nil {
					j.Kept = append(j.Kept, *out.kept)
				}
			}))
			if out.written {
				fault.Crash(m.log, fault.AfterCollectionDay)
			}
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
		"daysDone", final.DaysDone, "daysTotal", final.DaysTotal, "workloads", final.Workloads, "errors", final.ErrorCount,
		"keptDays", len(final.Kept), "unavailableDays", len(final.Unavailable))
}

// dayOutcome is what a job did with one day.
type dayOutcome struct {
	workloads int      // workloads found
	skipped   string   // why nothing was collected (a window not ended)
	written   bool     // found rows were stored
	kept      *KeptDay // stored rows left in place, and why
}

// target is what collecting a cluster needs, read afresh so settings edits apply to the next day.
func (m *Manager) target(ctx context.Context, cluster string) (snapshot.Snapshot, settings.Cluster, prom.Client, clustersettings.ClusterSettings, error) {
	snap, err := m.svc.Snapshot()
	if err != nil {
		return snap, settings.Cluster{}, nil, clustersettings.ClusterSettings{}, err
	}
	cl, ok := snap.App.Cluster(cluster)
	if !ok {
		return snap, cl, nil, clustersettings.ClusterSettings{}, fmt.Errorf("%w: %q is no longer in the app settings", ErrUnknownCluster, cluster)
	}
	client, ok := snap.Prometheus[cluster]
	if !ok {
		return snap, cl, nil, clustersettings.ClusterSettings{}, errors.New("no Prometheus client for the cluster (check its Prometheus URL in the app settings)")
	}
	cs, err := clustersettings.NewStore(snap.Conn).Get(ctx, cl.Name, cl.TimeZone)
	return snap, cl, client, cs, err
}

// collectDay collects one day and stores what planDay allows: a day whose answer lacks the
// stored workloads keeps their rows.
func (m *Manager) collectDay(ctx context.Context, cluster string, day peakwindow.Day) (dayOutcome, error) {
	snap, cl, client, cs, err := m.target(ctx, cluster)
	if err != nil {
		return dayOutcome{}, err
	}
	c := collect.New(client, collect.OptionsFor(m.opts, cs))
	res, err := c.Day(ctx, collect.Target{Cluster: cl.Name, ClusterKey: cl.ClusterLabelKey, ClusterValue: cl.ClusterLabelValue, Settings: cs}, day, m.now())
	if err != nil {
		return dayOutcome{}, err
	}
	if res.Skipped != "" {
		return dayOutcome{skipped: res.Skipped}, nil
	}
	stored, err := peaks.StoredWorkloads(ctx, snap.Conn, cluster, day.Time())
	if err != nil {
		return dayOutcome{}, err
	}
	plan := planDay(day, stored, peaks.SampleWorkloads(res.Samples), cs.Collect.MinFoundRatio)
	out := dayOutcome{workloads: res.Workloads, kept: plan.kept, written: plan.write}
	if !plan.write {
		return out, nil
	}
	if err := peaks.WriteDayKeeping(ctx, snap.Conn, cluster, day.Time(), res.Samples, m.now(), plan.keep); err != nil {
		return dayOutcome{}, err
	}
	m.log.Info("collection day stored", "cluster", cluster, "day", day.String(), "workloads", res.Workloads,
		"samples", len(res.Samples), "keptWorkloads", len(plan.keep), "queries", res.Stats.Queries, "retries", res.Stats.Retries,
		"maxPointsPerSeries", res.Stats.MaxPoints)
	return out, nil
}

// keepUnavailable handles a day the probe found Prometheus holds nothing of: nothing is
// collected, and its stored rows, if any, are reported as kept.
func (m *Manager) keepUnavailable(ctx context.Context, cluster string, day peakwindow.Day) (dayOutcome, error) {
	snap, err := m.svc.Snapshot()
	if err != nil {
		return dayOutcome{}, err
	}
	stored, err := peaks.StoredWorkloads(ctx, snap.Conn, cluster, day.Time())
	if err != nil {
		return dayOutcome{}, err
	}
	if len(stored) == 0 {
		return dayOutcome{}, nil // nothing stored, nothing there: simply an empty day
	}
	return dayOutcome{kept: unavailableDay(day, len(stored))}, nil
}

// probe records on the job which of its days Prometheus holds nothing of, before any is
// collected. When the probe itself fails every day is collected as usual.
func (m *Manager) probe(ctx context.Context, a *active, persist func(Job)) []peakwindow.Day {
	j := a.snapshot()
	_, cl, client, cs, err := m.target(ctx, j.Cluster)
	var days []peakwindow.Day
	if err == nil {
		days, err = unavailableDays(ctx, client, cl, cs, j.FirstDay, j.LastDay)
	}
	if err != nil {
		if ctx.Err() == nil {
			m.log.Warn("could not check which days Prometheus holds; collecting every day", "job", j.ID, "cluster", j.Cluster, "error", err)
		}
		return nil
	}
	if len(days) > 0 {
		names := make([]string, len(days))
		for i, d := range days {
			names[i] = d.String()
		}
		m.log.Warn("Prometheus holds no pod series for some of the job's days; they are not collected and their stored rows stay",
			"job", j.ID, "cluster", j.Cluster, "days", len(days), "unavailable", strings.Join(names, ","))
		persist(a.update(func(j *Job) { j.Unavailable = days }))
	}
	return days
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
