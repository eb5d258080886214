//go:build parts

package pods

// The operations run against a real kube-apiserver with the controller-manager (its ReplicaSet,
// DaemonSet and garbage-collector controllers), the scheduler and kwok running the pods on
// fake nodes, so a replacement after isolation is the real controller's doing.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
)

var (
	kube    *testenv.Kube
	kubeErr error
)

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	kube, kubeErr = testenv.StartKube(ctx, testenv.FullCluster(1))
	cancel()
	code := m.Run()
	if kube != nil {
		if err := kube.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the cluster:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// cluster returns the clientset or fails: these tests never pass without a control plane.
func cluster(t *testing.T) kubernetes.Interface {
	t.Helper()
	if kubeErr != nil {
		t.Fatalf("starting the cluster: %v", kubeErr)
	}
	return kube.Clientset()
}

// recorder keeps the audit entries and messages an Operator produces; begun holds the pending
// entries, entries the rest. refuseBegin makes Begin fail, as a store that is down does.
type recorder struct {
	mu          sync.Mutex
	begun       []audit.Entry
	entries     []audit.Entry
	events      []notify.Event
	refuseBegin bool
}

func (r *recorder) Begin(_ context.Context, e audit.Entry) (uuid.UUID, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.refuseBegin {
		return uuid.Nil, errors.New("store down")
	}
	e.ID, e.Result = uuid.New(), audit.ResultPending
	r.begun = append(r.begun, e)
	return e.ID, nil
}

// begunAs says whether e's ID is that of a pending entry with the same action and target.
func (r *recorder) begunAs(e audit.Entry) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.begun {
		if b.ID == e.ID && b.Action == e.Action && b.Target == e.Target && b.Before != nil {
			return true
		}
	}
	return false
}

func (r *recorder) Record(_ context.Context, e audit.Entry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries = append(r.entries, e)
	return nil
}

func (r *recorder) Notify(_ context.Context, e notify.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) last() audit.Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.entries) == 0 {
		return audit.Entry{}
	}
	return r.entries[len(r.entries)-1]
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.entries)
}

// operator returns an Operator on the test cluster recording into a new recorder, with the
// pauses it was asked for kept instead of slept.
func operator(t *testing.T) (*Operator, *recorder, *[]time.Duration) {
	rec := &recorder{}
	var slept []time.Duration
	svc := NewService(Options{Notifier: rec, Sleep: func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}})
	return svc.On(Cluster{Name: "test", Kube: cluster(t), KubedoorNamespace: "kubedoor"}, rec), rec, &slept
}

var nsSeq int

func namespace(ctx context.Context, t *testing.T, cs kubernetes.Interface) string {
	t.Helper()
	nsSeq++
	name := fmt.Sprintf("pods%d-%d", nsSeq, time.Now().UnixNano()%100000)
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return name
}

func template(app string) corev1.PodTemplateSpec {
	grace := int64(5)
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app, "tier": "web"}},
		Spec:       corev1.PodSpec{TerminationGracePeriodSeconds: &grace, Containers: []corev1.Container{{Name: "main", Image: "example.invalid/" + app + ":1"}}},
	}
}

func selector(app string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{"app": app, "tier": "web"}}
}

func deployment(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns, name string, replicas int32) {
	t.Helper()
	_, err := cs.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       appsv1.DeploymentSpec{Replicas: &replicas, Selector: selector(name), Template: template(name)},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testenv.WaitPodsReady(ctx, cs, ns, "app="+name, int(replicas)); err != nil {
		t.Fatal(err)
	}
}

// eventually polls cond every 200ms until it holds or ctx ends.
func eventually(ctx context.Context, t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	state := ""
	for {
		var ok bool
		if ok, state = cond(); ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: still not so: %s", what, state)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
