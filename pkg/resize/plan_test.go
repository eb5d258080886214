package resize

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
)

func podWith(cpuReq, cpuLim, memReq, memLim string) *corev1.Pod {
	rl := func(cpu, mem string) corev1.ResourceList {
		l := corev1.ResourceList{}
		if cpu != "" {
			l[corev1.ResourceCPU] = resource.MustParse(cpu)
		}
		if mem != "" {
			l[corev1.ResourceMemory] = resource.MustParse(mem)
		}
		return l
	}
	return &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{
		{Name: "app", Resources: corev1.ResourceRequirements{Requests: rl(cpuReq, memReq), Limits: rl(cpuLim, memLim)}},
		{Name: "sidecar"}, // not in any row here: never touched
	}}}
}

func rowWith(cpuReq, cpuLim, memReq, memLim int64) control.Row {
	c := control.NewContainer("app")
	c.CPURequestMillis, c.CPULimitMillis, c.MemRequestMiB, c.MemLimitMiB = cpuReq, cpuLim, memReq, memLim
	return control.Row{Containers: []control.Container{c}}
}

const mib = 1 << 20

func TestPlanPod(t *testing.T) {
	u := int64(control.Unset)
	cases := []struct {
		name     string
		pod      *corev1.Pod
		row      control.Row
		peaks    map[string]float64
		wantReq  string // "cpu/mem" of app's new requests; "" = no change planned
		wantLim  string
		wantKept string // substring of the one kept note; "" = none
	}{
		{"a CPU increase is planned, other values kept as they are",
			podWith("100m", "", "256Mi", ""), rowWith(250, u, u, u), nil, "250m/256Mi", "/", ""},
		{"equal values plan nothing",
			podWith("100m", "1", "256Mi", "512Mi"), rowWith(100, 1000, 256, 512), nil, "", "", ""},
		{"unset row values plan nothing",
			podWith("100m", "", "256Mi", ""), rowWith(u, u, u, u), nil, "", "", ""},
		{"a memory increase needs no peak",
			podWith("100m", "", "256Mi", ""), rowWith(u, u, 512, u), nil, "100m/512Mi", "/", ""},
		{"a memory decrease at or above the peak is planned",
			podWith("100m", "", "512Mi", ""), rowWith(u, u, 300, u), map[string]float64{"app": 300 * mib}, "100m/300Mi", "/", ""},
		{"a memory decrease below the peak is kept",
			podWith("100m", "", "512Mi", ""), rowWith(u, u, 200, u), map[string]float64{"app": 300 * mib}, "", "", KeptBelowPeak},
		{"a memory decrease without a stored peak is kept",
			podWith("100m", "", "512Mi", ""), rowWith(u, u, 200, u), nil, "", "", KeptNoPeak},
		{"a memory limit decrease below the peak is kept while the CPU change goes ahead",
			podWith("100m", "1", "256Mi", "1Gi"), rowWith(200, u, u, 256), map[string]float64{"app": 700 * mib}, "200m/256Mi", "1/1Gi", "memory limit 1Gi " + KeptBelowPeak},
		{"a request kept above the new limit keeps the limit too (the pod would be invalid)",
			podWith("100m", "", "1Gi", "2Gi"), rowWith(u, u, 600, 800), map[string]float64{"app": 700 * mib}, "", "", "memory limit 2Gi kept: the kept request 1Gi is above the new limit 800Mi"},
		{"a value the pod does not set yet is added",
			podWith("100m", "", "", ""), rowWith(u, 500, u, u), nil, "100m/", "500m/", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := PlanPod(tc.pod, tc.row, tc.peaks)
			if tc.wantReq == "" {
				if !p.Empty() {
					t.Fatalf("planned %+v; want nothing", p.Containers)
				}
			} else {
				if len(p.Containers) != 1 || p.Containers[0].Name != "app" {
					t.Fatalf("planned %+v; want app only", p.Containers)
				}
				r := p.Containers[0].Resources
				if got := show(r.Requests); got != tc.wantReq {
					t.Errorf("requests %s; want %s", got, tc.wantReq)
				}
				if got := show(r.Limits); got != tc.wantLim {
					t.Errorf("limits %s; want %s", got, tc.wantLim)
				}
			}
			switch {
			case tc.wantKept == "" && len(p.Kept) > 0:
				t.Errorf("kept %q; want none", p.Kept)
			case tc.wantKept != "" && !slices.ContainsFunc(p.Kept, func(k string) bool { return strings.Contains(k, tc.wantKept) }):
				t.Errorf("kept %q; want a note with %q", p.Kept, tc.wantKept)
			}
		})
	}
}

func show(l corev1.ResourceList) string {
	cpu, mem := l[corev1.ResourceCPU], l[corev1.ResourceMemory]
	s := func(q resource.Quantity) string {
		if q.IsZero() {
			return ""
		}
		return q.String()
	}
	return s(cpu) + "/" + s(mem)
}

func TestInFlight(t *testing.T) {
	i := func(n int) *intstr.IntOrString { v := intstr.FromInt32(int32(n)); return &v }
	p := func(s string) *intstr.IntOrString { v := intstr.FromString(s); return &v }
	cases := []struct {
		name string
		spec policyv1.PodDisruptionBudgetSpec
		pods int
		want int
	}{
		{"maxUnavailable is the bound", policyv1.PodDisruptionBudgetSpec{MaxUnavailable: i(2)}, 6, 2},
		{"a maxUnavailable percentage rounds down", policyv1.PodDisruptionBudgetSpec{MaxUnavailable: p("50%")}, 5, 2},
		{"minAvailable leaves the rest", policyv1.PodDisruptionBudgetSpec{MinAvailable: i(4)}, 6, 2},
		{"a minAvailable percentage rounds up", policyv1.PodDisruptionBudgetSpec{MinAvailable: p("50%")}, 5, 2},
		{"a budget allowing none still resizes one at a time", policyv1.PodDisruptionBudgetSpec{MaxUnavailable: i(0)}, 3, 1},
		{"minAvailable of every pod still resizes one at a time", policyv1.PodDisruptionBudgetSpec{MinAvailable: p("100%")}, 3, 1},
		{"an empty spec is one at a time", policyv1.PodDisruptionBudgetSpec{}, 3, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := InFlight(tc.spec, tc.pods); got != tc.want {
				t.Fatalf("InFlight = %d; want %d", got, tc.want)
			}
		})
	}
}

func TestKubeletAnswer(t *testing.T) {
	cond := func(typ corev1.PodConditionType, reason string) corev1.PodCondition {
		return corev1.PodCondition{Type: typ, Status: corev1.ConditionTrue, Reason: reason, Message: "node says so"}
	}
	cases := []struct {
		name    string
		status  corev1.PodStatus
		outcome string // "" = not done yet
	}{
		{"no answer yet", corev1.PodStatus{}, ""},
		{"Infeasible skips the pod", corev1.PodStatus{Conditions: []corev1.PodCondition{cond(corev1.PodResizePending, corev1.PodReasonInfeasible)}}, OutcomeSkipped},
		{"Deferred skips the pod", corev1.PodStatus{Conditions: []corev1.PodCondition{cond(corev1.PodResizePending, corev1.PodReasonDeferred)}}, OutcomeSkipped},
		{"an error in progress skips the pod", corev1.PodStatus{Conditions: []corev1.PodCondition{cond(corev1.PodResizeInProgress, corev1.PodReasonError)}}, OutcomeSkipped},
		{"in progress is not done even when observed", corev1.PodStatus{ObservedGeneration: 2, Conditions: []corev1.PodCondition{cond(corev1.PodResizeInProgress, "")}}, ""},
		{"observed with nothing pending is resized", corev1.PodStatus{ObservedGeneration: 2}, OutcomeResized},
		{"an older generation observed is not done", corev1.PodStatus{ObservedGeneration: 1}, ""},
		{"status.resize Infeasible of older servers skips the pod", corev1.PodStatus{Resize: corev1.PodResizeStatusInfeasible}, OutcomeSkipped},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			outcome, reason, done := KubeletAnswer(&corev1.Pod{Status: tc.status}, 2)
			if outcome != tc.outcome || done != (tc.outcome != "") {
				t.Fatalf("got %q (%q, done %v); want %q", outcome, reason, done, tc.outcome)
			}
			if outcome == OutcomeSkipped && reason == "" {
				t.Fatal("a skipped pod needs a reason")
			}
		})
	}
}
