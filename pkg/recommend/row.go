package recommend

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	wkind "github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// adjustments are the values deriveRow moved.
type adjustments struct{ bumped, clamped []Adjustment }

// deriveRow applies the rules to one workload on its chosen day. cur is its current row (nil
// for a new workload).
func deriveRow(p Params, cluster string, k wkey, cur *control.Row, day *dayData, history []peaks.Sample) (control.Row, adjustments) {
	var adj adjustments
	var next control.Row
	if cur != nil {
		next = cur.Clone()
	} else {
		next = control.Row{
			Cluster: cluster, Namespace: k.ns, Kind: k.kind, Workload: k.wl,
			Replicas: control.Replicas{Manual: control.Unset, Recommended: control.Unset, Observed: control.Unset},
		}
	}
	next.Notes = []string{}
	next.PeakDay = control.FormatDay(day.day)
	if !wkind.HasReplicas(k.kind) {
		next.Replicas = control.Replicas{Manual: control.Unset, Recommended: control.Unset, Observed: control.Unset,
			RecommendedReason: control.ReasonNoReplicas}
		next.Replicas.Resolve()
		deriveResources(p, &next, &adj, day, history)
		next.Notes = append(next.Notes, spreadNotes(day, history)...)
		return next, adj
	}
	next.Replicas.Observed = int32(min(day.pods, math.MaxInt32))
	next.Replicas.ObservedFrom = day.podsFrom
	// The floor: a Deployment whose spec was at 0 the whole window was scaled to zero on
	// purpose and stays there; anything else never goes below the cluster's minReplicas.
	if atZero := day.podsFrom == control.ObservedDesired && day.pods == 0; !atZero && next.Replicas.Observed < p.MinReplicas {
		next.Notes = append(next.Notes, fmt.Sprintf("replicas observed raised from %d (%s on %s) to the cluster's minReplicas %d",
			next.Replicas.Observed, observedWhat[day.podsFrom], next.PeakDay, p.MinReplicas))
		next.Replicas.Observed, next.Replicas.ObservedFrom = p.MinReplicas, control.ObservedFloor
	}
	next.Replicas.Resolve()

	deriveResources(p, &next, &adj, day, history)
	recommendRow(p, &next, day, history)
	return next, adj
}

// deriveResources sets the collected requests and limits of next's containers from the day.
func deriveResources(p Params, next *control.Row, adj *adjustments, day *dayData, history []peaks.Sample) {
	existing := len(next.Containers)
	for _, i := range day.containers {
		s := &history[i]
		idx := next.Container(s.Container)
		if idx < 0 {
			next.Containers = append(next.Containers, control.NewContainer(s.Container))
			idx = len(next.Containers) - 1
		}
		c := &next.Containers[idx]
		// adjust records a value the rules moved: on the row as a note, in the report under to.
		adjust := func(to *[]Adjustment, a Adjustment) {
			a.Namespace, a.Kind, a.Workload, a.Container = next.Namespace, next.Kind, next.Workload, c.Name
			next.Notes = append(next.Notes, a.Reason)
			*to = append(*to, a)
		}

		// Limits first: a request is clamped to the limit in force.
		if c.Sources.CPULimit == control.SourceCollected && c.CPULimitMillis == control.Unset && s.CPULimit > 0 {
			c.CPULimitMillis = roundUp(s.CPULimit*1000, control.MaxCPUMillis)
		}
		if c.Sources.MemLimit == control.SourceCollected && c.MemLimitMiB == control.Unset && s.MemLimit > 0 {
			c.MemLimitMiB = roundUp(s.MemLimit/mib, control.MaxMemMiB)
		}

		if c.Sources.CPURequest == control.SourceCollected {
			c.CPURequestMillis = max(roundUp(clean(s.CPUMax)*1000*(1+p.Headroom), control.MaxCPUMillis), p.CPUFloorMillis)
		}
		if c.Sources.MemRequest == control.SourceCollected {
			mem := clean(s.MemMax) / mib * (1 + p.Headroom)
			if p.OOMBump && s.OOMKills > 0 {
				plain := max(roundUp(mem, control.MaxMemMiB), p.MemFloorMiB)
				mem = max(mem*oomFactor, mem+oomAddMiB)
				c.MemRequestMiB = max(roundUp(mem, control.MaxMemMiB), p.MemFloorMiB)
				adjust(&adj.bumped, Adjustment{Field: control.FieldMemRequest, From: plain, To: c.MemRequestMiB,
					Reason: fmt.Sprintf("memory request of %s raised from %d to %d MiB after %d OOM kill(s) on %s", c.Name, plain, c.MemRequestMiB, s.OOMKills, next.PeakDay)})
			} else {
				c.MemRequestMiB = max(roundUp(mem, control.MaxMemMiB), p.MemFloorMiB)
			}
		}

		if over(c.CPURequestMillis, c.CPULimitMillis) {
			if c.Sources.CPURequest == control.SourceCollected {
				from := c.CPURequestMillis
				c.CPURequestMillis = c.CPULimitMillis
				adjust(&adj.clamped, Adjustment{Field: control.FieldCPURequest, From: from, To: c.CPURequestMillis,
					Reason: fmt.Sprintf("cpu request of %s clamped from %dm to its limit %dm", c.Name, from, c.CPULimitMillis)})
			} else {
				next.Notes = append(next.Notes, fmt.Sprintf("manual cpu request of %s (%dm) is above its limit (%dm)", c.Name, c.CPURequestMillis, c.CPULimitMillis))
			}
		}
		if over(c.MemRequestMiB, c.MemLimitMiB) {
			if c.Sources.MemRequest == control.SourceCollected {
				from := c.MemRequestMiB
				c.MemRequestMiB = c.MemLimitMiB
				adjust(&adj.clamped, Adjustment{Field: control.FieldMemRequest, From: from, To: c.MemRequestMiB,
					Reason: fmt.Sprintf("memory request of %s clamped from %d MiB to its limit %d MiB", c.Name, from, c.MemLimitMiB)})
			} else {
				next.Notes = append(next.Notes, fmt.Sprintf("manual memory request of %s (%d MiB) is above its limit (%d MiB)", c.Name, c.MemRequestMiB, c.MemLimitMiB))
			}
		}
	}
	// Containers seen for the first time go after the known ones, by name.
	slices.SortStableFunc(next.Containers[existing:], func(a, b control.Container) int { return cmp.Compare(a.Name, b.Name) })
}

// recommendRow sets the row's recommended replicas from its chosen day (RecommendReplicas),
// measuring containers without a request that day against the table's (as just derived).
func recommendRow(p Params, next *control.Row, day *dayData, history []peaks.Sample) {
	in := ReplicaInput{Pods: day.pods, AtZero: day.podsFrom == control.ObservedDesired && day.pods == 0}
	for _, i := range day.containers {
		s := &history[i]
		if s.HPAMinReplicas != nil {
			in.HPAMinReplicas = s.HPAMinReplicas
		}
		u := ContainerUse{CPUAvg: s.CPUAvg, MemAvg: s.MemAvg, CPURequest: s.CPURequest, MemRequest: s.MemRequest,
			TableCPUMillis: control.Unset, TableMemMiB: control.Unset}
		if j := next.Container(s.Container); j >= 0 {
			u.TableCPUMillis, u.TableMemMiB = next.Containers[j].CPURequestMillis, next.Containers[j].MemRequestMiB
		}
		in.Containers = append(in.Containers, u)
	}
	for _, i := range day.totals {
		if s := &history[i]; s.HPAMinReplicas != nil {
			in.HPAMinReplicas = s.HPAMinReplicas
		}
	}
	cpu, mem := p.Recommend.targets(next.Namespace, next.Kind, next.Workload)
	rec := RecommendReplicas(in, ReplicaTargets{CPU: cpu, Mem: mem, MinReplicas: p.MinReplicas,
		MaxReplicas: p.Recommend.MaxReplicas, MaxStepDown: p.Recommend.MaxStepDown})
	r := &next.Replicas
	r.Recommended, r.RecommendedFor, r.RecommendedReason = rec.Replicas, rec.For, rec.Reason
	r.RecommendedActive = p.Recommend.Enabled && rec.For == control.RecommendedForReplicas
	r.Resolve()
}

// observedWhat names each statistic in the floor's note.
var observedWhat = map[string]string{
	control.ObservedDesired:     "desired replicas",
	control.ObservedReadyMedian: "median Ready pods",
	control.ObservedReadyMax:    "most Ready pods",
}

func over(request, limit int64) bool { return request >= 0 && limit >= 0 && request > limit }
