//go:build parts

package main_test

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// The webhook writes the latest decision into the policy's status (off the request path, every
// --report-interval), without touching its spec.
func TestTheLatestDecisionShowsInThePolicyStatus(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "reported", v1alpha1.ControlEnforce, "")
	putPolicy(t, policyObject(ns, "api", ptr[int32](3)))
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("api", 1), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	last := waitDecision(t, ns, "api", "CREATE")
	if last["result"] != "patched" || !strings.Contains(last["reason"].(string), "replicas 1 -> 3") {
		t.Fatalf("last decision after a create: %v", last)
	}

	if err := scaleTo(t, ns, "api", 8); err != nil {
		t.Fatal(err)
	}
	last = waitDecision(t, ns, "api", "UPDATE scale")
	if last["result"] != "patched" || !strings.Contains(last["reason"].(string), "replicas 8 -> 3") {
		t.Fatalf("last decision after a scale: %v", last)
	}
	p := getPolicyObject(t, ns, "api")
	if r, _, _ := unstructured.NestedInt64(p.Object, "spec", "replicas"); r != 3 || p.GetGeneration() != 1 {
		t.Fatalf("a status report must not change the spec: replicas %d, generation %d", r, p.GetGeneration())
	}
	if metric("kubedoor_webhook_decision_reports_written_total", nil) < 2 {
		t.Fatal("the written reports are not counted")
	}
}

func getPolicyObject(t *testing.T, ns, name string) *unstructured.Unstructured {
	t.Helper()
	p, err := dyn.Resource(v1alpha1.GroupVersionResource).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// waitDecision polls the policy until its status.lastDecision is for op, and returns it.
func waitDecision(t *testing.T, ns, name, op string) map[string]any {
	t.Helper()
	var last map[string]any
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		last, _, _ = unstructured.NestedMap(getPolicyObject(t, ns, name).Object, "status", "lastDecision")
		if last != nil && last["operation"] == op {
			return last
		}
	}
	t.Fatalf("status.lastDecision of %s/%s never showed %s (last: %v)", ns, name, op, last)
	return nil
}

// A refused change leaves a Warning Event on the Deployment (what `kubectl get events` and the
// backend's denied notifications read); repeated refusals are one Event with a count.
func TestADenialIsRecordedAsAnEventOnTheDeployment(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "refused", v1alpha1.ControlEnforce, "")
	for range 2 {
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("stranger", 1), metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
			t.Fatalf("create of an unregistered Deployment: %v, want forbidden", err)
		}
	}
	var got []corev1.Event
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		l, err := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "reason=" + v1alpha1.EventReasonDenied})
		if err != nil {
			t.Fatal(err)
		}
		if got = l.Items; len(got) == 1 && got[0].Count >= 2 {
			break
		}
	}
	if len(got) != 1 {
		t.Fatalf("want one aggregated denial Event, got %d: %+v", len(got), got)
	}
	e := got[0]
	if e.Type != corev1.EventTypeWarning || e.InvolvedObject.Kind != "Deployment" || e.InvolvedObject.Name != "stranger" ||
		e.Source.Component != v1alpha1.EventComponent || e.Count < 2 ||
		!strings.HasPrefix(e.Message, "CREATE refused: ") || !strings.Contains(e.Message, "not in the KubeDoor control table") {
		t.Fatalf("denial Event %s %s/%s from %q count %d: %q", e.Type, e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Source.Component, e.Count, e.Message)
	}
}
