package preview

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
)

// pageSize is Reader.PageSize's default.
const pageSize = 500

// CacheTTL is how long a listing is reused: the switch dialog asks for a preview and may ask
// again seconds later, and a namespace of thousands of Deployments is worth not listing twice.
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

// listing is what one scope runs: Deployments, HPA targets and policies' last decisions, each
// from one paged List.
type listing struct {
	deployments []appsv1.Deployment
	hpas        map[string]map[string]string // namespace → Deployment → HPA
	decisions   map[string]map[string]*v1alpha1.Decision
	warnings    []string
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
var ErrNamespaceNotFound = errors.New("namespace not found")

// Preview computes the preview of one namespace (namespace != "") or of every namespace that
// runs Deployments or has control-table rows (rows: the cluster's current rows).
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
	deps := map[string][]appsv1.Deployment{}
	for _, d := range lst.deployments {
		deps[d.Namespace] = append(deps[d.Namespace], d)
	}
	tableNS := map[string]bool{}
	for _, row := range rows {
		if !row.Deleted {
			tableNS[row.Namespace] = true
		}
	}
	sort.Slice(nss, func(a, b int) bool { return nss[a].Name < nss[b].Name })
	for _, ns := range nss {
		if namespace == "" && (r.Protected[ns.Name] || (len(deps[ns.Name]) == 0 && !tableNS[ns.Name])) {
			continue
		}
		out.Namespaces = append(out.Namespaces, Compute(Live{
			Namespace: ns.Name, Control: ns.Labels[v1alpha1.LabelControl], UnknownWorkloads: ns.Annotations[v1alpha1.AnnotationUnknownWorkloads],
			Deployments: deps[ns.Name], HPAs: lst.hpas[ns.Name], Decisions: lst.decisions[ns.Name],
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
	if l.deployments, err = r.deployments(ctx, namespace); err != nil {
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

func (r Reader) deployments(ctx context.Context, namespace string) ([]appsv1.Deployment, error) {
	var out []appsv1.Deployment
	opts := r.listOptions()
	for {
		l, err := r.Kube.AppsV1().Deployments(namespace).List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing Deployments: %w", err)
		}
		out = append(out, l.Items...)
		if l.Continue == "" {
			return out, nil
		}
		opts.Continue = l.Continue
	}
}

// hpaTargets maps each Deployment an HPA scales to the HPA's name.
func (r Reader) hpaTargets(ctx context.Context, namespace string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	opts := r.listOptions()
	for {
		l, err := r.Kube.AutoscalingV2().HorizontalPodAutoscalers(namespace).List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing HorizontalPodAutoscalers: %w", err)
		}
		for _, h := range l.Items {
			if ref := h.Spec.ScaleTargetRef; ref.Kind == "Deployment" {
				if out[h.Namespace] == nil {
					out[h.Namespace] = map[string]string{}
				}
				out[h.Namespace][ref.Name] = h.Name
			}
		}
		if l.Continue == "" {
			return out, nil
		}
		opts.Continue = l.Continue
	}
}

// lastDecisions reads the webhook's reports from the CapacityPolicies' status; a cluster
// without the CRD has none, which the warning says.
func (r Reader) lastDecisions(ctx context.Context, namespace string) (map[string]map[string]*v1alpha1.Decision, string, error) {
	out := map[string]map[string]*v1alpha1.Decision{}
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
			if p.Status.LastDecision == nil {
				continue
			}
			if out[p.Namespace] == nil {
				out[p.Namespace] = map[string]*v1alpha1.Decision{}
			}
			out[p.Namespace][p.Name] = p.Status.LastDecision
		}
		if l.GetContinue() == "" {
			return out, "", nil
		}
		opts.Continue = l.GetContinue()
	}
}

// Deployments lists the Deployments of a namespace ("" = every namespace) through the same
// paged, cached listing as the preview, so a savings view right after a preview lists nothing.
func (r Reader) Deployments(ctx context.Context, namespace string) ([]appsv1.Deployment, error) {
	l, err := r.list(ctx, namespace)
	return l.deployments, err
}
