// Package backend assembles the product's parts into one running backend: which part feeds
// which. Every part is built and started here, with the process, so background work (daily
// collection, schedules, publishing) never waits for Grafana to create an app instance.
package backend

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/app"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/collect"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/denialwatch"
	"github.com/kubedoor/kubedoor-grafana/pkg/engine"
	"github.com/kubedoor/kubedoor-grafana/pkg/jobs"
	"github.com/kubedoor/kubedoor-grafana/pkg/nodes"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
	"github.com/kubedoor/kubedoor-grafana/pkg/pods"
	"github.com/kubedoor/kubedoor-grafana/pkg/publish"
	"github.com/kubedoor/kubedoor-grafana/pkg/recommend"
	"github.com/kubedoor/kubedoor-grafana/pkg/savings"
	"github.com/kubedoor/kubedoor-grafana/pkg/schedule"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Backend is the running backend.
type Backend struct {
	Service     *service.Service
	Publisher   *publish.Worker
	Collections *jobs.Manager
	Notifier    *notify.Dispatcher
	Engine      *engine.Fetcher
	ops         *operations
	replays     *savings.Cache
	nodes       *nodes.Service
	pods        *pods.Service
	workers     []service.Worker // started by Start, in this order
	log         *slog.Logger
	ctx         context.Context // the process's: jobs and workers run on it
	stop        context.CancelFunc
}

// Start opens the store on the persisted (or default) settings and starts every background part.
func Start(log *slog.Logger, version string) *Backend {
	started := time.Now()
	svc := service.New(log, service.OpenStore(log), version)
	initial := settings.Default()
	if boot, err := service.DefaultBootstrap(); err != nil {
		log.Warn("no place to persist settings", "error", err)
	} else {
		if initial, err = boot.Load(); err != nil {
			log.Warn("persisted settings unusable; starting on the defaults", "error", err)
		}
		svc.PersistTo(boot)
	}
	if err := svc.Apply(context.Background(), initial); err != nil {
		log.Warn("initial settings applied with problems", "error", err)
	}
	b := Assemble(svc, log, started)
	for _, w := range b.workers {
		svc.Go(b.ctx, w)
	}
	return b
}

// Assemble builds every part around svc and wires them, starting nothing: Start runs the
// background workers; tests that serve the API in process use the parts as they are.
func Assemble(svc *service.Service, log *slog.Logger, started time.Time) *Backend {
	ctx, stop := context.WithCancel(context.Background())
	b := &Backend{Service: svc, log: log, ctx: ctx, stop: stop, Engine: newEngineFetcher(log), replays: savings.NewCache(savings.DefaultCacheEntries),
		nodes: nodes.NewService(log.With("part", "nodes"))}

	// With several backends, per-cluster background work follows the cluster's schedule lease:
	// while another backend holds it, that one publishes periodically (this one still publishes
	// its own writes), collects daily and sends denied notifications. Without a known holder (no
	// Kubernetes access, API unreachable) every backend does it; all of it is idempotent.
	leases := schedule.NewLeases(schedule.LeaseOptions{Log: log.With("part", "schedule-lease")})
	b.Notifier = notify.NewDispatcher(notify.Options{
		Channels: func() []settings.Channel { return svc.Settings().Notifications },
		Log:      log.With("part", "notify"),
	})

	// The control table is what gets published; every accepted write triggers a publish.
	b.Publisher = publish.NewWorker(publish.WorkerDeps{
		Desired: publish.SourceFunc(b.desiredPolicies), Parts: svc, Elsewhere: leases.HeldElsewhere,
		Log: log.With("part", "publish"),
	}, publish.Options{})

	// A collection job derives the control table when it stored new days; what derivation
	// wrote is published, and workloads seen for the first time are announced once.
	deriver := recommend.ClusterDeriver{Svc: svc, Log: log.With("part", "derive"), After: b.afterDerivation}
	b.Collections = jobs.NewManager(ctx, svc, deriver, collect.Options{Logger: log}, log)

	// Actions, resizes and schedule runs act the same way from the API and from the runner.
	runners := actionRunners{notifier: b.Notifier, publisher: publishVia(b.Publisher, 30*time.Second), log: log}
	runner := schedule.NewRunner(schedule.RunnerOptions{
		ID: leases.Identity(), Source: svc, Execute: scheduleExecutor{svc: svc, collector: b.Collections, runners: runners}.execute,
		Leader: leases, Notifier: b.Notifier, Log: log.With("part", "schedules"),
		// One process owns an embedded engine's data directory; a ClickHouse server is shared.
		OwnStore: func(s snapshot.Snapshot) bool { return s.Conn != nil && s.Conn.Mode() == store.ModeEmbedded },
	})
	b.ops = &operations{actionRunners: runners, leases: leases, lastColl: b.Collections, pubWorker: b.Publisher, wake: runner.Wake}
	b.pods = pods.NewService(pods.Options{Notifier: b.Notifier, Log: log.With("part", "pods")})

	b.workers = append(b.workers, b.Notifier, runner, b.Publisher)
	// A version stored just before a crash (or a refused audit insert) gets its audit entry; an
	// action's entry left pending by one is settled once it is older than any action takes.
	settle, err := audit.PendingSettleFrom(os.Getenv(audit.EnvPendingSettle))
	if err != nil {
		log.Warn("audit settle age", "error", err)
	}
	b.workers = append(b.workers, &audit.Reconciler{Source: svc, Log: log.With("part", "audit-reconcile"), Started: started,
		Passes: map[string]audit.Pass{"control_rows": control.AuditPass, "schedules": schedule.AuditPass,
			"settings": clustersettings.AuditPass, "actions": audit.PendingPassAfter(settle)}},
		&jobs.Daily{Source: svc, Manager: b.Collections, Log: log, Holds: func(cluster string) bool { return !leases.HeldElsewhere(cluster) }},
		// The webhook's refusals (Events in each cluster) become "denied" notifications.
		&denialwatch.Worker{Source: svc, Notifier: b.Notifier, Log: log.With("part", "denial-watch"), Elsewhere: leases.HeldElsewhere})
	return b
}

// Deps are the parts the Grafana app instances serve from.
func (b *Backend) Deps() plugin.Deps {
	return plugin.Deps{
		Service: b.Service, Log: b.log, Operations: b.ops, Collections: b.Collections,
		Published: control.PublishedFunc(b.Publisher.Trigger), Notifier: b.Notifier,
		Replays: b.replays, Engine: b.Engine, Nodes: b.nodes, Pods: b.pods,
		MissingNamespaces: b.Publisher.MissingNamespaces,
	}
}

// InstanceFactory builds Grafana app instances that serve the API from these parts.
func (b *Backend) InstanceFactory() (app.InstanceFactoryFunc, error) {
	return plugin.NewFactory(b.Deps())
}

// newEngineFetcher fetches the pinned engine package (or the same bytes from $KUBEDOOR_ENGINE_URL)
// with the default client, which honours the environment's proxy; the fetcher abandons a download
// that stops sending.
func newEngineFetcher(log *slog.Logger) *engine.Fetcher {
	pkg := engine.PinnedOrMirror()
	return engine.NewFetcher(engine.Options{Package: &pkg, Log: log.With("part", "engine-fetch")})
}

// Stop ends the background work and closes the store.
func (b *Backend) Stop() {
	b.stop()
	if err := b.Service.Close(); err != nil {
		b.log.Warn("closing the store", "error", err)
	}
}

// desiredPolicies is the publisher's source: the cluster's current control rows. A store
// error is returned (never an empty list), so a failing store never unpublishes anything.
func (b *Backend) desiredPolicies(ctx context.Context, cluster string) ([]publish.Policy, error) {
	snap, err := b.Service.Snapshot()
	if err != nil {
		return nil, err
	}
	pols, err := control.New(snap.Conn, b.log).Policies(ctx, cluster)
	if err != nil {
		return nil, fmt.Errorf("reading the control table of %s: %w", cluster, err)
	}
	out := make([]publish.Policy, len(pols))
	for i, p := range pols {
		out[i] = publish.Policy{Namespace: p.Namespace, Name: p.Name, Spec: p.Spec}
	}
	return out, nil
}

func (b *Backend) afterDerivation(ctx context.Context, rep recommend.Report) {
	b.Publisher.Trigger(rep.Cluster)
	if len(rep.New) > 0 {
		names := make([]string, len(rep.New))
		for i, k := range rep.New {
			names[i] = k.Target()
		}
		b.Notifier.Notify(ctx, notify.Event{
			Kind: notify.EventNewWorkload, Cluster: rep.Cluster,
			Title: fmt.Sprintf("%d new workload(s) added to the control table of %s", len(rep.New), rep.Cluster),
			Text:  strings.Join(names, "\n"),
			At:    time.Now(),
		})
	}
	// Pay the dashboards' rollup rebuild now rather than on the first dashboard view.
	snap, err := b.Service.Snapshot()
	if err != nil {
		return
	}
	now := time.Now().UTC()
	if err := peaks.RefreshRollups(ctx, snap.Conn, rep.Cluster, peaks.Range{From: now.AddDate(0, 0, -35), To: now}); err != nil {
		b.log.Warn("refreshing dashboard rollups", "cluster", rep.Cluster, "error", err)
	}
	// And the recommendations' replay of the default window, the page's first read otherwise.
	if err := b.warmRecommendations(ctx, snap, rep.Cluster, now); err != nil {
		b.log.Warn("warming the recommendations", "cluster", rep.Cluster, "error", err)
	}
}

func (b *Backend) warmRecommendations(ctx context.Context, snap snapshot.Snapshot, cluster string, now time.Time) error {
	c, ok := snap.App.Cluster(cluster)
	if !ok {
		return nil // removed meanwhile
	}
	cs, err := clustersettings.NewStore(snap.Conn).Get(ctx, c.Name, c.TimeZone)
	if err != nil {
		return fmt.Errorf("reading the cluster's settings: %w", err)
	}
	loc, err := cs.Location()
	if err != nil {
		loc = time.UTC // as the route reads it
	}
	return savings.New(snap.Conn, control.New(snap.Conn, b.log), b.replays).Warm(ctx, cluster, loc, now)
}
