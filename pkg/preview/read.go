package preview

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// pageSize is Reader.PageSize's default.
const pageSize = 500

// CacheTTL is how long a listing is reused: the switch dialog asks for a preview and may ask
// again seconds later, and a namespace of thousands of workloads is worth not listing twice.
const CacheTTL = 15 * time.Second

// Cache keeps recent listings per cluster client and scope. Safe for concurrent use.
type Cache struct {
	mu      sync.Mutex
	entries map[cacheKey]cached
	now     func() time.Time
}

type cacheKey struct {
	client    kubernetes.Interface // a new client (changed access settings) never sees old lists
	namespace string               // "" = every namespace
}

type cached struct {
	at      time.Time
	listing listing
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{entries: map[cacheKey]cached{}, now: time.Now} }

// listing is what one scope runs: the workloads of every kind, HPA targets and policies' last
// decisions, each from one paged List per resource.
type listing struct {
	workloads []Object
	hpas      map[workload.Ref]string // workload → the HPA scaling it
	decisions map[workload.Ref]*v1alpha1.Decision
	warnings  []string
}

// Reader reads one cluster's live state.
type Reader struct {
	Kube    kubernetes.Interface
	Dynamic dynamic.Interface
	Cache   *Cache // nil: no caching
	// Protected namespaces (kube-system, KubeDoor's own) can never be enforced; the cluster
	// preview leaves them out.
	Protected map[string]bool
	// PageSize bounds one List answer (0 = 500); a bigger namespace is read in pages.
	PageSize int64
}

func (r Reader) listOptions() metav1.ListOptions {
	if r.PageSize > 0 {
		return metav1.ListOptions{Limit: r.PageSize}
	}
	return metav1.ListOptions{Limit: pageSize}
}

// ErrNamespaceNotFound is returned (wrapped) for a namespace the cluster does not have.
var ErrNamespaceNotFound = refusal.Kind(refusal.ErrNotFound, "namespace not found")

// Preview computes the preview of one namespace (namespace != "") or of every namespace that
// runs workloads or has control-table rows (rows: the cluster's current rows).
func (r Reader) Preview(ctx context.Context, cluster, namespace string, rows []control.Row) (Cluster, error) {
	out := Cluster{Cluster: cluster, Namespaces: []Namespace{}, Warnings: []string{}}
	var nss []corev1.Namespace
	if namespace != "" {
		ns, err := r.Kube.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return out, fmt.Errorf("%w: %s", ErrNamespaceNotFound, namespace)
		}
		if err != nil {
			return out, fmt.Errorf("reading namespace %s: %w", namespace, err)
		}
		nss = []corev1.Namespace{*ns}
		if r.Protected[namespace] {
			out.Warnings = append(out.Warnings, fmt.Sprintf("namespace %s is protected: it can never be enforced", namespace))
		}
	} else {
		l, err := r.Kube.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		if err != nil {
			return out, fmt.Errorf("listing namespaces: %w", err)
		}
		nss = l.Items
	}
	lst, err := r.list(ctx, namespace)
	if err != nil {
		return out, err
	}
	out.Warnings = append(out.Warnings, lst.warnings...)
	objs := map[string][]Object{}
	for _, o := range lst.workloads {
		objs[o.Namespace] = append(objs[o.Namespace], o)
	}
	tableNS := map[string]bool{}
	for _, row := range rows {
		if !row.Deleted {
			tableNS[row.Namespace] = true
		}
	}
	sort.Slice(nss, func(a, b int) bool { return nss[a].Name < nss[b].Name })
	for _, ns := range nss {
		if namespace == "" && (r.Protected[ns.Name] || (len(objs[ns.Name]) == 0 && !tableNS[ns.Name])) {
			continue
		}
		out.Namespaces = append(out.Namespaces, Compute(Live{
			Namespace: ns.Name, Control: ns.Labels[v1alpha1.LabelControl], Annotations: ns.Annotations,
			Workloads: objs[ns.Name], HPAs: lst.hpas, Decisions: lst.decisions,
		}, rows))
	}
	out.Sum()
	return out, nil
}

func (r Reader) list(ctx context.Context, namespace string) (listing, error) {
	key := cacheKey{client: r.Kube, namespace: namespace}
	if c := r.Cache; c != nil {
		c.mu.Lock()
		e, ok := c.entries[key]
		c.mu.Unlock()
		if ok && c.now().Sub(e.at) < CacheTTL {
			return e.listing, nil
		}
	}
	var l listing
	var err error
	if l.workloads, err = r.workloads(ctx, namespace); err != nil {
		return l, err
	}
	if l.hpas, err = r.hpaTargets(ctx, namespace); err != nil {
		return l, err
	}
	var warn string
	if l.decisions, warn, err = r.lastDecisions(ctx, namespace); err != nil {
		return l, err
	}
	if warn != "" {
		l.warnings = append(l.warnings, warn)
	}
	if c := r.Cache; c != nil {
		c.mu.Lock()
		for k, e := range c.entries { // drop what has expired, so the map stays small
			if c.now().Sub(e.at) >= CacheTTL {
				delete(c.entries, k)
			}
		}
		c.entries[key] = cached{at: c.now(), listing: l}
		c.mu.Unlock()
	}
	return l, nil
}

// hpaTargets maps each workload an HPA scales (a Deployment or a StatefulSet: a DaemonSet has
// no scale subresource) to the HPA's name.
func (r Reader) hpaTargets(ctx context.Context, namespace string) (map[workload.Ref]string, error) {
	out := map[workload.Ref]string{}
	opts := r.listOptions()
	for {
		l, err := r.Kube.AutoscalingV2().HorizontalPodAutoscalers(namespace).List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing HorizontalPodAutoscalers: %w", err)
		}
		for _, h := range l.Items {
			if ref := h.Spec.ScaleTargetRef; ref.Kind == workload.Deployment || ref.Kind == workload.StatefulSet {
				out[workload.Ref{Namespace: h.Namespace, Kind: ref.Kind, Name: ref.Name}] = h.Name
			}
		}
		if l.Continue == "" {
			return out, nil
		}
		opts.Continue = l.Continue
	}
}

// lastDecisions reads the webhook's reports from the CapacityPolicies' status, keyed by the
// workload each policy governs; a cluster without the CRD has none, which the warning says.
func (r Reader) lastDecisions(ctx context.Context, namespace string) (map[workload.Ref]*v1alpha1.Decision, string, error) {
	out := map[workload.Ref]*v1alpha1.Decision{}
	opts := r.listOptions()
	for {
		l, err := r.Dynamic.Resource(v1alpha1.GroupVersionResource).Namespace(namespace).List(ctx, opts)
		if apierrors.IsNotFound(err) {
			return out, "the CapacityPolicy CRD is not installed: no webhook decisions to show", nil
		}
		if err != nil {
			return nil, "", fmt.Errorf("listing CapacityPolicies: %w", err)
		}
		for _, it := range l.Items {
			var p v1alpha1.CapacityPolicy
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(it.Object, &p); err != nil {
				return nil, "", fmt.Errorf("reading CapacityPolicy %s/%s: %w", it.GetNamespace(), it.GetName(), err)
			}
			if ref, ok := governed(&p); ok && p.Status.LastDecision != nil {
				out[ref] = p.Status.LastDecision
			}
		}
		if l.GetContinue() == "" {
			return out, "", nil
		}
		opts.Continue = l.GetContinue()
	}
}

// governed is the workload a policy applies to: the webhook looks a workload's policy up by
// v1alpha1.PolicyName(kind, name) and applies it only if its targetKind is that kind, so a
// policy whose name does not carry its kind's prefix governs nothing.
func governed(p *v1alpha1.CapacityPolicy) (workload.Ref, bool) {
	kind := v1alpha1.KindOf(p.Spec)
	name := p.Name
	if kind != workload.Deployment {
		name = strings.TrimPrefix(p.Name, strings.ToLower(kind)+".")
	}
	if name == "" || v1alpha1.PolicyName(kind, name) != p.Name {
		return workload.Ref{}, false
	}
	return workload.Ref{Namespace: p.Namespace, Kind: kind, Name: name}, true
}

// Workloads lists the workloads of every kind of a namespace ("" = every namespace) through the
// same paged, cached listing as the preview, so a savings view right after a preview lists
// nothing.
func (r Reader) Workloads(ctx context.Context, namespace string) ([]Object, error) {
	l, err := r.list(ctx, namespace)
	return l.workloads, err
}
