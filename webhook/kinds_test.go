//go:build parts

package main_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// StatefulSets and DaemonSets through the real API server with the webhook registered.

// kindPolicy is the policy of workload kind/name, named and targeted as the backend publishes it.
func kindPolicy(ns, kind, name string, replicas *int32, containers ...containerSpec) *unstructured.Unstructured {
	p := policyObject(ns, v1alpha1.PolicyName(kind, name), replicas, containers...)
	if err := unstructured.SetNestedField(p.Object, kind, "spec", "targetKind"); err != nil {
		panic(err)
	}
	return p
}

func podTemplate(name string) corev1.PodTemplateSpec {
	return deployment(name, 1).Spec.Template
}

// statefulSet has storage and a strategy the webhook must never touch.
func statefulSet(name string, replicas int32, strategy appsv1.StatefulSetUpdateStrategy) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.StatefulSetSpec{
			Replicas: &replicas, ServiceName: name, UpdateStrategy: strategy,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: podTemplate(name),
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}}},
			}},
		},
	}
}

func partitioned(n int32) appsv1.StatefulSetUpdateStrategy {
	return appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: &n}}
}

func storedSTS(t *testing.T, ns, name string) *appsv1.StatefulSet {
	t.Helper()
	s, err := cs.AppsV1().StatefulSets(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// asView lets the Deployment assertions read a StatefulSet or DaemonSet's template.
func asView(replicas *int32, tpl corev1.PodTemplateSpec) *appsv1.Deployment {
	if replicas == nil {
		replicas = ptr[int32](0)
	}
	return &appsv1.Deployment{Spec: appsv1.DeploymentSpec{Replicas: replicas, Template: tpl}}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// untouched fails unless the StatefulSet's storage and update strategy are what was created.
func untouched(t *testing.T, s *appsv1.StatefulSet, created *appsv1.StatefulSet, when string) {
	t.Helper()
	if a, b := mustJSON(created.Spec.VolumeClaimTemplates), mustJSON(s.Spec.VolumeClaimTemplates); a != b {
		// The API server defaults fields of the claim; compare the parts that were sent.
		if s.Spec.VolumeClaimTemplates[0].Name != "data" || s.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests.Storage().String() != "10Gi" {
			t.Fatalf("%s: volumeClaimTemplates changed: %s", when, b)
		}
	}
	if a, b := mustJSON(created.Spec.UpdateStrategy), mustJSON(s.Spec.UpdateStrategy); a != b {
		t.Fatalf("%s: updateStrategy %s, want %s", when, b, a)
	}
}

func TestARegisteredStatefulSetFollowsItsPolicyThroughKubectlOperations(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "stateful", v1alpha1.ControlEnforce, "")
	putPolicy(t, kindPolicy(ns, v1alpha1.KindStatefulSet, "db", ptr[int32](3), appPolicy))

	for _, tt := range []struct {
		name     string
		strategy appsv1.StatefulSetUpdateStrategy
	}{
		{"db", partitioned(2)},
	} {
		created := statefulSet(tt.name, 1, tt.strategy)
		if _, err := cs.AppsV1().StatefulSets(ns).Create(ctx, created, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create: %v", err)
		}
		s := storedSTS(t, ns, tt.name)
		wantReplicas(t, asView(s.Spec.Replicas, s.Spec.Template), 3, "CREATE enforces the policy's replicas")
		wantResources(t, asView(s.Spec.Replicas, s.Spec.Template), "app", "req cpu=500m,memory=1Gi,ephemeral-storage=1Gi lim cpu=2,memory=2Gi", "CREATE enforces the app container")
		wantResources(t, asView(s.Spec.Replicas, s.Spec.Template), "proxy", "req cpu=50m lim ", "the sidecar is untouched")
		untouched(t, s, created, "after create")
	}

	// kubectl scale statefulset/db --replicas=9 (the scale subresource)
	sc := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns}, Spec: autoscalingv1.ScaleSpec{Replicas: 9}}
	if _, err := cs.AppsV1().StatefulSets(ns).UpdateScale(ctx, "db", sc, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("scale: %v", err)
	}
	base := storedSTS(t, ns, "db") // as stored after create: every later step must keep its storage and strategy byte for byte
	s := base
	wantReplicas(t, asView(s.Spec.Replicas, s.Spec.Template), 3, "statefulsets/scale is forced to the policy")

	// kubectl set image statefulset/db app=…:2, after a policy change.
	putPolicy(t, kindPolicy(ns, v1alpha1.KindStatefulSet, "db", ptr[int32](2), containerSpec{name: "app", cpuReq: "600m", memReq: "1Gi", cpuLim: "2", memLim: "2Gi"}))
	stsPatchOnceServed(t, ns, "db", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
		"containers": []any{map[string]any{"name": "app", "image": "registry.example.com/db:2"}}}}}}, "600m")
	s = storedSTS(t, ns, "db")
	wantReplicas(t, asView(s.Spec.Replicas, s.Spec.Template), 2, "an image change applies the changed policy's replicas")
	wantResources(t, asView(s.Spec.Replicas, s.Spec.Template), "app", "req cpu=600m,memory=1Gi,ephemeral-storage=1Gi lim cpu=2,memory=2Gi", "an image change applies the policy")
	if img := s.Spec.Template.Spec.Containers[0].Image; img != "registry.example.com/db:2" {
		t.Fatalf("image %s", img)
	}
	untouched(t, s, base, "after set image")

	// kubectl rollout restart statefulset/db, after another policy change.
	putPolicy(t, kindPolicy(ns, v1alpha1.KindStatefulSet, "db", ptr[int32](2), containerSpec{name: "app", cpuReq: "700m", memReq: "1Gi", cpuLim: "2", memLim: "2Gi"}))
	stsPatchOnceServed(t, ns, "db", map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
		"annotations": map[string]string{"kubectl.kubernetes.io/restartedAt": time.Now().UTC().Format(time.RFC3339)}}}}}, "700m")
	s = storedSTS(t, ns, "db")
	wantResources(t, asView(s.Spec.Replicas, s.Spec.Template), "app", "req cpu=700m,memory=1Gi,ephemeral-storage=1Gi lim cpu=2,memory=2Gi", "a rollout restart applies the policy")
	untouched(t, s, base, "after rollout restart")

	// A partition change alone (a staged rollout) is the team's: admitted as sent.
	stsPatch(t, ns, "db", map[string]any{"spec": map[string]any{"updateStrategy": map[string]any{"rollingUpdate": map[string]any{"partition": 0}}}})
	if p := storedSTS(t, ns, "db").Spec.UpdateStrategy.RollingUpdate.Partition; p == nil || *p != 0 {
		t.Fatalf("partition %v, want 0 as sent", p)
	}

	// An OnDelete StatefulSet keeps its strategy too.
	putPolicy(t, kindPolicy(ns, v1alpha1.KindStatefulSet, "queue", ptr[int32](3), appPolicy))
	ondelete := statefulSet("queue", 1, appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType})
	if _, err := cs.AppsV1().StatefulSets(ns).Create(ctx, ondelete, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}
	s = storedSTS(t, ns, "queue")
	wantReplicas(t, asView(s.Spec.Replicas, s.Spec.Template), 3, "an OnDelete StatefulSet gets its replicas")
	untouched(t, s, ondelete, "OnDelete after create")
}

func stsPatch(t *testing.T, ns, name string, body any) {
	t.Helper()
	b, _ := json.Marshal(body)
	if _, err := cs.AppsV1().StatefulSets(ns).Patch(t.Context(), name, types.StrategicMergePatchType, b, metav1.PatchOptions{}); err != nil {
		t.Fatalf("patch %s: %v", b, err)
	}
}

// stsPatchOnceServed sends the patch once a dry run of it shows the app container's new CPU
// request: putPolicy waits for the cache's policy count, which an update of an existing policy
// does not change, so without this the patch could race the informer's update event.
func stsPatchOnceServed(t *testing.T, ns, name string, body any, cpu string) {
	t.Helper()
	b, _ := json.Marshal(body)
	deadline := time.Now().Add(20 * time.Second)
	for {
		s, err := cs.AppsV1().StatefulSets(ns).Patch(t.Context(), name, types.StrategicMergePatchType, b,
			metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			t.Fatalf("dry-run patch %s: %v", b, err)
		}
		if got := s.Spec.Template.Spec.Containers[0].Resources.Requests.Cpu().String(); got == cpu {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("a dry run still gets cpu %s after 20 s, want %s from the updated policy", got, cpu)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stsPatch(t, ns, name, body)
}

func daemonSet(name string) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}, Template: podTemplate(name),
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType},
		},
	}
}

func TestADaemonSetGetsResourcesAndItsPolicysReplicasAreIgnored(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "nodes", v1alpha1.ControlEnforce, "")
	putPolicy(t, kindPolicy(ns, v1alpha1.KindDaemonSet, "agent", ptr[int32](5), appPolicy))
	if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, daemonSet("agent"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}
	get := func() *appsv1.DaemonSet {
		d, err := cs.AppsV1().DaemonSets(ns).Get(ctx, "agent", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := get()
	wantResources(t, asView(nil, d.Spec.Template), "app", "req cpu=500m,memory=1Gi,ephemeral-storage=1Gi lim cpu=2,memory=2Gi", "a DaemonSet CREATE gets resources")
	if d.Spec.UpdateStrategy.Type != appsv1.OnDeleteDaemonSetStrategyType {
		t.Fatalf("updateStrategy %v", d.Spec.UpdateStrategy)
	}
	last := waitDecision(t, ns, "daemonset.agent", "CREATE")
	if last["result"] != "patched" || !strings.Contains(last["reason"].(string), "ignored: policy replicas 5 (a DaemonSet has none)") {
		t.Fatalf("last decision %v: want the ignored replicas said", last)
	}

	// kubectl set image daemonset/agent, then kubectl rollout restart, after policy changes.
	putPolicy(t, kindPolicy(ns, v1alpha1.KindDaemonSet, "agent", nil, containerSpec{name: "app", cpuReq: "200m", memLim: "512Mi"}))
	dsPatch(t, ns, "agent", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
		"containers": []any{map[string]any{"name": "app", "image": "registry.example.com/agent:2"}}}}}})
	wantResources(t, asView(nil, get().Spec.Template), "app", "req cpu=200m,memory=512Mi,ephemeral-storage=1Gi lim cpu=2,memory=512Mi", "set image applies the changed policy (the 1Gi request clamped to the new 512Mi limit)")
	putPolicy(t, kindPolicy(ns, v1alpha1.KindDaemonSet, "agent", nil, containerSpec{name: "app", cpuReq: "300m"}))
	dsPatch(t, ns, "agent", map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
		"annotations": map[string]string{"kubectl.kubernetes.io/restartedAt": time.Now().UTC().Format(time.RFC3339)}}}}})
	wantResources(t, asView(nil, get().Spec.Template), "app", "req cpu=300m,memory=512Mi,ephemeral-storage=1Gi lim cpu=2,memory=512Mi", "rollout restart applies the policy")
}

func dsPatch(t *testing.T, ns, name string, body any) {
	t.Helper()
	b, _ := json.Marshal(body)
	if _, err := cs.AppsV1().DaemonSets(ns).Patch(t.Context(), name, types.StrategicMergePatchType, b, metav1.PatchOptions{}); err != nil {
		t.Fatalf("patch %s: %v", b, err)
	}
}

// One namespace: unknown workloads are warned about by default, but unknown StatefulSets (state
// that is costly to resize later) are denied; DaemonSets have no override and follow the default.
func TestPerKindUnknownWorkloadModes(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "mixed", v1alpha1.ControlEnforce, v1alpha1.UnknownWarn)
	annotated := time.Now()
	if _, err := cs.CoreV1().Namespaces().Patch(ctx, ns, types.MergePatchType,
		[]byte(`{"metadata":{"annotations":{"`+v1alpha1.AnnotationUnknownStatefulSets+`":"deny"}}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	waitEventSince(t, "namespaces", annotated)
	// A policy for StatefulSet "db" must not govern a Deployment literally named "statefulset.db".
	putPolicy(t, kindPolicy(ns, v1alpha1.KindStatefulSet, "db", ptr[int32](3), appPolicy))

	_, err := cs.AppsV1().StatefulSets(ns).Create(ctx, statefulSet("cache", 1, partitioned(0)), metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "StatefulSet") || !strings.Contains(err.Error(), v1alpha1.AnnotationUnknownStatefulSets) {
		t.Fatalf("unknown StatefulSet under %s=deny: %v, want forbidden naming the kind and annotation", v1alpha1.AnnotationUnknownStatefulSets, err)
	}

	wcs, warns := clientWithWarnings()
	if _, err := wcs.AppsV1().Deployments(ns).Create(ctx, deployment("web", 2), metav1.CreateOptions{}); err != nil {
		t.Fatalf("unknown Deployment under the default warn: %v", err)
	}
	if _, err := wcs.AppsV1().Deployments(ns).Create(ctx, deployment("statefulset.db", 2), metav1.CreateOptions{}); err != nil {
		t.Fatalf("Deployment named statefulset.db: %v", err)
	}
	if d := stored(t, ns, "statefulset.db"); *d.Spec.Replicas != 2 {
		t.Fatalf("a Deployment named statefulset.db got the StatefulSet policy's replicas: %d", *d.Spec.Replicas)
	}
	if _, err := wcs.AppsV1().DaemonSets(ns).Create(ctx, daemonSet("logs"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("unknown DaemonSet under the default warn: %v", err)
	}
	if n := strings.Count(strings.Join(warns.all(), "\n"), "not in the control table"); n != 3 {
		t.Fatalf("want 3 unknown-workload warnings (web, statefulset.db, logs), got %d: %q", n, warns.all())
	}

	// The denial's Event is on the StatefulSet.
	var got []corev1.Event
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && len(got) == 0; time.Sleep(100 * time.Millisecond) {
		l, err := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "reason=" + v1alpha1.EventReasonDenied})
		if err != nil {
			t.Fatal(err)
		}
		got = l.Items
	}
	if len(got) != 1 || got[0].InvolvedObject.Kind != "StatefulSet" || got[0].InvolvedObject.APIVersion != "apps/v1" || got[0].InvolvedObject.Name != "cache" {
		t.Fatalf("denial Events %+v: want one on StatefulSet cache", got)
	}
}
