package registration

import (
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

func TestMutatingHasTheSafetyDefaults(t *testing.T) {
	cfg := Mutating(Options{URL: "https://127.0.0.1:8443/mutate", CABundle: []byte("ca"), Exclude: []string{"kubedoor"}})
	w := cfg.Webhooks[0]
	if *w.FailurePolicy != admissionregistrationv1.Ignore {
		t.Errorf("failure policy %s, want Ignore by default", *w.FailurePolicy)
	}
	if *w.SideEffects != admissionregistrationv1.SideEffectClassNone {
		t.Errorf("side effects %s", *w.SideEffects)
	}
	if *w.TimeoutSeconds > 5 || *w.TimeoutSeconds < 1 {
		t.Errorf("timeout %d", *w.TimeoutSeconds)
	}
	exprs := w.NamespaceSelector.MatchExpressions
	if len(exprs) != 3 || exprs[0].Key != ControlLabel || exprs[1].Values[0] != "kube-system" || exprs[1].Values[1] != "kubedoor" {
		t.Errorf("namespace selector %+v must require the control label and exclude kube-system and the webhook's namespace", exprs)
	}
	res := w.Rules[0].Resources
	want := []string{"deployments", "deployments/scale", "statefulsets", "statefulsets/scale", "daemonsets"}
	if strings.Join(res, ",") != strings.Join(want, ",") {
		t.Errorf("resources %v, want %v: without a kind's /scale, kubectl scale bypasses the webhook", res, want)
	}
	if g := w.Rules[0].APIGroups; len(g) != 1 || g[0] != "apps" || w.Rules[0].APIVersions[0] != "v1" {
		t.Errorf("rule group/version %v %v", g, w.Rules[0].APIVersions)
	}
}

func TestTimeoutsOutsideTheAllowedRangeFallBackToTheDefault(t *testing.T) {
	tests := []struct {
		name string
		in   int32
		want int32
	}{
		{"zero means the default", 0, 3},
		{"above five is clamped to the default", 30, 3},
		{"an allowed value is kept", 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := *Mutating(Options{URL: "https://x/mutate", Timeout: tt.in}).Webhooks[0].TimeoutSeconds
			if got != tt.want {
				t.Fatalf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestServiceReferenceDefaultsToPort443AndTheMutatePath(t *testing.T) {
	w := Mutating(Options{Service: &ServiceRef{Namespace: "kubedoor", Name: "kubedoor-webhook"}, Fail: true}).Webhooks[0]
	s := w.ClientConfig.Service
	if s == nil || *s.Port != 443 || *s.Path != "/mutate" || w.ClientConfig.URL != nil {
		t.Fatalf("client config %+v", w.ClientConfig)
	}
	if *w.FailurePolicy != admissionregistrationv1.Fail {
		t.Fatalf("Fail option ignored")
	}
}

// The two entries split the enforced namespaces by target, as a label selector would match them.
func TestPodsGoToTheWebhookOnlyFromPodsTargetNamespacesAndWorkloadsOnlyFromTheOthers(t *testing.T) {
	cfg := Mutating(Options{URL: "https://x/mutate", Exclude: []string{"kubedoor"}})
	if len(cfg.Webhooks) != 2 || cfg.Webhooks[0].Name != WebhookName || cfg.Webhooks[1].Name != PodsWebhookName {
		t.Fatalf("webhooks %d, want the workload entry then the pods entry", len(cfg.Webhooks))
	}
	workloads, pods := cfg.Webhooks[0], cfg.Webhooks[1]
	if r := pods.Rules[0]; strings.Join(r.Resources, ",") != "pods" || len(r.APIGroups) != 1 || r.APIGroups[0] != "" ||
		len(r.Operations) != 1 || r.Operations[0] != admissionregistrationv1.Create {
		t.Errorf("pods rule %+v, want CREATE of core pods only", r)
	}
	if *pods.FailurePolicy != *workloads.FailurePolicy || *pods.TimeoutSeconds != *workloads.TimeoutSeconds || *pods.SideEffects != admissionregistrationv1.SideEffectClassNone {
		t.Errorf("the pods entry does not share the safety defaults")
	}
	tests := []struct {
		name          string
		labels        map[string]string
		workload, pod bool
	}{
		{"an enforced namespace without a target sends workloads, not pods", map[string]string{ControlLabel: "enforce"}, true, false},
		{"an enforced namespace with the template target sends workloads, not pods", map[string]string{ControlLabel: "enforce", TargetLabel: "template"}, true, false},
		{"an enforced namespace with the pods target sends pods, not workloads", map[string]string{ControlLabel: "enforce", TargetLabel: "pods"}, false, true},
		{"an observed namespace with the pods target sends pods", map[string]string{ControlLabel: "observe", TargetLabel: "pods"}, false, true},
		{"a namespace with the pods target but no control label sends nothing", map[string]string{TargetLabel: "pods"}, false, false},
		{"an unlabelled namespace sends nothing", map[string]string{}, false, false},
		{"the webhook's own namespace sends nothing even with the pods target", map[string]string{ControlLabel: "enforce", TargetLabel: "pods", "kubernetes.io/metadata.name": "kubedoor"}, false, false},
		{"kube-system sends nothing", map[string]string{ControlLabel: "enforce", "kubernetes.io/metadata.name": "kube-system"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := tt.labels["kubernetes.io/metadata.name"]; !ok {
				tt.labels["kubernetes.io/metadata.name"] = "team-a"
			}
			for _, c := range []struct {
				w    admissionregistrationv1.MutatingWebhook
				want bool
			}{{workloads, tt.workload}, {pods, tt.pod}} {
				sel, err := metav1.LabelSelectorAsSelector(c.w.NamespaceSelector)
				if err != nil {
					t.Fatal(err)
				}
				if got := sel.Matches(labels.Set(tt.labels)); got != c.want {
					t.Errorf("%s matches %v: %v, want %v", c.w.Name, tt.labels, got, c.want)
				}
			}
		})
	}
}

// The API server evaluates the condition (webhook/conditions_test.go); here only where it sits.
func TestOnlyTheWorkloadEntryCarriesTheCapacityCondition(t *testing.T) {
	cfg := Mutating(Options{URL: "https://x/mutate"})
	w, pods := cfg.Webhooks[0], cfg.Webhooks[1]
	if len(w.MatchConditions) != 1 || w.MatchConditions[0].Name != CapacityConditionName || w.MatchConditions[0].Expression != CapacityCondition {
		t.Errorf("workload entry conditions %+v, want the capacity condition alone", w.MatchConditions)
	}
	if len(pods.MatchConditions) != 0 {
		t.Errorf("pods entry conditions %+v: every Pod CREATE must reach the webhook", pods.MatchConditions)
	}
	for _, term := range []string{"request.operation != 'UPDATE'", "request.subResource != ''", "object.spec.template", "object.spec.replicas", "'kubedoor.io/'"} {
		if !strings.Contains(CapacityCondition, term) {
			t.Errorf("condition lacks %s", term)
		}
	}
}
