package savings

import (
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// A kind filter narrows items and totals; a DaemonSet is priced at the pods it runs now (it
// has no replicas in the table) and says so.
func TestAKindFilterNarrowsItemsAndADaemonSetCountsItsRunningPods(t *testing.T) {
	row := func(kind, name string, replicas int32) control.Row {
		r := control.Row{Cluster: "c", Namespace: "ops", Kind: kind, Workload: name, Version: 1,
			Replicas:   control.Replicas{Manual: replicas, Recommended: control.Unset, Observed: control.Unset},
			Containers: []control.Container{{Name: "app", CPURequestMillis: 1000, CPULimitMillis: control.Unset, MemRequestMiB: 1024, MemLimitMiB: control.Unset}}}
		return r
	}
	rows := []control.Row{row(workload.Deployment, "api", 2), row(workload.DaemonSet, "agent", control.Unset)}
	stored := map[workload.Ref]Stored{
		{Namespace: "ops", Kind: workload.DaemonSet, Name: "agent"}: {Replayed: Replayed{HistoryDays: 3}, LatestPods: 5, LatestCPU: 1, LatestMem: 1 << 30},
		{Namespace: "ops", Kind: workload.Deployment, Name: "api"}:  {Replayed: Replayed{HistoryDays: 3}, LatestPods: 2, LatestCPU: 1, LatestMem: 1 << 30},
	}
	all := Compute("c", listPrices, Query{Days: 30}, rows, stored, nil, nil)
	ds := Compute("c", listPrices, Query{Days: 30, Kind: workload.DaemonSet}, rows, stored, nil, nil)
	if len(all.Items) != 2 || len(ds.Items) != 1 || ds.Items[0].Kind != workload.DaemonSet {
		t.Fatalf("items: all %d, DaemonSets %+v", len(all.Items), ds.Items)
	}
	it := ds.Items[0]
	if it.Replicas.Now != 5 || it.Replicas.Table != 5 || it.Table.Monthly <= 0 {
		t.Fatalf("DaemonSet item %+v: want 5 pods now and in the table, priced", it)
	}
	if ds.Totals.Table.Monthly >= all.Totals.Table.Monthly {
		t.Fatalf("the DaemonSet's total %v is not narrower than every kind's %v", ds.Totals.Table.Monthly, all.Totals.Table.Monthly)
	}
}
