package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"k8s.io/client-go/dynamic"

	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
)

// Worker publishes every cluster with Kubernetes access: at start, whenever settings change,
// every PublishIntervalSeconds (so kubectl edits and deletions heal) and on Trigger (after an
// accepted control-table write). At most one reconcile per cluster runs at a time; triggers
// that arrive meanwhile are coalesced into one more run. Clusters reconcile independently, so
// a slow cluster never delays another.
type Worker struct {
	src       Source
	env       env
	elsewhere func(cluster string) bool
	log       *slog.Logger
	opts      Options
	timeout   time.Duration

	mu      sync.Mutex
	pending map[string]string // cluster → why it must be reconciled
	status  map[string]Status
	absent  map[absentKey]*absence // namespaces found missing, see absent.go
	poke    chan struct{}          // capacity 1: "pending changed"
}

// Status is the outcome of a cluster's last reconcile.
type Status struct {
	At      time.Time `json:"at"`
	Trigger string    `json:"trigger"`
	Result  Result    `json:"result"`
	Error   string    `json:"error,omitempty"`
	// Runs and Errors count reconciles and whole-cluster errors since the process started.
	Runs   uint64 `json:"runs"`
	Errors uint64 `json:"errors"`
}

// Parts gives the settings and clients in force and says when settings change (pkg/service's
// Service).
type Parts interface {
	Snapshot() (snapshot.Snapshot, error)
	Settings() settings.App
	Changed() <-chan struct{}
}

// WorkerDeps are what a Worker works with.
type WorkerDeps struct {
	Desired Source // what each cluster should have
	Parts   Parts  // required by Run
	// Elsewhere, when set, reports that another backend holds cluster's schedule lease; that
	// one runs the start, periodic and settings reconciles, so N backends do not each list
	// every policy of every cluster. Triggers (this backend's own writes) always publish here.
	Elsewhere func(cluster string) bool
	Log       *slog.Logger
}

// NewWorker returns a worker publishing what d.Desired desires. opts tune each cluster's
// Publisher.
func NewWorker(d WorkerDeps, opts Options) *Worker {
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	opts.Logger = log
	var e env
	if d.Parts != nil {
		e = partsEnv{d.Parts}
	}
	return &Worker{
		src: d.Desired, env: e, elsewhere: d.Elsewhere, log: log, opts: opts.withDefaults(), timeout: 15 * time.Minute,
		pending: map[string]string{}, status: map[string]Status{}, absent: map[absentKey]*absence{}, poke: make(chan struct{}, 1),
	}
}

// Name names the worker in the process's logs.
func (w *Worker) Name() string { return "publish" }

// Trigger asks for a reconcile of cluster soon. It never blocks; call it after every accepted
// control-table write of that cluster.
func (w *Worker) Trigger(cluster string) { w.enqueue(cluster, "trigger") }

// Status returns the last reconcile of cluster.
func (w *Worker) Status(cluster string) (Status, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ok := w.status[cluster]
	return s, ok
}

func (w *Worker) enqueue(cluster, why string) {
	w.mu.Lock()
	if _, ok := w.pending[cluster]; !ok {
		w.pending[cluster] = why
	}
	w.mu.Unlock()
	select {
	case w.poke <- struct{}{}:
	default: // a poke is already waiting
	}
}

// Run publishes until ctx ends (pkg/service runs it and restarts it after a failure).
func (w *Worker) Run(ctx context.Context) error {
	if w.env == nil {
		return errors.New("publish worker built without Parts")
	}
	return w.run(ctx, w.env)
}

// env is what the worker needs from the process: the clusters and interval in force, a client
// per cluster, and a signal when settings change.
type env interface {
	settings() settings.App
	changed() <-chan struct{}
	// client returns the cluster's dynamic client, or ErrNoAccess-wrapped errors.
	client(cluster string) (dynamic.Interface, error)
}

var errNoAccess = errors.New("no Kubernetes access configured")

type partsEnv struct{ p Parts }

func (s partsEnv) settings() settings.App   { return s.p.Settings() }
func (s partsEnv) changed() <-chan struct{} { return s.p.Changed() }
func (s partsEnv) client(cluster string) (dynamic.Interface, error) {
	snap, err := s.p.Snapshot()
	if err != nil {
		return nil, err // the control table lives in the store: nothing to publish without it
	}
	c, ok := snap.App.Cluster(cluster)
	if !ok {
		return nil, fmt.Errorf("cluster %s is not configured", cluster)
	}
	if c.KubeAccess == "" {
		return nil, fmt.Errorf("cluster %s: %w", cluster, errNoAccess)
	}
	kc, err := snap.Kube.For(c)
	if err != nil {
		return nil, err
	}
	return kc.Dynamic, nil
}

func (w *Worker) run(ctx context.Context, e env) error {
	w.enqueueAll(e.settings(), "start")
	changed := e.changed()
	timer := time.NewTimer(interval(e.settings()))
	defer timer.Stop()
	running := map[string]bool{}
	done := make(chan string)
	for {
		w.dispatch(ctx, e, running, done)
		select {
		case <-ctx.Done():
			return nil
		case <-w.poke:
		case c := <-done:
			delete(running, c)
		case <-timer.C:
			w.enqueueAll(e.settings(), "periodic")
			timer.Reset(interval(e.settings()))
		case <-changed:
			changed = e.changed()
			w.enqueueAll(e.settings(), "settings changed")
			timer.Reset(interval(e.settings()))
		}
	}
}

func interval(app settings.App) time.Duration {
	s := app.PublishIntervalSeconds
	if s <= 0 {
		s = settings.DefaultPublishIntervalSeconds
	}
	return time.Duration(s) * time.Second
}

// enqueueAll queues every cluster that has Kubernetes access and no other backend holds; the
// others hold peak data only, or are published by the backend holding them.
func (w *Worker) enqueueAll(app settings.App, why string) {
	for _, c := range app.Clusters {
		if c.KubeAccess == "" {
			continue
		}
		if w.elsewhere != nil && w.elsewhere(c.Name) {
			w.log.Debug("cluster reconciled by the backend holding it", "cluster", c.Name, "trigger", why)
			continue
		}
		w.enqueue(c.Name, why)
	}
}

// dispatch starts a reconcile for each pending cluster that is not already being reconciled;
// the others stay pending until their run finishes.
func (w *Worker) dispatch(ctx context.Context, e env, running map[string]bool, done chan<- string) {
	w.mu.Lock()
	var start []string
	for c := range w.pending {
		if !running[c] {
			start = append(start, c)
		}
	}
	sort.Strings(start)
	whys := make([]string, len(start))
	for i, c := range start {
		whys[i] = w.pending[c]
		delete(w.pending, c)
	}
	w.mu.Unlock()
	for i, c := range start {
		running[c] = true
		go func(cluster, why string) {
			w.reconcile(ctx, e, cluster, why)
			select {
			case done <- cluster:
			case <-ctx.Done():
			}
		}(c, whys[i])
	}
}

// reconcile publishes one cluster and records the outcome. Errors are logged with their reason
// and never stop the worker: the next trigger or period tries again.
func (w *Worker) reconcile(ctx context.Context, e env, cluster, why string) {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	st := Status{At: time.Now().UTC(), Trigger: why}
	res, err := w.publish(ctx, e, cluster, why)
	if errors.Is(err, errNoAccess) {
		w.log.Debug("cluster not published: no Kubernetes access", "cluster", cluster, "trigger", why)
		return
	}
	st.Result = res
	w.mu.Lock()
	prev := w.status[cluster]
	st.Runs, st.Errors = prev.Runs+1, prev.Errors
	if err != nil {
		st.Error = err.Error()
		st.Errors++
	}
	w.status[cluster] = st
	w.mu.Unlock()
	if err != nil {
		w.log.Error("cluster not published; nothing was changed", "cluster", cluster, "trigger", why, "reason", err)
		return
	}
	res.log(w.log, why)
}

func (w *Worker) publish(ctx context.Context, e env, cluster, why string) (Result, error) {
	client, err := e.client(cluster)
	if err != nil {
		return Result{Cluster: cluster}, err
	}
	desired, err := w.src.Desired(ctx, cluster)
	if err != nil {
		return Result{Cluster: cluster}, fmt.Errorf("reading the desired policies of cluster %s: %w", cluster, err)
	}
	now := w.opts.Now()
	try, held := w.holdBack(cluster, why, desired, now)
	keep := make(map[string]bool, len(held)) // still wanted: never deleted while held back
	for _, f := range held {
		keep[f.Namespace+"/"+f.Name] = true
	}
	res, err := New(client, cluster, w.opts).reconcile(ctx, try, keep)
	if err != nil {
		return res, err
	}
	w.noteAbsent(cluster, desired, try, res, now)
	res.Failed += len(held)
	res.Failures = append(res.Failures, held...)
	return res, nil
}
