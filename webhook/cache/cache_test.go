//go:build parts

package cache

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
)

var (
	kube *testenv.Kube
	cs   *kubernetes.Clientset
	dyn  dynamic.Interface
)

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	var err error
	if kube, err = testenv.StartKube(ctx, testenv.KubeOptions{}); err == nil {
		cs, dyn = kube.Clientset(), dynamic.NewForConfigOrDie(kube.RESTConfig())
		err = crd.Install(ctx, dyn)
	}
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cache tests cannot start: %v\n", err)
		if kube != nil {
			_ = kube.Stop()
		}
		os.Exit(1)
	}
	code := m.Run()
	_ = kube.Stop()
	os.Exit(code)
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTheCacheAnswersFromMemoryWhatTheAPIServerHolds(t *testing.T) {
	ctx := t.Context()
	ns, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: "shop-",
		Labels:       map[string]string{v1alpha1.LabelControl: v1alpha1.ControlEnforce, "team": "a"},
		Annotations: map[string]string{v1alpha1.AnnotationUnknownWorkloads: v1alpha1.UnknownWarn, v1alpha1.AnnotationUnknownStatefulSets: v1alpha1.UnknownDeny,
			"note": strings.Repeat("x", 4096)},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	name := ns.Name
	replicas := int32(1)
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "api", Annotations: map[string]string{
			v1alpha1.AnnotationScaleTemp:                       "2026-03-01T10:00:00Z@4->8",
			"kubectl.kubernetes.io/last-applied-configuration": strings.Repeat("y", 8192),
		}},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "api"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "a:1"}}}}},
	}
	if _, err := cs.AppsV1().Deployments(name).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Annotations: map[string]string{
			v1alpha1.AnnotationScaleTemp: "2026-03-01T10:00:00Z@1->3", "big": strings.Repeat("z", 8192)}},
		Spec: appsv1.StatefulSetSpec{Replicas: &replicas, Selector: dep.Spec.Selector, Template: dep.Spec.Template},
	}
	if _, err := cs.AppsV1().StatefulSets(name).Create(ctx, sts, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	hpa := func(hname, apiVersion, kind, target string) {
		_, err := cs.AutoscalingV2().HorizontalPodAutoscalers(name).Create(ctx, &autoscalingv2.HorizontalPodAutoscaler{
			ObjectMeta: metav1.ObjectMeta{Name: hname},
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MaxReplicas: 5,
				ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: apiVersion, Kind: kind, Name: target}},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	hpa("api-hpa", "apps/v1", "Deployment", "api")
	hpa("db-hpa", "apps/v1", "StatefulSet", "db")
	hpa("odd-hpa", "example.com/v1", "Deployment", "odd")
	policy := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kubedoor.io/v1alpha1", "kind": "CapacityPolicy",
		"metadata": map[string]any{"name": "api", "namespace": name, "labels": map[string]any{"app.kubernetes.io/managed-by": "kubedoor"}},
		"spec": map[string]any{"replicas": int64(4), "cluster": "prod-a",
			"containers": []any{map[string]any{"name": "app", "cpuRequest": "500m", "memoryLimit": "1Gi"}}},
	}}
	if _, err := dyn.Resource(v1alpha1.GroupVersionResource).Namespace(name).Create(ctx, policy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	c, err := New(kube.RESTConfig(), quiet())
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if c.Synced() {
		t.Fatal("synced before starting")
	}
	c.Start(cctx)
	eventually(t, "caches synced", c.Synced)

	got, ok := c.Namespace(name)
	if !ok || got.Control != v1alpha1.ControlEnforce || got.Unknown != v1alpha1.UnknownWarn {
		t.Fatalf("namespace %+v %v", got, ok)
	}
	if got.UnknownFor(v1alpha1.KindStatefulSet) != v1alpha1.UnknownDeny || got.UnknownFor(v1alpha1.KindDaemonSet) != v1alpha1.UnknownWarn ||
		got.UnknownFor(v1alpha1.KindDeployment) != v1alpha1.UnknownWarn {
		t.Fatalf("per-kind unknown modes of %+v", got)
	}
	p := c.Policy(name, "api")
	if p == nil || *p.Spec.Replicas != 4 || p.Spec.Containers[0].CPURequest.String() != "500m" || p.Spec.Containers[0].MemoryLimit.String() != "1Gi" {
		t.Fatalf("policy %+v", p)
	}
	if PolicyError(p) != nil || len(p.Labels) != 0 || len(p.ManagedFields) != 0 {
		t.Fatalf("the cached policy is not stripped to its spec: %+v", p.ObjectMeta)
	}
	d := c.Deployment(name, "api")
	if d == nil || d.Annotations[v1alpha1.AnnotationScaleTemp] == "" || len(d.Annotations) != 1 || len(d.ManagedFields) != 0 {
		t.Fatalf("cached deployment %+v: want only the scale-temp annotation", d)
	}
	nsObj, _, _ := c.informers[KindNamespaces].GetStore().GetByKey(name)
	if m := nsObj.(*metav1.PartialObjectMetadata); len(m.Labels) != 1 || len(m.Annotations) != 2 {
		t.Fatalf("cached namespace keeps %v %d annotations", m.Labels, len(m.Annotations))
	}
	s := c.Workload(v1alpha1.KindStatefulSet, name, "db")
	if s == nil || s.Annotations[v1alpha1.AnnotationScaleTemp] != "2026-03-01T10:00:00Z@1->3" || len(s.Annotations) != 1 {
		t.Fatalf("cached statefulset %+v: want only the scale-temp annotation", s)
	}
	if c.Workload(v1alpha1.KindDeployment, name, "db") != nil || c.Workload(v1alpha1.KindStatefulSet, name, "api") != nil {
		t.Fatal("a workload was found under another kind")
	}
	if h := c.HPAFor(name, v1alpha1.KindDeployment, "api"); h != "api-hpa" {
		t.Fatalf("HPA for api: %q", h)
	}
	if h := c.HPAFor(name, v1alpha1.KindStatefulSet, "db"); h != "db-hpa" {
		t.Fatalf("HPA for StatefulSet db: %q", h)
	}
	for _, other := range []struct{ kind, name string }{{"Deployment", "db"}, {"StatefulSet", "api"}, {"Deployment", "odd"}, {"Deployment", "missing"}} {
		if h := c.HPAFor(name, other.kind, other.name); h != "" {
			t.Fatalf("HPA for %s %s: %q, want none (not an apps target of that kind)", other.kind, other.name, h)
		}
	}
	if c.Policy(name, "missing") != nil || c.Deployment(name, "missing") != nil {
		t.Fatal("lookups of missing objects returned something")
	}
	if _, ok := c.Namespace("missing"); ok {
		t.Fatal("a missing namespace was found")
	}
	if sizes := c.Sizes(); sizes[KindPolicies] < 1 || sizes[KindHPAs] < 3 || sizes[KindDeployments] < 1 || sizes[KindStatefulSets] < 1 {
		t.Fatalf("sizes %v", sizes)
	}

	// Changes arrive by watch.
	patchedAt := time.Now()
	patch := []byte(`{"spec":{"replicas":6}}`)
	if _, err := dyn.Resource(v1alpha1.GroupVersionResource).Namespace(name).Patch(ctx, "api", "application/merge-patch+json", patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "policy update seen", func() bool { p := c.Policy(name, "api"); return p != nil && *p.Spec.Replicas == 6 })
	if age := c.LastEventAge(KindPolicies); age > time.Since(patchedAt) {
		t.Fatalf("last-event age %s: no event recorded since the update %s ago", age, time.Since(patchedAt))
	}
	if err := cs.CoreV1().Namespaces().Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := dyn.Resource(v1alpha1.GroupVersionResource).Namespace(name).Delete(ctx, "api", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "policy deletion seen", func() bool { return c.Policy(name, "api") == nil })
}

// A Pod review in a pods-target namespace finds its Deployment through the cached ReplicaSet.
func TestReplicaSetsAreCachedWithTheirDeploymentOnly(t *testing.T) {
	ctx := t.Context()
	ns, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: "gitops-",
		Labels:       map[string]string{v1alpha1.LabelControl: v1alpha1.ControlEnforce, v1alpha1.LabelControlTarget: v1alpha1.ControlTargetPods},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	name := ns.Name
	replicas := int32(1)
	labels := map[string]string{"app": "api"}
	tpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "a:1"}}}}
	dep, err := cs.AppsV1().Deployments(name).Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "api"},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tpl}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	rs := func(rsName string, owners []metav1.OwnerReference) {
		if _, err := cs.AppsV1().ReplicaSets(name).Create(ctx, &appsv1.ReplicaSet{
			ObjectMeta: metav1.ObjectMeta{Name: rsName, OwnerReferences: owners, Annotations: map[string]string{"big": strings.Repeat("r", 8192)}},
			Spec:       appsv1.ReplicaSetSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tpl},
		}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	rs("api-5c8", []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "api", UID: dep.UID, Controller: &yes}})
	rs("standalone", nil)

	c, err := New(kube.RESTConfig(), quiet())
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.Start(cctx)
	eventually(t, "caches synced", c.Synced)

	if got, ok := c.Namespace(name); !ok || got.Target != v1alpha1.ControlTargetPods {
		t.Fatalf("namespace %+v: want the pods target", got)
	}
	// The namespace's replica set informer starts when the namespace is seen, after the sync.
	eventually(t, "the pods namespace's replica sets cached", func() bool { _, _, found := c.ReplicaSetOwner(name, "api-5c8"); return found })
	if kind, owner, found := c.ReplicaSetOwner(name, "api-5c8"); !found || kind != v1alpha1.KindDeployment || owner != "api" {
		t.Fatalf("owner of api-5c8: %q %q %v, want Deployment api", kind, owner, found)
	}
	if kind, owner, found := c.ReplicaSetOwner(name, "standalone"); !found || kind != "" || owner != "" {
		t.Fatalf("owner of a ReplicaSet of its own: %q %q %v, want none but found", kind, owner, found)
	}
	if _, _, found := c.ReplicaSetOwner(name, "missing"); found {
		t.Fatal("a missing ReplicaSet was found")
	}
	if m, _ := c.rs.get(name, "api-5c8"); len(m.Annotations) != 0 || len(m.ManagedFields) != 0 || len(m.OwnerReferences) != 1 {
		t.Fatalf("the cached ReplicaSet is not stripped to its identity and controller: %+v", m.ObjectMeta)
	}

	// Only namespaces whose target is pods have their replica sets cached: losing the target
	// drops them, getting it back caches them again.
	ns.Labels[v1alpha1.LabelControlTarget] = v1alpha1.ControlTargetTemplate
	if ns, err = cs.CoreV1().Namespaces().Update(ctx, ns, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the replica sets of a template namespace dropped", func() bool {
		_, _, found := c.ReplicaSetOwner(name, "api-5c8")
		return !found && c.Sizes()[KindReplicaSets] == 0
	})
	ns.Labels[v1alpha1.LabelControlTarget] = v1alpha1.ControlTargetPods
	if _, err = cs.CoreV1().Namespaces().Update(ctx, ns, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the replica sets cached again", func() bool {
		_, _, found := c.ReplicaSetOwner(name, "api-5c8")
		return found && c.Sizes()[KindReplicaSets] == 2
	})
}

func TestReplicaSetsOfNamespacesWithoutThePodsTargetAreNotCached(t *testing.T) {
	ctx := t.Context()
	ns, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: "template-", Labels: map[string]string{v1alpha1.LabelControl: v1alpha1.ControlEnforce},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	replicas := int32(1)
	labels := map[string]string{"app": "api"}
	if _, err := cs.AppsV1().ReplicaSets(ns.Name).Create(ctx, &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "api-1"},
		Spec: appsv1.ReplicaSetSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "a:1"}}}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c, err := New(kube.RESTConfig(), quiet())
	if err != nil {
		t.Fatal(err)
	}
	c.Start(ctx)
	eventually(t, "caches synced", c.Synced)
	eventually(t, "the namespace seen", func() bool { _, ok := c.Namespace(ns.Name); return ok })
	if _, _, found := c.ReplicaSetOwner(ns.Name, "api-1"); found {
		t.Fatal("a replica set of a namespace whose target is the template is cached")
	}
	c.rs.mu.Lock()
	_, followed := c.rs.byNS[ns.Name]
	c.rs.mu.Unlock()
	if followed {
		t.Fatal("an informer runs for a namespace whose target is the template")
	}
}
