//go:build parts

package main_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

var appPolicy = containerSpec{name: "app", cpuReq: "500m", memReq: "1Gi", cpuLim: "2", memLim: "2Gi"}

func stored(t *testing.T, ns, name string) *appsv1.Deployment {
	t.Helper()
	d, err := cs.AppsV1().Deployments(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// resources renders a container's stored requests/limits as "req cpu=…,memory=… lim cpu=…".
func resources(t *testing.T, d *appsv1.Deployment, container string) string {
	t.Helper()
	for _, c := range d.Spec.Template.Spec.Containers {
		if c.Name == container {
			return "req " + list(c.Resources.Requests) + " lim " + list(c.Resources.Limits)
		}
	}
	t.Fatalf("no container %s", container)
	return ""
}

func list(l corev1.ResourceList) string {
	var parts []string
	for _, k := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage} {
		if v, ok := l[k]; ok {
			parts = append(parts, fmt.Sprintf("%s=%s", k, v.String()))
		}
	}
	return strings.Join(parts, ",")
}

func scaleTo(t *testing.T, ns, name string, n int32) error {
	t.Helper()
	s := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: autoscalingv1.ScaleSpec{Replicas: n}}
	_, err := cs.AppsV1().Deployments(ns).UpdateScale(t.Context(), name, s, metav1.UpdateOptions{})
	return err
}

func patch(t *testing.T, ns, name string, body any) {
	t.Helper()
	b, _ := json.Marshal(body)
	if _, err := cs.AppsV1().Deployments(ns).Patch(t.Context(), name, types.StrategicMergePatchType, b, metav1.PatchOptions{}); err != nil {
		t.Fatalf("patch %s: %v", b, err)
	}
}

func wantReplicas(t *testing.T, d *appsv1.Deployment, n int32, why string) {
	t.Helper()
	if *d.Spec.Replicas != n {
		t.Fatalf("stored replicas %d, want %d: %s", *d.Spec.Replicas, n, why)
	}
}

func wantResources(t *testing.T, d *appsv1.Deployment, container, want, why string) {
	t.Helper()
	if got := resources(t, d, container); got != want {
		t.Fatalf("stored %s resources %q, want %q: %s", container, got, want, why)
	}
}

// The day-to-day operations on a registered Deployment, in the order a team would run them.
func TestARegisteredDeploymentFollowsItsPolicyThroughKubectlOperations(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "shop", v1alpha1.ControlEnforce, "")
	putPolicy(t, policyObject(ns, "api", ptr[int32](4), appPolicy))

	// kubectl create deployment
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("api", 1), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}
	d := stored(t, ns, "api")
	wantReplicas(t, d, 4, "CREATE enforces the policy's replicas")
	wantResources(t, d, "app", "req cpu=500m,memory=1Gi,ephemeral-storage=1Gi lim cpu=2,memory=2Gi", "CREATE enforces the app container and keeps ephemeral-storage")
	wantResources(t, d, "proxy", "req cpu=50m lim ", "a sidecar the policy does not name is untouched")
	if img := d.Spec.Template.Spec.Containers[0].Image; img != "registry.example.com/api:1" {
		t.Fatalf("image %s changed", img)
	}

	// kubectl scale --replicas=9
	if err := scaleTo(t, ns, "api", 9); err != nil {
		t.Fatalf("scale: %v", err)
	}
	wantReplicas(t, stored(t, ns, "api"), 4, "a Scale is forced to the policy")

	// kubectl edit: replicas only
	d = stored(t, ns, "api")
	d.Spec.Replicas = ptr[int32](10)
	if _, err := cs.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update: %v", err)
	}
	wantReplicas(t, stored(t, ns, "api"), 4, "a replicas-only update is enforced by default")

	// The control table changes while the webhook runs: no restart, the next rollout obeys it.
	putPolicy(t, policyObject(ns, "api", ptr[int32](5), containerSpec{name: "app", cpuReq: "600m", memReq: "1Gi", cpuLim: "2", memLim: "2Gi"}))
	// kubectl set image deployment/api app=…:2
	patch(t, ns, "api", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
		"containers": []any{map[string]any{"name": "app", "image": "registry.example.com/api:2"}}}}}})
	d = stored(t, ns, "api")
	wantReplicas(t, d, 5, "an image change applies the changed policy's replicas")
	wantResources(t, d, "app", "req cpu=600m,memory=1Gi,ephemeral-storage=1Gi lim cpu=2,memory=2Gi", "an image change applies the changed policy's resources")
	if img := d.Spec.Template.Spec.Containers[0].Image; img != "registry.example.com/api:2" {
		t.Fatalf("image %s, want the new one", img)
	}

	// kubectl rollout restart, after another policy change.
	putPolicy(t, policyObject(ns, "api", ptr[int32](5), containerSpec{name: "app", cpuReq: "700m", memReq: "1Gi", cpuLim: "2", memLim: "2Gi"}))
	restartedAt := time.Now().UTC().Format(time.RFC3339)
	patch(t, ns, "api", map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
		"annotations": map[string]string{"kubectl.kubernetes.io/restartedAt": restartedAt}}}}})
	d = stored(t, ns, "api")
	wantResources(t, d, "app", "req cpu=700m,memory=1Gi,ephemeral-storage=1Gi lim cpu=2,memory=2Gi", "a rollout restart applies the policy")
	if d.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] != restartedAt {
		t.Fatal("the restart annotation was lost")
	}

	// A labels-only change is admitted as sent.
	patch(t, ns, "api", map[string]any{"metadata": map[string]any{"labels": map[string]string{"team": "checkout"}}})
	if d = stored(t, ns, "api"); d.Labels["team"] != "checkout" {
		t.Fatal("label not stored")
	}
}

func TestAPolicyChangeTakesEffectWithoutARestart(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "live", v1alpha1.ControlEnforce, "")
	putPolicy(t, policyObject(ns, "api", ptr[int32](2)))
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("api", 1), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	wantReplicas(t, stored(t, ns, "api"), 2, "created under the first policy")
	putPolicy(t, policyObject(ns, "api", ptr[int32](7)))
	if err := scaleTo(t, ns, "api", 1); err != nil {
		t.Fatal(err)
	}
	wantReplicas(t, stored(t, ns, "api"), 7, "the next scale follows the updated policy")

	// Deleting the policy makes the Deployment unknown again: denied by default.
	if err := dyn.Resource(v1alpha1.GroupVersionResource).Namespace(ns).Delete(ctx, "api", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitCached(t, v1alpha1.GroupVersionResource.Resource, func() int {
		l, _ := dyn.Resource(v1alpha1.GroupVersionResource).List(ctx, metav1.ListOptions{})
		return len(l.Items)
	})
	if err := scaleTo(t, ns, "api", 3); !apierrors.IsForbidden(err) {
		t.Fatalf("scale of a Deployment whose policy was deleted: %v, want forbidden", err)
	}
}

func TestASidecarNamedInThePolicyIsEnforcedToo(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "mesh", v1alpha1.ControlEnforce, "")
	putPolicy(t, policyObject(ns, "api", nil, appPolicy, containerSpec{name: "proxy", memLim: "128Mi"}))
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("api", 3), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d := stored(t, ns, "api")
	wantReplicas(t, d, 3, "a policy without replicas keeps what was sent")
	wantResources(t, d, "proxy", "req cpu=50m lim memory=128Mi", "the named sidecar gets its limit, its request is kept")
	wantResources(t, d, "app", "req cpu=500m,memory=1Gi,ephemeral-storage=1Gi lim cpu=2,memory=2Gi", "the app container too")
}

func TestAnHPAOwnsReplicasButNotResources(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "auto", v1alpha1.ControlEnforce, "")
	putPolicy(t, policyObject(ns, "web", ptr[int32](4), appPolicy))
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
			MinReplicas:    ptr[int32](2), MaxReplicas: 20,
			Metrics: []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
				Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr[int32](70)},
			}}},
		},
	}
	if _, err := cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(ctx, hpa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitCached(t, "horizontalpodautoscalers", func() int {
		l, _ := cs.AutoscalingV2().HorizontalPodAutoscalers("").List(ctx, metav1.ListOptions{})
		return len(l.Items)
	})
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("web", 6), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d := stored(t, ns, "web")
	wantReplicas(t, d, 6, "the HPA owns replicas: CREATE keeps them")
	wantResources(t, d, "app", "req cpu=500m,memory=1Gi,ephemeral-storage=1Gi lim cpu=2,memory=2Gi", "resources are still enforced")
	// The HPA controller scales through the scale subresource, as kubectl scale does.
	if err := scaleTo(t, ns, "web", 11); err != nil {
		t.Fatal(err)
	}
	wantReplicas(t, stored(t, ns, "web"), 11, "a Scale of an HPA-targeted Deployment is left to the HPA")
}

func TestUnregisteredDeploymentsFollowTheNamespaceMode(t *testing.T) {
	ctx := t.Context()
	tests := []struct {
		name        string
		control     string
		unknown     string
		wantDenied  bool
		wantWarning string
	}{
		{name: "an enforced namespace without the annotation denies", control: v1alpha1.ControlEnforce, wantDenied: true},
		{name: "an explicit deny denies", control: v1alpha1.ControlEnforce, unknown: v1alpha1.UnknownDeny, wantDenied: true},
		{name: "warn admits with a warning the client sees", control: v1alpha1.ControlEnforce, unknown: v1alpha1.UnknownWarn, wantWarning: "is not in the control table"},
		{name: "allow admits silently", control: v1alpha1.ControlEnforce, unknown: v1alpha1.UnknownAllow},
		{name: "an unlabelled namespace is never asked", control: ""},
		{name: "observe mode admits and warns what it would deny", control: v1alpha1.ControlObserve, wantWarning: "would deny"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := mustNamespace(ctx, "unknown", tt.control, tt.unknown)
			client, warns := clientWithWarnings()
			_, err := client.AppsV1().Deployments(ns).Create(ctx, deployment("newsvc", 2), metav1.CreateOptions{})
			if tt.wantDenied {
				if !apierrors.IsForbidden(err) {
					t.Fatalf("create: %v, want forbidden", err)
				}
				for _, part := range []string{clusterName + "/" + ns + "/newsvc", "control table in Grafana", v1alpha1.AnnotationUnknownWorkloads} {
					if !strings.Contains(err.Error(), part) {
						t.Errorf("denial %q does not mention %q", err, part)
					}
				}
				if _, err := cs.AppsV1().Deployments(ns).Get(ctx, "newsvc", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
					t.Fatalf("a denied Deployment was stored: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			d := stored(t, ns, "newsvc")
			wantReplicas(t, d, 2, "an admitted unknown workload is not mutated")
			wantResources(t, d, "app", "req cpu=100m,ephemeral-storage=1Gi lim ", "an admitted unknown workload is not mutated")
			got := strings.Join(warns.all(), "|")
			if tt.wantWarning != "" && !strings.Contains(got, tt.wantWarning) {
				t.Fatalf("warnings %q lack %q", got, tt.wantWarning)
			}
			if tt.wantWarning == "" && got != "" {
				t.Fatalf("unexpected warnings %q", got)
			}
		})
	}
}

func TestObserveModeStoresWhatWasSentAndReportsTheWouldBePatch(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "watch", v1alpha1.ControlObserve, "")
	putPolicy(t, policyObject(ns, "api", ptr[int32](4), appPolicy))
	before := metric("kubedoor_webhook_decisions_total", map[string]string{"result": "observed"})
	client, warns := clientWithWarnings()
	if _, err := client.AppsV1().Deployments(ns).Create(ctx, deployment("api", 1), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d := stored(t, ns, "api")
	wantReplicas(t, d, 1, "observe mode never patches")
	wantResources(t, d, "app", "req cpu=100m,ephemeral-storage=1Gi lim ", "observe mode never patches")
	if got := strings.Join(warns.all(), "|"); !strings.Contains(got, "would set replicas 1 -> 4") || !strings.Contains(got, "app requests.cpu 100m -> 500m") {
		t.Fatalf("warnings %q do not report the would-be patch", got)
	}
	if d := metric("kubedoor_webhook_decisions_total", map[string]string{"result": "observed"}) - before; d != 1 {
		t.Fatalf("observed decisions counted %v, want 1", d)
	}
}

func TestATemporaryScaleIsLeftAloneOnlyWhileFresh(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "burst", v1alpha1.ControlEnforce, "")
	putPolicy(t, policyObject(ns, "api", ptr[int32](4), appPolicy))
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("api", 4), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tempScale := func(at time.Time, to int32) {
		patch(t, ns, "api", map[string]any{
			"metadata": map[string]any{"annotations": map[string]string{v1alpha1.AnnotationScaleTemp: v1alpha1.ScaleTemp{At: at, From: 4, To: to}.String()}},
			"spec":     map[string]any{"replicas": to},
		})
	}
	// The backend's temporary scale: annotation and replicas in one patch.
	patched := time.Now()
	tempScale(time.Now(), 8)
	wantReplicas(t, stored(t, ns, "api"), 8, "a fresh temporary scale is admitted as sent")
	// Within the window, a kubectl scale is also left alone (the Scale carries no annotation:
	// the webhook reads it from its Deployment cache).
	waitEventSince(t, "deployments", patched)
	if err := scaleTo(t, ns, "api", 9); err != nil {
		t.Fatal(err)
	}
	wantReplicas(t, stored(t, ns, "api"), 9, "a Scale within the window is admitted as sent")
	// A template change is never exempt.
	patch(t, ns, "api", map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
		"annotations": map[string]string{"kubectl.kubernetes.io/restartedAt": time.Now().UTC().Format(time.RFC3339)}}}}})
	wantReplicas(t, stored(t, ns, "api"), 4, "a restart during a temporary scale is enforced")

	// An annotation older than the window no longer protects anything.
	tempScale(time.Now().Add(-10*time.Minute), 8)
	wantReplicas(t, stored(t, ns, "api"), 4, "a stale temporary scale is enforced")
}

// waitEventSince waits until the webhook's cache of kind has seen a change made after t (the
// tests change one object at a time, so that change is the one just made).
func waitEventSince(t *testing.T, kind string, since time.Time) {
	t.Helper()
	for metric("kubedoor_webhook_cache_last_event_age_seconds", map[string]string{"kind": kind}) >= time.Since(since).Seconds() {
		if time.Since(since) > 10*time.Second {
			t.Fatalf("the %s cache saw no change after %s", kind, since.Format(time.RFC3339Nano))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
