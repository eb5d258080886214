// Package denialwatch turns the webhook's refusals into "denied" notifications. The webhook
// cannot reach the backend (it only talks to its own API server), so it records a Warning Event
// with reason KubeDoorDenied on the Deployment; this package watches those Events in every
// cluster the backend has Kubernetes access to and notifies each new one, and each repeat the
// API server aggregated into an existing Event (its count grew). The notifier's rate limit per
// Deployment turns a retry loop into one message and a count.
package denialwatch

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
)

// Notifier receives the denied events (notify.Dispatcher implements it).
type Notifier interface {
	Notify(ctx context.Context, e notify.Event)
}

// Source gives the parts in force and says when settings change (pkg/service's Service).
type Source interface {
	Snapshot() (snapshot.Snapshot, error)
	Changed() <-chan struct{}
}

// synced, when set (by tests), is called once a cluster's watch has listed what exists.
var synced func(cluster string)

// SyncTimeout bounds the first list of a cluster's denial Events.
var SyncTimeout = 30 * time.Second

// Watch notifies every denial Event recorded in cluster from now until ctx ends. Events that
// exist when it starts were notified by whoever watched then, and are skipped.
func Watch(ctx context.Context, cluster string, cs kubernetes.Interface, n Notifier, log *slog.Logger) error {
	f := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.FieldSelector = "reason=" + v1alpha1.EventReasonDenied
	}))
	inf := f.Core().V1().Events().Informer()
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerDetailedFuncs{
		AddFunc: func(obj any, initial bool) {
			if e, ok := obj.(*corev1.Event); ok && !initial {
				n.Notify(ctx, Event(cluster, e))
			}
		},
		UpdateFunc: func(oldObj, newObj any) {
			old, ok1 := oldObj.(*corev1.Event)
			cur, ok2 := newObj.(*corev1.Event)
			if ok1 && ok2 && cur.Count > old.Count {
				n.Notify(ctx, Event(cluster, cur))
			}
		},
	})
	if err != nil {
		return fmt.Errorf("cluster %s: watching denial events: %w", cluster, err)
	}
	// The informers stop with stop; Shutdown (deferred first, so it runs last) waits for them.
	stop, cancel := context.WithCancel(ctx)
	defer f.Shutdown()
	defer cancel()
	f.Start(stop.Done())
	syncCtx, syncCancel := context.WithTimeout(ctx, SyncTimeout)
	defer syncCancel()
	if !cache.WaitForCacheSync(syncCtx.Done(), inf.HasSynced) {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("cluster %s: denial events not listed within %s (does the backend's ClusterRole allow list/watch of events?)", cluster, SyncTimeout)
	}
	log.Debug("watching denial events", "cluster", cluster)
	if synced != nil {
		synced(cluster)
	}
	<-ctx.Done()
	return nil
}

// Event is the notification of one denial Event.
func Event(cluster string, e *corev1.Event) notify.Event {
	target := e.InvolvedObject.Namespace + "/" + e.InvolvedObject.Name
	at := e.LastTimestamp.Time
	if at.IsZero() {
		at = e.EventTime.Time
	}
	fields := []notify.Field{
		{Name: "Cluster", Value: cluster},
		{Name: "Namespace", Value: e.InvolvedObject.Namespace},
		{Name: "Deployment", Value: e.InvolvedObject.Name},
	}
	if e.Count > 1 {
		fields = append(fields, notify.Field{Name: "Refusals", Value: fmt.Sprint(e.Count)})
	}
	return notify.Event{
		Kind: notify.EventDenied, Cluster: cluster, Key: target,
		Title: "Change refused: " + target, Text: e.Message, Fields: fields, At: at,
	}
}

// Worker runs Watch for every cluster with Kubernetes access, restarting all watches when the
// settings change (a cluster added, removed or given new credentials).
type Worker struct {
	Source   Source
	Notifier Notifier
	Log      *slog.Logger
	// Elsewhere reports whether another backend holds cluster's schedule lease; that one sends
	// the cluster's denied notifications, so several backends do not each send them. Nil: this
	// backend sends every cluster's.
	Elsewhere func(cluster string) bool
	// Retry is the pause before a failed watch starts again (default 30s).
	Retry time.Duration
}

// Name names the worker in the process's logs.
func (w *Worker) Name() string { return "denial-watch" }

// Run watches until ctx ends (pkg/service runs it and restarts it after a failure).
func (w *Worker) Run(ctx context.Context) error {
	if w.Retry <= 0 {
		w.Retry = 30 * time.Second
	}
	for {
		changed := w.Source.Changed()
		wctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for cluster, cs := range w.clients() {
			wg.Go(func() { w.watchLoop(wctx, cluster, cs) })
		}
		select {
		case <-ctx.Done():
		case <-changed:
		}
		cancel()
		wg.Wait()
		if ctx.Err() != nil {
			return nil
		}
	}
}

// clients returns a client per cluster that has Kubernetes access; the others are skipped.
func (w *Worker) clients() map[string]kubernetes.Interface {
	out := map[string]kubernetes.Interface{}
	snap, err := w.Source.Snapshot()
	if err != nil || snap.Kube == nil {
		return out // settings not applied yet: the next change restarts us
	}
	for _, c := range snap.App.Clusters {
		if c.KubeAccess == "" {
			continue
		}
		kc, err := snap.Kube.For(c)
		if err != nil {
			w.Log.Warn("denial events not watched", "cluster", c.Name, "error", err)
			continue
		}
		out[c.Name] = kc.Kubernetes
	}
	return out
}

func (w *Worker) watchLoop(ctx context.Context, cluster string, cs kubernetes.Interface) {
	n := w.Notifier
	if w.Elsewhere != nil {
		n = leaderOnly{n: w.Notifier, elsewhere: w.Elsewhere}
	}
	for ctx.Err() == nil {
		if err := Watch(ctx, cluster, cs, n, w.Log); err != nil && ctx.Err() == nil {
			w.Log.Warn("denial events not watched; retrying", "cluster", cluster, "error", err, "retryIn", w.Retry)
		}
		select {
		case <-ctx.Done():
		case <-time.After(w.Retry):
		}
	}
}

// leaderOnly drops the notifications of clusters another backend holds.
type leaderOnly struct {
	n         Notifier
	elsewhere func(cluster string) bool
}

func (l leaderOnly) Notify(ctx context.Context, e notify.Event) {
	if !l.elsewhere(e.Cluster) {
		l.n.Notify(ctx, e)
	}
}
