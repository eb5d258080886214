package admission

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/webhook/cache"
)

// podLookup adds a pods-target namespace "gitops" with Deployment api's ReplicaSet api-5c8 and
// its policy.
func podLookup() *fakeLookup {
	l := lookup()
	l.namespaces["gitops"] = cache.Namespace{Control: v1alpha1.ControlEnforce, Target: v1alpha1.ControlTargetPods}
	l.policies["gitops/api"] = apiPolicy("gitops")
	l.replicaSets = map[string]string{"gitops/api-5c8": "api"}
	return l
}

func podCreateReq(ns, replicaSet string) *admissionv1.AdmissionRequest {
	yes := true
	pod := corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{GenerateName: replicaSet + "-", Namespace: ns,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: replicaSet, UID: "u", Controller: &yes}}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "a:1"}}},
	}
	b, _ := json.Marshal(pod)
	return &admissionv1.AdmissionRequest{UID: "u-p", Operation: admissionv1.Create, Namespace: ns,
		Resource: metav1.GroupVersionResource{Version: "v1", Resource: "pods"}, Object: runtime.RawExtension{Raw: b}}
}

func TestPodCreates(t *testing.T) {
	const podPatch = `[{"op":"add","path":"/spec/containers/0/resources","value":{"limits":{"memory":"1Gi"},"requests":{"cpu":"500m"}}}]`
	tests := []struct {
		name       string
		lookup     func() *fakeLookup
		req        *admissionv1.AdmissionRequest
		wantPatch  string
		wantMetric [2]string
		wantReport string // the reported reason's part, "" when nothing is reported
	}{
		{"a Deployment's pod in a pods-target namespace gets the policy's resources", podLookup, podCreateReq("gitops", "api-5c8"),
			podPatch, [2]string{"patched", "pod-create"}, "ignored: policy replicas 4 (not forced"},
		{"a ReplicaSet that reaches the cache moments after its pod is waited for", func() *fakeLookup { l := podLookup(); l.rsAppearsAt = 4; return l },
			podCreateReq("gitops", "api-5c8"), podPatch, [2]string{"patched", "pod-create"}, "pod-create"},
		{"a pod whose ReplicaSet never reaches the cache is admitted unchanged", podLookup, podCreateReq("gitops", "other-1"),
			"", [2]string{"allowed", "pod-owner-unknown"}, ""},
		{"a pod in a template-target namespace is admitted unchanged", podLookup, podCreateReq("demo", "api-5c8"),
			"", [2]string{"allowed", "namespace-target-template"}, ""},
		{"a pod of a Deployment without a policy is admitted unchanged", func() *fakeLookup {
			l := podLookup()
			delete(l.policies, "gitops/api")
			return l
		}, podCreateReq("gitops", "api-5c8"), "", [2]string{"allowed", "pod-no-policy"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reported []v1alpha1.Decision
			d, _ := newDecider(t, tt.lookup(), func(o *Options) {
				o.Report = func(_, _ string, dec v1alpha1.Decision) { reported = append(reported, dec) }
			})
			resp := d.Decide(t.Context(), tt.req)
			if !resp.Allowed || string(resp.Patch) != tt.wantPatch {
				t.Fatalf("allowed %v patch %s, want %s", resp.Allowed, resp.Patch, tt.wantPatch)
			}
			if got := testutil.ToFloat64(d.metrics.WithLabelValues(tt.wantMetric[0], tt.wantMetric[1])); got != 1 {
				t.Fatalf("decisions_total{result=%q,reason=%q} = %v, want 1", tt.wantMetric[0], tt.wantMetric[1], got)
			}
			switch {
			case tt.wantReport == "" && len(reported) > 0:
				t.Fatalf("reported %+v for a pod without a policy", reported)
			case tt.wantReport != "" && (len(reported) != 1 || reported[0].Operation != "CREATE pod" || !strings.Contains(reported[0].Reason, tt.wantReport)):
				t.Fatalf("reported %+v, want one CREATE pod decision saying %q", reported, tt.wantReport)
			}
		})
	}
}
