package admission

import (
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/webhook/cache"
	"github.com/kubedoor/kubedoor-grafana/webhook/decision"
)

// fakeLookup is an in-memory Lookup for the adapter's own logic; the informer-backed cache is
// tested against a real API server in the cache package.
type fakeLookup struct {
	notSynced   bool
	namespaces  map[string]cache.Namespace
	policies    map[string]*v1alpha1.CapacityPolicy
	deployments map[string]*appsv1.Deployment
	hpas        map[string]string
	nsLookups   atomic.Int32
	nsAppearsAt int32 // the namespace shows up on this lookup (0 = at once)
	// replicaSets maps "ns/name" to the owning Deployment's name; rsLookups counts lookups and
	// a ReplicaSet shows up on lookup rsAppearsAt (0 = at once).
	replicaSets map[string]string
	rsLookups   atomic.Int32
	rsAppearsAt int32
}

func (f *fakeLookup) ReplicaSetOwner(ns, name string) (string, string, bool) {
	if n := f.rsLookups.Add(1); n < f.rsAppearsAt {
		return "", "", false
	}
	owner, ok := f.replicaSets[ns+"/"+name]
	if !ok {
		return "", "", false
	}
	return v1alpha1.KindDeployment, owner, true
}

func (f *fakeLookup) Synced() bool { return !f.notSynced }
func (f *fakeLookup) Namespace(name string) (cache.Namespace, bool) {
	if n := f.nsLookups.Add(1); n < f.nsAppearsAt {
		return cache.Namespace{}, false
	}
	ns, ok := f.namespaces[name]
	return ns, ok
}
func (f *fakeLookup) Policy(ns, name string) *v1alpha1.CapacityPolicy { return f.policies[ns+"/"+name] }

// Workload keys deployments by "ns/name" and other kinds by "ns/Kind/name".
func (f *fakeLookup) Workload(kind, ns, name string) *appsv1.Deployment {
	if kind == v1alpha1.KindDeployment {
		return f.deployments[ns+"/"+name]
	}
	return f.deployments[ns+"/"+kind+"/"+name]
}

// HPAFor keys Deployment targets by "ns/name" and other kinds by "ns/Kind/name".
func (f *fakeLookup) HPAFor(ns, kind, name string) string {
	if kind == v1alpha1.KindDeployment {
		return f.hpas[ns+"/"+name]
	}
	return f.hpas[ns+"/"+kind+"/"+name]
}

func replicas(n int32) *int32 { return &n }

func q(s string) *resource.Quantity { v := resource.MustParse(s); return &v }

func lookup() *fakeLookup {
	return &fakeLookup{
		namespaces: map[string]cache.Namespace{
			"demo":     {Control: v1alpha1.ControlEnforce},
			"watching": {Control: v1alpha1.ControlObserve},
		},
		policies: map[string]*v1alpha1.CapacityPolicy{
			"demo/api":     apiPolicy("demo"),
			"watching/api": apiPolicy("watching"),
		},
		deployments: map[string]*appsv1.Deployment{},
		hpas:        map[string]string{},
	}
}

func apiPolicy(ns string) *v1alpha1.CapacityPolicy {
	return &v1alpha1.CapacityPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: ns},
		Spec: v1alpha1.CapacityPolicySpec{Replicas: replicas(4), Containers: []v1alpha1.ContainerPolicy{
			{Name: "app", CPURequest: q("500m"), MemoryLimit: q("1Gi")},
		}},
	}
}

func deploymentJSON(ns, name string, n int32) []byte {
	d := appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{Replicas: &n, Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "app", Image: "a:1"}},
		}}},
	}
	b, _ := json.Marshal(d)
	return b
}

func scaleJSON(ns, name string, n int32) []byte {
	b, _ := json.Marshal(autoscalingv1.Scale{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v1", Kind: "Scale"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: autoscalingv1.ScaleSpec{Replicas: n},
	})
	return b
}

var deploymentsResource = metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}

func createReq(ns, name string, n int32) *admissionv1.AdmissionRequest {
	return &admissionv1.AdmissionRequest{UID: "u-1", Operation: admissionv1.Create, Namespace: ns, Name: name,
		Resource: deploymentsResource, Object: runtime.RawExtension{Raw: deploymentJSON(ns, name, n)}}
}

func scaleReq(ns, name string, n int32) *admissionv1.AdmissionRequest {
	return &admissionv1.AdmissionRequest{UID: "u-2", Operation: admissionv1.Update, Namespace: ns, Name: name,
		Resource: deploymentsResource, SubResource: "scale", Object: runtime.RawExtension{Raw: scaleJSON(ns, name, n)}}
}

func newDecider(t testing.TB, l Lookup, mod func(*Options)) (*Decider, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	o := Options{Settings: decision.Settings{Cluster: "prod-a"}, ObserveWarnings: true, NamespaceWait: 200 * time.Millisecond,
		Clock: func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) }}
	if mod != nil {
		mod(&o)
	}
	d, err := New(l, o, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return d, reg
}

func TestResponses(t *testing.T) {
	tests := []struct {
		name        string
		lookup      func() *fakeLookup
		req         *admissionv1.AdmissionRequest
		opts        func(*Options)
		wantAllowed bool
		wantPatch   string
		wantCode    int32
		wantWarning string
		wantMetric  [2]string // result, reason
	}{
		{name: "a CREATE in an enforced namespace is answered with a JSON patch", lookup: lookup, req: createReq("demo", "api", 1), wantAllowed: true,
			wantPatch:  `[{"op":"replace","path":"/spec/replicas","value":4},{"op":"add","path":"/spec/template/spec/containers/0/resources","value":{"limits":{"memory":"1Gi"},"requests":{"cpu":"500m"}}}]`,
			wantMetric: [2]string{"patched", "create"}},
		{name: "a Scale is patched to the policy's replicas", lookup: lookup, req: scaleReq("demo", "api", 9), wantAllowed: true,
			wantPatch: `[{"op":"replace","path":"/spec/replicas","value":4}]`, wantMetric: [2]string{"patched", "scale"}},
		{name: "a Scale of a Deployment under a fresh temporary scale is left alone, using the cached annotation",
			lookup: func() *fakeLookup {
				l := lookup()
				l.deployments["demo/api"] = &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "demo",
					Annotations: map[string]string{v1alpha1.AnnotationScaleTemp: "2026-03-01T09:58:00Z@4->9"}}}
				return l
			}, req: scaleReq("demo", "api", 9), wantAllowed: true, wantMetric: [2]string{"allowed", "temp-scale"}},
		{name: "a Scale of an HPA-targeted Deployment is left alone", lookup: func() *fakeLookup {
			l := lookup()
			l.hpas["demo/api"] = "api"
			return l
		}, req: scaleReq("demo", "api", 9), wantAllowed: true, wantMetric: [2]string{"allowed", "scale-hpa"}},
		{name: "an unregistered CREATE is denied with a 403 status naming the workload", lookup: lookup, req: createReq("demo", "newsvc", 1),
			wantCode: 403, wantMetric: [2]string{"denied", "unknown-deny"}},
		{name: "observe mode answers with a warning and no patch", lookup: lookup, req: createReq("watching", "api", 1), wantAllowed: true,
			wantWarning: "would set replicas 1 -> 4", wantMetric: [2]string{"observed", "create"}},
		{name: "observe warnings can be switched off", lookup: lookup, req: createReq("watching", "api", 1), opts: func(o *Options) { o.ObserveWarnings = false },
			wantAllowed: true, wantMetric: [2]string{"observed", "create"}},
		{name: "before the caches sync every review is admitted unchanged with a warning", lookup: func() *fakeLookup { l := lookup(); l.notSynced = true; return l },
			req: createReq("demo", "newsvc", 1), wantAllowed: true, wantWarning: "caches not synced", wantMetric: [2]string{"allowed", "caches-not-synced"}},
		{name: "a namespace created moments ago is waited for", lookup: func() *fakeLookup { l := lookup(); l.nsAppearsAt = 5; return l },
			req: scaleReq("demo", "api", 9), wantAllowed: true, wantPatch: `[{"op":"replace","path":"/spec/replicas","value":4}]`, wantMetric: [2]string{"patched", "scale"}},
		{name: "a namespace the cache never sees is admitted unchanged with a warning", lookup: lookup,
			req: createReq("elsewhere", "api", 1), wantAllowed: true, wantWarning: "has not seen namespace elsewhere", wantMetric: [2]string{"allowed", "namespace-not-cached"}},
		{name: "an unreadable policy admits unchanged with a warning instead of denying", lookup: func() *fakeLookup {
			l := lookup()
			l.policies["demo/api"] = &v1alpha1.CapacityPolicy{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "demo",
				Annotations: map[string]string{"kubedoor.io/invalid-policy": "spec.replicas: bad"}}}
			return l
		}, req: createReq("demo", "api", 1), wantAllowed: true, wantWarning: "unreadable", wantMetric: [2]string{"allowed", "invalid-policy"}},
		{name: "an object that is not a Deployment is admitted unchanged with a warning", lookup: lookup, req: func() *admissionv1.AdmissionRequest {
			r := createReq("demo", "api", 1)
			r.Object.Raw = []byte(`{"spec":{"replicas":"many"}}`)
			return r
		}(), wantAllowed: true, wantWarning: "could not read the object", wantMetric: [2]string{"allowed", "undecodable-object"}},
		{name: "a resource the webhook is not registered for is admitted unchanged", lookup: lookup, req: func() *admissionv1.AdmissionRequest {
			r := createReq("demo", "api", 1)
			r.Resource.Resource = "replicasets"
			return r
		}(), wantAllowed: true, wantMetric: [2]string{"allowed", "unsupported-request"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := newDecider(t, tt.lookup(), tt.opts)
			resp := d.Decide(t.Context(), tt.req)
			if resp.UID != tt.req.UID || resp.Allowed != tt.wantAllowed {
				t.Fatalf("uid %q allowed %v, want %q %v (%+v)", resp.UID, resp.Allowed, tt.req.UID, tt.wantAllowed, resp)
			}
			if string(resp.Patch) != tt.wantPatch {
				t.Fatalf("patch %s, want %s", resp.Patch, tt.wantPatch)
			}
			if len(resp.Patch) > 0 && (resp.PatchType == nil || *resp.PatchType != admissionv1.PatchTypeJSONPatch) {
				t.Fatalf("patch type %v, want JSONPatch", resp.PatchType)
			}
			if tt.wantCode != 0 {
				if resp.Result == nil || resp.Result.Code != tt.wantCode || !strings.Contains(resp.Result.Message, "demo/newsvc") {
					t.Fatalf("denial status %+v, want code %d naming demo/newsvc", resp.Result, tt.wantCode)
				}
			}
			if tt.wantWarning != "" && !strings.Contains(strings.Join(resp.Warnings, "|"), tt.wantWarning) {
				t.Fatalf("warnings %q lack %q", resp.Warnings, tt.wantWarning)
			}
			if tt.wantWarning == "" && len(resp.Warnings) > 0 {
				t.Fatalf("unexpected warnings %q", resp.Warnings)
			}
			if got := testutil.ToFloat64(d.metrics.WithLabelValues(tt.wantMetric[0], tt.wantMetric[1])); got != 1 {
				t.Fatalf("decisions_total{result=%q,reason=%q} = %v, want 1", tt.wantMetric[0], tt.wantMetric[1], got)
			}
		})
	}
}

func TestAGeneratedNameIsTakenFromTheObject(t *testing.T) {
	req := createReq("demo", "api", 1)
	req.Name = ""
	in, err := Input(req)
	if err != nil || in.Name != "api" || in.Operation != decision.DeploymentCreate {
		t.Fatalf("Input gave %+v, %v", in, err)
	}
}

func TestAnUpdateWithoutItsOldObjectIsReported(t *testing.T) {
	req := createReq("demo", "api", 1)
	req.Operation = admissionv1.Update
	if _, err := Input(req); err == nil || !strings.Contains(err.Error(), "no old Deployment") {
		t.Fatalf("want an error naming the missing old object, got %v", err)
	}
}
