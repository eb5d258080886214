package collect

import (
	"fmt"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

func owners(ns string, pods map[string]string) model.Vector { return ownedBy(ns, "ReplicaSet", pods) }

// ownedBy is PodOwners' answer for pods (pod → owner name) whose owner is of kind.
func ownedBy(ns, kind string, pods map[string]string) model.Vector {
	var v model.Vector
	for pod, owner := range pods {
		v = append(v, &model.Sample{Metric: model.Metric{"namespace": model.LabelValue(ns), "pod": model.LabelValue(pod),
			"owner_kind": model.LabelValue(kind), "owner_name": model.LabelValue(owner)}, Value: 1})
	}
	return v
}

func rsOwners(ns string, rss map[string]string) model.Vector {
	var v model.Vector
	for rs, dep := range rss {
		v = append(v, &model.Sample{Metric: model.Metric{"namespace": model.LabelValue(ns), "replicaset": model.LabelValue(rs), "owner_name": model.LabelValue(dep)}, Value: 1})
	}
	return v
}

func TestInventoryFollowsTheOwnerChain(t *testing.T) {
	pods := owners("shop", map[string]string{"api-1-a": "api-1", "api-2-b": "api-2", "db-0": "db-rs", "lone-x": "lone-rs"})
	rss := rsOwners("shop", map[string]string{"api-1": "api", "api-2": "api", "db-rs": "db"})
	inv := buildInventory(pods, rss, func(ns, kind, wl string) bool { return wl != "db" })
	if got := len(inv.workloads[wlKey{"shop", workload.Deployment, "api"}]); got != 2 {
		t.Errorf("api has %d pods, want both ReplicaSets' 2", got)
	}
	if _, ok := inv.workloads[wlKey{"shop", workload.Deployment, "db"}]; ok {
		t.Error("a workload of another window was included")
	}
	if _, ok := inv.podWL[podKey{"shop", "lone-x"}]; ok {
		t.Error("a pod of a ReplicaSet no Deployment owns was included")
	}
	if !inv.partial["shop"] {
		t.Error("shop holds another window's workload but is not marked partial")
	}
}

func TestStatefulSetsAndDaemonSetsOwnTheirPodsAndKeepTheirKind(t *testing.T) {
	pods := owners("data", map[string]string{"db-7f9c-a": "db-7f9c", "db-7f9c-b": "db-7f9c", "job-x": "job-rs"})
	pods = append(pods, ownedBy("data", workload.StatefulSet, map[string]string{"db-0": "db", "db-1": "db", "db-2": "db"})...)
	pods = append(pods, ownedBy("data", workload.DaemonSet, map[string]string{"agent-abcde": "agent"})...)
	pods = append(pods, ownedBy("data", "Job", map[string]string{"backup-1": "backup"})...)
	inv := buildInventory(pods, rsOwners("data", map[string]string{"db-7f9c": "db"}), func(string, string, string) bool { return true })
	want := map[wlKey]int{
		{"data", workload.Deployment, "db"}:   2,
		{"data", workload.StatefulSet, "db"}:  3,
		{"data", workload.DaemonSet, "agent"}: 1,
	}
	if len(inv.workloads) != len(want) {
		t.Errorf("workloads %v, want %v", inv.workloads, want)
	}
	for k, n := range want {
		if got := len(inv.workloads[k]); got != n {
			t.Errorf("%v has %d pods, want %d", k, got, n)
		}
	}
	if k := inv.podWL[podKey{"data", "db-1"}]; k.kind != workload.StatefulSet {
		t.Errorf("db-1 belongs to %v, want the StatefulSet", k)
	}
	// Batches split between whole workloads in a stable order (name, then kind): agent and the
	// Deployment db (3 pods), then the StatefulSet db (3).
	b := inv.batches(4)
	if len(b) != 2 || len(b[0].pods) != 3 || len(b[1].pods) != 3 || inv.podWL[podKey{"data", b[1].pods[0]}].kind != workload.StatefulSet {
		t.Errorf("batches %+v, want agent's and the Deployment db's 3 pods, then the StatefulSet's 3", b)
	}
}

func TestBatches(t *testing.T) {
	mk := func(ns string, sizes ...int) (model.Vector, model.Vector) {
		pods, rss := map[string]string{}, map[string]string{}
		for w, n := range sizes {
			rs := fmt.Sprintf("w%d-rs", w)
			rss[rs] = fmt.Sprintf("w%d", w)
			for p := range n {
				pods[fmt.Sprintf("w%d-rs-%d", w, p)] = rs
			}
		}
		return owners(ns, pods), rsOwners(ns, rss)
	}
	all := func(string, string, string) bool { return true }
	tests := []struct {
		name    string
		sizes   []int
		max     int
		want    []int // pods per batch; 0 = the whole namespace
		include func(string, string, string) bool
	}{
		{"a small namespace is one query without a pod list", []int{2, 3}, 10, []int{0}, all},
		{"a big namespace is split between whole workloads", []int{3, 3, 3}, 6, []int{6, 3}, all},
		{"a workload bigger than a batch is a batch of its own", []int{2, 9, 2}, 5, []int{2, 9, 2}, all},
		{"a namespace shared with another window names its pods", []int{2, 3}, 10, []int{2}, func(_, _, wl string) bool { return wl == "w0" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, r := mk("ns", tt.sizes...)
			got := buildInventory(p, r, tt.include).batches(tt.max)
			if len(got) != len(tt.want) {
				t.Fatalf("%d batches, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, b := range got {
				if len(b.pods) != tt.want[i] {
					t.Errorf("batch %d has %d pods, want %d", i, len(b.pods), tt.want[i])
				}
			}
		})
	}
}

// A peak-window override names a kind: the StatefulSet db collected in another window leaves
// the Deployment db in this one.
func TestAnotherWindowOfOneKindLeavesTheOtherKindOfTheName(t *testing.T) {
	pods := owners("data", map[string]string{"db-7f9c-a": "db-7f9c"})
	pods = append(pods, ownedBy("data", workload.StatefulSet, map[string]string{"db-0": "db"})...)
	inv := buildInventory(pods, rsOwners("data", map[string]string{"db-7f9c": "db"}),
		func(_, kind, _ string) bool { return kind != workload.StatefulSet })
	if len(inv.workloads) != 1 || len(inv.workloads[wlKey{"data", workload.Deployment, "db"}]) != 1 || !inv.partial["data"] {
		t.Errorf("workloads %v (partial %v), want the Deployment db alone and data partial", inv.workloads, inv.partial)
	}
}
