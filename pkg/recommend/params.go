// Package recommend derives the control table from peak samples (docs/design.md §6).
//
// Derive is a pure function: given the last N days of samples, the table's current rows and
// the time, it returns the rows that change (each as its next version) and a report of what
// it decided. Deriver runs it against the store: it reads the samples and the current rows,
// calls Derive and writes the changed rows in one insert.
//
// The rules, in the order they apply to a workload:
//
//   - Window: the N calendar days before today in the cluster's time zone. Today is left out
//     because its peak window may not have ended or been collected yet.
//   - Pods of a workload on a day: the most replicas its spec asked for in the peak window
//     (replicas_desired); without that series the median of its Ready pods over the window;
//     for a sample collected before either was stored, the most Ready pods. Never the fewest
//     Ready pods, which a rollout, a crash loop or a drain dips for a moment, down to 0.
//   - Load of a workload on a day: pods × Σ over its containers of the pod-average CPU
//     quantile (cores), i.e. the CPU the whole workload used at that day's peak. Pod-total rows
//     (container "") are not used, so the definition does not depend on whether the collector
//     wrote them. Sidecars count: the pod needed their CPU too.
//   - Chosen day. Mode per-workload: the workload's own day with the highest load. Mode
//     kubedoor: the one day with the highest cluster load (Σ over workloads), used for every
//     workload — KubeDoor's rule; a workload with no samples that day is left as it is. Ties
//     go to the later day (fresher data).
//   - Requests, per container name (sidecars are their own containers): that day's worst-pod
//     quantile × (1 + headroom); memory gets the OOM bump (×1.2 or +100 MiB, whichever is
//     larger) when that container had OOM kills that day and the bump is on; then the floors
//     (default 10m CPU, 1 MiB); then rounded UP to whole millicores / MiB. A value within 1e-6
//     of a whole number counts as that number (0.35 cores is 350m, not 351m).
//   - Limits: taken from the observed limit while the row's limit is unset and collected;
//     once set, only a person changes them.
//   - Clamp: a collected request above its limit is lowered to the limit, noted on the row
//     and reported.
//   - Replicas: observed = pods on the chosen day, raised to the cluster's minReplicas (default
//     1) with a note on the row — except for a Deployment whose spec was at 0 for the whole
//     window, which was scaled to zero on purpose and is observed at 0 (the only way to 0).
//     replicas.observedFrom records which statistic it is (desired, ready-median, ready-max,
//     floor). The maximum of the spec is taken, not the value held longest: the window is the
//     peak, and what it was scaled up to for the peak is what it needs; a brief scale-down
//     never lowers it, and it is 0 only when the spec was 0 throughout. Manual is never set by
//     the derivation.
//   - Replicas recommended (RecommendReplicas): the pods needed for each pod to run the chosen
//     day's peak at a target share of its request — the HPA's formula, usage / request of the
//     running pods: ceil(pods × Σ containers' pod-average quantile / (Σ requests per pod ×
//     target)), for CPU (target 0.7) and memory (0.8), the larger winning. The requests are
//     those the pods ran with that day (peak_samples cpu_request/mem_request), a container
//     without one measured against the table's request as this derivation leaves it; with no
//     request for either resource there is no recommendation. Then raised to minReplicas, and
//     to 2 when it ran 2 or more pods (availability); a cut limited to maxStepDown of the pods
//     at the peak (at least one pod when maxStepDown > 0, none at 0), so a deep cut takes
//     several derivations; capped at maxReplicas. A Deployment at 0 the whole window, or with no
//     pods at the peak, gets none. When an HPA targets the workload (peak_samples
//     hpa_min_replicas not NULL) the same number is advice for the HPA's minReplicas
//     (recommendedFor "hpaMinReplicas") and never enforced. replicas.recommendedReason says
//     why in one sentence; replicas.recommendedActive = the cluster's recommend switch is on
//     and the recommendation is for the replicas, and only then does it take part in the
//     effective replicas (manual > recommended > observed). A switch change is applied by a
//     derivation: saving a changed recommend block through the API runs one.
//   - Manual fields (source "manual") are never changed. A row removed from control by hand
//     (deleted) is not brought back. A workload seen for the first time is added and listed in
//     the report's New (once: from then on it has a row). A workload not seen is kept as is.
//   - Only rows whose content changed get a new version, so re-deriving unchanged input writes
//     nothing.
package recommend

import (
	"fmt"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
)

// Modes of choosing the day a workload's values come from.
const (
	ModePerWorkload = "per-workload"
	ModeKubeDoor    = "kubedoor"
)

// Params tune the derivation; the cluster settings map onto them.
type Params struct {
	Days           int            // look-back window in days, 1..90 (default 10)
	Mode           string         // ModePerWorkload (default) or ModeKubeDoor
	Headroom       float64        // requests = quantile × (1 + Headroom), 0..10
	CPUFloorMillis int64          // minimum CPU request (default 10)
	MemFloorMiB    int64          // minimum memory request (default 1)
	OOMBump        bool           // raise memory requests after OOM kills
	MinReplicas    int32          // replicas observed never go below it (default 1), except for a Deployment at 0 the whole window
	Location       *time.Location // the cluster's time zone, for "today" (nil = UTC)
	Recommend      RecommendParams
}

// DefaultParams are docs/design.md §6's defaults.
func DefaultParams() Params {
	return Params{Days: 10, Mode: ModePerWorkload, CPUFloorMillis: 10, MemFloorMiB: 1, OOMBump: true, MinReplicas: 1, Location: time.UTC,
		Recommend: DefaultRecommendParams()}
}

// Validate reports the first parameter out of range.
func (p Params) Validate() error {
	switch {
	case p.Days < 1 || p.Days > 90:
		return fmt.Errorf("days must be 1..90, got %d", p.Days)
	case p.Mode != ModePerWorkload && p.Mode != ModeKubeDoor:
		return fmt.Errorf("mode must be %q or %q, got %q", ModePerWorkload, ModeKubeDoor, p.Mode)
	case !(p.Headroom >= 0 && p.Headroom <= 10): // also refuses NaN
		return fmt.Errorf("headroom must be 0..10, got %v", p.Headroom)
	case p.CPUFloorMillis < 0 || p.CPUFloorMillis > 100_000:
		return fmt.Errorf("CPU floor must be 0..100000 millicores, got %d", p.CPUFloorMillis)
	case p.MemFloorMiB < 0 || p.MemFloorMiB > 1<<20:
		return fmt.Errorf("memory floor must be 0..1048576 MiB, got %d", p.MemFloorMiB)
	case p.MinReplicas < 0 || p.MinReplicas > control.MaxReplicas:
		return fmt.Errorf("minReplicas must be 0..%d, got %d", control.MaxReplicas, p.MinReplicas)
	}
	return p.Recommend.validate()
}

// Window returns the first and last day (midnight UTC dates, as the store keeps days) the
// derivation at now looks at: the Days days before today in p.Location.
func (p Params) Window(now time.Time) (first, last time.Time) {
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return today.AddDate(0, 0, -p.Days), today.AddDate(0, 0, -1)
}
