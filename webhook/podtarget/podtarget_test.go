//go:build parts

package podtarget_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

const (
	sentApp     = "req cpu=100m,ephemeral-storage=1Gi lim "
	enforcedApp = "req cpu=500m,memory=1Gi,ephemeral-storage=1Gi lim cpu=2,memory=2Gi"
	sentProxy   = "req cpu=50m lim "
)

func deployment(name string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: podSpec(name)}},
	}
}

// resources renders a container's requests/limits as "req cpu=…,memory=… lim cpu=…".
func resources(spec corev1.PodSpec, container string) string {
	for _, c := range spec.Containers {
		if c.Name != container {
			continue
		}
		render := func(l corev1.ResourceList) string {
			var parts []string
			for _, k := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage} {
				if v, ok := l[k]; ok {
					parts = append(parts, fmt.Sprintf("%s=%s", k, v.String()))
				}
			}
			return strings.Join(parts, ",")
		}
		return "req " + render(c.Resources.Requests) + " lim " + render(c.Resources.Limits)
	}
	return "no container " + container
}

// podsOf waits until the controllers have created n Pods with the app=name label and returns them.
func podsOf(t *testing.T, ns, name string, n int) []corev1.Pod {
	t.Helper()
	var got []corev1.Pod
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		l, err := cs.CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{LabelSelector: "app=" + name})
		if err != nil {
			t.Fatal(err)
		}
		if got = l.Items; len(got) == n {
			return got
		}
	}
	t.Fatalf("%d pods of %s/%s after 60s, want %d", len(got), ns, name, n)
	return nil
}

func wantPods(t *testing.T, pods []corev1.Pod, app, why string) {
	t.Helper()
	for _, p := range pods {
		if got := resources(p.Spec, "app"); got != app {
			t.Errorf("pod %s app %q, want %q: %s", p.Name, got, app, why)
		}
		if got := resources(p.Spec, "proxy"); got != sentProxy {
			t.Errorf("pod %s proxy %q, want %q: the policy does not name the sidecar", p.Name, got, sentProxy)
		}
	}
}

// lastDecision waits for the policy's status to report a decision of operation op.
func lastDecision(t *testing.T, ns, policy, op string) map[string]any {
	t.Helper()
	var last map[string]any
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		p, err := dyn.Resource(v1alpha1.GroupVersionResource).Namespace(ns).Get(t.Context(), policy, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if last, _, _ = unstructured.NestedMap(p.Object, "status", "lastDecision"); last != nil && last["operation"] == op {
			return last
		}
	}
	t.Fatalf("status.lastDecision of %s/%s never showed %s (last: %v)", ns, policy, op, last)
	return nil
}

func TestInAPodsNamespaceWorkloadsAreUnchangedAndTheirPodsGetTheTable(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "gitops", v1alpha1.ControlTargetPods)
	putPolicy(t, ns, v1alpha1.KindDeployment, "api")
	putPolicy(t, ns, v1alpha1.KindStatefulSet, "db")
	workloadReviews := metric("kubedoor_webhook_reviews_total", map[string]string{"resource": "deployments"}) +
		metric("kubedoor_webhook_reviews_total", map[string]string{"resource": "statefulsets"})

	// Deployment → ReplicaSet → Pods, all made by kube-controller-manager.
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("api", 2), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d, err := cs.AppsV1().Deployments(ns).Get(ctx, "api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *d.Spec.Replicas != 2 || resources(d.Spec.Template.Spec, "app") != sentApp {
		t.Fatalf("stored Deployment replicas %d app %q: the workload object must stay as applied", *d.Spec.Replicas, resources(d.Spec.Template.Spec, "app"))
	}
	wantPods(t, podsOf(t, ns, "api", 2), enforcedApp, "a Deployment's pods get the table's values at creation")
	last := lastDecision(t, ns, "api", "CREATE pod")
	if last["result"] != "patched" || !strings.Contains(last["reason"].(string), "policy replicas 4 (not forced") {
		t.Fatalf("last decision %v: want a patched pod and the unforced replicas said", last)
	}

	// StatefulSet → Pods.
	labels := map[string]string{"app": "db"}
	two := int32(2)
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db"}, Spec: appsv1.StatefulSetSpec{
		// Parallel: OrderedReady would wait for pod 0 to be Ready, which no kubelet reports here.
		Replicas: &two, ServiceName: "db", PodManagementPolicy: appsv1.ParallelPodManagement, Selector: &metav1.LabelSelector{MatchLabels: labels},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: podSpec("db")}}}
	if _, err := cs.AppsV1().StatefulSets(ns).Create(ctx, sts, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	wantPods(t, podsOf(t, ns, "db", 2), enforcedApp, "a StatefulSet's pods get the table's values")
	s, err := cs.AppsV1().StatefulSets(ns).Get(ctx, "db", metav1.GetOptions{})
	if err != nil || *s.Spec.Replicas != 2 || resources(s.Spec.Template.Spec, "app") != sentApp {
		t.Fatalf("stored StatefulSet %v %v: must stay as applied", s, err)
	}

	// A scale is the team's in this mode: replicas are not forced.
	if _, err := cs.AppsV1().Deployments(ns).Patch(ctx, "api", types.MergePatchType, []byte(`{"spec":{"replicas":3}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	wantPods(t, podsOf(t, ns, "api", 3), enforcedApp, "the scaled-up pod gets the table's values too")

	// An unregistered Deployment: the namespace's unknown-workload rule (deny by default)
	// belongs to the template target; here it is created, and its pods are left as sent.
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("newsvc", 1), metav1.CreateOptions{}); err != nil {
		t.Fatalf("an unregistered Deployment in a pods namespace: %v", err)
	}
	wantPods(t, podsOf(t, ns, "newsvc", 1), sentApp, "a workload without a policy keeps its pods' values")

	if now := metric("kubedoor_webhook_reviews_total", map[string]string{"resource": "deployments"}) +
		metric("kubedoor_webhook_reviews_total", map[string]string{"resource": "statefulsets"}); now != workloadReviews {
		t.Fatalf("%v workload reviews from a pods-target namespace, want none", now-workloadReviews)
	}
}

func TestATemplateNamespaceKeepsItsBehaviourAndSendsNoPods(t *testing.T) {
	ctx := t.Context()
	for _, target := range []string{"", v1alpha1.ControlTargetTemplate} {
		ns := mustNamespace(ctx, "classic", target)
		putPolicy(t, ns, v1alpha1.KindDeployment, "api")
		podReviews := metric("kubedoor_webhook_reviews_total", map[string]string{"resource": "pods"})
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("api", 1), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, "api", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if *d.Spec.Replicas != 4 || resources(d.Spec.Template.Spec, "app") != enforcedApp {
			t.Fatalf("target %q: stored Deployment replicas %d app %q, want the policy's", target, *d.Spec.Replicas, resources(d.Spec.Template.Spec, "app"))
		}
		wantPods(t, podsOf(t, ns, "api", 4), enforcedApp, "the pods carry the patched template's values")
		if n := metric("kubedoor_webhook_reviews_total", map[string]string{"resource": "pods"}) - podReviews; n != 0 {
			t.Fatalf("target %q: %v pod reviews, want none from a template namespace", target, n)
		}
	}
}

func TestAPodWhoseOwnerIsUnknownIsAdmittedUnchanged(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "strays", v1alpha1.ControlTargetPods)
	putPolicy(t, ns, v1alpha1.KindDeployment, "api")
	yes := true
	orphan := barePod("api-5c8-x1")
	orphan.Labels = map[string]string{"app": "orphan"}
	// Names a ReplicaSet of Deployment api that does not exist: the cache never holds it.
	orphan.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "api-5c8", UID: "0e4f0c0a-0000-4000-8000-000000000001", Controller: &yes}}
	bare := barePod("bare")
	bare.Labels = map[string]string{"app": "orphan"}
	before := metric("kubedoor_webhook_decisions_total", map[string]string{"reason": "pod-owner-unknown"})
	for _, p := range []*corev1.Pod{orphan, bare} {
		// The Create answer is the Pod as stored (the garbage collector soon deletes the one
		// whose owner does not exist, so it is not listed afterwards).
		stored, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("pod %s: %v", p.Name, err)
		}
		if got := resources(stored.Spec, "app"); got != sentApp {
			t.Errorf("pod %s app %q, want it as sent", p.Name, got)
		}
	}
	if n := metric("kubedoor_webhook_decisions_total", map[string]string{"reason": "pod-owner-unknown"}) - before; n != 2 {
		t.Fatalf("%v pod-owner-unknown decisions, want 2", n)
	}
}
