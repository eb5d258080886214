package nodes

import (
	"math"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

func owned(labels map[string]string, refs ...metav1.OwnerReference) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "p", Labels: labels, OwnerReferences: refs}}
}

func ownerRef(apiVersion, kind, name string, controller bool) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: name, Controller: &controller}
}

func TestOwnerOfResolvesEachControlledKind(t *testing.T) {
	hash := map[string]string{"pod-template-hash": "7d9f8c"}
	tests := []struct {
		name     string
		pod      *corev1.Pod
		want     workload.Ref
		wantKind string
	}{
		{"a ReplicaSet's pod belongs to the Deployment named by the ReplicaSet without its hash",
			owned(hash, ownerRef("apps/v1", "ReplicaSet", "api-v2-7d9f8c", true)),
			workload.Ref{Namespace: "shop", Kind: workload.Deployment, Name: "api-v2"}, workload.Deployment},
		{"a ReplicaSet whose name does not end in the pod's hash is not a Deployment's",
			owned(hash, ownerRef("apps/v1", "ReplicaSet", "handmade", true)), workload.Ref{}, "ReplicaSet"},
		{"a ReplicaSet's pod without a hash label is not a Deployment's",
			owned(nil, ownerRef("apps/v1", "ReplicaSet", "api-7d9f8c", true)), workload.Ref{}, "ReplicaSet"},
		{"a StatefulSet's pod", owned(nil, ownerRef("apps/v1", "StatefulSet", "db", true)),
			workload.Ref{Namespace: "shop", Kind: workload.StatefulSet, Name: "db"}, workload.StatefulSet},
		{"a DaemonSet's pod", owned(nil, ownerRef("apps/v1", "DaemonSet", "agent", true)),
			workload.Ref{Namespace: "shop", Kind: workload.DaemonSet, Name: "agent"}, workload.DaemonSet},
		{"a Job's pod has no workload", owned(nil, ownerRef("batch/v1", "Job", "migrate", true)), workload.Ref{}, "Job"},
		{"another group's StatefulSet is not one", owned(nil, ownerRef("apps.kruise.io/v1beta1", "StatefulSet", "db", true)), workload.Ref{}, "StatefulSet"},
		{"a bare pod has no owner", owned(nil), workload.Ref{}, ""},
		{"the controller reference wins over others",
			owned(nil, ownerRef("v1", "ConfigMap", "x", false), ownerRef("apps/v1", "DaemonSet", "agent", true)),
			workload.Ref{Namespace: "shop", Kind: workload.DaemonSet, Name: "agent"}, workload.DaemonSet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, kind := OwnerOf(tt.pod)
			if got != tt.want || kind != tt.wantKind {
				t.Errorf("OwnerOf = %+v %q, want %+v %q", got, kind, tt.want, tt.wantKind)
			}
		})
	}
}

func TestPeaksOfTakesTheWorstPodsContainerValuesAndSkipsPodTotalsAndNaN(t *testing.T) {
	got := PeaksOf([]peaks.Sample{
		{Namespace: "shop", Kind: "", Workload: "api", Container: "app", CPUMax: 0.3004, MemMax: 805306368, CPUAvg: 0.1},
		{Namespace: "shop", Kind: "", Workload: "api", Container: peaks.PodTotal, CPUMax: 9, MemMax: 9},
		{Namespace: "shop", Kind: "StatefulSet", Workload: "db", Container: "db", CPUMax: math.NaN(), MemMax: 1},
	})
	want := map[workload.Ref]map[string]Peak{api: {"app": res(300, 768)}}
	if len(got) != 1 || len(got[api]) != 1 || got[api]["app"] != want[api]["app"] {
		t.Errorf("PeaksOf = %+v, want %+v", got, want)
	}
}

func TestTableOfLeavesDeletedRowsOut(t *testing.T) {
	got := TableOf([]control.Row{
		{Namespace: "shop", Kind: "", Workload: "api", Containers: []control.Container{{Name: "app", CPURequestMillis: 400, MemRequestMiB: -1}}},
		{Namespace: "shop", Kind: "StatefulSet", Workload: "db", Deleted: true},
	})
	if len(got) != 1 || got[api]["app"] != (TableContainer{400, -1}) {
		t.Errorf("TableOf = %+v", got)
	}
}
