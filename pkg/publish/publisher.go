// Package publish makes each cluster's CapacityPolicy objects match the control table: it
// creates missing policies, updates changed ones, deletes the ones it published that are no
// longer wanted, and records publishedAt/observedGeneration in their status. Only objects
// labelled app.kubernetes.io/managed-by=kubedoor are ever changed or deleted. A Worker runs the
// reconcile for every cluster periodically and on demand, so drift heals.
package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/pager"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// CRDFile is where the repository keeps the CapacityPolicy CRD, named in ErrCRDMissing.
const CRDFile = "webhook/deploy/crd/kubedoor.io_capacitypolicies.yaml"

// ErrCRDMissing means the cluster does not serve capacitypolicies.kubedoor.io.
var ErrCRDMissing = errors.New("the CapacityPolicy CRD (capacitypolicies.kubedoor.io) is not installed")

// Options tune a Publisher.
type Options struct {
	// Concurrency bounds the API writes in flight (default 8).
	Concurrency int
	// PageSize is the list page size (default 500).
	PageSize int64
	// MaxDeleteFraction and MinGuardedDeletes guard against mass deletion: a reconcile that would
	// delete at least MinGuardedDeletes policies and more than MaxDeleteFraction of the managed
	// ones deletes none of them and reports them held (see guardDeletes). Defaults 0.5 and 5;
	// a fraction ≥ 1 turns the guard off.
	MaxDeleteFraction float64
	MinGuardedDeletes int
	Logger            *slog.Logger
	Now               func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.PageSize <= 0 {
		o.PageSize = 500
	}
	if o.MaxDeleteFraction <= 0 {
		o.MaxDeleteFraction = DefaultMaxDeleteFraction
	}
	if o.MinGuardedDeletes <= 0 {
		o.MinGuardedDeletes = DefaultMinGuardedDeletes
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Publisher reconciles one cluster's CapacityPolicies. Safe for concurrent use, but concurrent
// reconciles of one cluster race each other; the Worker runs one at a time per cluster.
type Publisher struct {
	cluster string
	res     dynamic.NamespaceableResourceInterface
	opts    Options
}

// New returns a publisher for cluster through client.
func New(client dynamic.Interface, cluster string, opts Options) *Publisher {
	return &Publisher{cluster: cluster, res: client.Resource(v1alpha1.GroupVersionResource), opts: opts.withDefaults()}
}

// Reconcile makes the cluster's policies match desired and reports what it did. The error is
// for the cluster as a whole (the policies cannot be listed, the CRD is missing); a policy
// that cannot be written is a Failure in the result and does not stop the others.
func (p *Publisher) Reconcile(ctx context.Context, desired []Policy) (Result, error) {
	return p.reconcile(ctx, desired, nil)
}

// reconcile is Reconcile leaving the policies named in keep (namespace/name) as they are:
// wanted, so never deleted, but not written.
func (p *Publisher) reconcile(ctx context.Context, desired []Policy, keep map[string]bool) (Result, error) {
	start := p.opts.Now()
	res := Result{Cluster: p.cluster}
	existing, err := p.list(ctx)
	if err != nil {
		return res, err
	}
	plan := p.plan(desired, existing, keep, &res)
	p.execute(ctx, plan, &res)
	res.Took = p.opts.Now().Sub(start)
	res.TookMs = res.Took.Milliseconds()
	return res, nil
}

// list returns every CapacityPolicy in the cluster by "namespace/name", paging through large
// clusters (the pager falls back to a full list if a continue token expires).
func (p *Publisher) list(ctx context.Context) (map[string]*unstructured.Unstructured, error) {
	out := map[string]*unstructured.Unstructured{}
	pg := pager.New(func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return p.res.List(ctx, opts)
	})
	pg.PageSize = p.opts.PageSize
	err := pg.EachListItem(ctx, metav1.ListOptions{}, func(obj runtime.Object) error {
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return fmt.Errorf("unexpected list item %T", obj)
		}
		out[u.GetNamespace()+"/"+u.GetName()] = u
		return nil
	})
	switch {
	case err == nil:
		return out, nil
	case apierrors.IsNotFound(err):
		return nil, fmt.Errorf("cluster %s: %w: install it with `kubectl apply -f %s`", p.cluster, ErrCRDMissing, CRDFile)
	case apierrors.IsForbidden(err):
		return nil, fmt.Errorf("cluster %s: listing CapacityPolicies is forbidden for the backend's identity "+
			"(bind it to the ClusterRole in webhook/deploy/backend): %w", p.cluster, err)
	default:
		return nil, fmt.Errorf("cluster %s: listing CapacityPolicies: %w", p.cluster, err)
	}
}

// op is one planned change.
type op struct {
	kind     string // create | update | status | delete
	policy   Policy
	existing *unstructured.Unstructured
}

// plan compares desired with existing. Invalid or duplicated desired policies are failures
// and their existing objects are left as they are (never deleted on bad input); objects
// without the managed-by label are never touched.
func (p *Publisher) plan(desired []Policy, existing map[string]*unstructured.Unstructured, keep map[string]bool, res *Result) []op {
	var ops []op
	wanted := map[string]bool{} // keys the source asked for, valid or not
	for k := range keep {
		wanted[k] = true
	}
	counted := map[string]int{} // how often each key appears in desired
	for _, d := range desired {
		counted[d.Key()]++
	}
	for _, d := range desired {
		key := d.Key()
		if wanted[key] {
			continue // a duplicate: reported once below
		}
		wanted[key] = true
		if n := counted[key]; n > 1 {
			res.fail(d.Namespace, d.Name, "plan", fmt.Errorf("listed %d times in the desired state; left as it is", n))
			continue
		}
		if err := d.validate(); err != nil {
			res.fail(d.Namespace, d.Name, "plan", fmt.Errorf("invalid policy, left as it is: %w", err))
			continue
		}
		cur, ok := existing[key]
		switch {
		case !ok:
			ops = append(ops, op{kind: "create", policy: d})
		case !managed(cur):
			res.fail(d.Namespace, d.Name, "plan", fmt.Errorf("a CapacityPolicy without the label %s=%s exists; it is not ours to change "+
				"(delete it, or label it to let KubeDoor manage it)", v1alpha1.LabelManagedBy, v1alpha1.ManagedByValue))
		default:
			ops = append(ops, p.compare(d, cur, res)...)
		}
	}
	var deletes []op
	managedCount := 0
	for key, cur := range existing {
		if !managed(cur) {
			continue
		}
		managedCount++
		if !wanted[key] {
			deletes = append(deletes, op{kind: "delete", existing: cur})
		}
	}
	if reason := guardDeletes(len(deletes), managedCount, p.opts); reason != "" {
		res.Held, res.HeldReason = len(deletes), reason
		return ops
	}
	return append(ops, deletes...)
}

// compare plans the writes that bring one managed object to d.
func (p *Publisher) compare(d Policy, cur *unstructured.Unstructured, res *Result) []op {
	var have v1alpha1.CapacityPolicy
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(cur.UnstructuredContent(), &have); err != nil {
		// Something wrote a shape our types do not read; the update replaces the spec.
		p.opts.Logger.Warn("published policy unreadable; replacing its spec", "cluster", p.cluster, "policy", d.Key(), "error", err)
		return []op{{kind: "update", policy: d, existing: cur}}
	}
	if !sameSpec(have.Spec, d.Spec) {
		return []op{{kind: "update", policy: d, existing: cur}}
	}
	if have.Status.ObservedGeneration != have.Generation || have.Status.PublishedAt == nil {
		return []op{{kind: "status", policy: d, existing: cur}}
	}
	res.Unchanged++
	return nil
}

func managed(u *unstructured.Unstructured) bool {
	return u.GetLabels()[v1alpha1.LabelManagedBy] == v1alpha1.ManagedByValue
}

// execute runs the planned writes with bounded concurrency, recording each outcome.
func (p *Publisher) execute(ctx context.Context, ops []op, res *Result) {
	var mu sync.Mutex
	sem := make(chan struct{}, p.opts.Concurrency)
	var wg sync.WaitGroup
	for _, o := range ops {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			mu.Lock()
			res.fail(o.namespace(), o.name(), o.kind, ctx.Err())
			mu.Unlock()
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			writes, err := p.apply(ctx, o)
			mu.Lock()
			defer mu.Unlock()
			res.Writes += writes
			if err != nil {
				res.fail(o.namespace(), o.name(), o.kind, err)
				return
			}
			switch o.kind {
			case "create":
				res.Created++
			case "update":
				res.Updated++
			case "status":
				res.StatusOnly++
			case "delete":
				res.Deleted++
			}
		})
	}
	wg.Wait()
}

func (o op) namespace() string {
	if o.existing != nil {
		return o.existing.GetNamespace()
	}
	return o.policy.Namespace
}

func (o op) name() string {
	if o.existing != nil {
		return o.existing.GetName()
	}
	return o.policy.Name
}
