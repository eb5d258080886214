//go:build parts

package opstest

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/internal/faulthost"
	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/pkg/fault"
)

// leaseState is cluster prod-a's schedule runner as its health reports it.
type leaseState struct{ State, Lease, Holder, Reason string }

// waitLease waits until h reports prod-a's schedule runner in state.
func waitLease(t *testing.T, h *pluginhost.Host, state string, within time.Duration) leaseState {
	t.Helper()
	var health struct{ Schedules leaseState }
	for deadline := time.Now().Add(within); ; time.Sleep(250 * time.Millisecond) {
		if s := callOn(t, h, viewer, "GET", "v1/clusters/prod-a/health", nil, &health); s != 200 {
			t.Fatalf("health: %d", s)
		}
		if health.Schedules.State == state {
			return health.Schedules
		}
		if time.Now().After(deadline) {
			t.Fatalf("the schedule runner is %+v after %v, want %s", health.Schedules, within, state)
		}
	}
}

// leaseHolder is the holder the cluster's Lease object names.
func leaseHolder(t *testing.T, leaseNS string) string {
	t.Helper()
	l, err := env.kube.Clientset().CoordinationV1().Leases(leaseNS).Get(t.Context(), "kubedoor-schedules", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

// The fault suite (docs/reliability.md), "two backends on one cluster", as a two-Grafana install has it here:
// two plugin processes, each with the default embedded store in a data directory of its own (an
// embedded engine cannot share one, and no ClickHouse server can be had on this machine), on one
// kube-apiserver and one lease. One holds the lease and the other says who does; a schedule fires
// once; the holder is killed mid-run (SIGKILL at after-action-write) and the other takes the
// lease over; the killed backend, restarted on its data directory while the peer holds the
// lease, settles its own interrupted run, does not fire the schedule again and leaves the lease
// to the peer.
func TestTwoBackendsOnOneClusterHoldOneLeaseAndAKilledHoldersRunIsSettledByItsOwnRestart(t *testing.T) {
	dir := t.TempDir()
	leaseNS := namespace(t)
	ns := namespace(t)
	deployment(t, ns, "api", 2)
	dataA, dataB := filepath.Join(dir, "a"), filepath.Join(dir, "b")

	a1log := filepath.Join(dir, "a1.log")
	a := faultHost(t, dataA, fault.AfterActionWrite, leaseNS, env.kubeconfig, a1log)
	first := waitLease(t, a, "held", 60*time.Second)
	b := faultHost(t, dataB, "", leaseNS, env.kubeconfig, filepath.Join(dir, "b1.log"))
	seen := waitLease(t, b, "elsewhere", 60*time.Second)
	if first.Holder == "" || seen.Holder != first.Holder || leaseHolder(t, leaseNS) != first.Holder {
		t.Fatalf("A holds as %q, B sees %q, the Lease names %q: want one holder, A", first.Holder, seen.Holder, leaseHolder(t, leaseNS))
	}
	if again := waitLease(t, a, "held", time.Second); again.Holder != first.Holder {
		t.Fatalf("A's runner after B started: %+v", again)
	}

	at := time.Now().Add(4 * time.Second).UTC().Truncate(time.Second)
	var sc schedule
	if s := callOn(t, a, editor, "POST", "v1/schedules", map[string]any{"cluster": "prod-a", "name": "peer test", "action": "scale",
		"kind": "once", "runAt": at, "items": []map[string]any{{"namespace": ns, "workload": "api", "replicas": 4}}}, &sc); s != 201 {
		t.Fatalf("create on A: %d %+v", s, sc)
	}
	faulthost.WaitKilled(t, a, 90*time.Second, a1log)
	if got := *getDeployment(t, ns, "api").Spec.Replicas; got != 4 {
		t.Fatalf("replicas %d after A's crash, want the 4 its run wrote", got)
	}

	// B takes the lease over once A's lapses (15 s), and has no record of A's schedule to act on.
	took := waitLease(t, b, "held", 60*time.Second)
	if took.Holder == first.Holder || leaseHolder(t, leaseNS) != took.Holder {
		t.Fatalf("B holds as %q, the Lease names %q; want B, not the killed A (%s)", took.Holder, leaseHolder(t, leaseNS), first.Holder)
	}
	var bAudit faultAudit
	if s := callOn(t, b, viewer, "GET", "v1/audit?action=scale&target="+ns+"/api", nil, &bAudit); s != 200 || bAudit.Total != 0 {
		t.Fatalf("B's audit has %d scale entries (%d), want none: only A ran the schedule", bAudit.Total, s)
	}

	a2log := filepath.Join(dir, "a2.log")
	a2 := faultHost(t, dataA, "", leaseNS, env.kubeconfig, a2log)
	runs := waitRunSettled(t, a2, sc.ID, a2log)
	r := runs.Items[0]
	if len(runs.Items) != 1 || r.Status != "failed" || !strings.HasPrefix(r.Error, "interrupted: the backend running it ("+first.Holder+")") {
		t.Fatalf("runs %+v, want the one run failed as interrupted, naming the killed A (%s)", runs, first.Holder)
	}
	faulthost.WaitLog(t, a2log, 10*time.Second, "schedule run was interrupted by a backend stop", "runner="+first.Holder)
	if st := waitLease(t, a2, "elsewhere", 30*time.Second); st.Holder != took.Holder {
		t.Fatalf("the restarted A sees %+v, want B (%s) holding the lease", st, took.Holder)
	}

	// The once schedule is spent and B kept the lease: nothing fires again anywhere.
	time.Sleep(3 * time.Second)
	var aAudit faultAudit
	callOn(t, a2, viewer, "GET", "v1/schedules/"+sc.ID+"/runs", nil, &runs)
	callOn(t, a2, viewer, "GET", "v1/audit?action=scale&target="+ns+"/api", nil, &aAudit)
	if runs.Total != 1 || aAudit.Total != 1 || aAudit.Items[0].Result != "pending" {
		t.Fatalf("after A's restart: runs %+v, A's audit %+v; want the one run and its one pending scale", runs, aAudit)
	}
	if st := waitLease(t, b, "held", time.Second); st.Holder != took.Holder || leaseHolder(t, leaseNS) != took.Holder {
		t.Fatalf("B's runner after A's restart: %+v, Lease %q", st, leaseHolder(t, leaseNS))
	}
	if got := *getDeployment(t, ns, "api").Spec.Replicas; got != 4 {
		t.Fatalf("replicas %d, want still 4", got)
	}
}
