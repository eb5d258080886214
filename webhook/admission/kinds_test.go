package admission

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/webhook/cache"
	"github.com/kubedoor/kubedoor-grafana/webhook/server"
)

// Reviews as the API server sends them for StatefulSets and DaemonSets (shapes taken from
// kube-apiserver 1.34: a StatefulSet CREATE carries the whole object with defaults applied).

const dbStatefulSet = `{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db","namespace":"%NS%"},
 "spec":{"replicas":1,"serviceName":"db","podManagementPolicy":"OrderedReady",
  "updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}},
  "selector":{"matchLabels":{"app":"db"}},
  "template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"app","image":"pg:16","resources":{}}]}},
  "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"10Gi"}}}}]}}`

const agentDaemonSet = `{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent","namespace":"%NS%"},
 "spec":{"updateStrategy":{"type":"OnDelete"},"selector":{"matchLabels":{"app":"agent"}},
  "template":{"metadata":{"labels":{"app":"agent"}},"spec":{"containers":[{"name":"app","image":"agent:1"}]}}}}`

func review(t *testing.T, op, resource, sub, ns, name, object, old string) *admissionv1.AdmissionRequest {
	t.Helper()
	obj := strings.ReplaceAll(object, "%NS%", ns)
	body := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-k",
	 "kind":{"group":"apps","version":"v1","kind":"X"},"resource":{"group":"apps","version":"v1","resource":"` + resource + `"},
	 "subResource":"` + sub + `","operation":"` + op + `","namespace":"` + ns + `","name":"` + name + `",
	 "userInfo":{"username":"alice"},"object":` + obj
	if old != "" {
		body += `,"oldObject":` + strings.ReplaceAll(old, "%NS%", ns)
	}
	body += `}}`
	r, err := server.ParseReview([]byte(body))
	if err != nil {
		t.Fatalf("review does not parse: %v\n%s", err, body)
	}
	return r.Request
}

func kindPolicy(ns, kind, workload string, replicas *int32) *v1alpha1.CapacityPolicy {
	p := apiPolicy(ns)
	p.Name, p.Spec.TargetKind, p.Spec.Replicas = v1alpha1.PolicyName(kind, workload), kind, replicas
	return p
}

func kindLookup() *fakeLookup {
	l := lookup()
	warn, deny := v1alpha1.UnknownWarn, v1alpha1.UnknownDeny
	// Unknown Deployments and DaemonSets are admitted with a warning, unknown StatefulSets denied.
	l.namespaces["data"] = cache.Namespace{Control: v1alpha1.ControlEnforce, Unknown: warn, UnknownStatefulSets: &deny}
	l.policies["data/statefulset.db"] = kindPolicy("data", v1alpha1.KindStatefulSet, "db", replicas(3))
	l.policies["data/daemonset.agent"] = kindPolicy("data", v1alpha1.KindDaemonSet, "agent", replicas(5))
	return l
}

// applied returns the object after the response's patch, as the API server stores it.
func applied(t *testing.T, req *admissionv1.AdmissionRequest, resp *admissionv1.AdmissionResponse) map[string]any {
	t.Helper()
	doc := req.Object.Raw
	if len(resp.Patch) > 0 {
		p, err := jsonpatch.DecodePatch(resp.Patch)
		if err != nil {
			t.Fatal(err)
		}
		if doc, err = p.Apply(doc); err != nil {
			t.Fatalf("patch %s does not apply: %v", resp.Patch, err)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func spec(m map[string]any) map[string]any { return m["spec"].(map[string]any) }

func TestAStatefulSetCreateGetsItsPolicyAndKeepsItsStorageAndUpdateStrategy(t *testing.T) {
	var reported string
	d, _ := newDecider(t, kindLookup(), func(o *Options) {
		o.Report = func(_, policy string, _ v1alpha1.Decision) { reported = policy }
	})
	req := review(t, "CREATE", "statefulsets", "", "data", "db", dbStatefulSet, "")
	resp := d.Decide(t.Context(), req)
	if !resp.Allowed || len(resp.Patch) == 0 {
		t.Fatalf("allowed %v patch %s", resp.Allowed, resp.Patch)
	}
	got, sent := applied(t, req, resp), applied(t, req, &admissionv1.AdmissionResponse{})
	if spec(got)["replicas"] != float64(3) {
		t.Fatalf("replicas %v, want the policy's 3", spec(got)["replicas"])
	}
	res := spec(got)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["resources"]
	if b, _ := json.Marshal(res); string(b) != `{"limits":{"memory":"1Gi"},"requests":{"cpu":"500m"}}` {
		t.Fatalf("resources %s", b)
	}
	for _, field := range []string{"volumeClaimTemplates", "updateStrategy", "serviceName", "podManagementPolicy", "selector"} {
		a, _ := json.Marshal(spec(sent)[field])
		b, _ := json.Marshal(spec(got)[field])
		if string(a) != string(b) {
			t.Errorf("spec.%s changed: %s -> %s", field, a, b)
		}
	}
	for _, op := range patchOps(t, resp.Patch) {
		if op != "/spec/replicas" && !strings.HasPrefix(op, "/spec/template/spec/containers/") {
			t.Errorf("patch touches %s", op)
		}
	}
	if reported != "statefulset.db" {
		t.Fatalf("reported to policy %q, want statefulset.db", reported)
	}
}

func patchOps(t *testing.T, patch []byte) []string {
	t.Helper()
	var ops []struct{ Path string }
	if err := json.Unmarshal(patch, &ops); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range ops {
		out = append(out, o.Path)
	}
	return out
}

func TestStatefulSetReviews(t *testing.T) {
	scale := `{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"db","namespace":"data"},"spec":{"replicas":9},"status":{"replicas":3}}`
	restarted := strings.Replace(dbStatefulSet, `"metadata":{"labels":{"app":"db"}}`, `"metadata":{"labels":{"app":"db"},"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-03-01T09:59:00Z"}}`, 1)
	resized := strings.Replace(dbStatefulSet, `"replicas":1,`, `"replicas":7,`, 1)
	compliant := func(s string) string {
		s = strings.Replace(s, `"replicas":1,`, `"replicas":3,`, 1)
		return strings.Replace(s, `"resources":{}`, `"resources":{"limits":{"memory":"1Gi"},"requests":{"cpu":"500m"}}`, 1)
	}
	for _, tt := range []struct {
		name    string
		lookup  func() *fakeLookup
		req     func(t *testing.T) *admissionv1.AdmissionRequest
		allowed bool
		patch   string
		metric  [2]string
		warning string
	}{
		{"statefulsets/scale is forced to the policy's replicas", kindLookup,
			func(t *testing.T) *admissionv1.AdmissionRequest {
				return review(t, "UPDATE", "statefulsets", "scale", "data", "db", scale, scale)
			}, true, `[{"op":"replace","path":"/spec/replicas","value":3}]`, [2]string{"patched", "scale"}, ""},
		{"statefulsets/scale under a fresh temporary scale on the cached StatefulSet passes", func() *fakeLookup {
			l := kindLookup()
			l.deployments["data/StatefulSet/db"] = &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "data",
				Annotations: map[string]string{v1alpha1.AnnotationScaleTemp: "2026-03-01T09:58:00Z@3->9"}}}
			return l
		}, func(t *testing.T) *admissionv1.AdmissionRequest {
			return review(t, "UPDATE", "statefulsets", "scale", "data", "db", scale, scale)
		}, true, "", [2]string{"allowed", "temp-scale"}, ""},
		{"statefulsets/scale of an HPA-targeted StatefulSet is the HPA's", func() *fakeLookup {
			l := kindLookup()
			l.hpas["data/StatefulSet/db"] = "db-hpa"
			return l
		}, func(t *testing.T) *admissionv1.AdmissionRequest {
			return review(t, "UPDATE", "statefulsets", "scale", "data", "db", scale, scale)
		}, true, "", [2]string{"allowed", "scale-hpa"}, ""},
		{"an HPA of a Deployment named like the StatefulSet does not own its replicas", func() *fakeLookup {
			l := kindLookup()
			l.hpas["data/db"] = "deployment-hpa"
			return l
		}, func(t *testing.T) *admissionv1.AdmissionRequest {
			return review(t, "UPDATE", "statefulsets", "scale", "data", "db", scale, scale)
		}, true, `[{"op":"replace","path":"/spec/replicas","value":3}]`, [2]string{"patched", "scale"}, ""},
		{"a StatefulSet rollout restart gets the policy", kindLookup, func(t *testing.T) *admissionv1.AdmissionRequest {
			return review(t, "UPDATE", "statefulsets", "", "data", "db", restarted, dbStatefulSet)
		}, true, `[{"op":"replace","path":"/spec/replicas","value":3},{"op":"add","path":"/spec/template/spec/containers/0/resources","value":{"limits":{"memory":"1Gi"},"requests":{"cpu":"500m"}}}]`,
			[2]string{"patched", "template-change"}, ""},
		{"a StatefulSet replicas-only update is forced back", kindLookup, func(t *testing.T) *admissionv1.AdmissionRequest {
			return review(t, "UPDATE", "statefulsets", "", "data", "db", compliant(resized), compliant(dbStatefulSet))
		}, true, `[{"op":"replace","path":"/spec/replicas","value":3}]`, [2]string{"patched", "replicas-only"}, ""},
		{"an unknown StatefulSet is denied under kubedoor.io/unknown-statefulsets=deny", kindLookup, func(t *testing.T) *admissionv1.AdmissionRequest {
			return review(t, "CREATE", "statefulsets", "", "data", "cache", strings.ReplaceAll(dbStatefulSet, `"name":"db"`, `"name":"cache"`), "")
		}, false, "", [2]string{"denied", "unknown-deny"}, ""},
		{"an unknown Deployment in the same namespace is admitted with the default warning", kindLookup, func(t *testing.T) *admissionv1.AdmissionRequest {
			return createReq("data", "web", 1)
		}, true, "", [2]string{"allowed", "unknown-warn"}, "not in the control table"},
		{"a Deployment named like a StatefulSet's policy does not get it", kindLookup, func(t *testing.T) *admissionv1.AdmissionRequest {
			return createReq("data", "statefulset.db", 1)
		}, true, "", [2]string{"allowed", "unknown-warn"}, "not in the control table"},
		{"a StatefulSet does not get a Deployment policy of its own name", func() *fakeLookup {
			l := kindLookup()
			l.policies["data/db"] = apiPolicy("data") // a Deployment "db"'s policy
			delete(l.policies, "data/statefulset.db")
			return l
		}, func(t *testing.T) *admissionv1.AdmissionRequest {
			return review(t, "CREATE", "statefulsets", "", "data", "db", dbStatefulSet, "")
		}, false, "", [2]string{"denied", "unknown-deny"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := newDecider(t, tt.lookup(), nil)
			resp := d.Decide(t.Context(), tt.req(t))
			if resp.Allowed != tt.allowed || string(resp.Patch) != tt.patch {
				t.Fatalf("allowed %v patch %s, want %v %s (%+v)", resp.Allowed, resp.Patch, tt.allowed, tt.patch, resp.Result)
			}
			if !tt.allowed && !strings.Contains(resp.Result.Message, "StatefulSet prod-a/data/") {
				t.Fatalf("denial %q does not name the StatefulSet", resp.Result.Message)
			}
			if tt.warning != "" && !strings.Contains(strings.Join(resp.Warnings, "|"), tt.warning) {
				t.Fatalf("warnings %q lack %q", resp.Warnings, tt.warning)
			}
			if got := testutil.ToFloat64(d.metrics.WithLabelValues(tt.metric[0], tt.metric[1])); got != 1 {
				t.Fatalf("decisions_total%v = %v", tt.metric, got)
			}
		})
	}
}

func TestADaemonSetGetsResourcesOnlyAndItsPolicysReplicasAreReportedIgnored(t *testing.T) {
	var reports []v1alpha1.Decision
	d, _ := newDecider(t, kindLookup(), func(o *Options) {
		o.Report = func(_, policy string, dec v1alpha1.Decision) {
			if policy != "daemonset.agent" {
				t.Errorf("reported to %q", policy)
			}
			reports = append(reports, dec)
		}
	})
	req := review(t, "CREATE", "daemonsets", "", "data", "agent", agentDaemonSet, "")
	resp := d.Decide(t.Context(), req)
	want := `[{"op":"add","path":"/spec/template/spec/containers/0/resources","value":{"limits":{"memory":"1Gi"},"requests":{"cpu":"500m"}}}]`
	if !resp.Allowed || string(resp.Patch) != want {
		t.Fatalf("allowed %v patch %s, want %s", resp.Allowed, resp.Patch, want)
	}
	got := applied(t, req, resp)
	if _, has := spec(got)["replicas"]; has {
		t.Fatal("a DaemonSet got spec.replicas")
	}
	if !reflect.DeepEqual(spec(got)["updateStrategy"], map[string]any{"type": "OnDelete"}) {
		t.Fatalf("updateStrategy changed: %v", spec(got)["updateStrategy"])
	}
	if len(reports) != 1 || !strings.Contains(reports[0].Reason, "ignored: policy replicas 5 (a DaemonSet has none)") {
		t.Fatalf("reports %+v: want the ignored replicas said", reports)
	}

	// kubectl set image on the DaemonSet: resources again, nothing else.
	newImage := strings.Replace(agentDaemonSet, "agent:1", "agent:2", 1)
	resp = d.Decide(t.Context(), review(t, "UPDATE", "daemonsets", "", "data", "agent", newImage, agentDaemonSet))
	if string(resp.Patch) != want {
		t.Fatalf("image change patch %s", resp.Patch)
	}
	// An unknown DaemonSet falls back to the namespace default (warn) without its own annotation.
	other := strings.ReplaceAll(agentDaemonSet, `"name":"agent"`, `"name":"logs"`)
	resp = d.Decide(t.Context(), review(t, "CREATE", "daemonsets", "", "data", "logs", other, ""))
	if !resp.Allowed || len(resp.Patch) != 0 || !strings.Contains(strings.Join(resp.Warnings, "|"), "not in the control table") {
		t.Fatalf("unknown DaemonSet: %+v", resp)
	}
}

func TestADaemonSetScaleIsNotGoverned(t *testing.T) {
	// DaemonSets have no scale subresource; were one to arrive, it is not the webhook's.
	req := review(t, "UPDATE", "daemonsets", "scale", "data", "agent", `{"spec":{"replicas":3}}`, "")
	in, err := Input(req)
	if err != nil || in.Operation != 0 {
		t.Fatalf("Input = %+v, %v; want an unsupported operation", in, err)
	}
}

func TestAnUndecodableStatefulSetIsNamedInTheError(t *testing.T) {
	req := review(t, "CREATE", "statefulsets", "", "data", "db", `{"spec":{"replicas":"many"}}`, "")
	if _, err := Input(req); err == nil || !strings.Contains(err.Error(), "StatefulSet") {
		t.Fatalf("error %v does not name the kind", err)
	}
}
