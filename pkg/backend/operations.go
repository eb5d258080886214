package backend

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
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
	"github.com/kubedoor/kubedoor-grafana/pkg/publish"
	"github.com/kubedoor/kubedoor-grafana/pkg/resize"
	"github.com/kubedoor/kubedoor-grafana/pkg/schedule"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

// actionRunners builds, on the parts in force (a snapshot), the action and resize runners the
// API routes and the schedule runner share, so both act the same way.
type actionRunners struct {
	notifier  *notify.Dispatcher
	publisher actions.Publisher // a manual-replicas write is published before the scale
	log       *slog.Logger
}

// operations is plugin.Operations: the action runners plus schedules, channel tests and health.
type operations struct {
	actionRunners
	leases    *schedule.Leases
	lastColl  clusterhealth.LastCollection
	pubWorker *publish.Worker // health's lastPublish
	wake      func()          // tells the schedule runner a schedule was written
}

// scheduleExecutor runs one schedule run with the parts in force then (schedule.Executor).
type scheduleExecutor struct {
	svc       *service.Service
	collector schedule.Collector
	runners   actionRunners
}

var _ plugin.Operations = (*operations)(nil)

// kubeFor returns a function giving each cluster's client from snap's settings.
func kubeFor(snap service.Snapshot) func(cluster string) (kubernetes.Interface, error) {
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
func (o actionRunners) Actions(snap service.Snapshot) *actions.Runner {
	return actions.New(actions.Deps{
		Kube: kubeFor(snap), Manual: controlManual{conn: snap.Conn, log: o.log.With("part", "actions")}, Publisher: o.publisher,
		Audit: audit.New(snap.Conn), Notifier: o.notifier, Log: o.log.With("part", "actions"),
	})
}

// Resizer returns an in-place resize runner on snap: the control table and peaks of its store,
// its clusters' clients, and each cluster's protected namespaces (kube-system and KubeDoor's own).
func (o actionRunners) Resizer(snap service.Snapshot) *resize.Runner {
	return resize.New(resize.Deps{
		Kube: kubeFor(snap), Rows: control.New(snap.Conn, o.log.With("part", "resize")), Peaks: resize.StoredPeaks{Conn: snap.Conn},
		Audit: audit.New(snap.Conn), Notifier: o.notifier, Log: o.log.With("part", "resize"),
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
func (o *operations) Schedules(snap service.Snapshot) *schedule.Manager {
	return &schedule.Manager{Store: schedule.NewStore(snap.Conn), Wake: o.wake}
}

// TestChannel sends a test message through notification channel id.
func (o *operations) TestChannel(ctx context.Context, id, by string) (notify.TestResult, error) {
	return o.notifier.Test(ctx, id, by)
}

// Health checks cluster; ok=false when no such cluster is configured.
func (o *operations) Health(ctx context.Context, snap service.Snapshot, cluster string) (clusterhealth.Health, bool) {
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
	h := clusterhealth.Check(ctx, t, o.lastColl)
	if st, ok := o.pubWorker.Status(cluster); ok {
		h.LastPublish = st
	}
	h.Schedules = o.leases.Status(cluster)
	return h, true
}

// execute runs one schedule run with the parts in force now.
func (e scheduleExecutor) execute(ctx context.Context, sc schedule.Schedule, by actions.Actor) ([]actions.Result, error) {
	snap, err := e.svc.Snapshot()
	if err != nil {
		return nil, err
	}
	interval := min(actions.MaxInterval, time.Duration(sc.IntervalSeconds)*time.Second) // validated 0..MaxInterval on write
	switch sc.Action {
	case schedule.ActionCollect:
		if err := e.collector.Collect(ctx, sc.Cluster, sc.Days); err != nil {
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
		return e.runners.Actions(snap).Scale(ctx, req, by), nil
	case schedule.ActionRestart:
		req := actions.RestartRequest{Interval: interval}
		for _, it := range sc.Items {
			req.Items = append(req.Items, actions.Workload{Cluster: sc.Cluster, Namespace: it.Namespace, Kind: it.Kind, Name: it.Workload})
		}
		return e.runners.Actions(snap).Restart(ctx, req, by), nil
	case schedule.ActionResize:
		req := resize.Request{Pause: interval}
		for _, it := range sc.Items {
			req.Items = append(req.Items, actions.Workload{Cluster: sc.Cluster, Namespace: it.Namespace, Kind: it.Kind, Name: it.Workload})
		}
		return e.runners.Resizer(snap).Resize(ctx, req, by), nil
	}
	return nil, fmt.Errorf("unknown action %q", sc.Action)
}
