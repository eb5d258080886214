package recommend

import (
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	wkind "github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// kindSamples gives x's samples the kind.
func kindSamples(kind string, xs ...s) []peaks.Sample {
	out := samples(xs...)
	for i := range out {
		out[i].Kind = kind
	}
	return out
}

// A StatefulSet is derived as a Deployment is, in a row of its own beside a same-named
// Deployment; a DaemonSet gets requests and limits but no replicas at all.
func TestStatefulSetsDeriveAsDeploymentsAndDaemonSetsWithoutReplicas(t *testing.T) {
	var history []peaks.Sample
	for d := 14; d <= 22; d++ {
		history = append(history, samples(s{ns: "data", wl: "db", c: "app", d: d, pods: 2, cpuAvg: 0.1, cpuMax: 0.2, memMiB: 100})...)
		history = append(history, kindSamples(wkind.StatefulSet, s{ns: "data", wl: "db", c: "postgres", d: d, pods: 3, cpuAvg: 0.5, cpuMax: 0.8, memMiB: 1000})...)
		history = append(history, kindSamples(wkind.DaemonSet, s{ns: "data", wl: "agent", c: "log", d: d, pods: 5, cpuAvg: 0.05, cpuMax: 0.06, memMiB: 64})...)
	}
	next, rep := mustDerive(t, DefaultParams(), history, nil)
	if len(next) != 3 || len(rep.New) != 3 {
		t.Fatalf("%d rows, report %+v", len(next), rep)
	}
	byKind := map[string]control.Row{}
	for _, r := range next {
		byKind[r.Kind] = r
	}
	dep, sts, ds := byKind[wkind.Deployment], byKind[wkind.StatefulSet], byKind[wkind.DaemonSet]
	if dep.Workload != "db" || dep.Replicas.Effective != 2 || len(dep.Containers) != 1 || dep.Containers[0].Name != "app" {
		t.Fatalf("Deployment row %+v", dep)
	}
	// 0.8 cores → 800m; 1000 MiB; 3 replicas from the desired count.
	if sts.Workload != "db" || sts.Replicas.Effective != 3 || sts.Replicas.Source != control.ReplicasObserved {
		t.Fatalf("StatefulSet replicas %+v", sts.Replicas)
	}
	wantContainers(t, sts, ctr("postgres", 800, -1, 1000, -1))
	if ds.Replicas.Effective != control.Unset || ds.Replicas.Observed != control.Unset || ds.Replicas.Recommended != control.Unset ||
		ds.Replicas.RecommendedActive {
		t.Fatalf("DaemonSet replicas %+v, want none", ds.Replicas)
	}
	wantContainers(t, ds, ctr("log", 60, -1, 64, -1))
	if p := ds.Policy(); p.Spec.Replicas != nil {
		t.Fatalf("DaemonSet policy sets replicas %d", *p.Spec.Replicas)
	}
	for _, n := range ds.Notes {
		if strings.Contains(n, "spread") {
			t.Fatalf("an even DaemonSet was flagged: %q", n)
		}
	}
}

// A DaemonSet whose busiest pod uses far more than its average pod (one busy node) is flagged
// on the row; the request still follows the busiest pod.
func TestADaemonSetWithAPerNodeOutlierIsFlagged(t *testing.T) {
	var history []peaks.Sample
	for d := 14; d <= 22; d++ {
		history = append(history, kindSamples(wkind.DaemonSet,
			s{ns: "ops", wl: "agent", c: "log", d: d, pods: 10, cpuAvg: 0.05, cpuMax: 0.40, memMiB: 64})...)
	}
	next, _ := mustDerive(t, DefaultParams(), history, nil)
	if len(next) != 1 {
		t.Fatalf("rows %+v", next)
	}
	r := next[0]
	wantContainers(t, r, ctr("log", 400, -1, 64, -1))
	var flagged []string
	for _, n := range r.Notes {
		if strings.Contains(n, "wide spread between nodes") {
			flagged = append(flagged, n)
		}
	}
	// CPU 0.40 / 0.05 = 8×; memory max/avg = 1/0.9 (the fixture's avg is 90 % of max): not flagged.
	if len(flagged) != 1 || !strings.Contains(flagged[0], "8.0× the average pod's CPU") {
		t.Fatalf("notes %q, want one CPU spread note", r.Notes)
	}
}
