package collect

import (
	"fmt"
	"testing"

	"github.com/prometheus/common/model"
)

func owners(ns string, pods map[string]string) model.Vector {
	var v model.Vector
	for pod, rs := range pods {
		v = append(v, &model.Sample{Metric: model.Metric{"namespace": model.LabelValue(ns), "pod": model.LabelValue(pod), "owner_name": model.LabelValue(rs)}, Value: 1})
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
	inv := buildInventory(pods, rss, func(ns, wl string) bool { return wl != "db" })
	if got := len(inv.workloads[wlKey{"shop", "api"}]); got != 2 {
		t.Errorf("api has %d pods, want both ReplicaSets' 2", got)
	}
	if _, ok := inv.workloads[wlKey{"shop", "db"}]; ok {
		t.Error("a workload of another window was included")
	}
	if _, ok := inv.podWL[podKey{"shop", "lone-x"}]; ok {
		t.Error("a pod of a ReplicaSet no Deployment owns was included")
	}
	if !inv.partial["shop"] {
		t.Error("shop holds another window's workload but is not marked partial")
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
	all := func(string, string) bool { return true }
	tests := []struct {
		name    string
		sizes   []int
		max     int
		want    []int // pods per batch; 0 = the whole namespace
		include func(string, string) bool
	}{
		{"a small namespace is one query without a pod list", []int{2, 3}, 10, []int{0}, all},
		{"a big namespace is split between whole workloads", []int{3, 3, 3}, 6, []int{6, 3}, all},
		{"a workload bigger than a batch is a batch of its own", []int{2, 9, 2}, 5, []int{2, 9, 2}, all},
		{"a namespace shared with another window names its pods", []int{2, 3}, 10, []int{2}, func(_, wl string) bool { return wl == "w0" }},
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
