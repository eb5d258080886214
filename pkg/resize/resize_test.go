//go:build parts

package resize

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

const u = control.Unset

// Each kind's pods are resized through pods/resize to the row's values: the API server stores
// the new spec (read back here), pods of another workload matching the same labels are left
// alone, and each pod written has an audit entry with its before and after.
func TestResizeAppliesTheRowToEveryPodOfEachKind(t *testing.T) {
	needKube(t)
	for _, kind := range workload.Kinds {
		t.Run(kind, func(t *testing.T) {
			ns := namespace(t)
			createWorkload(t, ns, kind, "web")
			for _, p := range []string{"web-a", "web-b"} {
				createPod(t, ns, kind, "web", p, res("100m/256Mi", "/512Mi"))
			}
			// Same labels, another owner: never the workload's pod.
			stray := createPod(t, ns, workload.StatefulSet, "other", "stray", res("100m/256Mi", "/512Mi"))
			stray.Labels["app"] = "web"
			if _, err := kube.Clientset().CoreV1().Pods(ns).Update(t.Context(), stray, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
			addRow(t, ns, kind, "web", 250, 1000, 300, u)
			by := actions.Actor{User: "resize-kinds-" + ns, Role: "Editor"}
			got := runner(nil).Resize(t.Context(), Request{Items: []actions.Workload{{Cluster: "test", Namespace: ns, Kind: kind, Name: "web"}}}, by)
			if len(got) != 1 || !got[0].OK {
				t.Fatalf("results %+v", got)
			}
			out := outcome(t, got[0].After)
			if len(out.Pods) != 2 || out.Budget.From != "no PodDisruptionBudget" || out.Budget.InFlight != 1 {
				t.Fatalf("outcome %+v; want two pods one at a time", out)
			}
			for _, p := range out.Pods {
				if p.Outcome != OutcomeRequested {
					t.Errorf("pod %s: %s (%s); want requested (no kubelet answers here)", p.Pod, p.Outcome, p.Reason)
				}
				c := getPod(t, ns, p.Pod).Spec.Containers[0].Resources
				if c.Requests.Cpu().String() != "250m" || c.Requests.Memory().String() != "300Mi" || c.Limits.Cpu().String() != "1" || c.Limits.Memory().String() != "512Mi" {
					t.Errorf("pod %s stored %v / %v; want requests 250m/300Mi, limits 1/512Mi", p.Pod, c.Requests, c.Limits)
				}
			}
			if c := getPod(t, ns, "stray").Spec.Containers[0].Resources; c.Requests.Cpu().String() != "100m" {
				t.Errorf("a pod of another owner was resized: %v", c.Requests)
			}
			recs := auditOf(t, by.User)
			if len(recs) != 2 {
				t.Fatalf("%d audit entries; want one per pod", len(recs))
			}
			for _, rec := range recs {
				var before, after PodState
				if json.Unmarshal(rec.Before, &before) != nil || json.Unmarshal(rec.After, &after) != nil {
					t.Fatalf("audit entry %s / %s", rec.Before, rec.After)
				}
				if rec.Target != (workload.Ref{Namespace: ns, Kind: kind, Name: "web"}).Target() || rec.Result != audit.ResultOK ||
					before.Containers[0].CPURequest != "100m" || after.Containers[0].CPURequest != "250m" || after.Outcome != OutcomeRequested {
					t.Errorf("audit entry %+v: before %+v after %+v", rec, before, after)
				}
			}
		})
	}
}

// A resize the API server refuses (a Guaranteed pod whose request alone would change: the QoS
// class may not change) skips that pod with the server's reason; the other pod is resized and
// the workload reports the skip.
func TestRefusedResizeIsSkippedWithTheServersReason(t *testing.T) {
	needKube(t)
	ns := namespace(t)
	createWorkload(t, ns, workload.Deployment, "api")
	createPod(t, ns, workload.Deployment, "api", "api-burstable", res("100m/256Mi", "/512Mi"))
	createPod(t, ns, workload.Deployment, "api", "api-guaranteed", res("1/512Mi", "1/512Mi"))
	addRow(t, ns, workload.Deployment, "api", 200, u, u, u)
	by := actions.Actor{User: "resize-refused-" + ns}
	got := runner(nil).Resize(t.Context(), Request{Items: []actions.Workload{{Cluster: "test", Namespace: ns, Name: "api"}}}, by)
	if got[0].OK || !strings.Contains(got[0].Error, "1 of 2 pods skipped") {
		t.Fatalf("result %+v; want the skip reported", got[0])
	}
	pods := outcome(t, got[0].After).Pods
	if pods[0].Pod != "api-burstable" || pods[0].Outcome != OutcomeRequested {
		t.Errorf("burstable pod %+v; want requested", pods[0])
	}
	if pods[1].Outcome != OutcomeSkipped || !strings.Contains(pods[1].Reason, "QOS Class may not change") {
		t.Errorf("guaranteed pod %+v; want skipped with the QoS reason", pods[1])
	}
	if c := getPod(t, ns, "api-guaranteed").Spec.Containers[0].Resources; c.Requests.Cpu().String() != "1" {
		t.Errorf("refused pod changed: %v", c.Requests)
	}
	recs := auditOf(t, by.User)
	failed := 0
	for _, r := range recs {
		if r.Result == audit.ResultFailed && strings.Contains(r.Error, "QOS") {
			failed++
		}
	}
	if len(recs) != 2 || failed != 1 {
		t.Fatalf("audit %+v; want two entries, the refused one failed with the reason", recs)
	}
}

// A memory decrease below the newest stored peak is kept (reported), one at or above it is
// applied; an older, higher peak does not count.
func TestMemoryIsNeverLoweredBelowTheNewestPeak(t *testing.T) {
	needKube(t)
	ns := namespace(t)
	createWorkload(t, ns, workload.StatefulSet, "db")
	createPod(t, ns, workload.StatefulSet, "db", "db-0", res("100m/1Gi", "/2Gi"))
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	storePeak(t, ns, workload.StatefulSet, "db", day, 2000) // older and higher: not the one read
	storePeak(t, ns, workload.StatefulSet, "db", day.AddDate(0, 0, 1), 700)
	addRow(t, ns, workload.StatefulSet, "db", u, u, 600, 1536) // request below the peak, limit above
	got := runner(nil).Resize(t.Context(), Request{Items: []actions.Workload{{Cluster: "test", Namespace: ns, Kind: workload.StatefulSet, Name: "db"}}}, actions.Actor{User: "t"})
	p := outcome(t, got[0].After).Pods[0]
	if !got[0].OK || p.Outcome != OutcomeRequested || len(p.Kept) != 1 || !strings.Contains(p.Kept[0], "memory request 1Gi "+KeptBelowPeak) {
		t.Fatalf("result %+v, pod %+v; want the request kept below the peak", got[0], p)
	}
	c := getPod(t, ns, "db-0").Spec.Containers[0].Resources
	if c.Requests.Memory().String() != "1Gi" || c.Limits.Memory().String() != "1536Mi" {
		t.Fatalf("stored %v / %v; want request kept at 1Gi and limit lowered to 1536Mi", c.Requests, c.Limits)
	}

	// Only the kept request differs now: nothing is sent.
	got = runner(nil).Resize(t.Context(), Request{Items: []actions.Workload{{Cluster: "test", Namespace: ns, Kind: workload.StatefulSet, Name: "db"}}}, actions.Actor{User: "t"})
	if p := outcome(t, got[0].After).Pods[0]; p.Outcome != OutcomeUnchanged || len(p.Kept) != 1 {
		t.Fatalf("second run pod %+v; want unchanged with the kept note", p)
	}
}

// fakeKubelet answers each resized pod the way a kubelet would, through the pod's status:
// answer(name, generation) returns the status to write.
func fakeKubelet(t *testing.T, ns string, answer func(name string, gen int64, st *corev1.PodStatus)) func() {
	ctx, cancel := context.WithCancel(t.Context())
	w, err := kube.Clientset().CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ev := range w.ResultChan() {
			p, ok := ev.Object.(*corev1.Pod)
			if !ok || p.Generation <= 1 || p.Status.ObservedGeneration == p.Generation || hasResizeCondition(p) {
				continue
			}
			answer(p.Name, p.Generation, &p.Status)
			if _, err := kube.Clientset().CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil && ctx.Err() == nil {
				t.Errorf("kubelet status of %s: %v", p.Name, err)
			}
		}
	}()
	return func() { cancel(); w.Stop(); wg.Wait() }
}

func hasResizeCondition(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodResizePending || c.Type == corev1.PodResizeInProgress {
			return true
		}
	}
	return false
}

// The kubelet's answers, read from the pod's conditions: Infeasible and Deferred skip the pod
// with the node's message; an observed generation with nothing pending is "resized".
func TestKubeletAnswersAreReadFromThePodsConditions(t *testing.T) {
	needKube(t)
	ns := namespace(t)
	createWorkload(t, ns, workload.Deployment, "app")
	for _, p := range []string{"app-done", "app-infeasible", "app-deferred"} {
		createPod(t, ns, workload.Deployment, "app", p, res("100m/256Mi", "/512Mi"))
	}
	stop := fakeKubelet(t, ns, func(name string, gen int64, st *corev1.PodStatus) {
		switch name {
		case "app-infeasible":
			st.Conditions = append(st.Conditions, corev1.PodCondition{Type: corev1.PodResizePending, Status: corev1.ConditionTrue,
				Reason: corev1.PodReasonInfeasible, Message: "Node didn't have enough capacity: cpu, requested: 250, capacity: 200"})
		case "app-deferred":
			st.Conditions = append(st.Conditions, corev1.PodCondition{Type: corev1.PodResizePending, Status: corev1.ConditionTrue,
				Reason: corev1.PodReasonDeferred, Message: "Node didn't have enough resource: cpu"})
		default:
			st.ObservedGeneration = gen
		}
	})
	defer stop()
	addRow(t, ns, workload.Deployment, "app", 250, u, u, u)
	r := runner(func(d *Deps) { d.Settle, d.Poll = 20*time.Second, 50*time.Millisecond })
	got := r.Resize(t.Context(), Request{Items: []actions.Workload{{Cluster: "test", Namespace: ns, Name: "app"}}}, actions.Actor{User: "t"})
	byPod := map[string]PodResult{}
	for _, p := range outcome(t, got[0].After).Pods {
		byPod[p.Pod] = p
	}
	if p := byPod["app-done"]; p.Outcome != OutcomeResized {
		t.Errorf("done pod %+v; want resized", p)
	}
	if p := byPod["app-infeasible"]; p.Outcome != OutcomeSkipped || !strings.Contains(p.Reason, "Infeasible on the node: Node didn't have enough capacity") {
		t.Errorf("infeasible pod %+v", p)
	}
	if p := byPod["app-deferred"]; p.Outcome != OutcomeSkipped || !strings.Contains(p.Reason, "Deferred") {
		t.Errorf("deferred pod %+v", p)
	}
	if got[0].OK || !strings.Contains(got[0].Error, "2 of 3 pods skipped") {
		t.Errorf("workload %+v; want the skips reported", got[0])
	}
}

// maxOverlap is the most pods in flight at once, from their start and settle times.
func maxOverlap(pods []PodResult) int {
	most := 0
	for _, p := range pods {
		n := 0
		for _, q := range pods {
			if !q.StartedAt.After(p.StartedAt) && q.SettledAt.After(p.StartedAt) {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

// With a PodDisruptionBudget allowing 2 unavailable of 6, at most 2 pods are in flight at once
// (each waits here for a kubelet that never answers, Settle long), and 2 are; without a budget,
// one at a time.
func TestInFlightPodsStayWithinThePodDisruptionBudget(t *testing.T) {
	needKube(t)
	for _, tc := range []struct {
		name string
		pdb  *intstr.IntOrString
		want int
	}{{"maxUnavailable 2", ptr(intstr.FromInt32(2)), 2}, {"no budget", nil, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			ns := namespace(t)
			createWorkload(t, ns, workload.Deployment, "w")
			for _, p := range []string{"w-1", "w-2", "w-3", "w-4", "w-5", "w-6"} {
				createPod(t, ns, workload.Deployment, "w", p, res("100m/256Mi", ""))
			}
			if tc.pdb != nil {
				_, err := kube.Clientset().PolicyV1().PodDisruptionBudgets(ns).Create(t.Context(), &policyv1.PodDisruptionBudget{
					ObjectMeta: metav1.ObjectMeta{Name: "w"},
					Spec: policyv1.PodDisruptionBudgetSpec{MaxUnavailable: tc.pdb,
						Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "w"}}}}, metav1.CreateOptions{})
				if err != nil {
					t.Fatal(err)
				}
			}
			addRow(t, ns, workload.Deployment, "w", 300, u, u, u)
			r := runner(func(d *Deps) { d.Settle, d.Poll = 400*time.Millisecond, 50*time.Millisecond })
			got := r.Resize(t.Context(), Request{Items: []actions.Workload{{Cluster: "test", Namespace: ns, Name: "w"}}}, actions.Actor{User: "t"})
			out := outcome(t, got[0].After)
			if out.Budget.InFlight != tc.want || len(out.Pods) != 6 {
				t.Fatalf("budget %+v, %d pods; want %d in flight", out.Budget, len(out.Pods), tc.want)
			}
			if n := maxOverlap(out.Pods); n != tc.want {
				t.Fatalf("%d pods were in flight at once; want exactly %d (%+v)", n, tc.want, out.Pods)
			}
		})
	}
}

// The pause is waited between pods (not before the first, and not for pods with nothing to
// change), and a request ending during it leaves the rest not run.
func TestPauseIsWaitedBetweenPods(t *testing.T) {
	needKube(t)
	ns := namespace(t)
	createWorkload(t, ns, workload.Deployment, "p")
	for _, p := range []string{"p-1", "p-2", "p-3"} {
		createPod(t, ns, workload.Deployment, "p", p, res("100m/256Mi", ""))
	}
	createPod(t, ns, workload.Deployment, "p", "p-0-same", res("300m/256Mi", "")) // nothing to change
	addRow(t, ns, workload.Deployment, "p", 300, u, u, u)
	var mu sync.Mutex
	var waits []time.Duration
	r := runner(func(d *Deps) {
		d.Sleep = func(ctx context.Context, dur time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			waits = append(waits, dur)
			return nil
		}
	})
	got := r.Workload(t.Context(), actions.Workload{Cluster: "test", Namespace: ns, Name: "p"}, 7*time.Second, actions.Actor{User: "t"})
	if !got.OK || len(waits) != 2 || waits[0] != 7*time.Second || waits[1] != 7*time.Second {
		t.Fatalf("result %+v, waits %v; want two pauses of 7s for three pods to change", got, waits)
	}

	// Real time: pods start at least the pause apart.
	addRow2 := func() {
		row, err := control.New(conn, nil).Get(t.Context(), control.Key{Cluster: "test", Namespace: ns, Workload: "p"})
		if err != nil {
			t.Fatal(err)
		}
		row.Containers[0].CPURequestMillis = 400
		if _, err := control.New(conn, nil).Put(t.Context(), row, row.Version, "test"); err != nil {
			t.Fatal(err)
		}
	}
	addRow2()
	got = runner(nil).Workload(t.Context(), actions.Workload{Cluster: "test", Namespace: ns, Name: "p"}, 150*time.Millisecond, actions.Actor{User: "t"})
	pods := outcome(t, got.After).Pods
	for i := 1; i < len(pods); i++ {
		if gap := pods[i].StartedAt.Sub(pods[i-1].SettledAt); gap < 150*time.Millisecond {
			t.Errorf("pod %s started %s after %s settled; want ≥ the 150ms pause", pods[i].Pod, gap, pods[i-1].Pod)
		}
	}

	// A request that ends in the pause: the pods after it are not run.
	ctx, cancel := context.WithCancel(t.Context())
	r = runner(func(d *Deps) {
		d.Sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	})
	row, _ := control.New(conn, nil).Get(t.Context(), control.Key{Cluster: "test", Namespace: ns, Workload: "p"})
	row.Containers[0].CPURequestMillis = 500
	if _, err := control.New(conn, nil).Put(t.Context(), row, row.Version, "test"); err != nil {
		t.Fatal(err)
	}
	got = r.Workload(ctx, actions.Workload{Cluster: "test", Namespace: ns, Name: "p"}, time.Second, actions.Actor{User: "t"})
	pods = outcome(t, got.After).Pods
	notRun := 0
	for _, p := range pods {
		if p.Outcome == OutcomeNotRun {
			notRun++
		}
	}
	if got.OK || notRun != 3 {
		t.Fatalf("result %+v; want the three pods after the cancelled pause not run", pods)
	}
}

// A workload outside the control table, in a protected namespace, or on an unknown cluster is
// refused before any pod is touched.
func TestWorkloadLevelRefusals(t *testing.T) {
	needKube(t)
	ns := namespace(t)
	createWorkload(t, ns, workload.Deployment, "none")
	r := runner(func(d *Deps) { d.Protected = func(_, n string) bool { return n == "kube-system" } })
	got := r.Workload(t.Context(), actions.Workload{Cluster: "test", Namespace: ns, Name: "none"}, 0, actions.Actor{User: "t"})
	if got.OK || !strings.Contains(got.Error, ErrNotControlled.Error()) {
		t.Errorf("uncontrolled: %+v", got)
	}
	got = r.Workload(t.Context(), actions.Workload{Cluster: "test", Namespace: "kube-system", Name: "coredns"}, 0, actions.Actor{User: "t"})
	if got.OK || !strings.Contains(got.Error, "protected") || r.Check(t.Context(), actions.Workload{Cluster: "test", Namespace: "kube-system", Name: "x"}) == nil {
		t.Errorf("protected: %+v", got)
	}
	// A row in the table, but the workload is gone from the cluster.
	addRow(t, ns, workload.StatefulSet, "gone", 100, u, u, u)
	got = r.Workload(t.Context(), actions.Workload{Cluster: "test", Namespace: ns, Kind: workload.StatefulSet, Name: "gone"}, 0, actions.Actor{User: "t"})
	if got.OK || !strings.Contains(got.Error, "StatefulSet "+ns+"/gone not found") {
		t.Errorf("missing workload: %+v", got)
	}
	// The real server is 1.34: not refused for its version.
	if err := r.Check(t.Context(), actions.Workload{Cluster: "test", Namespace: ns, Kind: workload.StatefulSet, Name: "gone"}); err != nil {
		t.Errorf("Check on 1.34: %v", err)
	}
}

// A pod Running on a node that reports no container resources (what kwok's fake nodes report, and
// a kubelet without in-place resize) is refused by the API server, and skipped with its reason.
func TestAPodOnANodeWithoutResizeSupportIsSkipped(t *testing.T) {
	needKube(t)
	ns := namespace(t)
	createWorkload(t, ns, workload.Deployment, "old")
	p := createPod(t, ns, workload.Deployment, "old", "old-1", res("100m/256Mi", ""))
	p.Status.Phase = corev1.PodRunning
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", Ready: true,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}}}
	if _, err := kube.Clientset().CoreV1().Pods(ns).UpdateStatus(t.Context(), p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	addRow(t, ns, workload.Deployment, "old", 200, u, u, u)
	got := runner(nil).Workload(t.Context(), actions.Workload{Cluster: "test", Namespace: ns, Name: "old"}, 0, actions.Actor{User: "t"})
	pods := outcome(t, got.After).Pods
	if got.OK || pods[0].Outcome != OutcomeSkipped || !strings.Contains(pods[0].Reason, "Pod running on node without support for resize") {
		t.Fatalf("result %+v, pod %+v", got, pods[0])
	}
}
