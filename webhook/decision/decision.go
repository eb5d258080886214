// Package decision is the webhook's admission rule set (docs/design.md §7) as one pure function over
// typed inputs: no I/O, no clock, no globals. The transport decodes the AdmissionReview and the
// caches supply the namespace, policy and HPA; Decide says what to do and why.
package decision

import (
	"fmt"
	"net/http"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// Operation is the kind of request under review.
type Operation int

// Operations the webhook is registered for.
const (
	OperationUnknown Operation = iota
	DeploymentCreate           // CREATE apps/v1 Deployment
	DeploymentUpdate           // UPDATE apps/v1 Deployment
	ScaleUpdate                // UPDATE deployments/scale (autoscaling/v1 Scale)
	PodCreate                  // CREATE v1 Pod, in a namespace whose enforcement target is pods (DecidePod)
)

func (o Operation) String() string {
	switch o {
	case DeploymentCreate:
		return "deployment-create"
	case DeploymentUpdate:
		return "deployment-update"
	case ScaleUpdate:
		return "scale-update"
	case PodCreate:
		return "pod-create"
	}
	return "unknown"
}

// Replicas-only update modes (Settings.ReplicasOnlyUpdate).
const (
	ReplicasOnlyEnforce = "enforce"
	ReplicasOnlyAllow   = "allow"
)

// Settings are the webhook-wide knobs; Now is injected so decisions are reproducible.
type Settings struct {
	// ReplicasOnlyUpdate is what a Deployment UPDATE changing only spec.replicas gets:
	// "enforce" (default) patches it back to the policy's replicas, "allow" admits it.
	ReplicasOnlyUpdate string
	// TempScaleWindow is how long a kubedoor.io/scale-temp annotation lets replicas-only changes
	// through (default 5 minutes).
	TempScaleWindow time.Duration
	// Cluster names this cluster in messages.
	Cluster string
	Now     time.Time
}

// DefaultTempScaleWindow is the temporary-scale bypass window of docs/design.md §7 rule 1.
const DefaultTempScaleWindow = 5 * time.Minute

// clockSkew tolerates a scale-temp time slightly ahead of this process's clock; beyond it the
// annotation is ignored, so a far-future time cannot switch enforcement off for good.
const clockSkew = time.Minute

func (s Settings) withDefaults() Settings {
	if s.ReplicasOnlyUpdate == "" {
		s.ReplicasOnlyUpdate = ReplicasOnlyEnforce
	}
	if s.TempScaleWindow <= 0 {
		s.TempScaleWindow = DefaultTempScaleWindow
	}
	if s.Cluster == "" {
		s.Cluster = "this cluster"
	}
	return s
}

// Input is everything a decision depends on.
//
// The rules are the same for every kind (Deployment, StatefulSet, DaemonSet) and read and patch
// only metadata, spec.replicas and spec.template, which sit at the same JSON paths in all three.
// So the workload is given as an *appsv1.Deployment holding just those fields (the transport
// projects a StatefulSet or DaemonSet onto it), and Kind says what it really is. The patch can
// therefore never touch kind-specific fields such as volumeClaimTemplates or updateStrategy. On a
// CREATE the transport fills only the containers' names and resources of the template (all that
// is read of it then); an UPDATE's templates are whole, for the comparison of rule 5.
type Input struct {
	Operation Operation
	// Kind is v1alpha1.KindDeployment (also when empty), KindStatefulSet or KindDaemonSet; the
	// Deployment* operations stand for the same operations on any kind.
	Kind            string
	Namespace, Name string
	// Old and New are the workload before and after a workload request (Old is nil on CREATE).
	Old, New *appsv1.Deployment
	// Scale is the requested Scale of a ScaleUpdate; Current is the workload as the cache holds
	// it (a Scale carries no annotations), nil if the cache does not know it.
	Scale   *autoscalingv1.Scale
	Current *appsv1.Deployment
	// Control is the namespace's kubedoor.io/control label ("enforce", "observe" or other);
	// Unknown the unknown-workload mode for Kind (v1alpha1.UnknownMode: the per-kind
	// annotation, else kubedoor.io/unknown-workloads; "" means deny).
	Control, Unknown string
	// Policy is the workload's CapacityPolicy (one whose targetKind is Kind), nil if none.
	Policy *v1alpha1.CapacityPolicy
	// HPA names a HorizontalPodAutoscaler targeting the workload, "" if none.
	HPA      string
	Settings Settings
}

// Result is what happened, as counted in metrics.
type Result string

// Results.
const (
	Allowed  Result = "allowed"  // admitted unchanged
	Patched  Result = "patched"  // admitted with a patch
	Denied   Result = "denied"   // refused
	Observed Result = "observed" // observe mode: admitted unchanged, would have been patched or denied
)

// Reason is which rule decided, as counted in metrics and logged.
type Reason string

// Reasons, one per rule of docs/design.md §7 (and the ways a rule can end).
const (
	ReasonTempScale           Reason = "temp-scale"             // rule 1
	ReasonNotEnforced         Reason = "namespace-not-enforced" // rule 2
	ReasonUnknownDeny         Reason = "unknown-deny"           // rule 3
	ReasonUnknownWarn         Reason = "unknown-warn"
	ReasonUnknownAllow        Reason = "unknown-allow"
	ReasonScale               Reason = "scale"           // rule 4
	ReasonScaleHPA            Reason = "scale-hpa"       // rules 4 + 8: the HPA owns replicas
	ReasonCreate              Reason = "create"          // rule 5
	ReasonTemplateChange      Reason = "template-change" // rule 5
	ReasonReplicasOnly        Reason = "replicas-only"   // rule 6, enforce
	ReasonReplicasOnlyAllowed Reason = "replicas-only-allowed"
	ReasonNoCapacityChange    Reason = "no-capacity-change" // rule 7
	ReasonUnsupported         Reason = "unsupported-request"
)

// Decision is the answer and its explanation.
type Decision struct {
	Allowed bool
	Result  Result
	Reason  Reason
	// Code and Message are the HTTP status and sentence of a denial.
	Code    int32
	Message string
	// Patch holds JSON Patch operations only for what actually changes; empty means no patch.
	Patch []PatchOp
	// Changes say in words what Patch does (or, observed, would do): "replicas 10 -> 4".
	Changes []string
	// Warnings go back to the client as AdmissionReview warnings (each under 256 characters).
	Warnings []string
	// Notes explain details worth a log line: clamps, ignored annotations, missing containers.
	Notes []string
	// Ignored names policy values that do not apply to the workload's kind (a DaemonSet's
	// replicas); reported with the decision so the control table's owner sees why.
	Ignored []string
}

// PatchOp is one RFC 6902 operation.
type PatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// Decide applies docs/design.md §7's rules in order.
func Decide(in Input) Decision {
	s := in.Settings.withDefaults()
	kind, ok := classify(in)
	if !ok {
		return Decision{Allowed: true, Result: Allowed, Reason: ReasonUnsupported,
			Notes: []string{fmt.Sprintf("%s without the object it needs; admitted unchanged", in.Operation)}}
	}
	var notes []string
	// Rule 1: a fresh temporary scale lets replicas-only changes through, in any namespace.
	if kind == kindScale || kind == kindReplicasOnly {
		active, note := tempScaleActive(tempScaleAnnotations(in, kind), s)
		if note != "" {
			notes = append(notes, note)
		}
		if active {
			return Decision{Allowed: true, Result: Allowed, Reason: ReasonTempScale, Notes: notes}
		}
	}
	// Rule 2: only enforced (or observed) namespaces are acted on.
	switch in.Control {
	case v1alpha1.ControlEnforce:
		d := enforce(in, kind, s)
		d.Notes = append(notes, d.Notes...)
		return d
	case v1alpha1.ControlObserve:
		d := observe(in, enforce(in, kind, s))
		d.Notes = append(notes, d.Notes...)
		return d
	}
	return Decision{Allowed: true, Result: Allowed, Reason: ReasonNotEnforced, Notes: notes}
}

type requestKind int

const (
	kindCreate requestKind = iota
	kindScale
	kindTemplateChange
	kindReplicasOnly
	kindNoCapacityChange
)

// classify names the request by what it changes; ok is false when the object it needs is missing.
func classify(in Input) (requestKind, bool) {
	switch in.Operation {
	case DeploymentCreate:
		return kindCreate, in.New != nil
	case ScaleUpdate:
		return kindScale, in.Scale != nil
	case DeploymentUpdate:
		if in.New == nil || in.Old == nil {
			return 0, false
		}
		if in.New.DeletionTimestamp != nil {
			return kindNoCapacityChange, true // finalizer bookkeeping on the way out
		}
		if templateChanged(in.Old, in.New) {
			return kindTemplateChange, true
		}
		if replicasOf(in.Old) != replicasOf(in.New) {
			return kindReplicasOnly, true
		}
		return kindNoCapacityChange, true
	}
	return 0, false
}

// enforce applies rules 3–8 as if the namespace were enforced.
func enforce(in Input, kind requestKind, s Settings) Decision {
	// Rule 7 before rule 3: a change that touches neither pods nor replicas (labels, the
	// controller's revision annotation, finalizers) is admitted even for unknown workloads, or
	// an unregistered Deployment could never be relabelled or deleted with foreground deletion.
	if kind == kindNoCapacityChange {
		return Decision{Allowed: true, Result: Allowed, Reason: ReasonNoCapacityChange}
	}
	if in.Policy == nil {
		return unknownWorkload(in, s)
	}
	p := &patcher{in: in}
	switch kind {
	case kindScale:
		if in.HPA != "" {
			p.notes = append(p.notes, fmt.Sprintf("HorizontalPodAutoscaler %s owns the replicas", in.HPA))
			return p.decision(ReasonScaleHPA)
		}
		p.replicas()
		return p.decision(ReasonScale)
	case kindCreate, kindTemplateChange:
		p.replicas()
		p.resources()
		if kind == kindCreate {
			return p.decision(ReasonCreate)
		}
		return p.decision(ReasonTemplateChange)
	case kindReplicasOnly:
		if s.ReplicasOnlyUpdate == ReplicasOnlyAllow {
			return Decision{Allowed: true, Result: Allowed, Reason: ReasonReplicasOnlyAllowed}
		}
		p.replicas()
		return p.decision(ReasonReplicasOnly)
	}
	return Decision{Allowed: true, Result: Allowed, Reason: ReasonNoCapacityChange}
}

// kindOf is the input's workload kind, Deployment when unset.
func kindOf(in Input) string {
	if in.Kind == "" {
		return v1alpha1.KindDeployment
	}
	return in.Kind
}

// unknownAnnotations names the namespace annotations that decide an unknown workload of kind.
func unknownAnnotations(kind string) string {
	if a := v1alpha1.UnknownAnnotation(kind); a != "" {
		return a + " (or " + v1alpha1.AnnotationUnknownWorkloads + ")"
	}
	return v1alpha1.AnnotationUnknownWorkloads
}

// unknownWorkload is rule 3: no policy, so the namespace's unknown-workloads mode decides.
func unknownWorkload(in Input, s Settings) Decision {
	who := fmt.Sprintf("%s/%s/%s", s.Cluster, in.Namespace, in.Name)
	switch in.Unknown {
	case v1alpha1.UnknownAllow:
		return Decision{Allowed: true, Result: Allowed, Reason: ReasonUnknownAllow}
	case v1alpha1.UnknownWarn:
		return Decision{Allowed: true, Result: Allowed, Reason: ReasonUnknownWarn, Warnings: []string{
			fmt.Sprintf("kubedoor: %s is not in the control table, admitted unmanaged (namespace allows unknown workloads with a warning); add it in Grafana → KubeDoor → Control table", who),
		}}
	}
	var notes []string
	if in.Unknown != "" && in.Unknown != v1alpha1.UnknownDeny {
		notes = append(notes, fmt.Sprintf("namespace annotation %s=%q is not deny|warn|allow; treated as deny", unknownAnnotations(kindOf(in)), in.Unknown))
	}
	return Decision{
		Allowed: false, Result: Denied, Reason: ReasonUnknownDeny, Code: http.StatusForbidden, Notes: notes,
		Message: fmt.Sprintf("kubedoor: %s %s is not in the KubeDoor control table, and namespace %s denies unregistered workloads. "+
			"Register it: add %s to the control table in Grafana (KubeDoor → Control table → Add), "+
			"or set the namespace annotation %s to warn or allow.", kindOf(in), who, in.Namespace, who, unknownAnnotations(kindOf(in))),
	}
}

// observe turns an enforcing decision into observe mode's answer: admit unchanged, and report.
func observe(in Input, d Decision) Decision {
	if d.Result != Patched && d.Result != Denied {
		return d
	}
	out := Decision{Allowed: true, Result: Observed, Reason: d.Reason, Changes: d.Changes, Notes: d.Notes, Ignored: d.Ignored}
	if d.Result == Denied {
		out.Notes = append(out.Notes, "would deny: "+d.Message)
		out.Warnings = []string{truncate(fmt.Sprintf("kubedoor (observe mode): would deny %s/%s: it is not in the control table", in.Namespace, in.Name))}
		return out
	}
	out.Warnings = []string{truncate(fmt.Sprintf("kubedoor (observe mode): would set %s", joinChanges(d.Changes)))}
	return out
}

// tempScaleAnnotations picks where the scale-temp annotation lives: on the Deployment being
// updated, or, for a Scale (which carries no annotations), on the cached Deployment.
func tempScaleAnnotations(in Input, kind requestKind) map[string]string {
	if kind == kindScale {
		if in.Current == nil {
			return nil
		}
		return in.Current.Annotations
	}
	return in.New.Annotations
}

// tempScaleActive is rule 1's clock check; note explains an annotation that was not honoured.
func tempScaleActive(ann map[string]string, s Settings) (bool, string) {
	v, ok := ann[v1alpha1.AnnotationScaleTemp]
	if !ok {
		return false, ""
	}
	st, err := v1alpha1.ParseScaleTemp(v)
	if err != nil {
		return false, "ignored malformed temporary-scale annotation: " + err.Error()
	}
	age := s.Now.Sub(st.At)
	switch {
	case age < -clockSkew:
		return false, fmt.Sprintf("ignored temporary-scale annotation dated %s, in the future", st.At.Format(time.RFC3339))
	case age > s.TempScaleWindow:
		return false, fmt.Sprintf("temporary-scale annotation from %s is older than %s; enforcing", st.At.Format(time.RFC3339), s.TempScaleWindow)
	}
	return true, ""
}
