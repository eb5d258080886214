package preview

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
	"github.com/kubedoor/kubedoor-grafana/webhook/decision"
)

// res builds requirements from "cpu request, memory request, cpu limit, memory limit" ("" = absent).
func res(cpuReq, memReq, cpuLim, memLim string) corev1.ResourceRequirements {
	r := corev1.ResourceRequirements{Requests: corev1.ResourceList{}, Limits: corev1.ResourceList{}}
	for _, v := range []struct {
		list corev1.ResourceList
		name corev1.ResourceName
		q    string
	}{{r.Requests, corev1.ResourceCPU, cpuReq}, {r.Requests, corev1.ResourceMemory, memReq}, {r.Limits, corev1.ResourceCPU, cpuLim}, {r.Limits, corev1.ResourceMemory, memLim}} {
		if v.q != "" {
			v.list[v.name] = resource.MustParse(v.q)
		}
	}
	return r
}

func deploy(name string, replicas int32, containers ...corev1.Container) appsv1.Deployment {
	d := appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"}}
	d.Spec.Replicas = &replicas
	d.Spec.Template.Spec.Containers = containers
	return d
}

func ctr(name string, r corev1.ResourceRequirements) corev1.Container {
	return corev1.Container{Name: name, Image: "img", Resources: r}
}

// row is a table row for shop/<name> with manual replicas (-1 = unset) and the given containers.
func row(name string, replicas int32, cs ...control.Container) control.Row {
	r := control.Row{Cluster: "prod", Namespace: "shop", Workload: name, Version: 3,
		Replicas: control.Replicas{Manual: replicas, Recommended: -1, Observed: -1}, Containers: cs}
	r.Replicas.Resolve()
	return r
}

func cc(name string, cpuReq, cpuLim, memReq, memLim int64) control.Container {
	return control.Container{Name: name, CPURequestMillis: cpuReq, CPULimitMillis: cpuLim, MemRequestMiB: memReq, MemLimitMiB: memLim}
}

func TestComputeWorkloads(t *testing.T) {
	cases := []struct {
		name      string
		dep       appsv1.Deployment
		hpa       string
		row       *control.Row
		rule      string
		status    string
		direction string
		replicas  Amount
		cpu, mem  Amount
		outcome   string
		changes   int
	}{
		{name: "fewer replicas and a smaller request scale down and free requests × replicas",
			dep: deploy("api", 6, ctr("app", res("500m", "512Mi", "2", "1Gi"))),
			row: ptr(row("api", 4, cc("app", 350, -1, 400, -1))),
			// 6 × 500m = 3000m → 4 × 350m = 1400m; 6 × 512 = 3072 MiB → 4 × 400 = 1600 MiB.
			status: StatusChange, direction: DirectionScaleDown, changes: 3,
			replicas: Amount{6, 4, -2}, cpu: Amount{3000, 1400, -1600}, mem: Amount{3072, 1600, -1472}},
		{name: "more replicas scale up and count the untouched sidecar on every new pod",
			dep: deploy("web", 2, ctr("app", res("200m", "256Mi", "", "")), ctr("proxy", res("50m", "64Mi", "", ""))),
			row: ptr(row("web", 3, cc("app", 200, -1, 256, -1))),
			// pod 250m / 320 MiB: 2 pods = 500m / 640 → 3 pods = 750m / 960.
			status: StatusChange, direction: DirectionScaleUp, changes: 1,
			replicas: Amount{2, 3, 1}, cpu: Amount{500, 750, 250}, mem: Amount{640, 960, 320}},
		{name: "same replicas with other requests is a resize",
			dep:    deploy("cart", 2, ctr("app", res("100m", "128Mi", "", ""))),
			row:    ptr(row("cart", 2, cc("app", 300, -1, -1, -1))),
			status: StatusChange, direction: DirectionResize, changes: 1,
			replicas: Amount{2, 2, 0}, cpu: Amount{200, 600, 400}, mem: Amount{256, 256, 0}},
		{name: "a workload already running the table's values is unchanged, whatever the spelling",
			dep:    deploy("pay", 3, ctr("app", res("0.5", "1Gi", "1", "2Gi"))),
			row:    ptr(row("pay", 3, cc("app", 500, 1000, 1024, 2048))),
			status: StatusUnchanged, direction: DirectionNone,
			replicas: Amount{3, 3, 0}, cpu: Amount{1500, 1500, 0}, mem: Amount{3072, 3072, 0}},
		{name: "an HPA owns the replicas: only the resources change",
			dep: deploy("search", 5, ctr("app", res("1", "1Gi", "", ""))), hpa: "search-hpa",
			row:    ptr(row("search", 2, cc("app", 500, -1, -1, -1))),
			status: StatusChange, direction: DirectionResize, changes: 1,
			replicas: Amount{5, 5, 0}, cpu: Amount{5000, 2500, -2500}, mem: Amount{5120, 5120, 0}},
		{name: "unset table replicas keep the running count",
			dep:    deploy("batch", 7, ctr("app", res("100m", "", "", ""))),
			row:    ptr(row("batch", -1)),
			status: StatusUnchanged, replicas: Amount{7, 7, 0}, cpu: Amount{700, 700, 0}},
		{name: "a request above the live limit is clamped to the limit, as the webhook does",
			dep:    deploy("img", 1, ctr("app", res("100m", "", "300m", ""))),
			row:    ptr(row("img", 1, cc("app", 800, -1, -1, -1))),
			status: StatusChange, direction: DirectionResize, changes: 1,
			replicas: Amount{1, 1, 0}, cpu: Amount{100, 300, 200}},
		{name: "a container with only a limit is scheduled at its limit",
			dep:    deploy("lim", 2, ctr("app", res("", "", "400m", "256Mi"))),
			row:    ptr(row("lim", 1)),
			status: StatusChange, direction: DirectionScaleDown, changes: 1,
			replicas: Amount{2, 1, -1}, cpu: Amount{800, 400, -400}, mem: Amount{512, 256, -256}},
		{name: "a Deployment missing from the table is unknown and denied under deny",
			dep: deploy("rogue", 2, ctr("app", res("100m", "100Mi", "", ""))), rule: "",
			status: StatusUnknown, outcome: OutcomeDenied,
			replicas: Amount{2, 2, 0}, cpu: Amount{200, 200, 0}, mem: Amount{200, 200, 0}},
		{name: "an unknown Deployment is warned under warn",
			dep: deploy("rogue", 1), rule: v1alpha1.UnknownWarn, status: StatusUnknown, outcome: OutcomeWarned, replicas: Amount{1, 1, 0}},
		{name: "an unknown Deployment is admitted under allow",
			dep: deploy("rogue", 1), rule: v1alpha1.UnknownAllow, status: StatusUnknown, outcome: OutcomeAllowed, replicas: Amount{1, 1, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rows []control.Row
			if tc.row != nil {
				rows = append(rows, *tc.row)
			}
			o := FromDeployment(&tc.dep)
			live := Live{Namespace: "shop", Annotations: map[string]string{v1alpha1.AnnotationUnknownWorkloads: tc.rule},
				Workloads: []Object{o}, HPAs: map[workload.Ref]string{}}
			if tc.hpa != "" {
				live.HPAs[o.Ref] = tc.hpa
			}
			ns := Compute(live, rows)
			if len(ns.Workloads) != 1 {
				t.Fatalf("got %d workloads", len(ns.Workloads))
			}
			w := ns.Workloads[0]
			if w.Status != tc.status || w.Direction != tc.direction || w.Outcome != tc.outcome || w.HPA != tc.hpa {
				t.Errorf("status/direction/outcome/hpa = %q/%q/%q/%q, want %q/%q/%q/%q",
					w.Status, w.Direction, w.Outcome, w.HPA, tc.status, tc.direction, tc.outcome, tc.hpa)
			}
			if w.Replicas != tc.replicas || w.CPURequestMillis != tc.cpu || w.MemRequestMiB != tc.mem {
				t.Errorf("replicas %+v cpu %+v mem %+v, want %+v %+v %+v", w.Replicas, w.CPURequestMillis, w.MemRequestMiB, tc.replicas, tc.cpu, tc.mem)
			}
			if len(w.Changes) != tc.changes {
				t.Errorf("changes %q, want %d", w.Changes, tc.changes)
			}
			// The webhook's own rules, on a CREATE of the running Deployment in an enforced
			// namespace, must patch exactly what the preview says (or deny an unknown one).
			in := decision.Input{Operation: decision.DeploymentCreate, Namespace: "shop", Name: tc.dep.Name, New: &tc.dep,
				Control: v1alpha1.ControlEnforce, Unknown: tc.rule, HPA: tc.hpa, Settings: decision.Settings{Now: time.Now()}}
			if tc.row != nil {
				p := tc.row.Policy()
				in.Policy = &p
			}
			d := decision.Decide(in)
			switch {
			case w.Status == StatusUnknown:
				if (d.Result == decision.Denied) != (w.Outcome == OutcomeDenied) {
					t.Errorf("webhook %s, preview outcome %s", d.Result, w.Outcome)
				}
			case (d.Result == decision.Patched) != (w.Status == StatusChange) || strings.Join(d.Changes, "; ") != strings.Join(w.Changes, "; "):
				t.Errorf("webhook %s %q, preview %s %q", d.Result, d.Changes, w.Status, w.Changes)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func deployments(ds ...appsv1.Deployment) []Object {
	out := make([]Object, len(ds))
	for i := range ds {
		out[i] = FromDeployment(&ds[i])
	}
	return out
}

func TestComputeTotalsAddUpTheNamespace(t *testing.T) {
	live := Live{Namespace: "shop", Workloads: deployments(
		deploy("api", 6, ctr("app", res("500m", "512Mi", "", ""))),   // → 4 × 350m / 400 MiB
		deploy("web", 2, ctr("app", res("200m", "256Mi", "", ""))),   // → 3 replicas
		deploy("pay", 3, ctr("app", res("500m", "1Gi", "", ""))),     // unchanged
		deploy("rogue", 2, ctr("app", res("100m", "100Mi", "", ""))), // unknown, denied
	), Decisions: map[workload.Ref]*v1alpha1.Decision{{Namespace: "shop", Kind: workload.Deployment, Name: "api"}: {Operation: "deployment-update", Result: "observed", Reason: "template-change"}}}
	rows := []control.Row{
		row("api", 4, cc("app", 350, -1, 400, -1)), row("web", 3), row("pay", 3, cc("app", 500, -1, 1024, -1)),
		row("gone", 2),
		func() control.Row { r := row("removed", 5); r.Deleted = true; return r }(),
		{Cluster: "prod", Namespace: "other", Workload: "elsewhere", Replicas: control.Replicas{Manual: 9, Recommended: -1, Observed: -1}},
	}
	ns := Compute(live, rows)
	names := []string{}
	for _, w := range ns.Workloads {
		names = append(names, w.Name+":"+w.Status)
	}
	want := "[api:change gone:not-running pay:unchanged rogue:unknown web:change]"
	if got := fmtList(names); got != want {
		t.Fatalf("workloads %s, want %s (removed rows and other namespaces left out)", got, want)
	}
	tt := ns.Totals
	// Running: api 6→4, web 2→3, pay 3, rogue 2: 13 → 12 replicas.
	// CPU: api 3000→1400, web 400→600, pay 1500, rogue 200: 5100 → 3700.
	// Memory: api 3072→1600, web 512→768, pay 3072, rogue 200: 6856 → 5640.
	wantTotals := Totals{Workloads: 4, Changed: 2, ScaleDown: 1, ScaleUp: 1, Unknown: 1, WouldDeny: 1, NotRunning: 1,
		Replicas: Amount{13, 12, -1}, CPURequestMillis: Amount{5100, 3700, -1400}, MemRequestMiB: Amount{6856, 5640, -1216}}
	if tt != wantTotals {
		t.Errorf("totals\n got %+v\nwant %+v", tt, wantTotals)
	}
	if ns.UnknownWorkloads != v1alpha1.UnknownDeny {
		t.Errorf("unknown rule %q, want deny (the default)", ns.UnknownWorkloads)
	}
	if d := ns.Workloads[0].LastDecision; d == nil || d.Result != "observed" {
		t.Errorf("api's last decision = %+v, want the observed report", d)
	}
	c := Cluster{Namespaces: []Namespace{ns, ns}}
	c.Sum()
	if c.Totals.Workloads != 8 || c.Totals.CPURequestMillis.Delta != -2800 || c.Totals.WouldDeny != 2 {
		t.Errorf("cluster totals %+v, want twice the namespace's", c.Totals)
	}
}

func fmtList(s []string) string {
	out := "["
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out + "]"
}
