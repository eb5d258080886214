//go:build parts

package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubedoor/kubedoor-grafana/pkg/kube"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
)

func leaseSnapshot(ns string) snapshot.Snapshot {
	return snapshot.Snapshot{Kube: kube.NewClients(), App: settings.App{Clusters: []settings.Cluster{
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
	if _, err := kubeEnv.Clientset().CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
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
	b.Sync(ctx, snapshot.Snapshot{Kube: kube.NewClients()})
	if b.Holds("prod-a", true) {
		t.Fatal("a removed cluster is still held")
	}
}

func TestABackendThatMayCreateNamespacesCreatesTheMissingLeaseNamespaceAndHoldsTheLease(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ns := fmt.Sprintf("kubedoor-new-%d", time.Now().UnixNano()%100000)
	l := newLeases("backend-a")
	defer l.Stop()
	l.Sync(ctx, leaseSnapshot(ns))
	waitFor(t, "backend-a holds prod-a", func() bool { return l.Holds("prod-a", true) })
	if st := l.Status("prod-a"); st.State != LeaseHeld || st.Lease != ns+"/"+DefaultLeaseName || st.Holder != "backend-a" {
		t.Fatalf("status %+v", st)
	}
	if _, err := kubeEnv.Clientset().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err != nil {
		t.Fatalf("the lease namespace was not created: %v", err)
	}
}

func TestABackendThatMayNotCreateTheLeaseNamespaceSaysWhyRunsCollectionsAndRecoversWhenItExists(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	admin := kubeEnv.Clientset()
	suffix := time.Now().UnixNano() % 100000
	ns, user := fmt.Sprintf("kubedoor-missing-%d", suffix), fmt.Sprintf("limited-%d", suffix)
	// The user may read namespaces (so it sees the lease namespace is missing) and nothing else.
	if _, err := admin.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: user},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"get"}}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: user},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: user},
		Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: user}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	snap := leaseSnapshot(ns)
	snap.App.Clusters[0].Kubeconfig = impersonating(t, user)
	l := newLeases("backend-a")
	defer l.Stop()
	l.Sync(ctx, snap)
	waitFor(t, "the lease is reported blocked", func() bool { return l.Blocked("prod-a") != "" })
	if got := l.Blocked("prod-a"); !strings.Contains(got, "the lease namespace "+ns+" does not exist and this backend may not create it") {
		t.Fatalf("reason %q", got)
	}
	if st := l.Status("prod-a"); st.State != LeaseBlocked || st.Reason == "" {
		t.Fatalf("status %+v", st)
	}
	if l.Holds("prod-a", true) || !l.Holds("prod-a", false) {
		t.Fatalf("blocked: scale schedules wait (holds %v), collect schedules run (holds %v)", l.Holds("prod-a", true), l.Holds("prod-a", false))
	}

	// An operator creates the namespace and grants the lease, as the shipped RBAC does; the
	// backend takes the lease without a restart.
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "leases"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"get", "create", "update"}}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "leases"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "leases"},
		Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: user}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the backend holds the lease once it can", func() bool { return l.Holds("prod-a", true) })
	if got := l.Blocked("prod-a"); got != "" {
		t.Fatalf("still blocked: %q", got)
	}
}

// impersonating is the test cluster's admin kubeconfig acting as user.
func impersonating(t *testing.T, user string) string {
	t.Helper()
	cfg, err := clientcmd.Load([]byte(kubeconfig))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range cfg.AuthInfos {
		a.Impersonate = user
	}
	b, err := clientcmd.Write(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lockedBuffer is a log destination shared by the electors' goroutines and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

// "released or lost" is said by the backend that held the lease, never by one
// that only waited for it.
func TestOnlyABackendThatHeldTheLeaseSaysItWasReleasedOrLost(t *testing.T) {
	ns := fmt.Sprintf("kubedoor-rel-%d", time.Now().UnixNano()%100000)
	if _, err := kubeEnv.Clientset().CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var logA, logB lockedBuffer
	leases := func(id string, out *lockedBuffer) *Leases {
		return NewLeases(LeaseOptions{Identity: id, LeaseDuration: 3 * time.Second, RenewDeadline: 2 * time.Second,
			RetryPeriod: 300 * time.Millisecond, Log: slog.New(slog.NewTextHandler(out, nil))})
	}
	a, b := leases("backend-a", &logA), leases("backend-b", &logB)
	a.Sync(ctx, leaseSnapshot(ns))
	waitFor(t, "backend-a holds prod-a", func() bool { return a.Holds("prod-a", true) })
	b.Sync(ctx, leaseSnapshot(ns))
	waitFor(t, "backend-b sees backend-a hold it", func() bool { return b.HeldElsewhere("prod-a") })
	b.Stop() // waits for its elector to end
	a.Stop()
	if n := logB.count("released or lost"); n != 0 {
		t.Fatalf("backend-b, which never held the lease, said %d times it was released or lost:\n%s", n, logB.b.String())
	}
	if n := logA.count("released or lost"); n != 1 {
		t.Fatalf("backend-a, which held it, said %d times it was released or lost, want once:\n%s", n, logA.b.String())
	}
}
