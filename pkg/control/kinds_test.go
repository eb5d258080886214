//go:build parts

package control

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// A StatefulSet and a Deployment of the same name in one namespace are two rows, each with its
// own versions, and a key without a kind names the Deployment (paths written before kinds).
func TestAStatefulSetAndADeploymentOfOneNameAreTwoRows(t *testing.T) {
	ctx := ctxT(t)
	tbl := New(conn, nil)
	c := newCluster()
	dep := apiRow(c)
	sts := apiRow(c)
	sts.Kind, sts.Replicas.Manual = workload.StatefulSet, 2
	if _, err := tbl.Add(ctx, dep, "ed"); err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.Add(ctx, sts, "ed"); err != nil {
		t.Fatalf("adding the StatefulSet beside the Deployment: %v", err)
	}
	if _, err := tbl.Update(ctx, sts.Key(), Edit{ExpectedVersion: u64(1), ReplicasManual: i32(3)}, "ed"); err != nil {
		t.Fatal(err)
	}
	rows, _, err := tbl.Current(ctx, c, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Kind != workload.Deployment || rows[0].Version != 1 || rows[0].Replicas.Manual != 4 ||
		rows[1].Kind != workload.StatefulSet || rows[1].Version != 2 || rows[1].Replicas.Manual != 3 {
		t.Fatalf("rows %+v", rows)
	}
	only, _, err := tbl.Current(ctx, c, Filter{Kind: workload.StatefulSet})
	if err != nil || len(only) != 1 || only[0].Kind != workload.StatefulSet {
		t.Fatalf("rows of kind StatefulSet: %+v, %v", only, err)
	}
	legacy, err := tbl.Get(ctx, Key{Cluster: c, Namespace: "shop", Workload: "checkout"})
	if err != nil || legacy.Kind != workload.Deployment || legacy.Replicas.Manual != 4 {
		t.Fatalf("a key without a kind read %+v, %v; want the Deployment", legacy, err)
	}
	pols := []v1alpha1.CapacityPolicy{rows[0].Policy(), rows[1].Policy()}
	if pols[0].Name != "checkout" || pols[0].Spec.TargetKind != "" || pols[1].Name != "statefulset.checkout" ||
		pols[1].Spec.TargetKind != workload.StatefulSet || *pols[1].Spec.Replicas != 3 {
		t.Fatalf("policies %+v", pols)
	}
}

// A DaemonSet has no replicas: adding one ignores replica counts, an edit of them is refused
// with a field error, its policy carries none and its JSON leaves replicas out.
func TestADaemonSetRowHasNoReplicasAnywhere(t *testing.T) {
	ctx := ctxT(t)
	tbl := New(conn, nil)
	c := newCluster()
	in := apiRow(c)
	in.Kind, in.Workload = workload.DaemonSet, "node-agent"
	ch, err := tbl.Add(ctx, in, "ed")
	if err != nil {
		t.Fatal(err)
	}
	got := ch.After
	if got.Replicas.Effective != Unset || got.Replicas.Manual != Unset {
		t.Fatalf("a DaemonSet's replicas %+v, want unset", got.Replicas)
	}
	_, err = tbl.Update(ctx, got.Key(), Edit{ExpectedVersion: u64(1), ReplicasManual: i32(2)}, "ed")
	wantField(t, err, "replicasManual")
	if p := got.Policy(); p.Spec.Replicas != nil || p.Spec.TargetKind != workload.DaemonSet || p.Name != "daemonset.node-agent" {
		t.Fatalf("policy %+v", p)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if _, has := m["replicas"]; has || m["kind"] != workload.DaemonSet || m["workload"] != "node-agent" {
		t.Fatalf("JSON %s: want kind DaemonSet and no replicas", b)
	}
	if b, _ := json.Marshal(apiRow(c)); !strings.Contains(string(b), `"replicas":`) {
		t.Fatalf("a Deployment's JSON lost its replicas: %s", b)
	}
}

func TestAnUnknownKindIsAFieldError(t *testing.T) {
	k := Key{Cluster: "c", Namespace: "shop", Kind: "CronJob", Workload: "x"}
	wantField(t, ValidateKey(k), "kind")
	if _, err := New(conn, nil).Add(ctxT(t), Row{Cluster: "c", Namespace: "shop", Kind: "Job", Workload: "x"}, "ed"); err == nil {
		t.Fatal("a row of kind Job was added")
	}
}
