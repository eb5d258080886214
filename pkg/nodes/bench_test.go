package nodes

import (
	"fmt"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// bigCluster is n nodes of 16 cores / 64 GiB with podsPerNode pods each: 1 DaemonSet pod and
// the rest from 500 Deployments, every other one under the table and with stored peaks.
func bigCluster(n, podsPerNode int) Input {
	in := Input{Table: map[workload.Ref]TableRequests{}, Peaks: map[workload.Ref]map[string]Peak{}}
	for w := range 500 {
		ref := workload.Ref{Namespace: "shop", Kind: workload.Deployment, Name: fmt.Sprint("w", w)}
		if w%2 == 0 {
			in.Table[ref] = TableRequests{"app": {CPURequestMillis: int64(50 + w%400), MemRequestMiB: int64(64 + w%512)}}
			in.Peaks[ref] = map[string]Peak{"app": res(int64(20+w%300), int64(32+w%400))}
		}
	}
	for i := range n {
		node := fmt.Sprintf("node-%04d", i)
		in.Nodes = append(in.Nodes, Node{Name: node, Allocatable: res(16000, 65536)})
		in.Pods = append(in.Pods, pod("agent-"+node, node, agent, "agent", 100, 128))
		for j := 1; j < podsPerNode; j++ {
			w := (i*podsPerNode + j) % 500
			ref := workload.Ref{Namespace: "shop", Kind: workload.Deployment, Name: fmt.Sprint("w", w)}
			in.Pods = append(in.Pods, pod(fmt.Sprintf("p-%d-%d", i, j), node, ref, "app", int64(100+w%900), int64(128+w%1024)))
		}
	}
	return in
}

// go test -run '^$' -bench Compute -benchmem ./pkg/nodes/ (BENCHMARKS.md "Nodes").
func BenchmarkCompute(b *testing.B) {
	for _, size := range []struct{ nodes, pods int }{{100, 30}, {1000, 30}} {
		in := bigCluster(size.nodes, size.pods)
		b.Run(fmt.Sprintf("%dnodes-%dpods", size.nodes, size.nodes*size.pods), func(b *testing.B) {
			for b.Loop() {
				Compute(in)
			}
		})
	}
}
