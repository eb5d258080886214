package recommend

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// maxLoggedDecisions caps the per-row decision lines one derivation logs; the summary line
// always carries the counts.
const maxLoggedDecisions = 50

// Deriver runs the derivation against the store.
type Deriver struct {
	Log *slog.Logger // nil = discard
}

// Derive chooses the days of p's window at now in the store (FINAL, so a re-collected day
// counts once; see peaks.WorstDays and peaks.PeakClusterDay), reads only those days' samples,
// derives the next versions from them and the current rows, and writes the changed rows in one
// insert while holding the cluster's control-table lock (edits wait for it). It returns the
// report; report.New are the workloads to notify about.
func (d Deriver) Derive(ctx context.Context, conn store.Conn, cluster string, p Params, now time.Time) (Report, error) {
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := p.Validate(); err != nil {
		return Report{}, fmt.Errorf("deriving the control table of %s: %w", cluster, err)
	}
	start := time.Now()
	in, err := choose(ctx, conn, cluster, p, now)
	if err != nil {
		return Report{}, fmt.Errorf("deriving the control table of %s: %w", cluster, err)
	}
	read := time.Since(start)
	var rep Report
	written, err := control.New(conn, log).Rederive(ctx, cluster, control.UpdatedByCollector,
		func(current []control.Row) ([]control.Row, error) {
			next, r, err := DeriveChosen(p, in, current, now)
			rep = r
			return next, err
		})
	if err != nil {
		return rep, fmt.Errorf("deriving the control table of %s: %w", cluster, err)
	}
	rep.Cluster = cluster
	logDecisions(log, rep)
	log.Info("control table derived", "cluster", cluster, "mode", rep.Mode, "window", rep.FirstDay+".."+rep.LastDay,
		"clusterPeakDay", rep.ClusterPeakDay, "samples", len(in.Samples), "workloads", rep.Workloads,
		"new", len(rep.New), "changed", rep.Changed, "unchanged", rep.Unchanged, "kept", rep.Kept,
		"notOnPeakDay", rep.NotOnPeakDay, "removedByHand", rep.Removed, "clamped", len(rep.Clamped),
		"bumped", len(rep.Bumped), "versionsWritten", len(written), "readTime", read, "elapsed", time.Since(start))
	return rep, nil
}

// logDecisions logs why rows were added or moved, up to maxLoggedDecisions lines.
func logDecisions(log *slog.Logger, rep Report) {
	n := 0
	for _, k := range rep.New {
		if n++; n > maxLoggedDecisions {
			break
		}
		log.Info("workload added to the control table", "cluster", k.Cluster, "namespace", k.Namespace, "workload", k.Workload,
			"reason", "first seen in peak data")
	}
	for _, list := range [][]Adjustment{rep.Bumped, rep.Clamped} {
		for _, a := range list {
			if n++; n > maxLoggedDecisions {
				break
			}
			log.Info("control value adjusted", "cluster", rep.Cluster, "namespace", a.Namespace, "workload", a.Workload,
				"container", a.Container, "field", a.Field, "from", a.From, "to", a.To, "reason", a.Reason)
		}
	}
	if n > maxLoggedDecisions {
		log.Info("more control-table decisions not logged", "cluster", rep.Cluster, "logged", maxLoggedDecisions,
			"total", len(rep.New)+len(rep.Bumped)+len(rep.Clamped))
	}
}

// choose is Choose done by the store.
func choose(ctx context.Context, conn store.Conn, cluster string, p Params, now time.Time) (Chosen, error) {
	first, last := p.Window(now)
	r := peaks.Range{From: first, To: last}
	if p.Mode != ModeKubeDoor {
		samples, err := peaks.WorstDays(ctx, conn, cluster, r)
		return Chosen{Samples: samples}, err
	}
	cd, err := peaks.PeakClusterDay(ctx, conn, cluster, r)
	if err != nil {
		return Chosen{}, err
	}
	c := Chosen{Samples: cd.Samples, ClusterDay: cd.Day}
	for _, k := range cd.Absent {
		c.Absent = append(c.Absent, control.Key{Cluster: cluster, Namespace: k.Namespace, Kind: k.Kind, Workload: k.Name})
	}
	return c, nil
}
