//go:build parts

package collect

import (
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/prom"
)

// The replica traps (synth.ScenarioReplicaTraps) against the real Prometheus: a Recreate rollout
// whose Ready pods dip to 0, a crash-looping pod, a surge pod that ran 3 minutes at a burst, a
// Deployment at 0 the whole window, one without kube_deployment_spec_replicas and one scaled down
// 30 s after the window opened (on each Prometheus version). Every value is
// the generator's (checkAgainstExpected): desired replicas, the Ready median, usage without the
// burst pod; the Deployment at 0 gets a pod-total row saying so.
func TestReplicaTrapsMatchTheGeneratorsAnswers(t *testing.T) {
	const cluster = "prod-r"
	tg := target(t, cluster, "UTC", clustersettings.Window{Start: "10:00", End: "11:30"})
	eachProm(t, func(t *testing.T, client prom.Client) {
		res, err := New(client, Options{}).Day(t.Context(), tg, dayOf(synthDay), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstExpected(t, cluster, res)
		zero := 0
		for _, e := range scaledToZero {
			if e.Cluster != cluster {
				continue
			}
			zero++
			s, ok := find(res.Samples, e.Namespace, e.Deployment, peaks.PodTotal)
			if !ok {
				t.Errorf("%s/%s: scaled to zero, but no row says so", e.Namespace, e.Deployment)
				continue
			}
			if !sameCount(s.ReplicasDesired, e.ReplicasDesired) || s.PodsMax != 0 || s.CPUMax != 0 || s.MemMax != 0 {
				t.Errorf("%s/%s: %+v", e.Namespace, e.Deployment, s)
			}
			for _, o := range res.Samples {
				if o.Workload == e.Deployment && o.Container != peaks.PodTotal {
					t.Errorf("%s/%s: a container row for a Deployment without pods: %+v", e.Namespace, e.Deployment, o)
				}
			}
		}
		if zero != 1 || res.Workloads != 6 {
			t.Fatalf("%d Deployments scaled to zero, %d workloads; the scenario has 1 and 6", zero, res.Workloads)
		}
		// worker is the one Deployment an HPA scales (minReplicas 2 in the scenario); the others have none.
		for _, x := range res.Samples {
			want := x.Workload == "worker"
			if got := x.HPAMinReplicas; (got != nil) != want || (want && *got != 2) {
				t.Errorf("%s/%s %q: HPA minReplicas %s, want %v", x.Namespace, x.Workload, x.Container, count(got), map[bool]string{true: "2", false: "none"}[want])
			}
		}
		// A scale-down 30 s into the window: only the sample at exactly its start says 4
		// (Prometheus 3's ranges leave it out unless the query reaches past it).
		if s, _ := find(res.Samples, "traps", "scaledown", "app"); s.ReplicasDesired == nil || *s.ReplicasDesired != 4 {
			t.Errorf("scaledown: desired %s, want 4 (the spec at the window's first instant)", count(s.ReplicasDesired))
		}
		// The trap the issue reported: the fewest Ready pods reached 0 while the spec asked for 3.
		if s, _ := find(res.Samples, "traps", "recreate", "app"); s.PodsMin != 0 || s.ReplicasDesired == nil || *s.ReplicasDesired != 3 {
			t.Errorf("recreate: pods min %d, desired %s; the trap needs 0 and 3", s.PodsMin, count(s.ReplicasDesired))
		}
	})
}
