package preview

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
	"github.com/kubedoor/kubedoor-grafana/webhook/decision"
)

func statefulSet(name string, replicas int32, containers ...corev1.Container) appsv1.StatefulSet {
	s := appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"}}
	s.Spec.Replicas = &replicas
	s.Spec.Template.Spec.Containers = containers
	return s
}

// daemonSet runs pods pods: the DaemonSet controller's status.desiredNumberScheduled.
func daemonSet(name string, pods int32, containers ...corev1.Container) appsv1.DaemonSet {
	d := appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"}}
	d.Spec.Template.Spec.Containers = containers
	d.Status.DesiredNumberScheduled = pods
	return d
}

func kindRow(kind, name string, replicas int32, cs ...control.Container) control.Row {
	r := row(name, replicas, cs...)
	r.Kind = kind
	return r
}

// webhookView is the Deployment-shaped view webhook/admission hands the decision for any kind.
func webhookView(o Object) *appsv1.Deployment {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace}}
	if workload.HasReplicas(o.Kind) {
		n := o.Replicas
		d.Spec.Replicas = &n
	}
	d.Spec.Template.Spec.Containers = o.Containers
	return d
}

func TestComputeStatefulSetsAndDaemonSets(t *testing.T) {
	ann := map[string]string{v1alpha1.AnnotationUnknownWorkloads: v1alpha1.UnknownDeny,
		v1alpha1.AnnotationUnknownStatefulSets: v1alpha1.UnknownWarn, v1alpha1.AnnotationUnknownDaemonSets: v1alpha1.UnknownAllow}
	cases := []struct {
		name      string
		obj       Object
		hpa       string
		row       *control.Row
		status    string
		direction string
		outcome   string
		replicas  Amount
		cpu, mem  Amount
		changes   []string
		note      string
	}{
		{name: "a StatefulSet scaled down and resized frees requests × replicas",
			obj: FromStatefulSet(ptr(statefulSet("db", 3, ctr("app", res("1", "2Gi", "", ""))))),
			row: ptr(kindRow(workload.StatefulSet, "db", 2, cc("app", 750, -1, 1536, -1))),
			// 3 × 1000m = 3000m → 2 × 750m = 1500m; 3 × 2048 = 6144 MiB → 2 × 1536 = 3072 MiB.
			status: StatusChange, direction: DirectionScaleDown,
			replicas: Amount{3, 2, -1}, cpu: Amount{3000, 1500, -1500}, mem: Amount{6144, 3072, -3072},
			changes: []string{"replicas 3 -> 2", "app requests.cpu 1 -> 750m", "app requests.memory 2Gi -> 1536Mi"}},
		{name: "an HPA scaling a StatefulSet owns its replicas: only the resources change",
			obj: FromStatefulSet(ptr(statefulSet("queue", 4, ctr("app", res("500m", "", "", ""))))), hpa: "queue-hpa",
			row:    ptr(kindRow(workload.StatefulSet, "queue", 2, cc("app", 250, -1, -1, -1))),
			status: StatusChange, direction: DirectionResize,
			replicas: Amount{4, 4, 0}, cpu: Amount{2000, 1000, -1000},
			changes: []string{"app requests.cpu 500m -> 250m"}, note: "HorizontalPodAutoscaler queue-hpa owns the replicas"},
		{name: "a DaemonSet changes resources only, counted over the pods it runs, with no replicas",
			obj: FromDaemonSet(ptr(daemonSet("agent", 5, ctr("agent", res("200m", "256Mi", "", ""))))),
			row: ptr(kindRow(workload.DaemonSet, "agent", control.Unset, cc("agent", 100, -1, 128, -1))),
			// 5 pods × 200m = 1000m → 5 × 100m = 500m; 5 × 256 = 1280 MiB → 5 × 128 = 640 MiB.
			status: StatusChange, direction: DirectionResize,
			replicas: Amount{}, cpu: Amount{1000, 500, -500}, mem: Amount{1280, 640, -640},
			changes: []string{"agent requests.cpu 200m -> 100m", "agent requests.memory 256Mi -> 128Mi"},
			note:    "one pod per eligible node (5 now)"},
		{name: "a DaemonSet already running the table's values is unchanged",
			obj:    FromDaemonSet(ptr(daemonSet("logs", 3, ctr("fluent", res("100m", "", "", ""))))),
			row:    ptr(kindRow(workload.DaemonSet, "logs", control.Unset, cc("fluent", 100, -1, -1, -1))),
			status: StatusUnchanged, cpu: Amount{300, 300, 0}, changes: []string{}},
		{name: "an unknown StatefulSet follows the StatefulSet annotation (warn), not the namespace default (deny)",
			obj:    FromStatefulSet(ptr(statefulSet("cache", 2, ctr("app", res("100m", "", "", ""))))),
			status: StatusUnknown, outcome: OutcomeWarned, replicas: Amount{2, 2, 0}, cpu: Amount{200, 200, 0}, changes: []string{}},
		{name: "an unknown DaemonSet follows the DaemonSet annotation (allow)",
			obj:    FromDaemonSet(ptr(daemonSet("cni", 4, ctr("cni", res("50m", "", "", ""))))),
			status: StatusUnknown, outcome: OutcomeAllowed, cpu: Amount{200, 200, 0}, changes: []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rows []control.Row
			if tc.row != nil {
				rows = append(rows, *tc.row)
			}
			live := Live{Namespace: "shop", Annotations: ann, Workloads: []Object{tc.obj}, HPAs: map[workload.Ref]string{}}
			if tc.hpa != "" {
				live.HPAs[tc.obj.Ref] = tc.hpa
			}
			ns := Compute(live, rows)
			if len(ns.Workloads) != 1 {
				t.Fatalf("got %d workloads: %+v", len(ns.Workloads), ns.Workloads)
			}
			w := ns.Workloads[0]
			if w.Kind != tc.obj.Kind || w.Status != tc.status || w.Direction != tc.direction || w.Outcome != tc.outcome || w.HPA != tc.hpa {
				t.Errorf("kind/status/direction/outcome/hpa = %q/%q/%q/%q/%q, want %q/%q/%q/%q/%q", w.Kind, w.Status, w.Direction, w.Outcome, w.HPA,
					tc.obj.Kind, tc.status, tc.direction, tc.outcome, tc.hpa)
			}
			if w.Replicas != tc.replicas || w.CPURequestMillis != tc.cpu || w.MemRequestMiB != tc.mem {
				t.Errorf("replicas %+v cpu %+v mem %+v, want %+v %+v %+v", w.Replicas, w.CPURequestMillis, w.MemRequestMiB, tc.replicas, tc.cpu, tc.mem)
			}
			if strings.Join(w.Changes, "; ") != strings.Join(tc.changes, "; ") {
				t.Errorf("changes %q, want %q", w.Changes, tc.changes)
			}
			if tc.note != "" && !strings.Contains(strings.Join(w.Notes, "; "), tc.note) {
				t.Errorf("notes %q, want one saying %q", w.Notes, tc.note)
			}
			// The webhook's rules for this kind, on a CREATE in an enforced namespace, patch
			// exactly what the preview says (or decide an unknown one as its outcome says).
			in := decision.Input{Operation: decision.DeploymentCreate, Kind: tc.obj.Kind, Namespace: "shop", Name: tc.obj.Name,
				New: webhookView(tc.obj), Control: v1alpha1.ControlEnforce, Unknown: v1alpha1.UnknownMode(ann, tc.obj.Kind),
				HPA: tc.hpa, Settings: decision.Settings{Now: time.Now()}}
			if tc.row != nil {
				p := tc.row.Policy()
				in.Policy = &p
			}
			d := decision.Decide(in)
			switch {
			case w.Status == StatusUnknown:
				if want := map[string]decision.Result{OutcomeDenied: decision.Denied, OutcomeWarned: decision.Allowed, OutcomeAllowed: decision.Allowed}[w.Outcome]; d.Result != want {
					t.Errorf("webhook %s, preview outcome %s", d.Result, w.Outcome)
				}
			case (d.Result == decision.Patched) != (w.Status == StatusChange) || strings.Join(d.Changes, "; ") != strings.Join(w.Changes, "; "):
				t.Errorf("webhook %s %q, preview %s %q", d.Result, d.Changes, w.Status, w.Changes)
			}
		})
	}
}

// A StatefulSet and a Deployment of one name are two workloads: a row for one never applies to
// the other, and a row whose kind does not run is not running even if the other kind does.
func TestComputeKeepsKindsOfOneNameApart(t *testing.T) {
	live := Live{Namespace: "shop",
		Workloads: []Object{
			FromDeployment(ptr(deploy("db", 2, ctr("app", res("100m", "", "", ""))))),
			FromStatefulSet(ptr(statefulSet("db", 3, ctr("app", res("1", "", "", ""))))),
		},
		HPAs: map[workload.Ref]string{{Namespace: "shop", Kind: workload.Deployment, Name: "db"}: "db-hpa"},
		Decisions: map[workload.Ref]*v1alpha1.Decision{
			{Namespace: "shop", Kind: workload.StatefulSet, Name: "db"}: {Operation: "deployment-update", Result: "patched", Reason: "template-change"}},
	}
	rows := []control.Row{
		kindRow(workload.StatefulSet, "db", 1, cc("app", 500, -1, -1, -1)),
		kindRow(workload.DaemonSet, "db", control.Unset),
	}
	ns := Compute(live, rows)
	var got []string
	for _, w := range ns.Workloads {
		got = append(got, w.Kind+"/"+w.Name+":"+w.Status+":"+w.HPA)
	}
	want := "[Deployment/db:unknown: StatefulSet/db:change: DaemonSet/db:not-running:]"
	if fmtList(got) != want {
		t.Fatalf("workloads %s, want %s", fmtList(got), want)
	}
	if sts := ns.Workloads[1]; sts.Replicas != (Amount{3, 1, -2}) || sts.CPURequestMillis != (Amount{3000, 500, -2500}) ||
		sts.LastDecision == nil || sts.LastDecision.Result != "patched" {
		t.Errorf("StatefulSet db: %+v, want 3 → 1 replicas of 1 → 0.5 cores and its own decision", sts)
	}
	if dep := ns.Workloads[0]; dep.LastDecision != nil || dep.Outcome != OutcomeDenied {
		t.Errorf("Deployment db took the StatefulSet's decision or a wrong rule: %+v", dep)
	}
	// The HPA targets the Deployment: the StatefulSet's replicas are forced; the DaemonSet row,
	// not running, adds no replicas.
	if ns.Totals.NotRunning != 1 || ns.Totals.Replicas != (Amount{5, 3, -2}) {
		t.Errorf("totals %+v", ns.Totals)
	}
}
