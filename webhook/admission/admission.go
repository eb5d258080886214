// Package admission connects the transport to the rules: it turns an AdmissionRequest plus the
// cached cluster state into a decision.Input, calls decision.Decide, and turns the Decision
// into an AdmissionResponse — counting and logging every decision with its reason.
package admission

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/webhook/cache"
	"github.com/kubedoor/kubedoor-grafana/webhook/decision"
)

// Lookup is the cached cluster state a decision reads. *cache.Cache implements it; every method
// must answer from memory.
type Lookup interface {
	Synced() bool
	Namespace(name string) (cache.Namespace, bool)
	Policy(namespace, name string) *v1alpha1.CapacityPolicy
	// Workload is the cached Deployment or StatefulSet (metadata only), nil if unknown.
	Workload(kind, namespace, name string) *appsv1.Deployment
	HPAFor(namespace, kind, name string) string
	// ReplicaSetOwner is the controller (kind, name) of a cached ReplicaSet; found is false when
	// the ReplicaSet is not cached.
	ReplicaSetOwner(namespace, name string) (kind, owner string, found bool)
}

// Reasons for answers given before the rules could run (the transport fails open on them).
const (
	ReasonNotReady        decision.Reason = "caches-not-synced"
	ReasonNamespaceMissed decision.Reason = "namespace-not-cached"
	ReasonBadObject       decision.Reason = "undecodable-object"
	ReasonInvalidPolicy   decision.Reason = "invalid-policy"
)

// Options configure a Decider.
type Options struct {
	// Settings for the rules; Settings.Now is ignored (Clock supplies it per review).
	Settings decision.Settings
	// ObserveWarnings returns observe mode's would-be patch to the client as a warning.
	ObserveWarnings bool
	// NamespaceWait bounds how long a review waits for a namespace created moments ago to reach
	// the cache (the API server only sends reviews for labelled namespaces). Default 1s.
	NamespaceWait time.Duration
	Clock         func() time.Time
	// Report, when set, receives every decision taken for a workload that has a CapacityPolicy,
	// with the policy's name (report.Reporter.Record); it must not block.
	Report func(namespace, policy string, d v1alpha1.Decision)
	// Denied, when set, is told of every refused change to workload kind namespace/name (to
	// record a Kubernetes Event on it); it must not block.
	Denied func(kind, namespace, name, operation, message string)
}

// Decider implements server.Decider.
type Decider struct {
	lookup  Lookup
	opts    Options
	metrics *prometheus.CounterVec
	log     *slog.Logger
}

// New returns a Decider registering its metrics on reg.
func New(lookup Lookup, o Options, reg prometheus.Registerer, log *slog.Logger) (*Decider, error) {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.NamespaceWait <= 0 {
		o.NamespaceWait = time.Second
	}
	m := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kubedoor_webhook_decisions_total",
		Help: "Admission decisions by result (allowed, patched, denied, observed) and the rule that decided.",
	}, []string{"result", "reason"})
	if err := reg.Register(m); err != nil {
		return nil, fmt.Errorf("registering decision metrics: %w", err)
	}
	return &Decider{lookup: lookup, opts: o, metrics: m, log: log}, nil
}

// Decide answers one review.
func (d *Decider) Decide(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	dec, policy := d.decide(ctx, req)
	d.metrics.WithLabelValues(string(dec.Result), string(dec.Reason)).Inc()
	d.logDecision(ctx, req, dec)
	if policy != "" && d.opts.Report != nil {
		d.opts.Report(req.Namespace, policy, reportOf(req, dec, d.opts.Clock()))
	}
	if !dec.Allowed && d.opts.Denied != nil {
		d.opts.Denied(kindOf(req), req.Namespace, workloadName(req), operationOf(req), dec.Message)
	}
	return d.response(req, dec)
}

// decide returns the decision and the name of the CapacityPolicy it read ("" when none).
func (d *Decider) decide(ctx context.Context, req *admissionv1.AdmissionRequest) (decision.Decision, string) {
	if !d.lookup.Synced() {
		return failOpen(ReasonNotReady, "kubedoor-webhook is starting (caches not synced); the change was admitted unmodified"), ""
	}
	if isPodCreate(req) {
		return d.decidePod(ctx, req)
	}
	in, err := Input(req)
	if err != nil {
		return failOpen(ReasonBadObject, "kubedoor-webhook could not read the object ("+err.Error()+"); the change was admitted unmodified"), ""
	}
	if in.Operation == decision.OperationUnknown {
		return decision.Decide(in), "" // unsupported: the rules admit it unchanged
	}
	ns, ok := d.namespace(ctx, in.Namespace)
	if !ok {
		return failOpen(ReasonNamespaceMissed, fmt.Sprintf("kubedoor-webhook has not seen namespace %s yet; the change was admitted unmodified", in.Namespace)), ""
	}
	in.Control, in.Unknown = ns.Control, ns.UnknownFor(in.Kind)
	name := v1alpha1.PolicyName(in.Kind, in.Name)
	in.Policy = d.lookup.Policy(in.Namespace, name)
	if err := cache.PolicyError(in.Policy); err != nil {
		return failOpen(ReasonInvalidPolicy, "kubedoor-webhook: "+err.Error()+"; the change was admitted unmodified"), name
	}
	var mismatch string
	if in.Policy != nil && v1alpha1.KindOf(in.Policy.Spec) != in.Kind {
		// Names can collide across kinds (a Deployment named "statefulset.db"): a policy only
		// governs the kind it targets, so this workload has none.
		mismatch = fmt.Sprintf("CapacityPolicy %s targets a %s, not this %s; not applied", name, v1alpha1.KindOf(in.Policy.Spec), in.Kind)
		in.Policy = nil
	}
	in.HPA = d.lookup.HPAFor(in.Namespace, in.Kind, in.Name)
	if in.Operation == decision.ScaleUpdate {
		in.Current = d.lookup.Workload(in.Kind, in.Namespace, in.Name)
	}
	in.Settings = d.opts.Settings
	in.Settings.Now = d.opts.Clock()
	dec := decision.Decide(in)
	if mismatch != "" {
		dec.Notes = append(dec.Notes, mismatch)
	}
	if in.Policy == nil {
		return dec, ""
	}
	return dec, name
}

// namespace reads the namespace from the cache, waiting briefly for one created moments ago.
func (d *Decider) namespace(ctx context.Context, name string) (cache.Namespace, bool) {
	if ns, ok := d.lookup.Namespace(name); ok {
		return ns, true
	}
	ctx, cancel := context.WithTimeout(ctx, d.opts.NamespaceWait)
	defer cancel()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return cache.Namespace{}, false
		case <-tick.C:
			if ns, ok := d.lookup.Namespace(name); ok {
				return ns, true
			}
		}
	}
}

// kinds maps the apps/v1 resources the webhook is registered for to their kinds.
var kinds = map[string]string{
	"deployments":  v1alpha1.KindDeployment,
	"statefulsets": v1alpha1.KindStatefulSet,
	"daemonsets":   v1alpha1.KindDaemonSet,
}

// kindOf is the workload kind the request is about, "" if none the webhook governs.
func kindOf(req *admissionv1.AdmissionRequest) string {
	if req.Resource.Group != "apps" {
		return ""
	}
	return kinds[req.Resource.Resource]
}

// Input decodes the request's objects into a decision.Input (namespace mode, policy, HPA and
// settings are left for the caller). A request the webhook is not registered for gets
// OperationUnknown and no error.
func Input(req *admissionv1.AdmissionRequest) (decision.Input, error) {
	in := decision.Input{Namespace: req.Namespace, Name: req.Name, Kind: kindOf(req)}
	if in.Kind == "" {
		return in, nil
	}
	switch {
	case req.SubResource == "scale" && req.Operation == admissionv1.Update && in.Kind != v1alpha1.KindDaemonSet:
		var s autoscalingv1.Scale
		if err := decodeObject(req.Object.Raw, &s, "Scale"); err != nil {
			return in, err
		}
		in.Operation, in.Scale = decision.ScaleUpdate, &s
	case req.SubResource == "" && req.Operation == admissionv1.Create:
		w, err := decodeWorkload(req.Object.Raw, in.Kind, "", false)
		if err != nil {
			return in, err
		}
		in.Operation, in.New = decision.DeploymentCreate, w
	case req.SubResource == "" && req.Operation == admissionv1.Update:
		w, err := decodeWorkload(req.Object.Raw, in.Kind, "", true)
		if err != nil {
			return in, err
		}
		old, err := decodeWorkload(req.OldObject.Raw, in.Kind, "old ", true)
		if err != nil {
			return in, err
		}
		in.Operation, in.Old, in.New = decision.DeploymentUpdate, old, w
	}
	if in.Name == "" && in.New != nil {
		in.Name = in.New.Name
	}
	return in, nil
}

func decodeObject(raw []byte, into any, what string) error {
	if len(raw) == 0 {
		return fmt.Errorf("the review carries no %s", what)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return fmt.Errorf("decoding %s: %w", what, err)
	}
	return nil
}

func failOpen(r decision.Reason, warning string) decision.Decision {
	return decision.Decision{Allowed: true, Result: decision.Allowed, Reason: r, Warnings: []string{warning}}
}

func (d *Decider) response(req *admissionv1.AdmissionRequest, dec decision.Decision) *admissionv1.AdmissionResponse {
	resp := &admissionv1.AdmissionResponse{UID: req.UID, Allowed: dec.Allowed}
	if dec.Result != decision.Observed || d.opts.ObserveWarnings {
		resp.Warnings = dec.Warnings
	}
	if !dec.Allowed {
		resp.Result = &metav1.Status{Status: metav1.StatusFailure, Code: dec.Code, Reason: metav1.StatusReasonForbidden, Message: dec.Message}
		return resp
	}
	if len(dec.Patch) > 0 {
		patch, err := json.Marshal(dec.Patch)
		if err != nil {
			// Cannot happen for the value types the rules emit; admit rather than fail the request.
			d.log.Error("encoding patch", "uid", req.UID, "error", err)
			resp.Warnings = append(resp.Warnings, "kubedoor-webhook could not encode its patch; the change was admitted unmodified")
			return resp
		}
		pt := admissionv1.PatchTypeJSONPatch
		resp.Patch, resp.PatchType = patch, &pt
	}
	return resp
}

// logDecision writes the decision's log line: at INFO whenever the webhook changed, refused or
// would have changed something, warned or noted something — the lines an operator audits — and
// at DEBUG for a plain "admitted unchanged", which is most reviews of a busy cluster and says
// nothing the decisions metric does not (kubedoor-webhook --log-level debug shows them).
func (d *Decider) logDecision(ctx context.Context, req *admissionv1.AdmissionRequest, dec decision.Decision) {
	level := slog.LevelInfo
	if unremarkable(dec) {
		level = slog.LevelDebug
	}
	if !d.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 14)
	attrs = append(attrs,
		slog.String("uid", string(req.UID)), slog.String("resource", req.Resource.Resource), slog.String("operation", string(req.Operation)),
		slog.String("subresource", req.SubResource), slog.String("namespace", req.Namespace), slog.String("name", req.Name),
		slog.String("user", req.UserInfo.Username), slog.String("result", string(dec.Result)), slog.String("reason", string(dec.Reason)))
	if len(dec.Changes) > 0 {
		attrs = append(attrs, slog.Any("changes", dec.Changes))
	}
	if len(dec.Notes) > 0 {
		attrs = append(attrs, slog.Any("notes", dec.Notes))
	}
	if len(dec.Ignored) > 0 {
		attrs = append(attrs, slog.Any("ignored", dec.Ignored))
	}
	if dec.Message != "" {
		attrs = append(attrs, slog.String("message", dec.Message))
	}
	if len(dec.Warnings) > 0 {
		attrs = append(attrs, slog.Any("warnings", dec.Warnings))
	}
	d.log.LogAttrs(ctx, level, "admission decision", attrs...)
}

// unremarkable is a decision that admitted the object as sent and has nothing to tell: no
// patch, no refusal, no observe-mode finding, no warning, note or ignored field.
func unremarkable(dec decision.Decision) bool {
	return dec.Result == decision.Allowed && dec.Allowed && len(dec.Patch) == 0 && len(dec.Changes) == 0 &&
		len(dec.Warnings) == 0 && len(dec.Notes) == 0 && len(dec.Ignored) == 0 && dec.Message == ""
}

// maxReportReason bounds the reason written into a policy's status.
const maxReportReason = 512

// reportOf is the status.lastDecision summary of dec: the rule, and what the patch changed.
func reportOf(req *admissionv1.AdmissionRequest, dec decision.Decision, now time.Time) v1alpha1.Decision {
	op := operationOf(req)
	reason := string(dec.Reason)
	if len(dec.Changes) > 0 {
		reason += ": " + strings.Join(dec.Changes, ", ")
	}
	if len(dec.Ignored) > 0 {
		reason += "; ignored: " + strings.Join(dec.Ignored, ", ")
	}
	if len(reason) > maxReportReason {
		reason = reason[:maxReportReason-3] + "..."
	}
	return v1alpha1.Decision{Time: metav1.NewTime(now.UTC()), Operation: op, Result: string(dec.Result), Reason: reason}
}

// operationOf names the request as users know it: CREATE, UPDATE, UPDATE scale.
func operationOf(req *admissionv1.AdmissionRequest) string {
	if isPodCreate(req) {
		return string(req.Operation) + " pod"
	}
	if req.SubResource != "" {
		return string(req.Operation) + " " + req.SubResource
	}
	return string(req.Operation)
}

// workloadName is the request's name, or the object's for a CREATE that carries only the
// object (generateName).
func workloadName(req *admissionv1.AdmissionRequest) string {
	if req.Name != "" {
		return req.Name
	}
	if in, err := Input(req); err == nil {
		return in.Name
	}
	return ""
}
