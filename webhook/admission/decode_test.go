package admission

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/webhook/decision"
	"github.com/kubedoor/kubedoor-grafana/webhook/server"
)

// The full decode the webhook used before decode.go: every object into its appsv1/corev1 type,
// projected onto the Deployment-shaped view. Kept here as the reference the field-selective
// decoders must agree with.

func fullWorkload(raw []byte, kind, prefix string) (*appsv1.Deployment, error) {
	what := prefix + kind
	view := func(om metav1.ObjectMeta, replicas *int32, tpl corev1.PodTemplateSpec) *appsv1.Deployment {
		return &appsv1.Deployment{ObjectMeta: om, Spec: appsv1.DeploymentSpec{Replicas: replicas, Template: tpl}}
	}
	switch kind {
	case v1alpha1.KindStatefulSet:
		var s appsv1.StatefulSet
		if err := decodeObject(raw, &s, what); err != nil {
			return nil, err
		}
		return view(s.ObjectMeta, s.Spec.Replicas, s.Spec.Template), nil
	case v1alpha1.KindDaemonSet:
		var d appsv1.DaemonSet
		if err := decodeObject(raw, &d, what); err != nil {
			return nil, err
		}
		return view(d.ObjectMeta, nil, d.Spec.Template), nil
	}
	var d appsv1.Deployment
	if err := decodeObject(raw, &d, what); err != nil {
		return nil, err
	}
	return &d, nil
}

// fullInput is Input with the full decode.
func fullInput(req *admissionv1.AdmissionRequest) (decision.Input, error) {
	in := decision.Input{Namespace: req.Namespace, Name: req.Name, Kind: kindOf(req)}
	if in.Kind == "" {
		return in, nil
	}
	var err error
	switch {
	case req.SubResource == "scale" && req.Operation == admissionv1.Update && in.Kind != v1alpha1.KindDaemonSet:
		return Input(req) // the Scale is decoded in full by both
	case req.SubResource == "" && req.Operation == admissionv1.Create:
		in.Operation = decision.DeploymentCreate
		if in.New, err = fullWorkload(req.Object.Raw, in.Kind, ""); err != nil {
			return in, err
		}
	case req.SubResource == "" && req.Operation == admissionv1.Update:
		in.Operation = decision.DeploymentUpdate
		if in.New, err = fullWorkload(req.Object.Raw, in.Kind, ""); err != nil {
			return in, err
		}
		if in.Old, err = fullWorkload(req.OldObject.Raw, in.Kind, "old "); err != nil {
			return in, err
		}
	}
	if in.Name == "" && in.New != nil {
		in.Name = in.New.Name
	}
	return in, nil
}

// decideBoth runs the rules on both decodes of the review under the same cluster state, once
// per namespace mode, and fails when they answer differently.
func decideBoth(t *testing.T, body []byte) {
	review, err := server.ParseReview(body)
	if err != nil {
		return
	}
	req := review.Request
	if isPodCreate(req) {
		decidePodBoth(t, req)
		return
	}
	want, fullErr := fullInput(req)
	got, err := Input(req)
	if fullErr != nil {
		return // the webhook fails open on both; only not panicking matters
	}
	if err != nil {
		t.Fatalf("the full decode reads the object, the selective one does not (%v): %s", err, body)
	}
	if got.Name != want.Name || got.Operation != want.Operation || got.Kind != want.Kind {
		t.Fatalf("identity differs: got %s %s %s, full %s %s %s", got.Operation, got.Kind, got.Name, want.Operation, want.Kind, want.Name)
	}
	policy := kindPolicy(req.Namespace, got.Kind, got.Name, replicas(3))
	policy.Spec.Containers = []v1alpha1.ContainerPolicy{{Name: "app", CPURequest: q("500m"), MemoryLimit: q("1Gi"), CPULimit: q("250m")}}
	current := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{v1alpha1.AnnotationScaleTemp: "2026-03-01T09:58:00Z@3->9"}}}
	for _, control := range []string{v1alpha1.ControlEnforce, v1alpha1.ControlObserve} {
		for _, p := range []*v1alpha1.CapacityPolicy{policy, nil} {
			set := func(in decision.Input) decision.Input {
				in.Control, in.Unknown, in.Policy, in.Current = control, v1alpha1.UnknownWarn, p, current
				in.Settings = decision.Settings{Now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
				return in
			}
			if a, b := decisionJSON(t, decision.Decide(set(got))), decisionJSON(t, decision.Decide(set(want))); a != b {
				t.Fatalf("decisions differ (%s, policy %v)\nselective: %s\nfull:      %s\nbody: %s", control, p != nil, a, b, body)
			}
		}
	}
}

func decidePodBoth(t *testing.T, req *admissionv1.AdmissionRequest) {
	var want corev1.Pod
	fullErr := decodeObject(req.Object.Raw, &want, "Pod")
	got, err := decodePod(req.Object.Raw)
	if fullErr != nil {
		return
	}
	if err != nil {
		t.Fatalf("the full decode reads the Pod, the selective one does not (%v): %s", err, req.Object.Raw)
	}
	rs := func(_, name string) (string, string, bool) { return v1alpha1.KindDeployment, "api", name != "" }
	if a, b := decision.PodOwner(got, rs), decision.PodOwner(&want, rs); a != b {
		t.Fatalf("owners differ: selective %+v, full %+v", a, b)
	}
	if waitsForReplicaSet(got) != waitsForReplicaSet(&want) || controllerName(got) != controllerName(&want) || got.Namespace != want.Namespace {
		t.Fatalf("owner reference reading differs: %s", req.Object.Raw)
	}
	for _, control := range []string{v1alpha1.ControlEnforce, v1alpha1.ControlObserve} {
		in := decision.PodInput{Namespace: req.Namespace, Control: control, Target: v1alpha1.ControlTargetPods,
			Owner: decision.Owner{Kind: v1alpha1.KindDeployment, Name: "api"}, Policy: apiPolicy(req.Namespace)}
		a, b := in, in
		a.Pod, b.Pod = got, &want
		if x, y := decisionJSON(t, decision.DecidePod(a)), decisionJSON(t, decision.DecidePod(b)); x != y {
			t.Fatalf("pod decisions differ (%s)\nselective: %s\nfull:      %s", control, x, y)
		}
	}
}

func decisionJSON(t *testing.T, d decision.Decision) string {
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatalf("decision does not encode: %v", err)
	}
	return string(b)
}

// apiserverCreate is a Deployment CREATE review as kube-apiserver sends it: defaults applied,
// managedFields, an empty status.
func apiserverCreate(t testing.TB) []byte {
	b, err := os.ReadFile("testdata/create-review.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzDecodeMatchesFull: the field-selective decoders never panic on an arbitrary review and,
// for every object the full appsv1/corev1 decode accepts, give the same decision as it does
// (enforce and observe, with and without a policy; Pods: the same owner and decision).
func FuzzDecodeMatchesFull(f *testing.F) {
	create := apiserverCreate(f)
	f.Add(create)
	update := strings.Replace(string(create), `"operation":"CREATE"`, `"operation":"UPDATE"`, 1)
	obj := create[strings.Index(string(create), `"object":`)+len(`"object":`) : strings.Index(string(create), `,"oldObject"`)]
	restarted := strings.Replace(string(obj), `"labels":{"app":"api"}}`, `"labels":{"app":"api"},"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-03-01T09:59:00Z"}}`, 1)
	f.Add([]byte(strings.Replace(update, `"oldObject":null`, `"oldObject":`+string(obj), 1)))
	f.Add([]byte(strings.Replace(strings.Replace(update, string(obj), restarted, 1), `"oldObject":null`, `"oldObject":`+string(obj), 1)))
	scaled := strings.Replace(string(obj), `"replicas":1`, `"replicas":7`, 1)
	f.Add([]byte(strings.Replace(strings.Replace(update, string(obj), scaled, 1), `"oldObject":null`, `"oldObject":`+string(obj), 1)))
	f.Add(reviewJSON(createReq("demo", "api", 1)))
	f.Add(reviewJSON(scaleReq("demo", "api", 9)))
	for _, kind := range []struct{ resource, object string }{{"statefulsets", dbStatefulSet}, {"daemonsets", agentDaemonSet}} {
		o := strings.ReplaceAll(kind.object, "%NS%", "data")
		for _, op := range []string{"CREATE", "UPDATE"} {
			f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"k","resource":{"group":"apps","resource":"` +
				kind.resource + `"},"operation":"` + op + `","namespace":"data","object":` + o + `,"oldObject":` + strings.Replace(o, `"image":"`, `"image":"old-`, 1) + `}}`))
		}
	}
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"d","resource":{"group":"apps","resource":"daemonsets"},"operation":"CREATE","namespace":"data","object":{"metadata":{"name":"agent"},"spec":{"replicas":"x","template":{"spec":{"containers":[{"name":"app"}]}}}}}}`))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"p","resource":{"group":"","resource":"pods"},"operation":"CREATE","namespace":"demo","object":{"metadata":{"name":"api-x","ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"api-1","uid":"u","controller":true}]},"spec":{"containers":[{"name":"app","image":"a","resources":{"requests":{"cpu":"100m"}}}],"restartPolicy":"Always"}}}}`))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"p","resource":{"group":"","resource":"pods"},"operation":"CREATE","namespace":"demo","object":{"metadata":{"name":"api-y"},"spec":{"resources":{"limits":{"cpu":"1"}},"containers":[{"name":"app"}]}}}}`))
	f.Fuzz(decideBoth)
}

// TestTheSelectiveDecodeReadsWhatTheRulesRead spells out, on a review as kube-apiserver sends
// it, the values the decoders keep.
func TestTheSelectiveDecodeReadsWhatTheRulesRead(t *testing.T) {
	review, err := server.ParseReview(apiserverCreate(t))
	if err != nil {
		t.Fatal(err)
	}
	in, err := Input(review.Request)
	if err != nil {
		t.Fatal(err)
	}
	d := in.New
	c := d.Spec.Template.Spec.Containers
	switch {
	case in.Operation != decision.DeploymentCreate || in.Name != "api" || d.Name != "api" || d.Namespace != "demo":
		t.Fatalf("identity: %s %s %+v", in.Operation, in.Name, d.ObjectMeta)
	case d.Spec.Replicas == nil || *d.Spec.Replicas != 1:
		t.Fatalf("replicas %v", d.Spec.Replicas)
	case len(c) != 1 || c[0].Name != "app" || c[0].Resources.Requests.Cpu().String() != "100m":
		t.Fatalf("containers %+v", c)
	case d.Labels["app.kubernetes.io/name"] != "api" || d.Annotations["argocd.argoproj.io/tracking-id"] == "":
		t.Fatalf("metadata %+v", d.ObjectMeta)
	case d.ManagedFields != nil || c[0].Image != "":
		t.Fatalf("fields the rules do not read were decoded: %+v", d)
	}
	decideBoth(t, apiserverCreate(t))
}

// BenchmarkDecode compares the object decode the rules need with the full decode it replaced,
// on a Deployment CREATE as kube-apiserver sends it (BENCHMARKS.md, Webhook).
func BenchmarkDecode(b *testing.B) {
	review, err := server.ParseReview(apiserverCreate(b))
	if err != nil {
		b.Fatal(err)
	}
	req := review.Request
	for _, bc := range []struct {
		name   string
		decode func(*admissionv1.AdmissionRequest) (decision.Input, error)
	}{{"selective", Input}, {"full", fullInput}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := bc.decode(req); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time, which a busy host inflates far less than ns/op (wall time).
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/1000, "cpu-µs/op")
		})
	}
}
