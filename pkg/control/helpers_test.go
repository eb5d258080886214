package control

// Helpers shared by the pure tests and the engine tests (table_test.go, tagged parts).

import (
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

func i64(v int64) *int64 { return &v }
func i32(v int32) *int32 { return &v }
func u64(v uint64) *uint64 {
	return &v
}

func apiRow(cluster string) Row {
	return Row{
		Cluster: cluster, Namespace: "shop", Workload: "checkout",
		Replicas:   Replicas{Manual: 4},
		Containers: []Container{{Name: "app", CPURequestMillis: 500, CPULimitMillis: 2000, MemRequestMiB: 1024, MemLimitMiB: 2048}},
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	fe, ok := refusal.AsFieldError(err)
	if !ok {
		t.Fatalf("error %v, want a field error on %s", err, field)
	}
	if fe.Field != field {
		t.Fatalf("field error on %q (%s), want %q", fe.Field, fe.Reason, field)
	}
}
