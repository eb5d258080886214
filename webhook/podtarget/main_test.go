//go:build parts

// Package podtarget_test runs the built kubedoor-webhook against a real kube-apiserver with
// kube-controller-manager, so the Pods of the pods enforcement target are the ones the
// ReplicaSet and StatefulSet controllers create, as in a cluster. The scheduler and kwok are
// not started: a Pod's stored spec is what the webhook decides, and Pending Pods carry it.
// (The workload tests in package webhook run without controllers; the controllers' own writes
// to Deployments would race their cache-event waits.)
package podtarget_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
)

var (
	cs   *kubernetes.Clientset
	dyn  dynamic.Interface
	hook *testenv.Webhook
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "pods-target tests cannot start: "+format+"\n", args...)
		return 1
	}
	kube, err := testenv.StartKube(ctx, testenv.KubeOptions{ControllerManager: true})
	if err != nil {
		return fail("%v", err)
	}
	defer kube.Stop()
	cfg := kube.RESTConfig()
	cfg.QPS, cfg.Burst = 200, 400
	cs = kubernetes.NewForConfigOrDie(cfg)
	dyn = dynamic.NewForConfigOrDie(cfg)
	if err := crd.Install(ctx, dyn); err != nil {
		return fail("%v", err)
	}
	dir, err := os.MkdirTemp("", "kubedoor-podtarget-test-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(dir)
	hook, err = testenv.StartWebhook(ctx, testenv.WebhookOptions{Dir: dir, Kubeconfig: kube.Kubeconfig,
		Cluster: "prod-a", Args: []string{"--report-interval", "200ms"}})
	if err != nil {
		return fail("%v", err)
	}
	defer hook.Stop()
	if err := hook.Register(ctx, cs, 3); err != nil {
		return fail("%v", err)
	}
	if err := waitRegistered(ctx); err != nil {
		return fail("%v", err)
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "--- webhook log (%s) ---\n%s\n", hook.LogPath, hook.Log())
	}
	return code
}

// waitRegistered creates bare Pods in a pods-target namespace until one reaches the webhook:
// the API server picks up a new webhook configuration asynchronously.
func waitRegistered(ctx context.Context) error {
	ns := mustNamespace(ctx, "probe", v1alpha1.ControlTargetPods)
	for i := 0; ; i++ {
		before := metric("kubedoor_webhook_reviews_total", map[string]string{"resource": "pods"})
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, barePod(fmt.Sprintf("probe-%d", i)), metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("probe pod: %w", err)
		}
		if metric("kubedoor_webhook_reviews_total", map[string]string{"resource": "pods"}) > before {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the API server never called the webhook: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// mustNamespace creates an enforced namespace with the given target ("" for none).
func mustNamespace(ctx context.Context, prefix, target string) string {
	labels := map[string]string{v1alpha1.LabelControl: v1alpha1.ControlEnforce}
	if target != "" {
		labels[v1alpha1.LabelControlTarget] = target
	}
	got, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-", Labels: labels}}, metav1.CreateOptions{})
	if err != nil {
		panic(err)
	}
	return got.Name
}

// podSpec has an app container (a cpu request, ephemeral storage) and a sidecar.
func podSpec(name string) corev1.PodSpec {
	return corev1.PodSpec{Containers: []corev1.Container{
		{Name: "app", Image: "registry.example.com/" + name + ":1", Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceEphemeralStorage: resource.MustParse("1Gi")},
		}},
		{Name: "proxy", Image: "registry.example.com/proxy:1", Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m")},
		}},
	}}
}

func barePod(name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: podSpec(name)}
}

// metric sums a counter or gauge of the webhook over the series whose labels include want.
func metric(name string, want map[string]string) float64 {
	v, err := hook.Metric(name, want)
	if err != nil {
		panic(err)
	}
	return v
}

// putPolicy publishes the policy of workload kind/name with replicas 4 and the app container's
// values, then waits until the webhook's cache holds every policy.
func putPolicy(t *testing.T, ns, kind, name string) {
	t.Helper()
	ctx := t.Context()
	q := func(s string) *resource.Quantity { v := resource.MustParse(s); return &v }
	four := int32(4)
	p := v1alpha1.CapacityPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "CapacityPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: v1alpha1.PolicyName(kind, name), Namespace: ns},
		Spec: v1alpha1.CapacityPolicySpec{Cluster: "prod-a", Replicas: &four, Containers: []v1alpha1.ContainerPolicy{{
			Name: "app", CPURequest: q("500m"), MemoryRequest: q("1Gi"), CPULimit: q("2"), MemoryLimit: q("2Gi"),
		}}},
	}
	if kind != v1alpha1.KindDeployment {
		p.Spec.TargetKind = kind
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(v1alpha1.GroupVersionResource).Namespace(ns).Create(ctx, &unstructured.Unstructured{Object: m}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		l, err := dyn.Resource(v1alpha1.GroupVersionResource).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if int(metric("kubedoor_webhook_cache_objects", map[string]string{"kind": "capacitypolicies"})) == len(l.Items) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the webhook never cached the policy")
		}
	}
}
