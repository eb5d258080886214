//go:build parts

package main_test

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// The registration's match condition, as the real API server evaluates it: each step either
// reaches the webhook (one more UPDATE review) or is admitted without a call.
func TestUpdatesThatCannotChangeCapacityNeverReachTheWebhook(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "cond", v1alpha1.ControlEnforce, "")
	putPolicy(t, policyObject(ns, "api", ptr[int32](3), appPolicy))
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("api", 1), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}
	updates := func() float64 {
		return metric("kubedoor_webhook_reviews_total", map[string]string{"operation": "UPDATE", "resource": "deployments"})
	}
	steps := []struct {
		name    string
		do      func()
		reaches bool
	}{
		{"a label edit does not reach the webhook", func() {
			patch(t, ns, "api", map[string]any{"metadata": map[string]any{"labels": map[string]string{"team": "checkout"}}})
		}, false},
		{"the deployment controller's revision annotation does not reach the webhook", func() {
			patch(t, ns, "api", map[string]any{"metadata": map[string]any{"annotations": map[string]string{"deployment.kubernetes.io/revision": "2"}}})
		}, false},
		{"a replicas-only edit reaches the webhook", func() {
			patch(t, ns, "api", map[string]any{"spec": map[string]any{"replicas": 7}})
		}, true},
		{"a pod template change reaches the webhook", func() {
			patch(t, ns, "api", map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
				"annotations": map[string]string{"kubectl.kubernetes.io/restartedAt": "now"}}}}})
		}, true},
		{"adding a KubeDoor annotation reaches the webhook", func() {
			patch(t, ns, "api", map[string]any{"metadata": map[string]any{"annotations": map[string]string{v1alpha1.AnnotationScaleTemp: "x"}}})
		}, true},
		{"changing a KubeDoor annotation reaches the webhook", func() {
			patch(t, ns, "api", map[string]any{"metadata": map[string]any{"annotations": map[string]string{v1alpha1.AnnotationScaleTemp: "y"}}})
		}, true},
		{"removing a KubeDoor annotation reaches the webhook", func() {
			patch(t, ns, "api", map[string]any{"metadata": map[string]any{"annotations": map[string]any{v1alpha1.AnnotationScaleTemp: nil}}})
		}, true},
	}
	for _, s := range steps {
		before := updates()
		s.do()
		if got := updates() > before; got != s.reaches {
			t.Fatalf("%s: reached the webhook %v, want %v", s.name, got, s.reaches)
		}
	}
	// The scale subresource always reaches it, and is still enforced.
	before := metric("kubedoor_webhook_reviews_total", map[string]string{"operation": "UPDATE", "subresource": "scale"})
	if err := scaleTo(t, ns, "api", 9); err != nil {
		t.Fatalf("scale: %v", err)
	}
	if metric("kubedoor_webhook_reviews_total", map[string]string{"operation": "UPDATE", "subresource": "scale"}) <= before {
		t.Fatal("a scale request did not reach the webhook")
	}
	wantReplicas(t, stored(t, ns, "api"), 3, "the scale is forced to the policy")
}
