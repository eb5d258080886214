//go:build parts

package operations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/publish"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
)

// PublishVia is tested with the real publish worker against a real kube-apiserver with the CRD,
// and the service on the embedded engine.
var (
	kube *testenv.Kube
	svc  *service.Service
	dyn  dynamic.Interface
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "operations tests cannot start:", err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	lib, err := testenv.LibCHDB()
	if err != nil {
		return fail(err)
	}
	dir, err := os.MkdirTemp("", "kubedoor-operations-test-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	conn, err := store.Open(ctx, store.Config{DataDir: dir, LibraryPath: lib, Database: "kubedoor", Logger: log})
	if err != nil {
		return fail(err)
	}
	if kube, err = testenv.StartKube(ctx, testenv.KubeOptions{Logger: log}); err != nil {
		return fail(err)
	}
	defer kube.Stop()
	dyn = dynamic.NewForConfigOrDie(kube.RESTConfig())
	if err := crd.Install(ctx, dyn); err != nil {
		return fail(err)
	}
	if _, err := kube.Clientset().CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{}); err != nil {
		return fail(err)
	}
	kc, err := os.ReadFile(kube.Kubeconfig)
	if err != nil {
		return fail(err)
	}
	svc = service.New(log, func(context.Context, settings.App) (store.Conn, int, error) { return conn, 1, nil }, "test")
	defer svc.Close()
	if err := svc.Apply(ctx, settings.App{Storage: settings.Storage{Mode: settings.StorageEmbedded}, Clusters: []settings.Cluster{{
		Name: "prod-a", PrometheusURL: "http://127.0.0.1:1", TimeZone: "UTC", KubedoorNamespace: "kubedoor",
		KubeAccess: settings.KubeAccessKubeconfig, Kubeconfig: string(kc),
	}, {Name: "peaks-only", PrometheusURL: "http://127.0.0.1:1", TimeZone: "UTC"}}}); err != nil {
		return fail(err)
	}
	return m.Run()
}

// source is what the control table would desire.
type source struct {
	mu   sync.Mutex
	want []publish.Policy
	err  error
}

func (s *source) Desired(context.Context, string) ([]publish.Policy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.want, s.err
}

func (s *source) set(want []publish.Policy, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.want, s.err = want, err
}

func TestPublishViaTheWorkerWaitsForTheReconcileAndReportsTheWorkloadsPolicy(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &source{}
	w := publish.NewWorker(publish.WorkerDeps{Desired: src, Parts: svc, Log: slog.New(slog.DiscardHandler)}, publish.Options{})
	svc.Go(ctx, w)
	p := PublishVia(w, 20*time.Second)
	api := actions.Workload{Cluster: "prod-a", Namespace: "shop", Name: "api"}

	src.set([]publish.Policy{publish.FromControl("prod-a", "shop", "api", 2, 5, nil)}, nil)
	if err := p.Publish(ctx, api); err != nil {
		t.Fatal(err)
	}
	// No sleep: when Publish returns, the policy is there.
	obj, err := dyn.Resource(v1alpha1.GroupVersionResource).Namespace("shop").Get(ctx, "api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r, _, _ := unstructured.NestedInt64(obj.Object, "spec", "replicas"); r != 5 {
		t.Fatalf("published replicas %d, want 5", r)
	}

	src.set([]publish.Policy{publish.FromControl("prod-a", "shop", "api", 3, 6, []publish.Container{{Name: "app"}, {Name: "app"}})}, nil)
	if err := p.Publish(ctx, api); err == nil || !strings.Contains(err.Error(), "publishing the policy of shop/api") || !strings.Contains(err.Error(), "listed twice") {
		t.Fatalf("a policy that cannot be written: %v", err)
	}

	src.set(nil, errors.New("the control table is unreadable"))
	if err := p.Publish(ctx, api); err == nil || !strings.Contains(err.Error(), "unreadable") {
		t.Fatalf("a cluster that cannot be published: %v", err)
	}

	if err := p.Publish(ctx, actions.Workload{Cluster: "not-configured", Namespace: "shop", Name: "api"}); err == nil || !strings.Contains(err.Error(), "is not configured") {
		t.Fatalf("a cluster not configured: %v", err)
	}
	short := PublishVia(w, 300*time.Millisecond)
	if err := short.Publish(ctx, actions.Workload{Cluster: "peaks-only", Namespace: "shop", Name: "api"}); err == nil || !strings.Contains(err.Error(), "did not finish within 300ms") {
		t.Fatalf("a cluster the worker never publishes (no Kubernetes access): %v", err)
	}
}
