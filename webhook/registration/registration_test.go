package registration

import (
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
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
	if len(exprs) != 2 || exprs[0].Key != ControlLabel || exprs[1].Values[0] != "kube-system" || exprs[1].Values[1] != "kubedoor" {
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
