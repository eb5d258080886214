// Package pods lists a workload's pods and acts on single pods for operators: isolate (relabel a
// pod out of its owner's selector, so the owner starts a replacement while the pod stays for
// debugging) and delete (graceful, one or several with a pause between them). Every write is
// audited with its before and after, and reported to the notification channels as actions are.
// docs/pods.md explains isolation's effects (HPA, the webhook's replicas rule).
package pods

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/pause"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Audit actions.
const (
	ActionIsolate = "isolate pod"
	ActionDelete  = "delete pod"
)

// Bounds of one delete request: it runs inside one API call.
const (
	MaxDeletes  = 20
	MaxInterval = 60 * time.Second
)

// Refusal kinds; each refusal is a *refusal.FieldError of one of them, naming the request field
// at fault. They are kinds of refusal.ErrInvalid, ErrNotFound and ErrConflict.
var (
	ErrProtected   = refusal.Kind(refusal.ErrInvalid, "namespace is protected")
	ErrNotFound    = refusal.Kind(refusal.ErrNotFound, "not found")
	ErrNotOwned    = refusal.Kind(refusal.ErrInvalid, "pod does not belong to the workload")
	ErrUnsupported = refusal.Kind(refusal.ErrInvalid, "not supported")
	ErrConflict    = refusal.Kind(refusal.ErrConflict, "conflict")
)

func refused(kind error, field, format string, args ...any) *refusal.FieldError {
	return &refusal.FieldError{Kind: kind, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Protected says why namespace cannot be acted on ("" when it can): kube-system and KubeDoor's
// own namespace, the ones namespace enforcement refuses too.
func Protected(namespace, kubedoorNamespace string) string {
	switch namespace {
	case "kube-system":
		return "kube-system is protected: the cluster's own components are not operated on from KubeDoor"
	case kubedoorNamespace:
		return namespace + " is protected: it runs KubeDoor's own webhook"
	}
	return ""
}

// Auditor records audit entries (audit.Log): Begin a pending entry just before a write, then
// Record the result under its ID, so a crash in between leaves an entry the audit reconciliation
// settles (audit.PendingPass) instead of none.
type Auditor interface {
	Begin(ctx context.Context, e audit.Entry) (uuid.UUID, error)
	Record(ctx context.Context, e audit.Entry) error
}

// Actor is who an operation runs for.
type Actor struct {
	User string
	Role string
}

// Options are the process-wide parts of the service.
type Options struct {
	Notifier notify.Notifier // nil: no messages
	Log      *slog.Logger
	Now      func() time.Time
	// Sleep waits between deletes; it returns early with ctx's error.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Service builds an Operator per cluster; one per process, built in pkg/backend.
type Service struct{ o Options }

// NewService returns a Service with o's defaults filled in.
func NewService(o Options) *Service {
	if o.Notifier == nil {
		o.Notifier = notify.Discard{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = pause.Wait
	}
	return &Service{o: o}
}

// Cluster is one cluster an Operator acts on.
type Cluster struct {
	Name              string
	Kube              kubernetes.Interface
	KubedoorNamespace string
}

// Operator lists and acts on one cluster's pods.
type Operator struct {
	o     Options
	c     Cluster
	audit Auditor
}

// On returns an Operator for c that records into a.
func (s *Service) On(c Cluster, a Auditor) *Operator { return &Operator{o: s.o, c: c, audit: a} }

// Listing is a workload's pods (docs/api.md PodList).
type Listing struct {
	Cluster         string `json:"cluster"`
	Namespace       string `json:"namespace"`
	Kind            string `json:"kind"`
	Workload        string `json:"workload"`
	Protected       bool   `json:"protected"`
	ProtectedReason string `json:"protectedReason,omitempty"`
	// IsolationLabel is the selector label Isolate would change; "" with CannotIsolate saying why.
	IsolationLabel string `json:"isolationLabel"`
	CannotIsolate  string `json:"cannotIsolate,omitempty"`
	Pods           []Pod  `json:"pods"`
}

// List returns ref's pods, the isolated ones included and marked.
func (op *Operator) List(ctx context.Context, ref workload.Ref) (Listing, error) {
	out := Listing{Cluster: op.c.Name, Namespace: ref.Namespace, Kind: ref.Kind, Workload: ref.Name, Pods: []Pod{}}
	if why := Protected(ref.Namespace, op.c.KubedoorNamespace); why != "" {
		out.Protected, out.ProtectedReason = true, why
	}
	o, err := getOwner(ctx, op.c.Kube, ref)
	if err != nil {
		return out, err
	}
	out.IsolationLabel, out.CannotIsolate = isolationLabel(o)
	own, isolated, err := o.pods(ctx, op.c.Kube)
	if err != nil {
		return out, err
	}
	now := op.o.Now()
	for i := range own {
		out.Pods = append(out.Pods, Summarise(&own[i], now))
	}
	for i := range isolated {
		out.Pods = append(out.Pods, Summarise(&isolated[i], now))
	}
	sortPods(out.Pods)
	return out, nil
}

// isolationLabel is the label Isolate changes for o, or why o's pods cannot be isolated.
func isolationLabel(o owner) (label, cannot string) {
	if o.ref.Kind == workload.StatefulSet {
		return "", statefulSetReason
	}
	key, err := SelectorLabel(o.selector)
	if err != nil {
		return "", err.Error()
	}
	return key, ""
}

// statefulSetReason is why StatefulSet pods are not isolated: the controller recreates a pod
// under the same name, which the isolated pod keeps, so no replacement could start.
const statefulSetReason = "a StatefulSet's pods have fixed names: its controller cannot start a replacement while the isolated pod keeps the name, so the replica would stay missing; delete the pod instead"

// IsolatedPod is an isolated pod in a namespace listing.
type IsolatedPod struct {
	Namespace string `json:"namespace"`
	// From is the workload it was isolated from, "Kind/name".
	From string `json:"isolatedFrom"`
	Pod
}

// ListIsolated returns the isolated pods of namespace ("" for every namespace).
func (op *Operator) ListIsolated(ctx context.Context, namespace string) ([]IsolatedPod, error) {
	list, err := op.c.Kube.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: LabelIsolated + "=true"})
	if err != nil {
		return nil, fmt.Errorf("listing isolated pods: %w", err)
	}
	now := op.o.Now()
	out := make([]IsolatedPod, 0, len(list.Items))
	for i := range list.Items {
		p := &list.Items[i]
		if p.Annotations[AnnotationIsolatedAt] == "" {
			continue
		}
		out = append(out, IsolatedPod{Namespace: p.Namespace, From: p.Annotations[AnnotationIsolatedFrom], Pod: Summarise(p, now)})
	}
	return out, nil
}

// Result is one pod operation's outcome (docs/api.md PodResult).
type Result struct {
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace"`
	Kind      string `json:"kind"`
	Workload  string `json:"workload"`
	Pod       string `json:"pod"`
	OK        bool   `json:"ok"`
	Error     string `json:"error,omitempty"`
	Before    any    `json:"before,omitempty"`
	After     any    `json:"after,omitempty"`
}

func (op *Operator) result(ref workload.Ref, pod string) Result {
	return Result{Cluster: op.c.Name, Namespace: ref.Namespace, Kind: ref.Kind, Workload: ref.Name, Pod: pod}
}

// entry is res's audit entry; the target is the workload (so its history shows its pods'
// operations), the pod is named in before and after.
func (op *Operator) entry(by Actor, action string, ref workload.Ref, res Result) audit.Entry {
	e := audit.Entry{User: by.User, Role: by.Role, Action: action, Cluster: op.c.Name, Target: ref.Target(),
		Before: res.Before, After: res.After, Result: audit.ResultOK, Error: res.Error}
	if !res.OK {
		e.Result = audit.ResultFailed
	}
	if e.Before == nil {
		e.Before = map[string]string{"pod": res.Pod}
	}
	return e
}

// begin records the pending entry of a write about to be made with res.Before; an error means
// the write must not be made, or it would go unaudited.
func (op *Operator) begin(ctx context.Context, by Actor, action string, ref workload.Ref, res Result) (uuid.UUID, error) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	id, err := op.audit.Begin(actx, op.entry(by, action, ref, res))
	if err != nil {
		return uuid.Nil, fmt.Errorf("not done: the audit log refused its entry, so the change would go unrecorded: %w", err)
	}
	return id, nil
}

// record audits res under id (the pending entry's; uuid.Nil for a refusal that wrote nothing).
func (op *Operator) record(ctx context.Context, id uuid.UUID, by Actor, action string, ref workload.Ref, res Result) {
	e := op.entry(by, action, ref, res)
	e.ID = id
	// The caller may be gone (a cancelled batch); the record must still be written.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := op.audit.Record(actx, e); err != nil {
		op.o.Log.Error("audit entry not recorded", "action", action, "cluster", op.c.Name, "workload", ref.Target(), "pod", res.Pod, "error", err)
	}
}

// podState is Before/After of an operation: the pod and, for isolation, the change made.
type podState struct {
	Pod       string     `json:"pod"`
	Node      string     `json:"node,omitempty"`
	Phase     string     `json:"phase,omitempty"`
	Labels    any        `json:"labels,omitempty"`
	Isolation *Isolation `json:"isolation,omitempty"`
	// Deleting: a graceful delete was accepted; the pod ends within GracePeriodSeconds.
	Deleting           bool   `json:"deleting,omitempty"`
	GracePeriodSeconds *int64 `json:"gracePeriodSeconds,omitempty"`
}

func stateOf(p *corev1.Pod) podState {
	return podState{Pod: p.Name, Node: p.Spec.NodeName, Phase: string(p.Status.Phase), Labels: p.Labels}
}
