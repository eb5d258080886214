package savings

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/preview"
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

// The live view holds every kind: a StatefulSet's now is its spec.replicas and a DaemonSet's
// the pods it should run now, each × its live pod; a kind not running says which kind.
func TestTheLiveViewPricesStatefulSetsAndDaemonSets(t *testing.T) {
	row := func(kind, name string, replicas int32) control.Row {
		return control.Row{Cluster: "c", Namespace: "data", Kind: kind, Workload: name, Version: 1,
			Replicas:   control.Replicas{Manual: replicas, Recommended: control.Unset, Observed: control.Unset},
			Containers: []control.Container{{Name: "app", CPURequestMillis: 500, CPULimitMillis: control.Unset, MemRequestMiB: 512, MemLimitMiB: control.Unset}}}
	}
	rows := []control.Row{row(workload.StatefulSet, "db", 2), row(workload.DaemonSet, "agent", control.Unset), row(workload.StatefulSet, "gone", 1)}
	sts := preview.FromStatefulSet(&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: "data", Name: "db"},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr(int32(3)), Template: podWith("1", "2Gi")}})
	ds := preview.FromDaemonSet(&appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "data", Name: "agent"},
		Spec: appsv1.DaemonSetSpec{Template: podWith("250m", "256Mi")}, Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 4}})
	// A Deployment of the missing StatefulSet's name is another workload.
	dep := preview.FromDeployment(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "data", Name: "gone"},
		Spec: appsv1.DeploymentSpec{Replicas: ptr(int32(9)), Template: podWith("1", "1Gi")}})
	a := Compute("c", listPrices, Query{Days: 30}, rows, nil, LiveFrom([]preview.Object{sts, ds, dep}), nil)
	got := map[string]Item{}
	for _, it := range a.Items {
		got[it.Kind+"/"+it.Workload] = it
	}
	if it := got["StatefulSet/db"]; it.Replicas.Now != 3 || it.Now.CPUCores != 3 || it.Now.MemGiB != 6 {
		t.Errorf("StatefulSet db now: %d replicas, %+v; want 3 × (1 core, 2 GiB)", it.Replicas.Now, it.Now)
	}
	if it := got["DaemonSet/agent"]; it.Replicas.Now != 4 || it.Replicas.Table != 4 || it.Now.CPUCores != 1 || it.Now.MemGiB != 1 {
		t.Errorf("DaemonSet agent now: %d pods (table %d), %+v; want 4 × (250m, 256 MiB)", it.Replicas.Now, it.Replicas.Table, it.Now)
	}
	if it := got["StatefulSet/gone"]; it.Replicas.Now != 0 || len(it.Notes) == 0 || !strings.Contains(it.Notes[0], "no StatefulSet of this name runs") {
		t.Errorf("StatefulSet gone: %+v; want now 0 and a note naming the kind", it)
	}
}

func ptr[T any](v T) *T { return &v }

func podWith(cpu, mem string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Resources: corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)}}}}}}
}
