package decision

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
)

// BenchmarkDecide measures the pure decision for the common requests (BENCHMARKS.md, Webhook).
func BenchmarkDecide(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   Input
	}{
		{"create-full-patch", create(deployment(1))},
		{"rollout-restart", update(deployment(6), deployment(6, restarted))},
		{"scale", scaleTo(10, deployment(4))},
		{"compliant-update", update(deployment(4), deployment(4, func(d *appsv1.Deployment) { d.Labels["x"] = "y" }))},
		{"unknown-deny", without(create(deployment(1)))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Decide(bc.in)
			}
		})
	}
}
