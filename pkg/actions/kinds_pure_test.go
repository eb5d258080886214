package actions

import (
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

func TestValidationNamesAnUnknownKindAndADaemonSetScaleAndNormalisesKinds(t *testing.T) {
	known := func(string) bool { return true }
	items := []Workload{{Cluster: "c", Namespace: "n", Name: "a"}, {Cluster: "c", Namespace: "n", Kind: "STATEFULSET", Name: "b"}, {Cluster: "c", Namespace: "n", Kind: "daemonset", Name: "d"}}
	if fe := ValidateBatch("items", items, 0, known); fe != nil {
		t.Fatalf("valid batch refused: %v", fe)
	}
	if items[0].Kind != workload.Deployment || items[1].Kind != workload.StatefulSet || items[2].Kind != workload.DaemonSet {
		t.Fatalf("kinds not normalised: %+v", items)
	}
	if fe := ValidateScalable("items", items); fe == nil || fe.Field != "items[2].kind" || !strings.Contains(fe.Reason, "one pod per eligible node") {
		t.Fatalf("a DaemonSet scale: %+v", fe)
	}
	if fe := ValidateScalable("items", items[:2]); fe != nil {
		t.Fatalf("Deployments and StatefulSets scale: %v", fe)
	}
	bad := []Workload{{Cluster: "c", Namespace: "n", Name: "a"}, {Cluster: "c", Namespace: "n", Kind: "Job", Name: "b"}}
	if fe := ValidateBatch("items", bad, 0, known); fe == nil || fe.Field != "items[1].kind" || !strings.Contains(fe.Reason, "Deployment, StatefulSet, DaemonSet") {
		t.Fatalf("an unknown kind: %+v", fe)
	}
}
