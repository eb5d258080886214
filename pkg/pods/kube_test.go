//go:build parts

package pods

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

func TestIsolatingADeploymentPodMakesTheReplicaSetStartAReplacement(t *testing.T) {
	cs := cluster(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	ns := namespace(ctx, t, cs)
	deployment(ctx, t, cs, ns, "web", 2)
	op, rec, _ := operator(t)
	ref := workload.Ref{Namespace: ns, Kind: workload.Deployment, Name: "web"}

	before, err := op.List(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Pods) != 2 || before.IsolationLabel != "app" || before.Protected || before.Pods[0].Phase != "Running" ||
		before.Pods[0].Node == "" || before.Pods[0].GracePeriodSeconds != 5 || before.Pods[0].Isolated {
		t.Fatalf("listing before: %+v", before)
	}
	victim := before.Pods[0].Name

	res, err := op.Isolate(ctx, ref, victim, Actor{User: "ed", Role: "Editor"})
	if err != nil || !res.OK {
		t.Fatalf("isolate: %+v %v", res, err)
	}
	e := rec.last()
	if e.Action != ActionIsolate || e.Result != audit.ResultOK || e.Target != ns+"/web" || e.User != "ed" || e.Before == nil || e.After == nil {
		t.Fatalf("audit entry %+v", e)
	}
	if !rec.begunAs(e) {
		t.Fatalf("the result is not recorded under a pending entry begun before the patch: %+v", e)
	}
	if st, ok := e.After.(podState); !ok || st.Isolation == nil || st.Isolation.To != "web-isolated" || st.Isolation.From != "web" {
		t.Fatalf("audit after %+v", e.After)
	}

	sel := labels.SelectorFromSet(selector("web").MatchLabels).String()
	eventually(ctx, t, "the ReplicaSet runs 2 pods again, none of them the isolated one, and lets the isolated pod go", func() (bool, string) {
		ready, err := testenv.WaitPodsReady(ctx, cs, ns, sel, 2)
		if err != nil {
			return false, err.Error()
		}
		for _, p := range ready {
			if p.Name == victim {
				return false, "the isolated pod still matches the selector"
			}
		}
		p, err := cs.CoreV1().Pods(ns).Get(ctx, victim, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return metav1.GetControllerOf(p) == nil && p.DeletionTimestamp == nil,
			fmt.Sprintf("isolated pod's controller %v", metav1.GetControllerOf(p))
	})
	iso, err := cs.CoreV1().Pods(ns).Get(ctx, victim, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if iso.Labels["app"] != "web-isolated" || iso.Labels["tier"] != "web" || iso.Annotations[AnnotationIsolatedBy] != "ed" ||
		iso.Annotations[AnnotationIsolatedAt] == "" || !testenv.PodReady(iso) {
		t.Fatalf("isolated pod %v %v, phase %s", iso.Labels, iso.Annotations, iso.Status.Phase)
	}
	d, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil || *d.Spec.Replicas != 2 {
		t.Fatalf("the Deployment's replicas must stay 2: %v", err)
	}

	after, err := op.List(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Pods) != 3 || !after.Pods[2].Isolated || after.Pods[2].Name != victim || after.Pods[0].Isolated || after.Pods[1].Isolated {
		t.Fatalf("listing after: %+v", after.Pods)
	}
	list, err := op.ListIsolated(ctx, ns)
	if err != nil || len(list) != 1 || list[0].Name != victim || list[0].From != "Deployment/web" || list[0].Namespace != ns {
		t.Fatalf("isolated pods %+v %v", list, err)
	}

	t.Run("isolating it again is a conflict and changes nothing", func(t *testing.T) {
		_, err := op.Isolate(ctx, ref, victim, Actor{User: "ed"})
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("want a conflict, got %v", err)
		}
		if rec.last().Result != audit.ResultFailed {
			t.Fatalf("the refusal is audited as failed: %+v", rec.last())
		}
	})
	t.Run("the isolated pod is deleted gracefully when done", func(t *testing.T) {
		results, err := op.Delete(ctx, DeleteRequest{Ref: ref, Pods: []string{victim}}, Actor{User: "ed", Role: "Editor"})
		if err != nil || len(results) != 1 || !results[0].OK {
			t.Fatalf("delete: %+v %v", results, err)
		}
		if st := results[0].After.(podState); !st.Deleting || *st.GracePeriodSeconds != 5 {
			t.Fatalf("after %+v", st)
		}
		eventually(ctx, t, "the isolated pod is gone", func() (bool, string) {
			_, err := cs.CoreV1().Pods(ns).Get(ctx, victim, metav1.GetOptions{})
			return apierrors.IsNotFound(err), fmt.Sprint(err)
		})
		if _, err := testenv.WaitPodsReady(ctx, cs, ns, sel, 2); err != nil {
			t.Fatalf("the workload's own pods are untouched: %v", err)
		}
	})
}

func TestIsolatingADaemonSetPodStartsAReplacementOnTheNode(t *testing.T) {
	cs := cluster(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	ns := namespace(ctx, t, cs)
	if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent"},
		Spec:       appsv1.DaemonSetSpec{Selector: selector("agent"), Template: template("agent")},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pods, err := testenv.WaitPodsReady(ctx, cs, ns, "app=agent", 1)
	if err != nil {
		t.Fatal(err)
	}
	op, _, _ := operator(t)
	ref := workload.Ref{Namespace: ns, Kind: workload.DaemonSet, Name: "agent"}
	if res, err := op.Isolate(ctx, ref, pods[0].Name, Actor{User: "ed"}); err != nil || !res.OK {
		t.Fatalf("isolate: %+v %v", res, err)
	}
	replacement, err := testenv.WaitPodsReady(ctx, cs, ns, "app=agent", 1)
	if err != nil {
		t.Fatal(err)
	}
	if replacement[0].Name == pods[0].Name || replacement[0].Spec.NodeName != pods[0].Spec.NodeName {
		t.Fatalf("replacement %s on %s, isolated %s on %s", replacement[0].Name, replacement[0].Spec.NodeName, pods[0].Name, pods[0].Spec.NodeName)
	}
	l, err := op.List(ctx, ref)
	if err != nil || len(l.Pods) != 2 || !l.Pods[1].Isolated || l.Pods[1].Name != pods[0].Name {
		t.Fatalf("listing %+v %v", l, err)
	}
}

func TestDeletingSeveralPodsPausesBetweenThemAndTheOwnerReplacesThem(t *testing.T) {
	cs := cluster(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	ns := namespace(ctx, t, cs)
	// Three replicas, two deleted: the third stays ready, so the batch never takes the last ready
	// pod (LastReady) even though the fake pause lets no replacement start.
	deployment(ctx, t, cs, ns, "api", 3)
	op, rec, slept := operator(t)
	ref := workload.Ref{Namespace: ns, Kind: workload.Deployment, Name: "api"}
	l, err := op.List(ctx, ref)
	if err != nil || len(l.Pods) != 3 {
		t.Fatalf("%+v %v", l, err)
	}
	names := []string{l.Pods[0].Name, l.Pods[1].Name}
	results, err := op.Delete(ctx, DeleteRequest{Ref: ref, Pods: names, Interval: 7 * time.Second}, Actor{User: "ed", Role: "Editor"})
	if err != nil || len(results) != 2 || !results[0].OK || !results[1].OK {
		t.Fatalf("delete: %+v %v", results, err)
	}
	if len(*slept) != 1 || (*slept)[0] != 7*time.Second {
		t.Fatalf("one pause of 7s between two deletes, got %v", *slept)
	}
	if rec.count() != 2 || rec.last().Action != ActionDelete || rec.last().Result != audit.ResultOK {
		t.Fatalf("one audit entry per pod: %+v", rec.entries)
	}
	for _, e := range rec.entries {
		if !rec.begunAs(e) {
			t.Fatalf("a delete's result is not recorded under the pending entry begun before it: %+v", e)
		}
	}
	if len(rec.events) != 1 || rec.events[0].Kind != "actionDone" {
		t.Fatalf("one message per request: %+v", rec.events)
	}
	eventually(ctx, t, "two new pods replace the deleted ones", func() (bool, string) {
		ready, err := testenv.WaitPodsReady(ctx, cs, ns, "app=api", 3)
		if err != nil {
			return false, err.Error()
		}
		for _, p := range ready {
			if p.Name == names[0] || p.Name == names[1] {
				return false, "a deleted pod is still there"
			}
		}
		return true, ""
	})
}

func TestRefusedOperationsChangeNothing(t *testing.T) {
	cs := cluster(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	ns := namespace(ctx, t, cs)
	deployment(ctx, t, cs, ns, "web", 1)
	deployment(ctx, t, cs, ns, "other", 1)
	others, err := testenv.WaitPodsReady(ctx, cs, ns, "app=other", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.AppsV1().StatefulSets(ns).Create(ctx, &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "db"},
		Spec:       appsv1.StatefulSetSpec{Selector: selector("db"), Template: template("db")},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dbPods, err := testenv.WaitPodsReady(ctx, cs, ns, "app=db", 1)
	if err != nil {
		t.Fatal(err)
	}
	op, rec, _ := operator(t)
	web := workload.Ref{Namespace: ns, Kind: workload.Deployment, Name: "web"}
	by := Actor{User: "ed", Role: "Editor"}

	for _, tc := range []struct {
		name      string
		run       func() error
		want      error
		wantField string
	}{
		{"isolating in kube-system is refused", func() error {
			_, err := op.Isolate(ctx, workload.Ref{Namespace: "kube-system", Kind: workload.Deployment, Name: "coredns"}, "coredns-1", by)
			return err
		}, ErrProtected, "namespace"},
		{"deleting in KubeDoor's namespace is refused", func() error {
			_, err := op.Delete(ctx, DeleteRequest{Ref: workload.Ref{Namespace: "kubedoor", Kind: workload.Deployment, Name: "kubedoor-webhook"}, Pods: []string{"x"}}, by)
			return err
		}, ErrProtected, "namespace"},
		{"an unknown pod is not found", func() error {
			_, err := op.Isolate(ctx, web, "web-nope", by)
			return err
		}, ErrNotFound, "pod"},
		{"an unknown workload is not found", func() error {
			_, err := op.Delete(ctx, DeleteRequest{Ref: workload.Ref{Namespace: ns, Kind: workload.Deployment, Name: "nope"}, Pods: []string{others[0].Name}}, by)
			return err
		}, ErrNotFound, "workload"},
		{"isolating another workload's pod is refused", func() error {
			_, err := op.Isolate(ctx, web, others[0].Name, by)
			return err
		}, ErrNotOwned, "pod"},
		{"deleting another workload's pod is refused before any delete", func() error {
			webPods, _ := testenv.WaitPodsReady(ctx, cs, ns, "app=web", 1)
			_, err := op.Delete(ctx, DeleteRequest{Ref: web, Pods: []string{webPods[0].Name, others[0].Name}}, by)
			return err
		}, ErrNotOwned, "pods[1]"},
		{"isolating a StatefulSet's pod is refused", func() error {
			_, err := op.Isolate(ctx, workload.Ref{Namespace: ns, Kind: workload.StatefulSet, Name: "db"}, dbPods[0].Name, by)
			return err
		}, ErrUnsupported, "pod"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := rec.count()
			err := tc.run()
			var r *refusal.FieldError
			if !errors.Is(err, tc.want) || !errors.As(err, &r) || r.Field != tc.wantField {
				t.Fatalf("want %v naming %s, got %v", tc.want, tc.wantField, err)
			}
			if rec.count() != n+1 || rec.last().Result != audit.ResultFailed || rec.last().Error == "" || len(rec.begun) != 0 {
				t.Fatalf("the refusal is audited once as failed: %+v", rec.last())
			}
		})
	}
	for _, app := range []string{"web", "other", "db"} {
		if _, err := testenv.WaitPodsReady(ctx, cs, ns, "app="+app+",tier=web", 1); err != nil {
			t.Fatalf("%s's pod must be untouched: %v", app, err)
		}
	}
	if got, _ := op.ListIsolated(ctx, ns); len(got) != 0 {
		t.Fatalf("nothing was isolated: %+v", got)
	}
}

func TestNothingIsWrittenWhenTheAuditLogRefusesTheEntry(t *testing.T) {
	cs := cluster(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	ns := namespace(ctx, t, cs)
	deployment(ctx, t, cs, ns, "web", 1)
	op, rec, _ := operator(t)
	rec.refuseBegin = true
	ref := workload.Ref{Namespace: ns, Kind: workload.Deployment, Name: "web"}
	l, err := op.List(ctx, ref)
	if err != nil || len(l.Pods) != 1 {
		t.Fatalf("%+v %v", l, err)
	}
	name := l.Pods[0].Name
	if res, err := op.Isolate(ctx, ref, name, Actor{User: "ed"}); err == nil || res.OK || !strings.Contains(err.Error(), "audit log refused") {
		t.Fatalf("isolate with the audit log down: %+v %v", res, err)
	}
	results, err := op.Delete(ctx, DeleteRequest{Ref: ref, Pods: []string{name}}, Actor{User: "ed"})
	if err != nil || len(results) != 1 || results[0].OK || !strings.Contains(results[0].Error, "audit log refused") {
		t.Fatalf("delete with the audit log down: %+v %v", results, err)
	}
	p, err := cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil || p.DeletionTimestamp != nil || p.Labels["app"] != "web" || p.Annotations[AnnotationIsolatedAt] != "" {
		t.Fatalf("the pod must be untouched: %v %v", p, err)
	}
}

// With the node cordoned, the owner's replacements are created but never scheduled, so no
// replacement can become ready during the batch: the batch deletes the first pod and holds the
// second, the workload's last ready one, which stays untouched.
func TestABatchDeleteHoldsTheLastReadyPodWhileNoReplacementIsReady(t *testing.T) {
	cs := cluster(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	ns := namespace(ctx, t, cs)
	deployment(ctx, t, cs, ns, "web", 2)
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil || len(nodes.Items) == 0 {
		t.Fatalf("nodes: %v %v", nodes, err)
	}
	cordon := func(ctx context.Context, on bool) {
		for _, n := range nodes.Items {
			patch := fmt.Sprintf(`{"spec":{"unschedulable":%t}}`, on)
			if _, err := cs.CoreV1().Nodes().Patch(ctx, n.Name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
				t.Fatalf("cordon %s=%t: %v", n.Name, on, err)
			}
		}
	}
	cordon(ctx, true)
	t.Cleanup(func() { cordon(context.WithoutCancel(t.Context()), false) })

	op, rec, _ := operator(t)
	ref := workload.Ref{Namespace: ns, Kind: workload.Deployment, Name: "web"}
	l, err := op.List(ctx, ref)
	if err != nil || len(l.Pods) != 2 {
		t.Fatalf("%+v %v", l, err)
	}
	names := []string{l.Pods[0].Name, l.Pods[1].Name}
	results, err := op.Delete(ctx, DeleteRequest{Ref: ref, Pods: names}, Actor{User: "ed", Role: "Editor"})
	if err != nil || len(results) != 2 {
		t.Fatalf("delete: %+v %v", results, err)
	}
	if !results[0].OK {
		t.Fatalf("the first pod goes: %+v", results[0])
	}
	if results[1].OK || !strings.Contains(results[1].Error, "not run: pod "+names[1]+" is the last ready pod of Deployment") {
		t.Fatalf("the second, last ready pod must be held: %+v", results[1])
	}
	held, err := cs.CoreV1().Pods(ns).Get(ctx, names[1], metav1.GetOptions{})
	if err != nil || held.DeletionTimestamp != nil {
		t.Fatalf("the held pod must stay untouched: %+v %v", held, err)
	}
	if rec.count() != 1 || rec.last().Result != audit.ResultOK {
		t.Fatalf("only the pod that was deleted is audited: %+v", rec.entries)
	}
}
