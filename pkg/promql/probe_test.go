package promql

import (
	"testing"
	"time"
)

func TestPodSeriesInCountsTheClustersPodOwnersOverTheRange(t *testing.T) {
	tests := []struct {
		name string
		s    Scope
		rng  time.Duration
		want string
	}{
		{"a shared Prometheus", Scope{ClusterKey: "cluster", ClusterValue: "prod-b"}, 90 * time.Minute,
			`count(last_over_time(kube_pod_owner{cluster="prod-b"}[5400s]))`},
		{"a label value that needs escaping", Scope{ClusterKey: "k8s_cluster", ClusterValue: `a"b`}, time.Hour,
			`count(last_over_time(kube_pod_owner{k8s_cluster="a\"b"}[3600s]))`},
		// Namespace and pods narrow the collector's queries, never the day probe.
		{"one cluster per Prometheus", Scope{Namespace: "shop", Pods: []string{"x"}}, 90*time.Minute + time.Millisecond,
			`count(last_over_time(kube_pod_owner{}[5401s]))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PodSeriesIn(tt.s, tt.rng); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
