//go:build parts

package collect

import (
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// The kinds scenario (synth.ScenarioKinds) against the real Prometheus: a Deployment and a
// StatefulSet both named db, a DaemonSet with one pod per node, a StatefulSet at 0 replicas and
// a DaemonSet with no node to run on. Every value is the generator's (checkAgainstExpected):
// per container, worst and average pod, throttling, OOM kills, Ready pods and desired pods for
// each kind; then what only kinds have.
func TestMixedKindsMatchTheGeneratorsAnswers(t *testing.T) {
	const cluster = "prod-k"
	tg := target(t, cluster, "UTC", clustersettings.Window{Start: "10:00", End: "11:30"})
	res, err := New(promClient, Options{}).Day(t.Context(), tg, dayOf(synthDay), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstExpected(t, cluster, res)
	// db twice, node-agent, and cache at 0; gpu-agent (a DaemonSet without pods) has no row.
	if res.Workloads != 4 {
		t.Errorf("%d workloads, want 4", res.Workloads)
	}
	for _, s := range res.Samples {
		if s.Kind != workload.Kind(s.Kind) || s.Kind == "" {
			t.Errorf("%s/%s %q: kind %q is not canonical", s.Namespace, s.Workload, s.Container, s.Kind)
		}
		if s.Workload == "gpu-agent" {
			t.Errorf("a row for a DaemonSet without pods: %+v", s)
		}
		// Only the StatefulSet db has an HPA (minReplicas 2); the Deployment of its name has none.
		wantHPA := s.Kind == workload.StatefulSet && s.Workload == "db"
		if got := s.HPAMinReplicas; (got != nil) != wantHPA || (wantHPA && *got != 2) {
			t.Errorf("%s %s/%s %q: HPA minReplicas %s", s.Kind, s.Namespace, s.Workload, s.Container, count(got))
		}
	}
	dep, _ := findKind(res.Samples, "data", workload.Deployment, "db", "app")
	sts, _ := findKind(res.Samples, "data", workload.StatefulSet, "db", "app")
	if dep.PodsMax != 2 || sts.PodsMax != 3 || dep.CPUMax == sts.CPUMax || sts.OOMKills != 1 || dep.OOMKills != 0 {
		t.Errorf("the two db workloads mixed: Deployment %+v, StatefulSet %+v", dep, sts)
	}
	// The DaemonSet's desired pods are its desired scheduled count; its pods' spread shows as
	// worst pod against pod average, which the derivation notes.
	agent, _ := findKind(res.Samples, "data", workload.DaemonSet, "node-agent", peaks.PodTotal)
	if agent.ReplicasDesired == nil || *agent.ReplicasDesired != 3 || agent.CPUMax < 2*agent.CPUAvg {
		t.Errorf("node-agent pod total: desired %s, cpu worst %g avg %g", count(agent.ReplicasDesired), agent.CPUMax, agent.CPUAvg)
	}
	zero := 0
	for _, e := range scaledToZero {
		if e.Cluster != cluster {
			continue
		}
		zero++
		s, ok := findKind(res.Samples, e.Namespace, kindOf(e), e.Deployment, peaks.PodTotal)
		if !ok || !sameCount(s.ReplicasDesired, e.ReplicasDesired) || s.PodsMax != 0 || s.CPUMax != 0 {
			t.Errorf("%s %s/%s: scaled to zero, row %+v (found %v)", kindOf(e), e.Namespace, e.Deployment, s, ok)
		}
	}
	if zero != 1 {
		t.Errorf("%d workloads scaled to zero in the scenario, want the StatefulSet cache", zero)
	}
}
