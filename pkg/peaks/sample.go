// Package peaks holds the daily peak samples: what each workload's containers used inside one
// day's peak window, as the collector measured it, and the queries that read them back.
package peaks

import (
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// PodTotal is the Container value of a row that holds a pod's total (the sum of its containers),
// kept for dashboards; requests are never derived from it.
const PodTotal = ""

// Sample is one row of peak_samples: one container name of one workload on one day.
// CPU values are cores, memory values bytes; 0 means "not set" for requests and limits.
type Sample struct {
	Cluster   string
	Namespace string
	Kind      string // Deployment, StatefulSet or DaemonSet (pkg/workload); "" reads as Deployment
	Workload  string // the workload's name
	Container string // container name, or PodTotal
	Day       time.Time
	// WindowStart and WindowEnd are the peak window the values come from, in UTC.
	WindowStart, WindowEnd time.Time

	PodsMin, PodsMax uint32 // fewest and most Running+Ready pods in the window
	// ReplicasDesired is the most replicas the Deployment's spec asked for in the window
	// (kube_deployment_spec_replicas); nil when that series is missing, and in rows collected
	// before it was stored.
	ReplicasDesired *uint32
	// PodsReadyMedian is the median of the Running+Ready pods over the window's steps, rounded
	// up; when that is 0 while some step had a Ready pod, the median over those steps. nil in
	// rows collected before it was stored.
	PodsReadyMedian *uint32
	// HPAMinReplicas is the minReplicas of the HorizontalPodAutoscaler targeting the workload
	// in the window; nil when none does, and in rows collected before it was stored.
	HPAMinReplicas *uint32

	// CPUMax and MemMax are the worst pod's quantile-over-time; CPUAvg and MemAvg the mean of
	// the pods' quantiles. Quantile says which quantile (default 0.95).
	CPUMax, CPUAvg float64
	MemMax, MemAvg float64
	Quantile       float64

	CPURequest, CPULimit float64
	MemRequest, MemLimit float64
	CPUPctOfLimit        float64 // CPUMax / CPULimit × 100; 0 without a limit
	MemPctOfLimit        float64 // MemMax / MemLimit × 100; 0 without a limit
	ThrottlingRatio      float64 // throttled / total CFS periods in the window, 0..1
	OOMKills             uint32

	CollectedAt time.Time
}

// Columns are peak_samples' columns in the order Row returns values.
var Columns = []string{
	"cluster", "namespace", "kind", "workload", "container", "day", "window_start", "window_end",
	"pods_min", "pods_max", "replicas_desired", "pods_ready_median", "hpa_min_replicas", "cpu_p95_max", "cpu_p95_avg", "mem_p95_max", "mem_p95_avg",
	"cpu_request", "cpu_limit", "mem_request", "mem_limit", "cpu_pct_of_limit", "mem_pct_of_limit",
	"throttling_ratio", "oom_kills", "quantile", "collected_at",
}

// Row returns the sample's values in Columns order, for store.Conn.Insert.
func (s Sample) Row() []any {
	return []any{
		s.Cluster, s.Namespace, workload.Kind(s.Kind), s.Workload, s.Container, s.Day, s.WindowStart.UTC(), s.WindowEnd.UTC(),
		s.PodsMin, s.PodsMax, s.ReplicasDesired, s.PodsReadyMedian, s.HPAMinReplicas, s.CPUMax, s.CPUAvg, s.MemMax, s.MemAvg,
		s.CPURequest, s.CPULimit, s.MemRequest, s.MemLimit, s.CPUPctOfLimit, s.MemPctOfLimit,
		s.ThrottlingRatio, s.OOMKills, s.Quantile, s.CollectedAt.UTC(),
	}
}

// Uint32 returns a pointer to v, for the optional counts.
func Uint32(v uint32) *uint32 { return &v }
