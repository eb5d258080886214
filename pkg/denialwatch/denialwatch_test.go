//go:build parts

package denialwatch

// Runs against a real etcd + kube-apiserver; the denial Events are recorded by the webhook's
// own recorder (webhook/denials), so both ends of the Event contract are the real code.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/webhook/denials"
)

var (
	cs   kubernetes.Interface
	kube *testenv.Kube
)

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	var err error
	kube, err = testenv.StartKube(ctx, testenv.KubeOptions{})
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "denialwatch tests cannot start: %v\n", err)
		os.Exit(1)
	}
	cs = kube.Clientset()
	code := m.Run()
	kube.Stop()
	os.Exit(code)
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func namespace(t *testing.T, name string) string {
	t.Helper()
	if _, err := cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestDenialsRecordedByTheWebhookBecomeNotifications(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ns := namespace(t, "shop")
	rec := denials.New(ctx, cs, quiet())
	defer rec.Stop()

	// A refusal from before the watch started was someone else's to notify.
	rec.Denied(ns, "old", "CREATE", "kubedoor: Deployment prod-a/shop/old is not in the KubeDoor control table")
	waitEvents(t, ns, 1)

	n := &notes{}
	listed := make(chan struct{})
	synced = func(string) { close(listed) }
	defer func() { synced = nil }()
	done := make(chan error, 1)
	go func() { done <- Watch(ctx, "prod-a", cs, n, quiet()) }()
	<-listed

	// Other Warning Events in the namespace are not denials.
	if _, err := cs.CoreV1().Events(ns).Create(ctx, &corev1.Event{ObjectMeta: metav1.ObjectMeta{GenerateName: "x-", Namespace: ns},
		InvolvedObject: corev1.ObjectReference{Kind: "Deployment", Namespace: ns, Name: "api"}, Reason: "FailedCreate", Type: corev1.EventTypeWarning},
		metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rec.Denied(ns, "checkout", "UPDATE scale", "kubedoor: Deployment prod-a/shop/checkout is not in the KubeDoor control table")
	got := n.waitFor(t, 1)
	e := got[0]
	if e.Kind != notify.EventDenied || e.Cluster != "prod-a" || e.Key != "shop/checkout" || e.Title != "Change refused: shop/checkout" ||
		!strings.HasPrefix(e.Text, "UPDATE scale refused: kubedoor: Deployment prod-a/shop/checkout") {
		t.Fatalf("notification %+v", e)
	}

	// The same refusal again is aggregated by the recorder into the same Event; its count grows
	// and that is one more notification.
	rec.Denied(ns, "checkout", "UPDATE scale", "kubedoor: Deployment prod-a/shop/checkout is not in the KubeDoor control table")
	got = n.waitFor(t, 2)
	if got[1].Key != "shop/checkout" || !hasField(got[1], "Refusals", "2") {
		t.Fatalf("repeat notification %+v", got[1])
	}
	time.Sleep(300 * time.Millisecond)
	for _, e := range n.waitFor(t, 2) {
		if e.Key == "shop/old" || e.Key == "shop/api" {
			t.Fatalf("notified %s, which is old or not a denial", e.Key)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Watch ended with %v", err)
	}
}

func hasField(e notify.Event, name, value string) bool {
	for _, f := range e.Fields {
		if f.Name == name && f.Value == value {
			return true
		}
	}
	return false
}

func waitEvents(t *testing.T, ns string, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		l, err := cs.CoreV1().Events(ns).List(t.Context(), metav1.ListOptions{})
		if err == nil && len(l.Items) >= n {
			return
		}
	}
	t.Fatalf("fewer than %d events in %s", n, ns)
}

func TestAnIdentityThatMayNotListEventsGetsAnErrorSayingSo(t *testing.T) {
	cfg := kube.RESTConfig()
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "nobody"}
	defer func(d time.Duration) { SyncTimeout = d }(SyncTimeout)
	SyncTimeout = time.Second
	err := Watch(t.Context(), "prod-a", kubernetes.NewForConfigOrDie(cfg), &notes{}, quiet())
	if err == nil || !strings.Contains(err.Error(), "list/watch of events") {
		t.Fatalf("want an error naming the missing permission, got %v", err)
	}
}
