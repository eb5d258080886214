//go:build parts

package main_test

// These tests run the built kubedoor-webhook binary against a real kube-apiserver: the CRD is
// installed, the webhook registered with a CA the binary generated, CapacityPolicies created
// with the dynamic client, and Deployments changed with the calls kubectl makes. Every
// assertion reads the Deployment the API server STORED.

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
)

const (
	clusterName    = "prod-a"
	timeoutSeconds = 3 // registration timeout; the webhook's own deadline is 2s
)

var (
	kube    *testenv.Kube
	restCfg *rest.Config
	cs      *kubernetes.Clientset
	dyn     dynamic.Interface
	hook    *testenv.Webhook
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "webhook tests cannot start: "+format+"\n", args...)
		return 1
	}
	var err error
	if kube, err = testenv.StartKube(ctx, testenv.KubeOptions{}); err != nil {
		return fail("%v", err)
	}
	defer kube.Stop()
	restCfg = kube.RESTConfig()
	restCfg.QPS, restCfg.Burst = 200, 400
	cs = kubernetes.NewForConfigOrDie(restCfg)
	dyn = dynamic.NewForConfigOrDie(restCfg)
	if err := crd.Install(ctx, dyn); err != nil {
		return fail("%v", err)
	}

	dir, err := os.MkdirTemp("", "kubedoor-webhook-test-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(dir)
	hook, err = testenv.StartWebhook(ctx, testenv.WebhookOptions{Dir: dir, Kubeconfig: kube.Kubeconfig,
		Cluster: clusterName, Args: []string{"--report-interval", "200ms"}})
	if err != nil {
		return fail("%v", err)
	}
	defer hook.Stop()
	if err := hook.Register(ctx, cs, timeoutSeconds); err != nil {
		return fail("%v", err)
	}
	if err := waitRegistered(ctx); err != nil {
		return fail("%v\n%s", err, hook.Log())
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "--- webhook log ---\n%s\n", hook.Log())
	}
	return code
}

// waitRegistered creates probe Deployments until one reaches the webhook: the API server picks
// up a new webhook configuration asynchronously.
func waitRegistered(ctx context.Context) error {
	ns := mustNamespace(ctx, "probe", v1alpha1.ControlEnforce, v1alpha1.UnknownAllow)
	for i := 0; ; i++ {
		before := metric("kubedoor_webhook_reviews_total", map[string]string{"operation": "CREATE"})
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment(fmt.Sprintf("probe-%d", i), 1), metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("probe deployment: %w", err)
		}
		if metric("kubedoor_webhook_reviews_total", map[string]string{"operation": "CREATE"}) > before {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the API server never called the webhook: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func mustNamespace(ctx context.Context, prefix, control, unknown string) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-"}}
	if control != "" {
		ns.Labels = map[string]string{v1alpha1.LabelControl: control}
	}
	if unknown != "" {
		ns.Annotations = map[string]string{v1alpha1.AnnotationUnknownWorkloads: unknown}
	}
	got, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if err != nil {
		panic(err)
	}
	return got.Name
}

// deployment has an app container (with a cpu request and ephemeral storage) and a sidecar.
func deployment(name string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{
					{Name: "app", Image: "registry.example.com/" + name + ":1", Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceEphemeralStorage: resource.MustParse("1Gi")},
					}},
					{Name: "proxy", Image: "registry.example.com/proxy:1", Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m")},
					}},
				}},
			},
		},
	}
}

// metric sums a counter or gauge of the webhook over the series whose labels include want.
func metric(name string, want map[string]string) float64 {
	v, err := hook.Metric(name, want)
	if err != nil {
		panic(err)
	}
	return v
}

// policySpec builds a CapacityPolicy for the dynamic client.
type containerSpec struct{ name, cpuReq, memReq, cpuLim, memLim string }

func policyObject(ns, name string, replicas *int32, containers ...containerSpec) *unstructured.Unstructured {
	p := v1alpha1.CapacityPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "CapacityPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       v1alpha1.CapacityPolicySpec{Cluster: clusterName, Replicas: replicas},
	}
	qty := func(s string) *resource.Quantity {
		if s == "" {
			return nil
		}
		v := resource.MustParse(s)
		return &v
	}
	for _, c := range containers {
		p.Spec.Containers = append(p.Spec.Containers, v1alpha1.ContainerPolicy{Name: c.name,
			CPURequest: qty(c.cpuReq), MemoryRequest: qty(c.memReq), CPULimit: qty(c.cpuLim), MemoryLimit: qty(c.memLim)})
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&p)
	if err != nil {
		panic(err)
	}
	return &unstructured.Unstructured{Object: m}
}

// putPolicy creates or replaces a policy, then waits until the webhook's cache holds as many
// policies as the API server (a policy published moments before a deploy is a real race too,
// but the tests are about rules, not watch latency).
func putPolicy(t *testing.T, obj *unstructured.Unstructured) {
	t.Helper()
	ctx := t.Context()
	ri := dyn.Resource(v1alpha1.GroupVersionResource).Namespace(obj.GetNamespace())
	// The webhook's report writer updates a policy's status meanwhile; a conflict is retried.
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
		if err != nil {
			_, err = ri.Create(ctx, obj, metav1.CreateOptions{})
			return err
		}
		obj.SetResourceVersion(cur.GetResourceVersion())
		_, err = ri.Update(ctx, obj, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("writing policy: %v", err)
	}
	waitCached(t, v1alpha1.GroupVersionResource.Resource, func() int {
		l, err := dyn.Resource(v1alpha1.GroupVersionResource).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return len(l.Items)
	})
}

func waitCached(t *testing.T, kind string, count func() int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		want := count()
		if got := metric("kubedoor_webhook_cache_objects", map[string]string{"kind": kind}); int(got) == want {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("webhook cache holds %v %s, the API server %d", got, kind, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// warningClient records the warnings the API server relays from the webhook.
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, text)
}

func (w *warnings) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.list...)
}

func clientWithWarnings() (*kubernetes.Clientset, *warnings) {
	w := &warnings{}
	cfg := rest.CopyConfig(restCfg)
	cfg.WarningHandler = w
	return kubernetes.NewForConfigOrDie(cfg), w
}

func ptr[T any](v T) *T { return &v }
