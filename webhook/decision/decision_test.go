package decision

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// fullPatch is scenario 3's expected patch: replicas 4 and the app container's resources with
// ephemeral-storage kept; nothing touches the sidecar or the image.
const fullPatch = `[{"op":"replace","path":"/spec/replicas","value":4},
 {"op":"add","path":"/spec/template/spec/containers/0/resources","value":{
   "requests":{"cpu":"500m","memory":"1Gi","ephemeral-storage":"1Gi"},"limits":{"cpu":"2","memory":"2Gi"}}}]`

type want struct {
	allowed bool
	result  Result
	reason  Reason
	patch   string // exact JSON Patch; "" = no patch
	code    int32
	message []string // substrings of the denial message
	warning string   // substring of a warning
	note    string   // substring of a note
	ignored string   // substring of an ignored policy value
}

type decideCase struct {
	name string
	in   Input
	want want
}

func withControl(in Input, control, unknown string) Input {
	in.Control, in.Unknown = control, unknown
	return in
}

func without(in Input) Input { in.Policy = nil; return in }

func withHPA(in Input) Input { in.HPA = "api-hpa"; return in }

func withPolicy(in Input, p *v1alpha1.CapacityPolicy) Input { in.Policy = p; return in }

func withSetting(in Input, f func(*Settings)) Input { f(&in.Settings); return in }

func allowed(r Reason) want { return want{allowed: true, result: Allowed, reason: r} }

func patched(r Reason, patch string) want {
	return want{allowed: true, result: Patched, reason: r, patch: patch}
}

func cases() []decideCase {
	replicas4 := `[{"op":"replace","path":"/spec/replicas","value":4}]`
	return append([]decideCase{
		// Rule 1: temporary scale.
		{"a fresh temporary scale lets a Scale through untouched (scenario 10)", scaleTo(8, deployment(4, tempScale(4*time.Minute))), allowed(ReasonTempScale)},
		{"a stale temporary scale no longer protects a Scale (scenario 10)", scaleTo(8, deployment(4, tempScale(6*time.Minute))), want{allowed: true, result: Patched, reason: ReasonScale, patch: replicas4, note: "older than 5m0s"}},
		{"a fresh temporary scale lets a replicas-only update through", update(deployment(4), deployment(8, tempScale(time.Minute))), allowed(ReasonTempScale)},
		{"a fresh temporary scale does not exempt a CREATE (scenario 10)", create(deployment(1, tempScale(time.Minute))), patched(ReasonCreate, fullPatch)},
		{"a fresh temporary scale does not exempt a template change (scenario 10)", update(deployment(4, tempScale(time.Minute)), deployment(8, tempScale(time.Minute), image("a:2"))), patched(ReasonTemplateChange, fullPatch)},
		{"a temporary-scale time far in the future is ignored", scaleTo(8, deployment(4, tempScale(-time.Hour))), want{allowed: true, result: Patched, reason: ReasonScale, patch: replicas4, note: "in the future"}},
		{"a malformed temporary-scale annotation is ignored and noted", scaleTo(8, deployment(4, withAnnotation(v1alpha1.AnnotationScaleTemp, "2026-03-01 09:58:00@4-->8"))), want{allowed: true, result: Patched, reason: ReasonScale, patch: replicas4, note: "malformed"}},
		{"a Scale for a Deployment the cache does not hold is still enforced", scaleTo(8, nil), patched(ReasonScale, replicas4)},
		{"a custom temporary-scale window is honoured", withSetting(scaleTo(8, deployment(4, tempScale(6*time.Minute))), func(s *Settings) { s.TempScaleWindow = 10 * time.Minute }), allowed(ReasonTempScale)},

		// Rule 2: namespace not enforced.
		{"a CREATE in an unlabelled namespace is admitted unchanged (scenario 8)", withControl(create(deployment(1)), "", ""), allowed(ReasonNotEnforced)},
		{"a control label with another value is not enforcement", withControl(create(deployment(1)), "yes", ""), allowed(ReasonNotEnforced)},
		{"an unregistered CREATE in an unlabelled namespace is admitted unchanged", without(withControl(create(deployment(1)), "", "")), allowed(ReasonNotEnforced)},
		{"observe mode admits a CREATE unchanged and reports the would-be patch", withControl(create(deployment(1)), v1alpha1.ControlObserve, ""),
			want{allowed: true, result: Observed, reason: ReasonCreate, warning: "would set replicas 1 -> 4; app requests.cpu 100m -> 500m"}},
		{"observe mode reports a would-be denial and admits", without(withControl(create(deployment(1)), v1alpha1.ControlObserve, "")),
			want{allowed: true, result: Observed, reason: ReasonUnknownDeny, warning: "would deny demo/api", note: "would deny: kubedoor: Deployment prod-a/demo/api"}},
		{"observe mode with a compliant Scale is a plain allow", withControl(scaleTo(4, nil), v1alpha1.ControlObserve, ""), allowed(ReasonScale)},

		// Rule 3: no policy.
		{"an unregistered CREATE is denied, naming the workload and how to register it (scenario 7)", without(create(deployment(1))), want{
			result: Denied, reason: ReasonUnknownDeny, code: 403,
			message: []string{"prod-a/demo/api", "not in the KubeDoor control table", "add prod-a/demo/api to the control table in Grafana", "kubedoor.io/unknown-workloads"},
		}},
		{"an unregistered Scale is denied too (scenario 7)", without(scaleTo(3, nil)), want{result: Denied, reason: ReasonUnknownDeny, code: 403, message: []string{"prod-a/demo/api"}}},
		{"an unregistered template change is denied", without(update(deployment(1), deployment(1, image("a:2")))), want{result: Denied, reason: ReasonUnknownDeny, code: 403}},
		{"an explicit deny annotation denies", without(withControl(create(deployment(1)), v1alpha1.ControlEnforce, v1alpha1.UnknownDeny)), want{result: Denied, reason: ReasonUnknownDeny, code: 403}},
		{"an unknown-workloads value that is not a mode is treated as deny", without(withControl(create(deployment(1)), v1alpha1.ControlEnforce, "maybe")), want{result: Denied, reason: ReasonUnknownDeny, code: 403, note: "treated as deny"}},
		{"warn admits an unregistered CREATE with a warning", without(withControl(create(deployment(1)), v1alpha1.ControlEnforce, v1alpha1.UnknownWarn)), want{allowed: true, result: Allowed, reason: ReasonUnknownWarn, warning: "prod-a/demo/api is not in the control table"}},
		{"allow admits an unregistered CREATE silently (scenario 7, new services admitted)", without(withControl(create(deployment(1)), v1alpha1.ControlEnforce, v1alpha1.UnknownAllow)), allowed(ReasonUnknownAllow)},
		{"a label-only update of an unregistered Deployment is admitted, so it can still be relabelled or deleted", without(update(deployment(1), deployment(1, func(d *appsv1.Deployment) { d.Labels["team"] = "b" }))), allowed(ReasonNoCapacityChange)},

		// Rule 4: Scale.
		{"a Scale is forced to the policy's replicas (scenario 1)", scaleTo(10, nil), patched(ReasonScale, replicas4)},
		{"a policy of zero replicas scales to zero (scenario 2)", withPolicy(scaleTo(3, nil), policy(func(p *v1alpha1.CapacityPolicy) { p.Spec.Replicas = i32(0) })), patched(ReasonScale, `[{"op":"replace","path":"/spec/replicas","value":0}]`)},
		{"a Scale already at the policy's replicas needs no patch", scaleTo(4, nil), allowed(ReasonScale)},
		{"a policy without replicas leaves a Scale alone", withPolicy(scaleTo(9, nil), policy(func(p *v1alpha1.CapacityPolicy) { p.Spec.Replicas = nil })), want{allowed: true, result: Allowed, reason: ReasonScale, note: "sets no replicas"}},
		{"a Scale of an HPA-targeted Deployment is the HPA's (rule 8)", withHPA(scaleTo(9, nil)), want{allowed: true, result: Allowed, reason: ReasonScaleHPA, note: "api-hpa owns the replicas"}},

		// Rule 5: CREATE or template change.
		{"a CREATE gets replicas and the app container's resources, sidecar and image untouched (scenario 3)", create(deployment(1)), patched(ReasonCreate, fullPatch)},
		{"a rollout restart gets the full patch (scenario 4)", update(deployment(6), deployment(6, restarted)), patched(ReasonTemplateChange, fullPatch)},
		{"an image change gets the full patch (scenario 4)", update(deployment(6), deployment(6, image("a:2"))), patched(ReasonTemplateChange, fullPatch)},
		{"an env change gets the full patch", update(deployment(6), deployment(6, func(d *appsv1.Deployment) {
			d.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "MODE", Value: "fast"}}
		})), patched(ReasonTemplateChange, fullPatch)},
		{"a sidecar named in the policy is enforced too", withPolicy(create(deployment(4)), policy(func(p *v1alpha1.CapacityPolicy) {
			p.Spec.Containers = append(p.Spec.Containers, v1alpha1.ContainerPolicy{Name: "sidecar", MemoryLimit: q("64Mi")})
		})), patched(ReasonCreate, `[{"op":"add","path":"/spec/template/spec/containers/0/resources","value":{
			"requests":{"cpu":"500m","memory":"1Gi","ephemeral-storage":"1Gi"},"limits":{"cpu":"2","memory":"2Gi"}}},
			{"op":"add","path":"/spec/template/spec/containers/1/resources","value":{"requests":{"cpu":"50m"},"limits":{"memory":"64Mi"}}}]`)},
		{"a container the policy names but the Deployment lacks is noted", withPolicy(create(deployment(4)), policy(func(p *v1alpha1.CapacityPolicy) {
			p.Spec.Containers[0].Name = "worker"
		})), want{allowed: true, result: Allowed, reason: ReasonCreate, note: `container "worker"`}},
		{"fields the policy leaves unset keep what was sent", withPolicy(create(deployment(4)), policy(func(p *v1alpha1.CapacityPolicy) {
			p.Spec.Containers[0] = v1alpha1.ContainerPolicy{Name: "app", MemoryRequest: q("256Mi")}
		})), patched(ReasonCreate, `[{"op":"add","path":"/spec/template/spec/containers/0/resources","value":{
			"requests":{"cpu":"100m","memory":"256Mi","ephemeral-storage":"1Gi"}}}]`)},
		{"a non-positive policy value keeps what was sent (scenario 9)", withPolicy(create(deployment(4)), policy(func(p *v1alpha1.CapacityPolicy) {
			p.Spec.Containers[0].CPURequest = q("0")
			p.Spec.Containers[0].CPULimit = q("-1")
		})), want{allowed: true, result: Patched, reason: ReasonCreate, note: "requests.cpu 0 is not positive", patch: `[{"op":"add","path":"/spec/template/spec/containers/0/resources","value":{
			"requests":{"cpu":"100m","memory":"1Gi","ephemeral-storage":"1Gi"},"limits":{"memory":"2Gi"}}}]`}},
		{"a policy request above the sent limit is clamped to the limit and reported (scenario 9)", withPolicy(create(deployment(4, func(d *appsv1.Deployment) {
			d.Spec.Template.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("300m")}
		})), policy(func(p *v1alpha1.CapacityPolicy) {
			p.Spec.Containers[0] = v1alpha1.ContainerPolicy{Name: "app", CPURequest: q("500m")}
		})),
			want{allowed: true, result: Patched, reason: ReasonCreate, warning: "cpu request 500m is above its limit 300m; clamped", patch: `[{"op":"add","path":"/spec/template/spec/containers/0/resources","value":{
			"requests":{"cpu":"300m","ephemeral-storage":"1Gi"},"limits":{"cpu":"300m"}}}]`}},
		{"a sent request above the policy's limit is clamped", withPolicy(create(deployment(4)), policy(func(p *v1alpha1.CapacityPolicy) {
			p.Spec.Containers[0] = v1alpha1.ContainerPolicy{Name: "app", CPULimit: q("50m")}
		})), want{allowed: true, result: Patched, reason: ReasonCreate, note: "cpu request 100m is above its limit 50m", patch: `[{"op":"add","path":"/spec/template/spec/containers/0/resources","value":{
			"requests":{"cpu":"50m","ephemeral-storage":"1Gi"},"limits":{"cpu":"50m"}}}]`}},
		{"a compliant CREATE spelled differently needs no patch", create(deployment(4, func(d *appsv1.Deployment) {
			d.Spec.Template.Spec.Containers[0].Resources = corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("0.5"), corev1.ResourceMemory: resource.MustParse("1Gi")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("2048Mi")},
			}
		})), allowed(ReasonCreate)},
		{"a CREATE without replicas gets them added", create(deployment(4, func(d *appsv1.Deployment) {
			d.Spec.Replicas = nil
			d.Spec.Template.Spec.Containers[0].Resources = corev1.ResourceRequirements{}
		})), patched(ReasonCreate, `[{"op":"add","path":"/spec/replicas","value":4},{"op":"add","path":"/spec/template/spec/containers/0/resources","value":{
			"requests":{"cpu":"500m","memory":"1Gi"},"limits":{"cpu":"2","memory":"2Gi"}}}]`)},
		{"a CREATE of an HPA-targeted Deployment gets resources but keeps its replicas (rule 8)", withHPA(create(deployment(7))), want{allowed: true, result: Patched, reason: ReasonCreate, note: "owns the replicas; not forced",
			patch: `[{"op":"add","path":"/spec/template/spec/containers/0/resources","value":{"requests":{"cpu":"500m","memory":"1Gi","ephemeral-storage":"1Gi"},"limits":{"cpu":"2","memory":"2Gi"}}}]`}},

		// Rule 6: replicas-only update.
		{"a replicas-only update is forced back by default (scenario 6)", update(deployment(4), deployment(10)), patched(ReasonReplicasOnly, replicas4)},
		{"a replicas-only update is admitted when the setting allows it (scenario 6)", withSetting(update(deployment(4), deployment(10)), func(s *Settings) { s.ReplicasOnlyUpdate = ReplicasOnlyAllow }), allowed(ReasonReplicasOnlyAllowed)},
		{"a replicas-only update of an HPA-targeted Deployment is the HPA's", withHPA(update(deployment(4), deployment(10))), want{allowed: true, result: Allowed, reason: ReasonReplicasOnly, note: "not forced"}},

		// Rule 7: anything else.
		{"a labels-only update is admitted without a patch (scenario 5)", update(deployment(4), deployment(4, func(d *appsv1.Deployment) { d.Labels["team"] = "b" })), allowed(ReasonNoCapacityChange)},
		{"a strategy-only update is admitted without a patch", update(deployment(4), deployment(4, func(d *appsv1.Deployment) { d.Spec.MinReadySeconds = 30 })), allowed(ReasonNoCapacityChange)},
		{"an update of a Deployment being deleted is admitted", update(deployment(4, restarted), deployment(4, func(d *appsv1.Deployment) {
			ts := metav1.NewTime(now)
			d.DeletionTimestamp = &ts
		})), allowed(ReasonNoCapacityChange)},
		{"a review missing its object is admitted unchanged", Input{Operation: ScaleUpdate, Namespace: "demo", Name: "api", Control: v1alpha1.ControlEnforce, Policy: policy()}, allowed(ReasonUnsupported)},
		{"an operation the webhook is not registered for is admitted unchanged", Input{Operation: OperationUnknown, Control: v1alpha1.ControlEnforce, Policy: policy()}, allowed(ReasonUnsupported)},
	}, kindCases()...)
}

func TestDecideFollowsTheAdmissionRulesInOrder(t *testing.T) {
	for _, tt := range cases() {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.in)
			w := tt.want
			if d.Allowed != w.allowed || d.Result != w.result || d.Reason != w.reason {
				t.Fatalf("got allowed=%v result=%s reason=%s, want allowed=%v result=%s reason=%s (notes %q)",
					d.Allowed, d.Result, d.Reason, w.allowed, w.result, w.reason, d.Notes)
			}
			checkPatch(t, d.Patch, w.patch)
			if d.Code != w.code {
				t.Errorf("code %d, want %d", d.Code, w.code)
			}
			for _, m := range w.message {
				if !strings.Contains(d.Message, m) {
					t.Errorf("message %q lacks %q", d.Message, m)
				}
			}
			if w.warning != "" && !anyContains(d.Warnings, w.warning) {
				t.Errorf("warnings %q lack %q", d.Warnings, w.warning)
			}
			if w.note != "" && !anyContains(d.Notes, w.note) {
				t.Errorf("notes %q lack %q", d.Notes, w.note)
			}
			if w.ignored != "" && !anyContains(d.Ignored, w.ignored) {
				t.Errorf("ignored %q lack %q", d.Ignored, w.ignored)
			}
			for _, op := range d.Patch {
				if strings.Contains(op.Path, "/image") {
					t.Errorf("op %+v touches the image", op)
				}
			}
			if d.Result == Patched && len(d.Changes) == 0 {
				t.Errorf("a patch without a description of its changes")
			}
			for _, warn := range d.Warnings {
				if len(warn) > 256 {
					t.Errorf("warning over 256 characters: %q", warn)
				}
			}
		})
	}
}

// The API server may send the same review twice, and re-sends the patched object on the next
// change: answers must repeat exactly, and a patched object must need no further patch.
func TestDecisionsAreIdempotent(t *testing.T) {
	for _, tt := range cases() {
		t.Run(tt.name, func(t *testing.T) {
			first, second := Decide(tt.in), Decide(tt.in)
			a, _ := json.Marshal(first.Patch)
			b, _ := json.Marshal(second.Patch)
			if string(a) != string(b) || first.Reason != second.Reason || first.Result != second.Result {
				t.Fatalf("same review, different answers: %s vs %s", a, b)
			}
			if first.Result != Patched {
				return
			}
			again := Decide(apply(t, tt.in, first))
			if len(again.Patch) != 0 {
				b, _ := json.Marshal(again.Patch)
				t.Fatalf("the patched object still gets a patch: %s (first %s)", b, a)
			}
			if !again.Allowed {
				t.Fatalf("the patched object is refused: %+v", again)
			}
		})
	}
}

func TestDecideDoesNotModifyItsInput(t *testing.T) {
	in := create(deployment(1))
	before := in.New.DeepCopy()
	pol := in.Policy.DeepCopy()
	_ = Decide(in)
	if !reflect.DeepEqual(before, in.New) || !reflect.DeepEqual(pol, in.Policy) {
		t.Fatal("Decide changed the objects it was given; cached objects are shared between reviews")
	}
}

func TestWarningsAreTruncatedOnACharacterBoundary(t *testing.T) {
	s := strings.Repeat("é", 200) // 400 bytes
	got := truncate(s)
	if len(got) > 256 || !strings.HasSuffix(got, "...") || !strings.HasPrefix(s, strings.TrimSuffix(got, "...")) {
		t.Fatalf("truncate gave %d bytes %q", len(got), got)
	}
}

func checkPatch(t *testing.T, got []PatchOp, want string) {
	t.Helper()
	if want == "" {
		if len(got) != 0 {
			b, _ := json.Marshal(got)
			t.Fatalf("unexpected patch %s", b)
		}
		return
	}
	gotJSON, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(gotJSON, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expected patch in test: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("patch\n got %s\nwant %s", gotJSON, want)
	}
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
