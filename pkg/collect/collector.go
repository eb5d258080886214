package collect

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
	"github.com/kubedoor/kubedoor-grafana/pkg/prom"
	"github.com/kubedoor/kubedoor-grafana/pkg/promql"
)

// MaxPointsPerSeries is Prometheus' own limit for range queries; the collector keeps every
// query (range or subquery) within it.
const MaxPointsPerSeries = 11_000

// Options tune the collector; zero fields take defaults.
type Options struct {
	Resolution   time.Duration // subquery and range step floor; default 30s (a common scrape interval)
	RateRange    time.Duration // rate() range; default 2m (4 samples at a 30s scrape)
	Concurrency  int           // queries in flight; default 4
	QueryTimeout time.Duration // per attempt; default 2m
	Retries      int           // extra attempts after a transient failure; default 3 (-1 = none)
	RetryBase    time.Duration // first backoff; default 1s, doubling
	BatchPods    int           // most pods one query covers in a big namespace; default 2000
	Logger       *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Resolution <= 0 {
		o.Resolution = 30 * time.Second
	}
	if o.RateRange <= 0 {
		o.RateRange = 2 * time.Minute
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.QueryTimeout <= 0 {
		o.QueryTimeout = 2 * time.Minute
	}
	switch {
	case o.Retries < 0:
		o.Retries = 0
	case o.Retries == 0:
		o.Retries = 3
	}
	if o.RetryBase <= 0 {
		o.RetryBase = time.Second
	}
	if o.BatchPods <= 0 {
		o.BatchPods = 2000
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// OptionsFor applies a cluster's collection settings to base.
func OptionsFor(base Options, s clustersettings.ClusterSettings) Options {
	base.Concurrency = s.Collect.Concurrency
	base.QueryTimeout = time.Duration(s.Collect.QueryTimeoutSeconds) * time.Second
	return base
}

// Target is the cluster to collect.
type Target struct {
	Cluster                  string
	ClusterKey, ClusterValue string // label filter for a shared Prometheus; no filter when the key is ""
	Settings                 clustersettings.ClusterSettings
}

// Collector collects days from one Prometheus.
type Collector struct {
	prom prom.Client
	opts Options
}

// New returns a collector on client.
func New(client prom.Client, opts Options) *Collector {
	return &Collector{prom: client, opts: opts.withDefaults()}
}

// DayResult is one day's collection.
type DayResult struct {
	Day     peakwindow.Day
	Samples []peaks.Sample
	// Workloads is the number of workloads (of any kind) with at least one sample.
	Workloads int
	// Skipped says why nothing was collected (a window not ended yet); Samples is then empty.
	Skipped string
	Stats   Stats
}

// Day collects day for t. A day any of whose windows (default or override) has not ended at
// now is skipped, not collected in part. Any query failure fails the whole day.
func (c *Collector) Day(ctx context.Context, t Target, day peakwindow.Day, now time.Time) (DayResult, error) {
	res := DayResult{Day: day}
	loc, err := t.Settings.Location()
	if err != nil {
		return res, err
	}
	windows, err := t.Settings.Windows()
	if err != nil {
		return res, fmt.Errorf("cluster %s: %w", t.Cluster, err)
	}
	for _, w := range windows {
		if sp := w.On(day, loc); sp.End.After(now) {
			res.Skipped = fmt.Sprintf("the peak window %s of %s ends at %s, later than now", w, day, sp.End.Format(time.RFC3339))
			return res, nil
		}
	}
	r := &runner{prom: c.prom, opts: c.opts, sem: make(chan struct{}, c.opts.Concurrency), stats: &statsCounter{}}
	// Evaluated at the day's first window end, like the day's other queries, not at now.
	leftOpen, err := leftOpenRanges(ctx, r, windows[0].On(day, loc).End)
	if err != nil {
		return res, fmt.Errorf("cluster %s, day %s: %w", t.Cluster, day, err)
	}
	collectedAt := time.Now().UTC()
	var all []peaks.Sample
	for _, w := range windows {
		sp := w.On(day, loc)
		if sp.Duration() <= 0 {
			c.opts.Logger.Warn("peak window empty on this day (inside a skipped DST hour); nothing collected for it",
				"cluster", t.Cluster, "day", day.String(), "window", w.String())
			continue
		}
		samples, err := c.window(ctx, r, t, w, sp, leftOpen, collectedAt)
		if err != nil {
			return res, fmt.Errorf("cluster %s, day %s, window %s: %w", t.Cluster, day, w, err)
		}
		all = append(all, samples...)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Workload != b.Workload {
			return a.Workload < b.Workload
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Container < b.Container
	})
	seen := map[wlKey]bool{}
	for _, s := range all {
		seen[wlKey{s.Namespace, s.Kind, s.Workload}] = true
	}
	res.Samples, res.Workloads, res.Stats = all, len(seen), r.stats.snapshot()
	return res, nil
}

// leftOpenRanges asks Prometheus whether its range selectors leave out a sample at their lower
// bound (3.x) or keep it (2.x), so the window's instant queries cover [start, end] on either
// (promql.Window.LeftOpen). Any other answer (a Prometheus-compatible server of its own kind)
// keeps the closed form the collector always used.
func leftOpenRanges(ctx context.Context, r *runner, near time.Time) (bool, error) {
	// The probe's arithmetic needs a multiple of 30 s since the epoch.
	at := time.Unix(near.Unix()/30*30, 0)
	v, err := r.instant(ctx, promql.LeftOpenProbe, at, 1)
	if err != nil {
		return false, fmt.Errorf("probing range selector semantics: %w", err)
	}
	return len(v) == 1 && v[0].Value == promql.LeftOpenAnswer, nil
}

// step is the resolution, raised so the window has at most MaxPointsPerSeries steps.
func (c *Collector) step(d time.Duration) time.Duration {
	step := c.opts.Resolution
	if minStep := time.Duration(int64(d)/(MaxPointsPerSeries-1)) + time.Second; d/step+1 > MaxPointsPerSeries {
		step = minStep.Truncate(time.Second)
	}
	return step
}

// window collects the workloads whose peak window is w.
func (c *Collector) window(ctx context.Context, r *runner, t Target, w peakwindow.Window, sp peakwindow.Span, leftOpen bool, collectedAt time.Time) ([]peaks.Sample, error) {
	pw := promql.Window{Range: sp.Duration(), Step: c.step(sp.Duration()), RateRange: c.opts.RateRange, Quantile: t.Settings.Quantile, LeftOpen: leftOpen}
	cluster := promql.Scope{ClusterKey: t.ClusterKey, ClusterValue: t.ClusterValue}

	g, gctx := newGroup(ctx)
	var podOwners, rsOwners, desired, hpaMin model.Vector
	g.Go(func() (err error) { podOwners, err = r.instant(gctx, promql.PodOwners(cluster, pw), sp.End, 1); return })
	g.Go(func() (err error) {
		rsOwners, err = r.instant(gctx, promql.ReplicaSetOwners(cluster, pw), sp.End, 1)
		return
	})
	g.Go(func() (err error) {
		desired, err = r.instant(gctx, promql.DesiredReplicas(cluster, pw), sp.End, 1)
		return
	})
	g.Go(func() (err error) {
		hpaMin, err = r.instant(gctx, promql.HPAMinReplicas(cluster, pw), sp.End, 1)
		return
	})
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("reading pod owners, desired replicas and HPAs: %w", err)
	}
	inWindow := func(ns, kind, wl string) bool {
		ww, err := t.Settings.WindowFor(ns, kind, wl)
		return err == nil && ww == w
	}
	inv := buildInventory(podOwners, rsOwners, inWindow)
	batches := inv.batches(c.opts.BatchPods)
	c.opts.Logger.Info("collecting peak window", "cluster", t.Cluster, "day", sp.Day.String(), "window", w.String(),
		"start", sp.Start.UTC(), "end", sp.End.UTC(), "step", pw.Step, "workloads", len(inv.workloads), "batches", len(batches))

	acc := newAccumulator(inv)
	acc.addDesired(desired)
	acc.addHPAMin(hpaMin)
	acc.keepIdle(inWindow)
	g, gctx = newGroup(ctx)
	for _, b := range batches {
		s := cluster
		s.Namespace, s.Pods = b.namespace, b.pods
		run := func(q string, add func(model.Vector)) {
			g.Go(func() error {
				v, err := r.instant(gctx, q, sp.End, 1)
				if err != nil {
					return fmt.Errorf("namespace %s: %w", b.namespace, err)
				}
				acc.locked(func() { add(v) })
				return nil
			})
		}
		g.Go(func() error {
			m, err := r.matrix(gctx, promql.UsageSeries(s, pw), v1.Range{Start: sp.Start, End: sp.End, Step: pw.Step})
			if err != nil {
				return fmt.Errorf("namespace %s: usage: %w", b.namespace, err)
			}
			q := t.Settings.Quantile
			acc.locked(func() { acc.addUsage(m, q) })
			return nil
		})
		run(promql.Resources(s, pw), acc.addResources)
		run(promql.CFS(s, pw), acc.addCFS)
		g.Go(func() error {
			m, err := r.matrix(gctx, promql.ReadyPods(s), v1.Range{Start: sp.Start, End: sp.End, Step: pw.Step})
			if err != nil {
				return fmt.Errorf("namespace %s: ready pods: %w", b.namespace, err)
			}
			acc.locked(func() { acc.addReady(m) })
			return nil
		})
		g.Go(func() error {
			if err := c.oomKills(gctx, r, s, pw, sp, acc); err != nil {
				return fmt.Errorf("namespace %s: OOM kills: %w", b.namespace, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return acc.samples(t.Cluster, sp, pw.Step, t.Settings.Quantile, collectedAt), nil
}
