package actions

import (
	"encoding/json"
	"testing"
)

func TestResultsEncodeAsTheAPIsActionResult(t *testing.T) {
	b, err := json.Marshal(Result{Workload: Workload{Cluster: "c", Namespace: "n", Kind: "StatefulSet", Name: "w"}, OK: true, Before: ReplicasState{1}, After: ReplicasState{2}})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"cluster":"c","namespace":"n","kind":"StatefulSet","workload":"w","ok":true,"before":{"replicas":1},"after":{"replicas":2}}` {
		t.Fatalf("%s", b)
	}
}
