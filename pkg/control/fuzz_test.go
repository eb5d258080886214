package control

import (
	"encoding/json"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

// Whatever a caller sends as an add or an edit, validation either refuses it with a field error
// or yields a row the webhook can enforce: set requests within their limits, known sources,
// valid names, replicas in range.
func FuzzAddAndEdit(f *testing.F) {
	f.Add([]byte(`{"cluster":"prod-a","namespace":"shop","workload":"api","replicas":{"manual":3},"containers":[{"name":"app","cpuRequestMillis":250,"cpuLimitMillis":1000,"memRequestMiB":256,"memLimitMiB":-1}]}`),
		[]byte(`{"expectedVersion":1,"replicasManual":-1,"containers":[{"name":"app","cpuLimitMillis":100,"resetToCollected":["memRequest"]}]}`))
	f.Add([]byte(`{"cluster":"","replicas":{"manual":-1}}`), []byte(`{"containers":[{"name":"Bad_Name"}]}`))
	f.Fuzz(func(t *testing.T, addBody, editBody []byte) {
		var in Row
		if json.Unmarshal(addBody, &in) != nil {
			return
		}
		row, err := NewRow(in)
		if err != nil {
			if _, ok := refusal.AsFieldError(err); !ok {
				t.Fatalf("add refused without naming a field: %v", err)
			}
			return
		}
		checkEnforceable(t, row)
		row.Replicas.Observed = 2 // as if collected, so an edit may unset manual replicas
		var e Edit
		if json.Unmarshal(editBody, &e) != nil {
			return
		}
		next, err := e.Apply(row)
		if err != nil {
			if _, ok := refusal.AsFieldError(err); !ok {
				t.Fatalf("edit refused without naming a field: %v", err)
			}
			return
		}
		checkEnforceable(t, next)
	})
}

func checkEnforceable(t *testing.T, r Row) {
	t.Helper()
	if err := ValidateKey(r.Key()); err != nil {
		t.Fatalf("accepted key %v: %v", r.Key(), err)
	}
	if r.Replicas.Manual < Unset || r.Replicas.Manual > MaxReplicas {
		t.Fatalf("accepted replicas %d", r.Replicas.Manual)
	}
	if err := validateContainers(r.Containers, "containers", nil); err != nil {
		t.Fatalf("accepted containers that do not validate: %v", err)
	}
	for _, c := range r.Containers {
		if over(c.CPURequestMillis, c.CPULimitMillis) || over(c.MemRequestMiB, c.MemLimitMiB) {
			t.Fatalf("accepted a request above its limit: %+v", c)
		}
	}
}
