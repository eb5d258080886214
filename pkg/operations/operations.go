// Package operations wires the process-wide parts of operations — notification delivery, the
// schedule runner and its leases — to the service, and builds per-snapshot action runners, so
// the API handlers and the schedule runner act the same way. The parts other areas own
// (control table, publisher, collector, collection jobs) come in through Deps.
package operations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/clusterhealth"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/resize"
	"github.com/kubedoor/kubedoor-grafana/pkg/schedule"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Deps are the other areas' parts; a nil one makes what needs it fail with a clear message.
type Deps struct {
	// Manual records manual replicas; nil uses the control table on the snapshot's store.
	Manual actions.ManualReplicas
	// Publisher publishes a cluster's policies after a manual-replicas write; nil: not published
	// until the publisher's own reconcile (logged).
	Publisher actions.Publisher
	// Collector runs collect schedules; nil: collect runs fail saying collection is unavailable.
	Collector schedule.Collector
	// LastCollection fills health's lastCollection; nil: null.
	LastCollection clusterhealth.LastCollection
	// LastPublish fills health's lastPublish (ok=false: null); nil: always null.
	LastPublish func(cluster string) (any, bool)
}

// Options configure Operations.
type Options struct {
	Deps
	// Leases say which backend runs each cluster's schedules; built by the caller, since the
	// publisher and the other workers built before Operations follow them too [default leases].
	Leases *schedule.Leases
	Log    *slog.Logger
}

// Operations is created once per process.
type Operations struct {
	svc      *service.Service
	deps     Deps
	log      *slog.Logger
	Notifier *notify.Dispatcher
	Runner   *schedule.Runner
	Leases   *schedule.Leases
}

// New builds the parts; Start runs them.
func New(svc *service.Service, o Options) *Operations {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	ops := &Operations{svc: svc, deps: o.Deps, log: o.Log}
	ops.Notifier = notify.NewDispatcher(notify.Options{
		Channels: func() []settings.Channel { return svc.Settings().Notifications },
		Log:      o.Log.With("part", "notify"),
	})
	ops.Leases = o.Leases
	if ops.Leases == nil {
		ops.Leases = schedule.NewLeases(schedule.LeaseOptions{Log: o.Log.With("part", "schedule-lease")})
	}
	ops.Runner = schedule.NewRunner(schedule.RunnerOptions{
		ID: ops.Leases.Identity(), Source: svc, Execute: ops.execute, Leader: ops.Leases, Notifier: ops.Notifier,
		Log: o.Log.With("part", "schedules"),
		// One process owns an embedded engine's data directory; a ClickHouse server is shared.
		OwnStore: func(s snapshot.Snapshot) bool { return s.Conn != nil && s.Conn.Mode() == store.ModeEmbedded },
	})
	return ops
}

// Start runs notification delivery and the schedule runner until ctx ends.
func (o *Operations) Start(ctx context.Context) {
	o.svc.Go(ctx, o.Notifier)
	o.svc.Go(ctx, o.Runner)
}

// KubeFor returns a function giving each cluster's client from snap's settings.
func KubeFor(snap service.Snapshot) func(cluster string) (kubernetes.Interface, error) {
	return func(cluster string) (kubernetes.Interface, error) {
		c, ok := snap.App.Cluster(cluster)
		if !ok {
			return nil, fmt.Errorf("no cluster named %q in the settings", cluster)
		}
		if snap.Kube == nil {
			return nil, errors.New("no Kubernetes clients")
		}
		kc, err := snap.Kube.For(c)
		if err != nil {
			return nil, err
		}
		return kc.Kubernetes, nil
	}
}

// Actions returns an action runner on snap.
func (o *Operations) Actions(snap service.Snapshot) *actions.Runner {
	manual := o.deps.Manual
	if manual == nil {
		manual = controlManual{conn: snap.Conn, log: o.log.With("part", "actions")}
	}
	return actions.New(actions.Deps{
		Kube: KubeFor(snap), Manual: manual, Publisher: o.deps.Publisher, Audit: audit.New(snap.Conn),
		Notifier: o.Notifier, Log: o.log.With("part", "actions"),
	})
}

// Resizer returns an in-place resize runner on snap: the control table and peaks of its store,
// its clusters' clients, and each cluster's protected namespaces (kube-system and KubeDoor's own).
func (o *Operations) Resizer(snap service.Snapshot) *resize.Runner {
	return resize.New(resize.Deps{
		Kube: KubeFor(snap), Rows: control.New(snap.Conn, o.log.With("part", "resize")), Peaks: resize.StoredPeaks{Conn: snap.Conn},
		Audit: audit.New(snap.Conn), Notifier: o.Notifier, Log: o.log.With("part", "resize"),
		Restart: func(ctx context.Context, w actions.Workload, by actions.Actor) actions.Result {
			return o.Actions(snap).Restart(ctx, actions.RestartRequest{Items: []actions.Workload{w}}, by)[0]
		},
		Protected: func(cluster, namespace string) bool {
			if namespace == "kube-system" {
				return true
			}
			c, ok := snap.App.Cluster(cluster)
			if !ok {
				return false
			}
			own := c.KubedoorNamespace
			if own == "" {
				own = settings.DefaultKubedoorNamespace
			}
			return namespace == own
		},
	})
}

// Schedules returns the schedule manager on snap's store.
func (o *Operations) Schedules(snap service.Snapshot) *schedule.Manager {
	return &schedule.Manager{Store: schedule.NewStore(snap.Conn), Wake: o.Runner.Wake}
}

// Health checks cluster; ok=false when no such cluster is configured.
func (o *Operations) Health(ctx context.Context, snap service.Snapshot, cluster string) (clusterhealth.Health, bool) {
	c, ok := snap.App.Cluster(cluster)
	if !ok {
		return clusterhealth.Health{}, false
	}
	t := clusterhealth.Target{Cluster: cluster, Prom: snap.Prometheus[cluster]}
	if t.Prom == nil {
		t.PromErr = fmt.Errorf("no Prometheus client for %s (its settings did not validate)", cluster)
	}
	if snap.Kube != nil {
		if kc, err := snap.Kube.For(c); err != nil {
			t.KubeErr = err
		} else {
			t.Kube = kc.Kubernetes
		}
	}
	h := clusterhealth.Check(ctx, t, o.deps.LastCollection)
	if o.deps.LastPublish != nil {
		if st, ok := o.deps.LastPublish(cluster); ok {
			h.LastPublish = st
		}
	}
	if o.Leases != nil {
		h.Schedules = o.Leases.Status(cluster)
	}
	return h, true
}

// execute runs one schedule run with the parts in force now.
func (o *Operations) execute(ctx context.Context, sc schedule.Schedule, by actions.Actor) ([]actions.Result, error) {
	snap, err := o.svc.Snapshot()
	if err != nil {
		return nil, err
	}
	interval := min(actions.MaxInterval, secs(sc.IntervalSeconds)) // validated 0..MaxInterval on write
	switch sc.Action {
	case schedule.ActionCollect:
		if o.deps.Collector == nil {
			return nil, errors.New("collection is not available in this backend (no collector wired)")
		}
		if err := o.deps.Collector.Collect(ctx, sc.Cluster, sc.Days); err != nil {
			return nil, fmt.Errorf("collecting %d day(s) of %s: %w", sc.Days, sc.Cluster, err)
		}
		return []actions.Result{}, nil
	case schedule.ActionScale:
		req := actions.ScaleRequest{Temporary: sc.Temporary, Interval: interval}
		for _, it := range sc.Items {
			if it.Replicas == nil {
				return nil, fmt.Errorf("item %s has no replicas", it.Ref().Target())
			}
			req.Items = append(req.Items, actions.ScaleItem{Workload: actions.Workload{Cluster: sc.Cluster, Namespace: it.Namespace, Kind: it.Kind, Name: it.Workload}, Replicas: *it.Replicas})
		}
		return o.Actions(snap).Scale(ctx, req, by), nil
	case schedule.ActionRestart:
		req := actions.RestartRequest{Interval: interval}
		for _, it := range sc.Items {
			req.Items = append(req.Items, actions.Workload{Cluster: sc.Cluster, Namespace: it.Namespace, Kind: it.Kind, Name: it.Workload})
		}
		return o.Actions(snap).Restart(ctx, req, by), nil
	case schedule.ActionResize:
		req := resize.Request{Pause: interval}
		for _, it := range sc.Items {
			req.Items = append(req.Items, actions.Workload{Cluster: sc.Cluster, Namespace: it.Namespace, Kind: it.Kind, Name: it.Workload})
		}
		return o.Resizer(snap).Resize(ctx, req, by), nil
	}
	return nil, fmt.Errorf("unknown action %q", sc.Action)
}

func secs(n int) time.Duration { return time.Duration(n) * time.Second }
