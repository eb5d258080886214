package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/pkg/kube"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

func leaseSnapshot(ns string) service.Snapshot {
	return service.Snapshot{Kube: kube.NewClients(), App: settings.App{Clusters: []settings.Cluster{
		{Name: "prod-a", KubeAccess: settings.KubeAccessKubeconfig, Kubeconfig: kubeconfig, KubedoorNamespace: ns},
		{Name: "peaks-only"},
	}}}
}

func newLeases(id string) *Leases {
	return NewLeases(LeaseOptions{Identity: id, LeaseDuration: 3 * time.Second, RenewDeadline: 2 * time.Second,
		RetryPeriod: 300 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestOneBackendHoldsAClustersLeaseAndAnotherTakesOverWhenItStops(t *testing.T) {
	ns := fmt.Sprintf("kubedoor-%d", time.Now().UnixNano()%100000)
	if _, err := kubeEnv.Clientset().CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, b := newLeases("backend-a"), newLeases("backend-b")
	defer b.Stop()
	a.Sync(ctx, leaseSnapshot(ns))
	waitFor(t, "backend-a holds prod-a", func() bool { return a.Holds("prod-a", true) })
	b.Sync(ctx, leaseSnapshot(ns))
	time.Sleep(time.Second) // several of b's retry periods
	if b.Holds("prod-a", true) {
		t.Fatal("two backends hold prod-a's lease")
	}
	if !b.HeldElsewhere("prod-a") || a.HeldElsewhere("prod-a") || b.HeldElsewhere("peaks-only") {
		t.Fatalf("held elsewhere: by b %v (want true), by a %v (want false), peaks-only %v (want false)",
			b.HeldElsewhere("prod-a"), a.HeldElsewhere("prod-a"), b.HeldElsewhere("peaks-only"))
	}
	if !a.Holds("peaks-only", false) || !b.Holds("peaks-only", false) {
		t.Fatal("collect schedules of a cluster without Kubernetes access run locally on every backend")
	}
	if a.Holds("peaks-only", true) {
		t.Fatal("a schedule acting through Kubernetes must wait while the cluster has no access")
	}
	if a.Holds("unknown", false) {
		t.Fatal("a cluster not in the settings is held by nobody")
	}
	lease, err := kubeEnv.Clientset().CoordinationV1().Leases(ns).Get(ctx, DefaultLeaseName, metav1.GetOptions{})
	if err != nil || lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity != "backend-a" {
		t.Fatalf("lease %v %v", lease, err)
	}

	a.Stop() // releases the lease
	waitFor(t, "backend-b takes over prod-a", func() bool { return b.Holds("prod-a", true) })
	if b.HeldElsewhere("prod-a") {
		t.Fatal("the backend holding the lease does not see it held elsewhere")
	}
	if a.Holds("prod-a", true) {
		t.Fatal("a stopped backend still holds the lease")
	}

	// A cluster removed from the settings stops its election.
	b.Sync(ctx, service.Snapshot{Kube: kube.NewClients()})
	if b.Holds("prod-a", true) {
		t.Fatal("a removed cluster is still held")
	}
}

func TestWithoutTheLeaseNamespaceNobodyRunsTheClustersSchedules(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := newLeases("backend-a")
	defer l.Stop()
	l.Sync(ctx, leaseSnapshot("no-such-namespace"))
	time.Sleep(1500 * time.Millisecond)
	if l.Holds("prod-a", true) {
		t.Fatal("a lease cannot be held in a namespace that does not exist")
	}
}
