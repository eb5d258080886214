//go:build parts

package publish

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// testEnv is the worker's view of the process, with settings the test changes.
type testEnv struct {
	mu      sync.Mutex
	app     settings.App
	changes chan struct{}
	dyn     dynamic.Interface
}

func newTestEnv(t *testing.T, intervalSeconds int, clusters ...settings.Cluster) *testEnv {
	return &testEnv{app: settings.App{Clusters: clusters, PublishIntervalSeconds: intervalSeconds},
		changes: make(chan struct{}), dyn: adminDynamic(t)}
}

func (e *testEnv) settings() settings.App {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.app
}

func (e *testEnv) changed() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.changes
}

func (e *testEnv) client(cluster string) (dynamic.Interface, error) {
	c, ok := e.settings().Cluster(cluster)
	if !ok {
		return nil, fmt.Errorf("cluster %s is not configured", cluster)
	}
	if c.KubeAccess == "" {
		return nil, fmt.Errorf("cluster %s: %w", cluster, errNoAccess)
	}
	return e.dyn, nil
}

var prodCluster = settings.Cluster{Name: "prod", KubeAccess: settings.KubeAccessKubeconfig}

// memSource is a control table in memory: what each cluster should hold, and who asked.
type memSource struct {
	mu      sync.Mutex
	desired map[string][]Policy
	err     error
	calls   map[string]int
	gate    chan struct{} // when set, the first call waits for it to close
}

func newMemSource() *memSource {
	return &memSource{desired: map[string][]Policy{}, calls: map[string]int{}}
}

func (s *memSource) Desired(ctx context.Context, cluster string) ([]Policy, error) {
	s.mu.Lock()
	s.calls[cluster]++
	gate := s.gate
	s.gate = nil
	s.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Policy(nil), s.desired[cluster]...), s.err
}

func (s *memSource) set(cluster string, p ...Policy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.desired[cluster] = p
}

func (s *memSource) callsFor(cluster string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[cluster]
}

func startWorker(t *testing.T, w *Worker, e env) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.run(ctx, e); err != nil {
			t.Errorf("worker: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// eventually polls cond for up to 30 s; the state it returns is shown on failure.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	state := ""
	for time.Now().Before(deadline) {
		var ok bool
		if ok, state = cond(); ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within 30s (last: %s)", what, state)
}

func replicasOf(t *testing.T, ns, name string) (int32, bool) {
	p, err := getPolicy(t, ns, name)
	if err != nil || p.Spec.Replicas == nil {
		return -1, false
	}
	return *p.Spec.Replicas, true
}

func hasReplicas(t *testing.T, ns, name string, want int32) func() (bool, string) {
	return func() (bool, string) {
		got, ok := replicasOf(t, ns, name)
		return ok && got == want, fmt.Sprintf("%s/%s replicas %d (exists %v)", ns, name, got, ok)
	}
}

func TestTheWorkerPublishesAtStartAndOnTrigger(t *testing.T) {
	clean(t)
	ns := namespaces(t, 1)[0]
	src := newMemSource()
	src.set("prod", FromControl("prod", ns, "api", 1, 2, nil))
	w := NewWorker(WorkerDeps{Desired: src, Log: quietLogger()}, Options{})
	startWorker(t, w, newTestEnv(t, 3600, prodCluster))
	eventually(t, "the policy is published at start", hasReplicas(t, ns, "api", 2))

	src.set("prod", FromControl("prod", ns, "api", 2, 5, nil), FromControl("prod", ns, "web", 1, 1, nil))
	w.Trigger("prod")
	eventually(t, "an edit is published on trigger", hasReplicas(t, ns, "api", 5))
	eventually(t, "a new row is published on trigger", hasReplicas(t, ns, "web", 1))
	eventually(t, "the status records the trigger", func() (bool, string) {
		st, ok := w.Status("prod")
		return ok && st.Runs == 2 && st.Trigger == "trigger" && st.Result.Created == 1 && st.Result.Updated == 1, fmt.Sprintf("%+v", st)
	})
}

func TestTheWorkerHealsAKubectlEditWithinOnePeriod(t *testing.T) {
	clean(t)
	ns := namespaces(t, 1)[0]
	src := newMemSource()
	src.set("prod", FromControl("prod", ns, "api", 1, 2, nil))
	startWorker(t, NewWorker(WorkerDeps{Desired: src, Log: quietLogger()}, Options{}), newTestEnv(t, 1, prodCluster))
	eventually(t, "published", hasReplicas(t, ns, "api", 2))

	res := adminDynamic(t).Resource(v1alpha1.GroupVersionResource).Namespace(ns)
	u, err := res.Get(t.Context(), "api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = unstructured.SetNestedField(u.Object, int64(40), "spec", "replicas")
	if _, err := res.Update(t.Context(), u, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the edit is undone by the periodic reconcile", hasReplicas(t, ns, "api", 2))

	if err := res.Delete(t.Context(), "api", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a deleted policy is recreated by the periodic reconcile", hasReplicas(t, ns, "api", 2))
}

func TestTriggersDuringAReconcileCoalesceIntoOneMoreRun(t *testing.T) {
	clean(t)
	ns := namespaces(t, 1)[0]
	src := newMemSource()
	src.set("prod", FromControl("prod", ns, "api", 1, 2, nil))
	gate := make(chan struct{})
	src.gate = gate
	w := NewWorker(WorkerDeps{Desired: src, Log: quietLogger()}, Options{})
	startWorker(t, w, newTestEnv(t, 3600, prodCluster))
	eventually(t, "the start reconcile is running", func() (bool, string) { return src.callsFor("prod") == 1, "" })

	for range 10 {
		w.Trigger("prod")
	}
	close(gate)
	eventually(t, "one more run after the blocked one", func() (bool, string) {
		st, _ := w.Status("prod")
		return st.Runs == 2, fmt.Sprintf("runs %d", st.Runs)
	})
	time.Sleep(300 * time.Millisecond) // room for a wrongly queued third run to show up
	if n := src.callsFor("prod"); n != 2 {
		t.Fatalf("ten triggers during one run must coalesce into one more run; the source was asked %d times", n)
	}
}

func TestASourceErrorChangesNothing(t *testing.T) {
	clean(t)
	ns := namespaces(t, 1)[0]
	reconcile(t, publisher(t), []Policy{FromControl("prod", ns, "api", 1, 2, nil)})
	src := newMemSource()
	src.err = errors.New("store unavailable")
	w := NewWorker(WorkerDeps{Desired: src, Log: quietLogger()}, Options{})
	startWorker(t, w, newTestEnv(t, 3600, prodCluster))
	eventually(t, "the error is recorded", func() (bool, string) {
		st, _ := w.Status("prod")
		return st.Errors == 1, fmt.Sprintf("%+v", st)
	})
	st, _ := w.Status("prod")
	if want := "reading the desired policies of cluster prod: store unavailable"; st.Error != want {
		t.Fatalf("error %q, want %q", st.Error, want)
	}
	if got, ok := replicasOf(t, ns, "api"); !ok || got != 2 {
		t.Fatal("when the desired state is unknown, no published policy may be deleted or changed")
	}
}

func TestClustersWithoutKubernetesAccessAreNotPublished(t *testing.T) {
	clean(t)
	ns := namespaces(t, 1)[0]
	src := newMemSource()
	src.set("prod", FromControl("prod", ns, "api", 1, 2, nil))
	w := NewWorker(WorkerDeps{Desired: src, Log: quietLogger()}, Options{})
	startWorker(t, w, newTestEnv(t, 3600, prodCluster, settings.Cluster{Name: "peaks-only"}))
	eventually(t, "prod is published", hasReplicas(t, ns, "api", 2))
	w.Trigger("peaks-only")
	w.Trigger("prod")
	eventually(t, "prod's second run", func() (bool, string) { st, _ := w.Status("prod"); return st.Runs == 2, "" })
	if _, ok := w.Status("peaks-only"); ok || src.callsFor("peaks-only") != 0 {
		t.Fatalf("a cluster without Kubernetes access must not be reconciled (source asked %d times)", src.callsFor("peaks-only"))
	}
}

// noStore stands in for the store, which the publisher never touches (the Source reads the
// control table); Snapshot only needs one to be open.
type noStore struct{ store.Conn }

func (noStore) Close() error { return nil }
func (noStore) Mode() string { return store.ModeEmbedded }

func TestTheWorkerRunsUnderTheServiceWithTheClustersKubeconfig(t *testing.T) {
	clean(t)
	ns := namespaces(t, 1)[0]
	kubeconfig, err := os.ReadFile(kube.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(quietLogger(), func(context.Context, settings.App) (store.Conn, int, error) { return noStore{}, 1, nil }, "test")
	app := settings.Default()
	app.PublishIntervalSeconds = 3600
	if err := svc.Apply(t.Context(), app); err != nil {
		t.Fatal(err)
	}
	src := newMemSource()
	src.set("prod", FromControl("prod", ns, "api", 1, 3, nil))
	w := NewWorker(WorkerDeps{Desired: src, Parts: svc, Log: quietLogger()}, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	svc.Go(ctx, w)

	// The cluster arrives with saved settings, as when the config page is saved.
	app.Clusters = []settings.Cluster{{Name: "prod", PrometheusURL: "http://127.0.0.1:1", TimeZone: "UTC",
		KubeAccess: settings.KubeAccessKubeconfig, Kubeconfig: string(kubeconfig), KubedoorNamespace: "kubedoor"}}
	if err := svc.Apply(t.Context(), app); err != nil {
		t.Fatal(err)
	}
	eventually(t, "published through the service's clients", hasReplicas(t, ns, "api", 3))
	// Whether the worker's first look at the settings came before or after the save, a run
	// follows it ("start" or "settings changed"); either way it used the saved kubeconfig.
	eventually(t, "the run is recorded", func() (bool, string) {
		st, _ := w.Status("prod")
		return st.Runs == 1 && st.Error == "" && st.Result.Created == 1, fmt.Sprintf("%+v", st)
	})
}

// With several backends, the one holding a cluster's lease runs its periodic reconciles; the
// others publish only their own writes (triggers).
func TestABackendNotHoldingAClusterPublishesOnlyItsOwnWrites(t *testing.T) {
	clean(t)
	ns := namespaces(t, 1)[0]
	src := newMemSource()
	src.set("prod", FromControl("prod", ns, "api", 1, 2, nil))
	w := NewWorker(WorkerDeps{Desired: src, Log: quietLogger(), Elsewhere: func(string) bool { return true }}, Options{})
	startWorker(t, w, newTestEnv(t, 1, prodCluster))
	time.Sleep(2500 * time.Millisecond) // the start and two periods
	if n := src.callsFor("prod"); n != 0 {
		t.Fatalf("a cluster held elsewhere was reconciled %d times at start or periodically", n)
	}
	w.Trigger("prod")
	eventually(t, "a trigger publishes here anyway", hasReplicas(t, ns, "api", 2))
}
