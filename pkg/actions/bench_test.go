//go:build parts

package actions

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
)

// BenchmarkRestartBatch: a batch restart of 20 Deployments (no pause) against the real
// kube-apiserver, each item read, patched and audited in the embedded store.
func BenchmarkRestartBatch(b *testing.B) {
	ns := namespace(b)
	items := make([]Workload, 20)
	for i := range items {
		items[i] = Workload{Cluster: "test", Namespace: ns, Name: fmt.Sprintf("w%d", i)}
	}
	for _, w := range items {
		deployment(b, ns, w.Name, 1, nil)
	}
	r := New(Deps{Kube: kubeFor, Audit: audit.New(conn), Log: slog.New(slog.DiscardHandler)})
	b.ResetTimer()
	for b.Loop() {
		for _, res := range r.Restart(b.Context(), RestartRequest{Items: items}, Actor{User: "bench"}) {
			if !res.OK {
				b.Fatal(res.Error)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(len(items)), "ms/item")
}
