// Package cache keeps, in memory, everything the webhook decides from: CapacityPolicies,
// Namespaces (control label, unknown-workload annotations), Deployments and StatefulSets (the
// scale-temp annotation a Scale review lacks) and HorizontalPodAutoscalers (which workloads they
// target), and ReplicaSets' controller owner (the ReplicaSet → Deployment link of a Pod review in
// a namespace whose enforcement target is pods). DaemonSets are not cached: they have no scale
// subresource, so every DaemonSet review carries the whole object and a DaemonSet's Pod names its
// owner directly; the webhook needs no permission to read DaemonSets.
// client-go informers fill it; lookups never leave the process.
//
// Each informer strips what it stores to the fields decisions read, so 10,000 policies and
// workloads fit in a small webhook pod; workloads come through metadata-only informers.
package cache

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	autoscalinginformers "k8s.io/client-go/informers/autoscaling/v2"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// Kinds of cached objects, as metric label values.
const (
	KindPolicies     = "capacitypolicies"
	KindNamespaces   = "namespaces"
	KindDeployments  = "deployments"
	KindStatefulSets = "statefulsets"
	KindHPAs         = "horizontalpodautoscalers"
	KindReplicaSets  = "replicasets"
)

// Kinds lists every cached kind, in a stable order.
var Kinds = []string{KindPolicies, KindNamespaces, KindDeployments, KindStatefulSets, KindHPAs, KindReplicaSets}

var (
	namespacesGVR   = corev1.SchemeGroupVersion.WithResource("namespaces")
	deploymentsGVR  = appsv1.SchemeGroupVersion.WithResource("deployments")
	statefulSetsGVR = appsv1.SchemeGroupVersion.WithResource("statefulsets")
	replicaSetsGVR  = appsv1.SchemeGroupVersion.WithResource("replicasets")
)

// hpaTargetIndex indexes HPAs by the "<namespace>/<Kind>/<name>" of the workload they scale.
const hpaTargetIndex = "workloadTarget"

// Namespace is what the webhook needs of a namespace.
type Namespace struct {
	Control string // kubedoor.io/control label value
	// Target is the kubedoor.io/control-target label value ("" when absent: the template).
	Target  string
	Unknown string // kubedoor.io/unknown-workloads annotation value
	// UnknownStatefulSets and UnknownDaemonSets are the per-kind overrides
	// (kubedoor.io/unknown-statefulsets, kubedoor.io/unknown-daemonsets); nil when absent.
	UnknownStatefulSets, UnknownDaemonSets *string
}

// UnknownFor is the namespace's unknown-workload mode for kind: its per-kind override when
// set, else Unknown.
func (n Namespace) UnknownFor(kind string) string {
	switch {
	case kind == v1alpha1.KindStatefulSet && n.UnknownStatefulSets != nil:
		return *n.UnknownStatefulSets
	case kind == v1alpha1.KindDaemonSet && n.UnknownDaemonSets != nil:
		return *n.UnknownDaemonSets
	}
	return n.Unknown
}

// Cache is the set of informers. Create it with New, then Start it.
type Cache struct {
	log       *slog.Logger
	informers map[string]toolscache.SharedIndexInformer
	// lastEvent holds, per kind, the Unix nanoseconds of the last add/update/delete seen.
	lastEvent map[string]*atomic.Int64
	started   time.Time
	synced    atomic.Bool
	rs        *replicaSets // per namespace whose target is pods
}

// New builds the informers from a REST config; nothing is contacted until Start.
func New(cfg *rest.Config, log *slog.Logger) (*Cache, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = "kubedoor-webhook"
	meta, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("metadata client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	typed, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return NewFromClients(meta, dyn, typed, log)
}

// NewFromClients builds the informers from existing clients.
func NewFromClients(meta metadata.Interface, dyn dynamic.Interface, typed kubernetes.Interface, log *slog.Logger) (*Cache, error) {
	// No namespace index: every lookup is by key, and an index costs an update on every watch
	// event and an entry per object (10,000 policies and 10,000 workloads).
	none := toolscache.Indexers{}
	c := &Cache{
		log: log,
		informers: map[string]toolscache.SharedIndexInformer{
			KindNamespaces:   metadatainformer.NewFilteredMetadataInformer(meta, namespacesGVR, "", 0, none, nil).Informer(),
			KindDeployments:  metadatainformer.NewFilteredMetadataInformer(meta, deploymentsGVR, "", 0, none, nil).Informer(),
			KindStatefulSets: metadatainformer.NewFilteredMetadataInformer(meta, statefulSetsGVR, "", 0, none, nil).Informer(),
			KindPolicies:     dynamicinformer.NewFilteredDynamicInformer(dyn, v1alpha1.GroupVersionResource, "", 0, none, nil).Informer(),
			KindHPAs: autoscalinginformers.NewHorizontalPodAutoscalerInformer(typed, "", 0,
				toolscache.Indexers{hpaTargetIndex: hpaTargets}),
		},
		lastEvent: map[string]*atomic.Int64{},
	}
	transforms := map[string]toolscache.TransformFunc{
		KindNamespaces: stripNamespace, KindDeployments: stripWorkload, KindStatefulSets: stripWorkload, KindPolicies: c.toPolicy, KindHPAs: stripHPA,
	}
	rsLast := &atomic.Int64{}
	c.lastEvent[KindReplicaSets] = rsLast
	c.rs = &replicaSets{meta: meta, log: log, touch: func() { rsLast.Store(time.Now().UnixNano()) }, byNS: map[string]*nsReplicaSets{}}
	if _, err := c.informers[KindNamespaces].AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc: c.rs.follow, UpdateFunc: func(_, obj any) { c.rs.follow(obj) }, DeleteFunc: c.rs.forget,
	}); err != nil {
		return nil, fmt.Errorf("namespaces informer: %w", err)
	}
	for kind, inf := range c.informers {
		if err := inf.SetTransform(transforms[kind]); err != nil {
			return nil, fmt.Errorf("%s informer: %w", kind, err)
		}
		last := &atomic.Int64{}
		c.lastEvent[kind] = last
		touch := func() { last.Store(time.Now().UnixNano()) }
		if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { touch() },
			UpdateFunc: func(any, any) { touch() },
			DeleteFunc: func(any) { touch() },
		}); err != nil {
			return nil, fmt.Errorf("%s informer: %w", kind, err)
		}
		k := kind
		if err := inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *toolscache.Reflector, err error) {
			// A missing CRD or a lost permission shows here; the cache keeps its last state.
			log.Warn("cache watch failed; retrying", "kind", k, "error", err)
		}); err != nil {
			return nil, fmt.Errorf("%s informer: %w", kind, err)
		}
	}
	return c, nil
}

// Start runs the informers until ctx ends and marks the cache synced once all have listed.
func (c *Cache) Start(ctx context.Context) {
	c.started = time.Now()
	c.rs.start(ctx) // ReplicaSets follow the namespaces: not part of the first sync
	syncs := make([]toolscache.InformerSynced, 0, len(c.informers))
	for _, inf := range c.informers {
		go inf.RunWithContext(ctx)
		syncs = append(syncs, inf.HasSynced)
	}
	go func() {
		if !toolscache.WaitForCacheSync(ctx.Done(), syncs...) {
			return
		}
		c.synced.Store(true)
		c.log.Info("caches synced", "after", time.Since(c.started).Round(time.Millisecond).String(), "sizes", c.Sizes())
	}()
}

// Synced reports whether every informer has completed its first list; /readyz follows it.
func (c *Cache) Synced() bool { return c.synced.Load() }

// Sizes reports the number of cached objects per kind.
func (c *Cache) Sizes() map[string]int {
	out := make(map[string]int, len(Kinds))
	for _, kind := range Kinds {
		out[kind] = c.size(kind)
	}
	return out
}

// size is the number of cached objects of kind.
func (c *Cache) size(kind string) int {
	if kind == KindReplicaSets {
		return c.rs.size()
	}
	return len(c.informers[kind].GetStore().ListKeys())
}

// LastEventAge is how long ago the kind's informer last saw a change (since Start if never).
func (c *Cache) LastEventAge(kind string) time.Duration {
	last := c.lastEvent[kind].Load()
	if last == 0 {
		return time.Since(c.started)
	}
	return time.Since(time.Unix(0, last))
}

// Namespace returns the namespace's enforcement settings; ok is false if it is not cached.
func (c *Cache) Namespace(name string) (Namespace, bool) {
	obj, ok, _ := c.informers[KindNamespaces].GetStore().GetByKey(name)
	if !ok {
		return Namespace{}, false
	}
	m := obj.(*metav1.PartialObjectMetadata)
	ns := Namespace{Control: m.Labels[v1alpha1.LabelControl], Target: m.Labels[v1alpha1.LabelControlTarget],
		Unknown: m.Annotations[v1alpha1.AnnotationUnknownWorkloads]}
	if v, ok := m.Annotations[v1alpha1.AnnotationUnknownStatefulSets]; ok {
		ns.UnknownStatefulSets = &v
	}
	if v, ok := m.Annotations[v1alpha1.AnnotationUnknownDaemonSets]; ok {
		ns.UnknownDaemonSets = &v
	}
	return ns, true
}

// Policy returns the CapacityPolicy named name (see v1alpha1.PolicyName), or nil. The object is
// shared: do not modify it.
func (c *Cache) Policy(namespace, name string) *v1alpha1.CapacityPolicy {
	obj, ok, _ := c.informers[KindPolicies].GetStore().GetByKey(namespace + "/" + name)
	if !ok {
		return nil
	}
	p, _ := obj.(*v1alpha1.CapacityPolicy)
	return p
}

// Deployment returns the cached Deployment (metadata only: name, namespace, the scale-temp
// annotation), or nil.
func (c *Cache) Deployment(namespace, name string) *appsv1.Deployment {
	return c.Workload(v1alpha1.KindDeployment, namespace, name)
}

// Workload returns the cached Deployment or StatefulSet's metadata (name, namespace, the
// scale-temp annotation) as the Deployment-shaped view decisions read, or nil (also for a kind
// that is not cached).
func (c *Cache) Workload(kind, namespace, name string) *appsv1.Deployment {
	informer := KindDeployments
	switch kind {
	case "", v1alpha1.KindDeployment:
	case v1alpha1.KindStatefulSet:
		informer = KindStatefulSets
	default:
		return nil
	}
	obj, ok, _ := c.informers[informer].GetStore().GetByKey(namespace + "/" + name)
	if !ok {
		return nil
	}
	m := obj.(*metav1.PartialObjectMetadata)
	return &appsv1.Deployment{ObjectMeta: m.ObjectMeta}
}

// HPAFor names a HorizontalPodAutoscaler that targets the workload kind/name, or "".
func (c *Cache) HPAFor(namespace, kind, name string) string {
	if kind == "" {
		kind = v1alpha1.KindDeployment
	}
	objs, err := c.informers[KindHPAs].GetIndexer().ByIndex(hpaTargetIndex, namespace+"/"+kind+"/"+name)
	if err != nil || len(objs) == 0 {
		return ""
	}
	return objs[0].(*autoscalingv2.HorizontalPodAutoscaler).Name
}

func hpaTargets(obj any) ([]string, error) {
	h, ok := obj.(*autoscalingv2.HorizontalPodAutoscaler)
	if !ok {
		return nil, nil
	}
	ref := h.Spec.ScaleTargetRef
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	scalable := ref.Kind == v1alpha1.KindDeployment || ref.Kind == v1alpha1.KindStatefulSet
	if !scalable || err != nil || (gv.Group != "apps" && ref.APIVersion != "") {
		return nil, nil
	}
	return []string{h.Namespace + "/" + ref.Kind + "/" + ref.Name}, nil
}

// ReplicaSetOwner is the controller of the cached ReplicaSet namespace/name: its kind and name
// ("" when it has none, e.g. a ReplicaSet created on its own); found is false when the
// ReplicaSet is not cached (also when its namespace's target is not pods).
func (c *Cache) ReplicaSetOwner(namespace, name string) (kind, owner string, found bool) {
	m, ok := c.rs.get(namespace, name)
	if !ok {
		return "", "", false
	}
	if ref := metav1.GetControllerOfNoCopy(m); ref != nil && groupOf(ref.APIVersion) == appsv1.GroupName {
		return ref.Kind, ref.Name, true
	}
	return "", "", true
}

// groupOf is the API group of an apiVersion ("apps/v1" → "apps", "v1" → "").
func groupOf(apiVersion string) string {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return ""
	}
	return gv.Group
}
