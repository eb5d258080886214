package cache

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	toolscache "k8s.io/client-go/tools/cache"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// replicaSets caches ReplicaSets (identity and controller only) in the namespaces whose
// enforcement target is pods, one informer each, started when a namespace gets the target and
// stopped when it loses it. ReplicaSets outnumber workloads (every Deployment keeps its rollout
// history), and only a Pod review in such a namespace reads them: a cluster-wide cache cost
// ~0.75 KiB per ReplicaSet in every cluster (BENCHMARKS.md), opted in or not.
type replicaSets struct {
	meta  metadata.Interface
	log   *slog.Logger
	touch func() // the kind's last-event clock

	mu   sync.Mutex
	ctx  context.Context // the cache's run context; nil before Start
	byNS map[string]*nsReplicaSets
}

type nsReplicaSets struct {
	inf    toolscache.SharedIndexInformer
	cancel context.CancelFunc
}

// start lets informers run under ctx and starts those wanted before it.
func (r *replicaSets) start(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ctx = ctx
	for ns, e := range r.byNS {
		r.run(ns, e)
	}
}

// follow starts or stops the namespace's informer as its labels say; the namespaces
// informer's handlers call it with the (stripped) namespace.
func (r *replicaSets) follow(obj any) {
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return
	}
	if m.Labels[v1alpha1.LabelControlTarget] == v1alpha1.ControlTargetPods {
		r.want(m.Name)
	} else {
		r.drop(m.Name)
	}
}

// forget stops the informer of a deleted namespace.
func (r *replicaSets) forget(obj any) {
	if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	if m, ok := obj.(*metav1.PartialObjectMetadata); ok {
		r.drop(m.Name)
	}
}

func (r *replicaSets) want(ns string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.byNS[ns]; ok {
		return
	}
	inf := metadatainformer.NewFilteredMetadataInformer(r.meta, replicaSetsGVR, ns, 0, toolscache.Indexers{}, nil).Informer()
	if err := r.setUp(ns, inf); err != nil {
		r.log.Error("replica set cache not started; pod reviews in the namespace are admitted unchanged", "namespace", ns, "error", err)
		return
	}
	e := &nsReplicaSets{inf: inf}
	r.byNS[ns] = e
	if r.ctx != nil {
		r.run(ns, e)
	}
}

func (r *replicaSets) setUp(ns string, inf toolscache.SharedIndexInformer) error {
	if err := inf.SetTransform(stripReplicaSet); err != nil {
		return fmt.Errorf("replicasets informer: %w", err)
	}
	touch := r.touch
	if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { touch() }, UpdateFunc: func(any, any) { touch() }, DeleteFunc: func(any) { touch() },
	}); err != nil {
		return fmt.Errorf("replicasets informer: %w", err)
	}
	return inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *toolscache.Reflector, err error) {
		r.log.Warn("cache watch failed; retrying", "kind", KindReplicaSets, "namespace", ns, "error", err)
	})
}

// run starts e's informer; r.mu is held.
func (r *replicaSets) run(ns string, e *nsReplicaSets) {
	ctx, cancel := context.WithCancel(r.ctx)
	e.cancel = cancel
	go e.inf.RunWithContext(ctx)
	r.log.Info("caching the replica sets of a namespace whose enforcement target is pods", "namespace", ns)
}

func (r *replicaSets) drop(ns string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.byNS[ns]
	if !ok {
		return
	}
	if e.cancel != nil {
		e.cancel()
	}
	delete(r.byNS, ns)
	r.log.Info("replica sets of a namespace no longer cached: its enforcement target is not pods", "namespace", ns)
}

// get is the cached ReplicaSet ns/name, if its namespace is followed and it is cached.
func (r *replicaSets) get(ns, name string) (*metav1.PartialObjectMetadata, bool) {
	r.mu.Lock()
	e, ok := r.byNS[ns]
	r.mu.Unlock()
	if !ok {
		return nil, false
	}
	obj, ok, _ := e.inf.GetStore().GetByKey(ns + "/" + name)
	if !ok {
		return nil, false
	}
	m, ok := obj.(*metav1.PartialObjectMetadata)
	return m, ok
}

// size is the number of cached ReplicaSets, over all followed namespaces.
func (r *replicaSets) size() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.byNS {
		n += len(e.inf.GetStore().ListKeys())
	}
	return n
}
