//go:build parts

package resize

import (
	"context"
	"fmt"
	"testing"

	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// flipping reads the real row and alternates its CPU request, so every run changes every pod.
type flipping struct {
	Rows
	n int
}

func (f *flipping) Get(ctx context.Context, k control.Key) (control.Row, error) {
	row, err := f.Rows.Get(ctx, k)
	f.n++
	if err == nil {
		row.Containers[0].CPURequestMillis = 200 + int64(f.n%2)*100
	}
	return row, err
}

// BenchmarkResizeThroughput resizes a 20-pod Deployment per iteration through pods/resize on the
// real apiserver with pause 0 and no wait for a kubelet (there is none here): the API-side cost
// of an in-place resize, one at a time and with a PodDisruptionBudget allowing 4 at once.
//
//	go test -run '^$' -bench BenchmarkResizeThroughput -benchtime 20x ./pkg/resize/
func BenchmarkResizeThroughput(b *testing.B) {
	needKube(b)
	const pods = 20
	for _, inFlight := range []int{1, 4} {
		b.Run(fmt.Sprintf("inFlight=%d", inFlight), func(b *testing.B) {
			ns := namespace(b)
			createWorkload(b, ns, workload.Deployment, "bench")
			for i := range pods {
				createPod(b, ns, workload.Deployment, "bench", fmt.Sprintf("bench-%02d", i), res("100m/256Mi", ""))
			}
			if inFlight > 1 {
				mu := intstr.FromInt32(int32(inFlight))
				_, err := kube.Clientset().PolicyV1().PodDisruptionBudgets(ns).Create(b.Context(), &policyv1.PodDisruptionBudget{
					ObjectMeta: metav1.ObjectMeta{Name: "bench"},
					Spec: policyv1.PodDisruptionBudgetSpec{MaxUnavailable: &mu,
						Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "bench"}}}}, metav1.CreateOptions{})
				if err != nil {
					b.Fatal(err)
				}
			}
			addRow(b, ns, workload.Deployment, "bench", 200, u, u, u)
			r := runner(func(d *Deps) { d.Rows = &flipping{Rows: d.Rows} })
			w := actions.Workload{Cluster: "test", Namespace: ns, Name: "bench"}
			b.ResetTimer()
			for range b.N {
				got := r.Workload(b.Context(), w, 0, actions.Actor{User: "bench"})
				if !got.OK || len(outcome(b, got.After).Pods) != pods {
					b.Fatalf("%+v", got)
				}
			}
			b.ReportMetric(float64(pods*b.N)/b.Elapsed().Seconds(), "pods/s")
		})
	}
}
