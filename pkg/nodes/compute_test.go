package nodes

import (
	"reflect"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

const mi = int64(1 << 20)

var (
	api   = workload.Ref{Namespace: "shop", Kind: workload.Deployment, Name: "api"}
	db    = workload.Ref{Namespace: "shop", Kind: workload.StatefulSet, Name: "db"}
	web   = workload.Ref{Namespace: "shop", Kind: workload.Deployment, Name: "web"}
	agent = workload.Ref{Namespace: "kube-system", Kind: workload.DaemonSet, Name: "agent"}
)

func res(cpu, memMi int64) Resources { return Resources{CPUMillis: cpu, MemBytes: memMi * mi} }

func pod(name, node string, owner workload.Ref, container string, cpu, memMi int64) Pod {
	return Pod{Namespace: owner.Namespace, Name: name, Node: node, Owner: owner, OwnerKind: owner.Kind,
		Containers: []Container{{Name: container, Request: res(cpu, memMi)}}}
}

// fleet is the worked example of docs/nodes.md: three nodes with allocatable and one without,
// a Deployment and a StatefulSet under the table, an uncontrolled Deployment without peak data
// and a DaemonSet on every node.
func fleet() Input {
	return Input{
		Nodes: []Node{
			{Name: "a", Allocatable: res(4000, 8192)},
			{Name: "b", Allocatable: res(4000, 8192)},
			{Name: "c", Allocatable: res(1500, 4096)},
			{Name: "d"},
		},
		Pods: []Pod{
			pod("api-1", "a", api, "app", 1000, 2048),
			pod("api-2", "a", api, "app", 1000, 2048),
			pod("agent-a", "a", agent, "agent", 100, 128),
			pod("api-3", "b", api, "app", 1000, 2048),
			pod("db-0", "b", db, "db", 1500, 3072),
			pod("agent-b", "b", agent, "agent", 100, 128),
			pod("web-1", "c", web, "web", 500, 1024),
			pod("agent-c", "c", agent, "agent", 100, 128),
			pod("agent-d", "d", agent, "agent", 100, 128),
		},
		Table: map[workload.Ref]TableRequests{
			api:   {"app": {CPURequestMillis: 400, MemRequestMiB: 1024}},
			db:    {"db": {CPURequestMillis: -1, MemRequestMiB: 2048}},
			agent: {"agent": {CPURequestMillis: 50, MemRequestMiB: -1}},
		},
		Peaks: map[workload.Ref]map[string]Peak{
			api:   {"app": res(300, 768)},
			db:    {"db": res(1200, 2560)},
			agent: {"agent": res(20, 64)},
		},
	}
}

func TestEachNodeSumsRequestsTableValuesPeaksAndTheUnusedPart(t *testing.T) {
	got := Compute(fleet())
	want := []NodeReport{
		{Name: "a", HasAllocatable: true, Allocatable: res(4000, 8192),
			Requested: res(2100, 4224), Table: res(850, 2176), Peak: res(620, 1600), UnusedAtPeak: res(1480, 2624),
			Pods: 3, DaemonSetPods: 1, ControlledPods: 3,
			RequestedShare: &Share{CPU: 0.525, Mem: 0.515625, Max: 0.525}, PeakShare: &Share{CPU: 0.155, Mem: 0.1953125, Max: 0.1953125},
			RankRequested: 2, RankPeak: 2,
			Drain: Drain{Possible: true, MovablePods: 2, UnplacedNow: 1, UnderTable: true, TableFreesNode: true}},
		{Name: "b", HasAllocatable: true, Allocatable: res(4000, 8192),
			Requested: res(2600, 5248), Table: res(1950, 3200), Peak: res(1520, 3392), UnusedAtPeak: res(1080, 1856),
			Pods: 3, DaemonSetPods: 1, ControlledPods: 3,
			RequestedShare: &Share{CPU: 0.65, Mem: 0.640625, Max: 0.65}, PeakShare: &Share{CPU: 0.38, Mem: 0.4140625, Max: 0.4140625},
			RankRequested: 1, RankPeak: 1,
			Drain: Drain{Possible: true, MovablePods: 2, UnplacedNow: 1, UnderTable: true, TableFreesNode: true}},
		{Name: "c", HasAllocatable: true, Allocatable: res(1500, 4096),
			Requested: res(600, 1152), Table: res(550, 1152), Peak: res(20, 64), UnusedAtPeak: res(80, 64),
			Pods: 2, DaemonSetPods: 1, ControlledPods: 1, PodsWithoutPeak: 1,
			RequestedShare: &Share{CPU: 0.4, Mem: 0.28125, Max: 0.4}, PeakShare: &Share{CPU: 20.0 / 1500, Mem: 0.015625, Max: 0.015625},
			RankRequested: 3, RankPeak: 3,
			Drain: Drain{Possible: true, MovablePods: 1, Now: true, UnderTable: true}},
		{Name: "d", Requested: res(100, 128), Table: res(50, 128), Peak: res(20, 64), UnusedAtPeak: res(80, 64),
			Pods: 1, DaemonSetPods: 1, ControlledPods: 1},
	}
	for i := range want {
		if !reflect.DeepEqual(got.Nodes[i], want[i]) {
			t.Errorf("node %s:\n got %+v\nwant %+v", want[i].Name, got.Nodes[i], want[i])
		}
	}
	wantTotals := Totals{Allocatable: res(9500, 20480), Requested: res(5400, 10752), Table: res(3400, 6656),
		Peak: res(2180, 5120), UnusedAtPeak: res(2720, 4608), Pods: 9}
	if got.Totals != wantTotals {
		t.Errorf("totals %+v, want %+v", got.Totals, wantTotals)
	}
}

func TestTheTypicalPodIsTheMedianTableRequestOfPodsThatAreNotDaemonSets(t *testing.T) {
	got := Compute(fleet())
	// Table CPU 400,400,400,500,1500 and memory 1024,1024,1024,1024,2048 MiB: the third of five.
	if got.TypicalPod != res(400, 1024) || got.TypicalPodFrom != 5 {
		t.Errorf("typical pod %+v from %d, want 400m/1024Mi from 5", got.TypicalPod, got.TypicalPodFrom)
	}
}

func TestFragmentationIsTheFreeRoomLeftAfterPlacingTypicalPods(t *testing.T) {
	got := Compute(fleet())
	// Now: free a 1900m/3968Mi (3 fit), b 1400m/2944Mi (2), c 900m/2944Mi (2); d has no allocatable.
	now := Fragmentation{Free: res(4200, 9856), Stranded: res(1400, 2688), TypicalPodsFit: 7}
	// Table: free a 3150m/6016Mi (5), b 2050m/4992Mi (4), c 950m/2944Mi (2).
	table := Fragmentation{Free: res(6150, 13952), Stranded: res(1750, 2688), TypicalPodsFit: 11}
	if got.Fragmentation != now {
		t.Errorf("now %+v, want %+v", got.Fragmentation, now)
	}
	if got.FragmentationTable != table {
		t.Errorf("table %+v, want %+v", got.FragmentationTable, table)
	}
}

func TestTheTableFreesNodesWhosePodsFitElsewhereOnlyAtTheTablesRequests(t *testing.T) {
	got := Compute(fleet())
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(got.Drainable, want) {
		t.Errorf("drainable %v, want %v", got.Drainable, want)
	}
}

func TestDrainEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		node string
		want Drain
	}{
		{"a node without pods drains trivially",
			Input{Nodes: []Node{{Name: "a", Allocatable: res(1000, 1024)}, {Name: "b", Allocatable: res(1000, 1024)}}},
			"a", Drain{Possible: true, Now: true, UnderTable: true}},
		{"a node without allocatable is not judged",
			Input{Nodes: []Node{{Name: "a"}, {Name: "b", Allocatable: res(1000, 1024)}},
				Pods: []Pod{pod("w-1", "a", web, "web", 100, 100)}},
			"a", Drain{MovablePods: 1}},
		{"a DaemonSet pod larger than any free room does not stop a drain",
			Input{Nodes: []Node{{Name: "a", Allocatable: res(4000, 4096)}, {Name: "b", Allocatable: res(4000, 4096)}},
				Pods: []Pod{pod("agent-a", "a", agent, "agent", 3000, 3000), pod("agent-b", "b", agent, "agent", 3000, 3000),
					pod("w-1", "a", web, "web", 500, 500)}},
			"a", Drain{Possible: true, MovablePods: 1, Now: true, UnderTable: true}},
		{"a pod that fits nowhere keeps the node",
			Input{Nodes: []Node{{Name: "a", Allocatable: res(4000, 4096)}, {Name: "b", Allocatable: res(1000, 4096)}},
				Pods: []Pod{pod("w-1", "a", web, "web", 2000, 100)}},
			"a", Drain{Possible: true, MovablePods: 1, UnplacedNow: 1, UnplacedTable: 1}},
		{"a cordoned node takes no drained pods",
			Input{Nodes: []Node{{Name: "a", Allocatable: res(4000, 4096)}, {Name: "b", Allocatable: res(4000, 4096), Unschedulable: true}},
				Pods: []Pod{pod("w-1", "a", web, "web", 100, 100)}},
			"a", Drain{Possible: true, MovablePods: 1, UnplacedNow: 1, UnplacedTable: 1}},
		{"pods are placed largest first so a big one is not left without room",
			// Name order would put a-small on b first and leave big without room.
			Input{Nodes: []Node{{Name: "a", Allocatable: res(4000, 4096)}, {Name: "b", Allocatable: res(1000, 4096)}, {Name: "c", Allocatable: res(500, 4096)}},
				Pods: []Pod{pod("a-small", "a", web, "web", 500, 10), pod("big", "a", api, "app", 1000, 10)}},
			"a", Drain{Possible: true, MovablePods: 2, Now: true, UnderTable: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Compute(tt.in)
			for _, n := range r.Nodes {
				if n.Name == tt.node && n.Drain != tt.want {
					t.Errorf("drain %+v, want %+v", n.Drain, tt.want)
				}
			}
		})
	}
}

func TestAClusterWithoutPodsHasNoTypicalPodAndNothingStranded(t *testing.T) {
	r := Compute(Input{Nodes: []Node{{Name: "a", Allocatable: res(1000, 1024)}}})
	want := Fragmentation{Free: res(1000, 1024)}
	if r.TypicalPodFrom != 0 || r.Fragmentation != want || r.FragmentationTable != want {
		t.Errorf("typical from %d, fragmentation %+v / %+v; want none and %+v", r.TypicalPodFrom, r.Fragmentation, r.FragmentationTable, want)
	}
	if n := r.Nodes[0]; n.Pods != 0 || n.RequestedShare == nil || *n.RequestedShare != (Share{}) || n.RankRequested != 1 {
		t.Errorf("empty node %+v", n)
	}
}

func TestANodeWithoutAllocatableHasNoShareAndNoRank(t *testing.T) {
	r := Compute(Input{Nodes: []Node{{Name: "a", Allocatable: Resources{CPUMillis: 1000}}}, Pods: []Pod{pod("w-1", "a", web, "web", 100, 100)}})
	n := r.Nodes[0]
	if n.HasAllocatable || n.RequestedShare != nil || n.PeakShare != nil || n.RankRequested != 0 || n.RankPeak != 0 {
		t.Errorf("%+v", n)
	}
	if r.Fragmentation != (Fragmentation{}) {
		t.Errorf("fragmentation counted a node without allocatable: %+v", r.Fragmentation)
	}
}

func TestAnOvercommittedNodeHasNoFreeRoomRatherThanNegativeRoom(t *testing.T) {
	r := Compute(Input{Nodes: []Node{{Name: "a", Allocatable: res(1000, 1024)}}, Pods: []Pod{pod("w-1", "a", web, "web", 1500, 100)}})
	if got := r.Fragmentation.Free; got != res(0, 924) {
		t.Errorf("free %+v, want 0m/924Mi", got)
	}
	if got := r.Nodes[0].RequestedShare.CPU; got != 1.5 {
		t.Errorf("cpu share %v, want 1.5", got)
	}
}

func TestTableValuesApplyPerFieldAndOnlyToControlledWorkloads(t *testing.T) {
	bare := Pod{Namespace: "shop", Name: "debug", Node: "a", OwnerKind: "",
		Containers: []Container{{Name: "app", Request: res(100, 100)}}}
	in := Input{
		Nodes: []Node{{Name: "a", Allocatable: res(4000, 4096)}},
		Pods: []Pod{
			bare,
			// A container the row does not name keeps its requests.
			{Namespace: "shop", Name: "api-1", Node: "a", Owner: api, Containers: []Container{
				{Name: "app", Request: res(1000, 1000)}, {Name: "sidecar", Request: res(10, 10)}}},
		},
		Table: map[workload.Ref]TableRequests{api: {"app": {CPURequestMillis: 200, MemRequestMiB: -1}}},
		Peaks: map[workload.Ref]map[string]Peak{{}: {"app": res(1, 1)}}, // a bare pod has no workload to have peaks
	}
	n := Compute(in).Nodes[0]
	if n.Table != res(100+200+10, 100+1000+10) || n.ControlledPods != 1 || n.PodsWithoutPeak != 2 || n.Peak != (Resources{}) {
		t.Errorf("%+v", n)
	}
}

func TestPodsOnANodeNotListedAreLeftOut(t *testing.T) {
	r := Compute(Input{Nodes: []Node{{Name: "a", Allocatable: res(1000, 1024)}}, Pods: []Pod{pod("w-1", "gone", web, "web", 100, 100)}})
	if r.Totals.Pods != 0 {
		t.Errorf("counted %d pods", r.Totals.Pods)
	}
}
