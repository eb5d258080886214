// Package enforce reads and switches KubeDoor's enforcement per namespace: the namespace label
// kubedoor.io/control (enforce | observe | absent) that the webhook's namespaceSelector matches,
// and the annotation kubedoor.io/unknown-workloads (deny | warn | allow, absent = deny) that says
// what the webhook does with a Deployment that has no CapacityPolicy.
//
// Unlike KubeDoor's admission switch, which registered a cluster-wide webhook and labelled
// kube-system and its own namespace to be ignored (so every other namespace was blocked while
// the master was down), enforcement here is opt-in per namespace, and kube-system and the
// webhook's own namespace can never be switched on.
package enforce

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

// Namespace is one namespace's enforcement state.
type Namespace struct {
	Name string `json:"name"`
	// Control is "enforce", "observe" or "" (not enforced; also for a label value the webhook
	// does not know, which Notes then explains).
	Control string `json:"control"`
	// UnknownWorkloads is what the webhook does with a Deployment without a policy.
	UnknownWorkloads string `json:"unknownWorkloads"`
	// Target is where enforcement writes the table's values: "template" (the workload objects,
	// replicas included) or "pods" (each Pod's resources at creation; replicas not forced), from
	// the label kubedoor.io/control-target, which the switch leaves alone.
	Target string `json:"target"`
	// Policies and Workloads count the namespace's CapacityPolicies and Deployments.
	Policies  int `json:"policies"`
	Workloads int `json:"workloads"`
	// Protected namespaces (kube-system, the webhook's own) can never be enforced or observed.
	Protected bool     `json:"protected"`
	Notes     []string `json:"notes,omitempty"`

	// The label and annotation as found, so a switch writes only what differs.
	rawControl, rawUnknown string
}

// Change is a requested switch. UnknownWorkloads nil leaves the annotation as it is; "" removes
// it (back to the default, deny).
type Change struct {
	Control          string  `json:"control"`
	UnknownWorkloads *string `json:"unknownWorkloads,omitempty"`
}

// Refusals of a switch: a protected namespace (the request's namespace is at fault) and one the
// cluster does not have.
var (
	ErrProtected         = &refusal.FieldError{Field: "namespace", Reason: "namespace is protected", Kind: refusal.ErrInvalid}
	ErrNamespaceNotFound = refusal.Kind(refusal.ErrNotFound, "namespace not found")
)

// FieldManager names the backend in the namespace's managedFields.
const FieldManager = "kubedoor-backend"

// Switch reads and changes one cluster's namespaces.
type Switch struct {
	kube      kubernetes.Interface
	meta      metadata.Interface
	protected map[string]string // name → why
}

// New returns a Switch for a cluster whose webhook (and leases) live in kubedoorNamespace.
// meta lists Deployments and CapacityPolicies by metadata only, which keeps counting cheap.
func New(kube kubernetes.Interface, meta metadata.Interface, kubedoorNamespace string) *Switch {
	return &Switch{kube: kube, meta: meta, protected: map[string]string{
		"kube-system":     "the cluster's own components must never wait on an admission webhook",
		kubedoorNamespace: "the webhook must never be asked to admit its own Pods' Deployments",
	}}
}

var (
	deploymentsGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	policiesGVR    = v1alpha1.GroupVersionResource
)

// List returns every namespace, by name, with its counts. Warnings say what could not be
// counted (e.g. the CRD is not installed, so there are no policies).
func (s *Switch) List(ctx context.Context) (items []Namespace, warnings []string, err error) {
	nss, err := s.kube.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("listing namespaces: %w", err)
	}
	workloads, err := s.count(ctx, deploymentsGVR, "")
	if err != nil {
		return nil, nil, fmt.Errorf("counting Deployments: %w", err)
	}
	policies, warn, err := s.countPolicies(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	if warn != "" {
		warnings = append(warnings, warn)
	}
	for i := range nss.Items {
		n := s.describe(&nss.Items[i])
		n.Workloads, n.Policies = workloads[n.Name], policies[n.Name]
		items = append(items, n)
	}
	sort.Slice(items, func(a, b int) bool { return items[a].Name < items[b].Name })
	return items, warnings, nil
}

// Get returns one namespace with its counts.
func (s *Switch) Get(ctx context.Context, name string) (Namespace, error) {
	ns, err := s.kube.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return Namespace{}, fmt.Errorf("%w: %s", ErrNamespaceNotFound, name)
	}
	if err != nil {
		return Namespace{}, fmt.Errorf("reading namespace %s: %w", name, err)
	}
	return s.withCounts(ctx, s.describe(ns))
}

func (s *Switch) withCounts(ctx context.Context, n Namespace) (Namespace, error) {
	workloads, err := s.count(ctx, deploymentsGVR, n.Name)
	if err != nil {
		return n, fmt.Errorf("counting Deployments in %s: %w", n.Name, err)
	}
	policies, warn, err := s.countPolicies(ctx, n.Name)
	if err != nil {
		return n, err
	}
	if warn != "" {
		n.Notes = append(n.Notes, warn)
	}
	n.Workloads, n.Policies = workloads[n.Name], policies[n.Name]
	return n, nil
}

// Set applies ch to the namespace with one merge patch of the label and annotation, and returns
// the namespace before and after. A change to what is already there writes nothing.
func (s *Switch) Set(ctx context.Context, name string, ch Change) (before, after Namespace, err error) {
	if err := ch.validate(); err != nil {
		return before, after, err
	}
	if why, ok := s.protected[name]; ok && ch.Control != "" {
		return before, after, fmt.Errorf("%w: %s cannot be switched to %s: %s", ErrProtected, name, ch.Control, why)
	}
	if before, err = s.Get(ctx, name); err != nil {
		return before, after, err
	}
	patch, changed := ch.patch(before)
	if !changed {
		return before, before, nil
	}
	body, err := json.Marshal(patch)
	if err != nil {
		return before, after, fmt.Errorf("encoding patch: %w", err)
	}
	ns, err := s.kube.CoreV1().Namespaces().Patch(ctx, name, types.MergePatchType, body, metav1.PatchOptions{FieldManager: FieldManager})
	if apierrors.IsNotFound(err) {
		return before, after, fmt.Errorf("%w: %s", ErrNamespaceNotFound, name)
	}
	if err != nil {
		return before, after, fmt.Errorf("patching namespace %s: %w", name, err)
	}
	after = s.describe(ns)
	after.Workloads, after.Policies = before.Workloads, before.Policies
	return before, after, nil
}

func (ch Change) validate() error {
	switch ch.Control {
	case "", v1alpha1.ControlEnforce, v1alpha1.ControlObserve:
	default:
		return &refusal.FieldError{Field: "control", Reason: fmt.Sprintf("must be %q, %q or \"\" (not enforced), got %q",
			v1alpha1.ControlEnforce, v1alpha1.ControlObserve, ch.Control)}
	}
	if u := ch.UnknownWorkloads; u != nil {
		switch *u {
		case "", v1alpha1.UnknownDeny, v1alpha1.UnknownWarn, v1alpha1.UnknownAllow:
		default:
			return &refusal.FieldError{Field: "unknownWorkloads", Reason: fmt.Sprintf("must be %q, %q or %q (or \"\" for the default, deny), got %q",
				v1alpha1.UnknownDeny, v1alpha1.UnknownWarn, v1alpha1.UnknownAllow, *u)}
		}
	}
	return nil
}

// patch is the JSON merge patch that brings the namespace's metadata to ch; a null removes a
// key. It touches only KubeDoor's label and annotation.
func (ch Change) patch(cur Namespace) (map[string]any, bool) {
	meta := map[string]any{}
	if ch.Control != cur.rawControl {
		meta["labels"] = map[string]any{v1alpha1.LabelControl: nullIfEmpty(ch.Control)}
	}
	if ch.UnknownWorkloads != nil && *ch.UnknownWorkloads != cur.rawUnknown {
		meta["annotations"] = map[string]any{v1alpha1.AnnotationUnknownWorkloads: nullIfEmpty(*ch.UnknownWorkloads)}
	}
	if len(meta) == 0 {
		return nil, false
	}
	return map[string]any{"metadata": meta}, true
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// describe reads the namespace's label and annotation as the webhook interprets them.
func (s *Switch) describe(ns *corev1.Namespace) Namespace {
	n := Namespace{Name: ns.Name, UnknownWorkloads: v1alpha1.UnknownDeny}
	n.rawControl = ns.Labels[v1alpha1.LabelControl]
	n.rawUnknown = ns.Annotations[v1alpha1.AnnotationUnknownWorkloads]
	_, n.Protected = s.protected[ns.Name]
	switch n.rawControl {
	case "":
	case v1alpha1.ControlEnforce, v1alpha1.ControlObserve:
		n.Control = n.rawControl
	default:
		n.Notes = append(n.Notes, fmt.Sprintf("label %s=%q is neither enforce nor observe: not enforced", v1alpha1.LabelControl, n.rawControl))
	}
	switch raw := ns.Labels[v1alpha1.LabelControlTarget]; raw {
	case v1alpha1.ControlTargetPods:
		n.Target = raw
		if n.Control != "" {
			n.Notes = append(n.Notes, "target pods: the webhook sets the table's requests and limits on each Pod at creation and never changes the workload objects, so replicas are not forced (docs/gitops.md)")
		}
	case "", v1alpha1.ControlTargetTemplate:
		n.Target = v1alpha1.ControlTargetTemplate
	default:
		n.Target = v1alpha1.ControlTargetTemplate
		n.Notes = append(n.Notes, fmt.Sprintf("label %s=%q is neither template nor pods: the template is the target", v1alpha1.LabelControlTarget, raw))
	}
	switch n.rawUnknown {
	case "":
	case v1alpha1.UnknownDeny, v1alpha1.UnknownWarn, v1alpha1.UnknownAllow:
		n.UnknownWorkloads = n.rawUnknown
	default:
		n.Notes = append(n.Notes, fmt.Sprintf("annotation %s=%q is not deny, warn or allow: treated as deny", v1alpha1.AnnotationUnknownWorkloads, n.rawUnknown))
	}
	if n.Protected && n.Control != "" {
		n.Notes = append(n.Notes, "a protected namespace is labelled; the webhook's registration never selects it, remove the label")
	}
	return n
}

// count returns the number of objects of gvr per namespace (in one namespace when ns is set).
func (s *Switch) count(ctx context.Context, gvr schema.GroupVersionResource, ns string) (map[string]int, error) {
	out := map[string]int{}
	opts := metav1.ListOptions{Limit: 1000}
	for {
		l, err := s.meta.Resource(gvr).Namespace(ns).List(ctx, opts)
		if err != nil {
			return nil, err
		}
		for _, it := range l.Items {
			out[it.Namespace]++
		}
		if l.Continue == "" {
			return out, nil
		}
		opts.Continue = l.Continue
	}
}

// countPolicies counts CapacityPolicies; a cluster without the CRD has none, with a warning.
func (s *Switch) countPolicies(ctx context.Context, ns string) (map[string]int, string, error) {
	n, err := s.count(ctx, policiesGVR, ns)
	if apierrors.IsNotFound(err) {
		return map[string]int{}, "the CapacityPolicy CRD (capacitypolicies.kubedoor.io) is not installed, so no policies can be published: " +
			"install it with `kubectl apply -f webhook/deploy/crd/kubedoor.io_capacitypolicies.yaml`", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("counting CapacityPolicies: %w", err)
	}
	return n, "", nil
}
