package control

import (
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Audit IDs of a Deployment's versions stay what they were before kinds existed; another kind's
// differ from a same-named Deployment's.
func TestAuditIDsKeepDeploymentsAndSeparateKinds(t *testing.T) {
	dep := Key{Cluster: "c", Namespace: "shop", Workload: "db"}
	if dep.AuditID(3) != dep.Canonical().AuditID(3) {
		t.Fatal("the ID of a key without a kind differs from the Deployment's")
	}
	sts := Key{Cluster: "c", Namespace: "shop", Kind: workload.StatefulSet, Workload: "db"}
	if dep.AuditID(3) == sts.AuditID(3) {
		t.Fatal("a StatefulSet's version has the ID of the same-named Deployment's")
	}
	if sts.Target() != "shop/StatefulSet/db" || dep.Target() != "shop/db" {
		t.Fatalf("targets %q %q", sts.Target(), dep.Target())
	}
}
