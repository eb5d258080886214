package admission

import (
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

type reported struct {
	namespace, name string
	d               v1alpha1.Decision
}

func TestDecisionsAreReportedOnlyForDeploymentsWithAPolicy(t *testing.T) {
	tests := []struct {
		name       string
		lookup     func() *fakeLookup
		ns, deploy string
		scale      bool
		want       *reported
	}{
		{"a patched create is reported with what changed", lookup, "demo", "api", false,
			&reported{"demo", "api", v1alpha1.Decision{Operation: "CREATE", Result: "patched"}}},
		{"a scale is reported as an update of the scale subresource", lookup, "demo", "api", true,
			&reported{"demo", "api", v1alpha1.Decision{Operation: "UPDATE scale", Result: "patched"}}},
		{"observe mode is reported as observed", lookup, "watching", "api", false,
			&reported{"watching", "api", v1alpha1.Decision{Operation: "CREATE", Result: "observed"}}},
		{"a Deployment without a policy has nothing to report on", lookup, "demo", "unknown", false, nil},
		{"a webhook still starting reports nothing", func() *fakeLookup { l := lookup(); l.notSynced = true; return l }, "demo", "api", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []reported
			d, _ := newDecider(t, tt.lookup(), func(o *Options) {
				o.Report = func(ns, name string, dec v1alpha1.Decision) { got = append(got, reported{ns, name, dec}) }
			})
			req := createReq(tt.ns, tt.deploy, 10)
			if tt.scale {
				req = scaleReq(tt.ns, tt.deploy, 10)
			}
			d.Decide(t.Context(), req)
			if tt.want == nil {
				if len(got) != 0 {
					t.Fatalf("reported %+v; want nothing", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("reported %d decisions; want 1", len(got))
			}
			r := got[0]
			if r.namespace != tt.want.namespace || r.name != tt.want.name || r.d.Operation != tt.want.d.Operation || r.d.Result != tt.want.d.Result {
				t.Fatalf("reported %+v; want %+v", r, *tt.want)
			}
			if !r.d.Time.Time.Equal(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)) || !strings.Contains(r.d.Reason, "replicas 10 -> 4") {
				t.Fatalf("time %v and reason %q: want the review's clock and the change in words", r.d.Time, r.d.Reason)
			}
		})
	}
}

func TestOnlyRefusalsAreToldToDenied(t *testing.T) {
	type denial struct{ namespace, name, op, message string }
	for _, tt := range []struct {
		name   string
		req    *admissionv1.AdmissionRequest
		denied bool
	}{
		{"an unregistered Deployment's create in a deny namespace is a denial", createReq("demo", "stranger", 1), true},
		{"a generated name is taken from the object", func() *admissionv1.AdmissionRequest { r := createReq("demo", "stranger", 1); r.Name = ""; return r }(), true},
		{"a patched create is not", createReq("demo", "api", 1), false},
		{"an observed create is not", createReq("watching", "stranger", 1), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []denial
			d, _ := newDecider(t, lookup(), func(o *Options) {
				o.Denied = func(kind, ns, name, op, msg string) {
					if kind != v1alpha1.KindDeployment {
						t.Errorf("denial told for kind %q", kind)
					}
					got = append(got, denial{ns, name, op, msg})
				}
			})
			resp := d.Decide(t.Context(), tt.req)
			if !tt.denied {
				if len(got) != 0 {
					t.Fatalf("told %+v for an admitted change", got)
				}
				return
			}
			if resp.Allowed || len(got) != 1 || got[0].name != "stranger" || got[0].op != "CREATE" || got[0].message != resp.Result.Message {
				t.Fatalf("allowed %v, told %+v", resp.Allowed, got)
			}
		})
	}
}
