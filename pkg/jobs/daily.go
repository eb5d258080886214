package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
)

// Trigger says when a cluster's daily collection runs next. It is an interface so the daily
// collection can move onto the generic scheduler later without changing the job logic.
type Trigger interface {
	Next(s clustersettings.ClusterSettings, after time.Time) (time.Time, error)
}

// AtTrigger fires once a day at collect.at in the cluster's zone (robfig/cron, so DST days are
// handled the way cron handles them: a skipped time runs at the jump, a repeated one once).
type AtTrigger struct{}

// Next implements Trigger.
func (AtTrigger) Next(s clustersettings.ClusterSettings, after time.Time) (time.Time, error) {
	at, err := peakwindow.ParseClock(s.Collect.At)
	if err != nil {
		return time.Time{}, fmt.Errorf("cluster %s: collect.at: %w", s.Cluster, err)
	}
	sched, err := cron.ParseStandard(fmt.Sprintf("CRON_TZ=%s %d %d * * *", s.TimeZone, at.Minute(), at.Hour()))
	if err != nil {
		return time.Time{}, fmt.Errorf("cluster %s: daily collection schedule: %w", s.Cluster, err)
	}
	return sched.Next(after), nil
}

// Daily is the process-wide worker that starts each cluster's daily collection job. It starts
// with the process (pkg/service's Go), reads clusters from the settings in force and each cluster's
// settings from the store, and re-reads them at least every minute and whenever settings change.
type Daily struct {
	Source  Source
	Manager *Manager
	Trigger Trigger
	Log     *slog.Logger
	// Poll bounds how long the worker sleeps before re-reading settings; default 1 minute.
	Poll time.Duration
	// Holds reports whether this backend runs cluster's daily collection now (false while
	// another backend holds the cluster's schedule lease); nil runs every cluster's.
	Holds func(cluster string) bool
	now   func() time.Time
}

// Source gives the parts in force and says when settings change (pkg/service's Service).
type Source interface {
	Snapshotter
	Changed() <-chan struct{}
}

// Name names the worker in the process's logs.
func (d *Daily) Name() string { return "daily-collection" }

// Run starts the jobs until ctx ends (pkg/service runs it and restarts it after a failure).
func (d *Daily) Run(ctx context.Context) error {
	if d.now == nil {
		d.now = time.Now
	}
	if d.Poll <= 0 {
		d.Poll = time.Minute
	}
	if d.Trigger == nil {
		d.Trigger = AtTrigger{}
	}
	recovered := false
	next := map[string]time.Time{} // cluster → next run; absent = first sight
	for {
		changed := d.Source.Changed()
		wait := d.Poll
		if snap, err := d.Source.Snapshot(); err != nil {
			d.Log.Debug("daily collection waits for the store", "error", err)
		} else {
			if !recovered {
				if err := d.Manager.Recover(ctx); err != nil {
					d.Log.Error("marking interrupted collection jobs", "error", err)
				} else {
					recovered = true
				}
			}
			seen := map[string]bool{}
			for _, cl := range snap.App.Clusters {
				seen[cl.Name] = true
				if w := d.tick(ctx, snap, cl.Name, cl.TimeZone, next); w < wait {
					wait = w
				}
			}
			for name := range next {
				if !seen[name] {
					delete(next, name)
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		case <-time.After(max(wait, time.Second)):
		}
	}
}

// tick handles one cluster: on first sight it catches up a missed run, then starts the daily job
// when its time has come. It returns how long until the cluster needs attention again.
func (d *Daily) tick(ctx context.Context, snap snapshot.Snapshot, cluster, zone string, next map[string]time.Time) time.Duration {
	cs, err := clustersettings.NewStore(snap.Conn).Get(ctx, cluster, zone)
	if err != nil {
		d.Log.Error("daily collection: reading cluster settings", "cluster", cluster, "error", err)
		return d.Poll
	}
	if !cs.Collect.Enabled {
		delete(next, cluster)
		return d.Poll
	}
	now := d.now()
	due, known := next[cluster]
	if !known {
		// First sight (process start or a new cluster): run now if today's time has passed and
		// the day it would have collected is not stored yet.
		prev, err := d.Trigger.Next(cs, now.Add(-24*time.Hour))
		if err == nil && !prev.After(now) && !d.covered(ctx, cs, now) {
			d.Log.Info("daily collection missed while the backend was down; catching up", "cluster", cluster, "was", prev)
			due = now
		} else if due, err = d.Trigger.Next(cs, now); err != nil {
			d.Log.Error("daily collection: schedule", "cluster", cluster, "error", err)
			return d.Poll
		}
		next[cluster] = due
	}
	if due.After(now) {
		return due.Sub(now)
	}
	if d.Holds != nil && !d.Holds(cluster) {
		// Another backend holds the cluster. Once its job stored the day, wait for the next
		// one; until then keep it due, in case the lease comes here (a failover, or this
		// process just started and has not won its election yet).
		if d.covered(ctx, cs, now) {
			if n, err := d.Trigger.Next(cs, now); err == nil {
				next[cluster] = n
				return n.Sub(now)
			}
		}
		d.Log.Debug("daily collection due; waiting for this backend to hold the cluster", "cluster", cluster)
		return d.Poll
	}
	d.start(ctx, cs, now)
	if n, err := d.Trigger.Next(cs, now); err == nil {
		next[cluster] = n
		return n.Sub(now)
	}
	return d.Poll
}

func (d *Daily) start(ctx context.Context, cs clustersettings.ClusterSettings, now time.Time) {
	day, err := LatestEnded(cs, now)
	if err != nil {
		d.Log.Error("daily collection: day to collect", "cluster", cs.Cluster, "error", err)
		return
	}
	j, err := d.Manager.Start(ctx, Request{Cluster: cs.Cluster, Kind: KindDaily, From: day, To: day, StartedBy: "scheduler"})
	var busy *refusal.Conflict[Job]
	switch {
	case errors.As(err, &busy):
		d.Log.Warn("daily collection not started: the cluster has a job running", "cluster", cs.Cluster, "job", busy.Current.ID)
	case err != nil:
		d.Log.Error("daily collection not started", "cluster", cs.Cluster, "error", err)
	default:
		d.Log.Info("daily collection started", "cluster", cs.Cluster, "day", day.String(), "job", j.ID)
	}
}

// covered reports whether the latest collectable day already has a succeeded job.
func (d *Daily) covered(ctx context.Context, cs clustersettings.ClusterSettings, now time.Time) bool {
	day, err := LatestEnded(cs, now)
	if err != nil {
		return true // nothing sensible to catch up
	}
	items, _, err := d.Manager.List(ctx, Filter{Cluster: cs.Cluster, State: StateSucceeded, Limit: 50})
	if err != nil {
		return true
	}
	for _, j := range items {
		if !day.Before(j.FirstDay) && !j.LastDay.Before(day) {
			return true
		}
	}
	return false
}
