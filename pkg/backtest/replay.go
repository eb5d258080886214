// Package backtest replays a control-table row — the current one or a proposed one — against a
// workload's stored daily peaks: on how many of the last N days its worst pod would have run over
// the request, near the CPU limit (throttling) or near the memory limit (OOM), and how much
// headroom the worst day left. Every number comes from stored peak samples; Replay is a pure
// function over them, Service reads them.
package backtest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
)

// Thresholds of the day rules.
const (
	// ThrottleShare: a worst-pod CPU at or above this share of the CPU limit is a throttling
	// risk ("within 10 % of or above the limit"); CFS throttling starts before the average
	// reaches the limit because usage is bursty inside each 100 ms period.
	ThrottleShare = 0.9
	// OOMShare: a worst-pod working set above this share of the memory limit is an OOM risk.
	OOMShare = 0.9
)

// Proposal is the row under test, in the control table's units (millicores, MiB). -1 (or, for
// requests, 0) leaves a value as it ran that day — as the webhook keeps what the Deployment
// sends for an unset field. Containers the proposal does not name run as they ran.
type Proposal struct {
	// Replicas: -1 = as many pods as ran that day.
	Replicas   int32       `json:"replicas"`
	Containers []Container `json:"containers"`
}

// Container is one container's proposed values.
type Container struct {
	Name             string `json:"name"`
	CPURequestMillis int64  `json:"cpuRequestMillis"`
	CPULimitMillis   int64  `json:"cpuLimitMillis"`
	MemRequestMiB    int64  `json:"memRequestMiB"`
	MemLimitMiB      int64  `json:"memLimitMiB"`
}

// ProposalOf is the proposal a control-table row makes: its effective replicas and containers.
func ProposalOf(r control.Row) Proposal {
	rep := r.Replicas
	rep.Resolve()
	p := Proposal{Replicas: rep.Effective, Containers: make([]Container, len(r.Containers))}
	for i, c := range r.Containers {
		p.Containers[i] = Container{Name: c.Name, CPURequestMillis: c.CPURequestMillis, CPULimitMillis: c.CPULimitMillis,
			MemRequestMiB: c.MemRequestMiB, MemLimitMiB: c.MemLimitMiB}
	}
	return p
}

// Day is one replayed day. CPU in cores, memory in bytes, as peak data keep them.
type Day struct {
	Day     string `json:"day"`
	PodsMax uint32 `json:"podsMax"`
	// OverRequest: some container's worst pod used more than its request.
	OverRequest bool `json:"overRequest"`
	// ThrottleRisk: some container's worst pod came within 10 % of its CPU limit or above it.
	ThrottleRisk bool `json:"throttleRisk"`
	// OOMRisk: some container's worst pod's working set was above 90 % of its memory limit.
	OOMRisk bool `json:"oomRisk"`
	// ThrottlingRatio (highest of the containers) and OOMKills (all containers) as stored.
	ThrottlingRatio float64 `json:"throttlingRatio"`
	OOMKills        uint32  `json:"oomKills"`
	// Headroom is the day's smallest (request − usage) / request over containers and resources;
	// negative when over; nil when no request applies.
	Headroom   *float64       `json:"headroom"`
	Containers []ContainerDay `json:"containers"`
}

// ContainerDay is one container on one day: the worst pod's usage (CPU scaled to the proposed
// replicas) against the requests and limits it would have had. 0 = no request/limit.
type ContainerDay struct {
	Name       string  `json:"name"`
	CPU        float64 `json:"cpu"`
	CPURequest float64 `json:"cpuRequest"`
	CPULimit   float64 `json:"cpuLimit"`
	Mem        float64 `json:"mem"`
	MemRequest float64 `json:"memRequest"`
	MemLimit   float64 `json:"memLimit"`
}

// Worst is where the least headroom was left.
type Worst struct {
	Day       string  `json:"day"`
	Container string  `json:"container"`
	Resource  string  `json:"resource"` // "cpu" | "memory"
	Usage     float64 `json:"usage"`
	Request   float64 `json:"request"`
	Headroom  float64 `json:"headroom"`
}

// Result is a backtest.
type Result struct {
	Proposal Proposal `json:"proposal"`
	// Days is how many days were asked for; DaysWithData how many of them have samples.
	Days             int    `json:"days"`
	DaysWithData     int    `json:"daysWithData"`
	OverRequestDays  int    `json:"overRequestDays"`
	ThrottleRiskDays int    `json:"throttleRiskDays"`
	OOMRiskDays      int    `json:"oomRiskDays"`
	OOMKillDays      int    `json:"oomKillDays"`
	Worst            *Worst `json:"worst"`
	// Summary is the result in one sentence, for the edit dialog.
	Summary string   `json:"summary"`
	Items   []Day    `json:"items"` // oldest first
	Notes   []string `json:"notes"`
}

// Replay applies p to samples (one workload's container samples, any order) over a range of
// days. Per day and container, the worst pod's CPU is scaled by pods/replicas — the peak's work
// shared by the proposed number of pods, with pods the most that were Ready in the window, so a
// cut is judged against the fuller spread and never looks safer than it was — while memory is
// taken as measured: a pod's working set mostly does not shrink when more pods share the load.
func Replay(p Proposal, samples []peaks.Sample, days int) Result {
	res := Result{Proposal: p, Days: days, Items: []Day{}, Notes: []string{}}
	byName := map[string]Container{}
	for _, c := range p.Containers {
		byName[c.Name] = c
	}
	seen := map[string]bool{}
	var cur *Day
	flush := func() {
		if cur != nil {
			res.Items = append(res.Items, *cur)
			cur = nil
		}
	}
	for _, s := range sortedSamples(samples) {
		day := s.Day.Format(time.DateOnly)
		if cur == nil || cur.Day != day {
			flush()
			cur = &Day{Day: day, Containers: []ContainerDay{}}
		}
		seen[s.Container] = true
		cur.PodsMax = max(cur.PodsMax, s.PodsMax)
		cur.ThrottlingRatio = max(cur.ThrottlingRatio, finite(s.ThrottlingRatio))
		cur.OOMKills += s.OOMKills
		cd := replayContainer(s, byName[s.Container], p.Replicas)
		cur.Containers = append(cur.Containers, cd)
		cur.OverRequest = cur.OverRequest || (cd.CPURequest > 0 && cd.CPU > cd.CPURequest) || (cd.MemRequest > 0 && cd.Mem > cd.MemRequest)
		cur.ThrottleRisk = cur.ThrottleRisk || (cd.CPULimit > 0 && cd.CPU >= ThrottleShare*cd.CPULimit)
		cur.OOMRisk = cur.OOMRisk || (cd.MemLimit > 0 && cd.Mem > OOMShare*cd.MemLimit)
		for _, h := range []struct {
			resource       string
			usage, request float64
		}{{"cpu", cd.CPU, cd.CPURequest}, {"memory", cd.Mem, cd.MemRequest}} {
			if h.request <= 0 {
				continue
			}
			room := (h.request - h.usage) / h.request
			if cur.Headroom == nil || room < *cur.Headroom {
				cur.Headroom = &room
			}
			// The later day wins a tie: the more recent evidence.
			if res.Worst == nil || room <= res.Worst.Headroom {
				res.Worst = &Worst{Day: day, Container: cd.Name, Resource: h.resource, Usage: h.usage, Request: h.request, Headroom: room}
			}
		}
	}
	flush()
	for _, d := range res.Items {
		res.DaysWithData++
		res.OverRequestDays += b2i(d.OverRequest)
		res.ThrottleRiskDays += b2i(d.ThrottleRisk)
		res.OOMRiskDays += b2i(d.OOMRisk)
		res.OOMKillDays += b2i(d.OOMKills > 0)
	}
	for _, c := range p.Containers {
		if !seen[c.Name] && len(res.Items) > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("container %s has no peak samples in these days; its values were not replayed", c.Name))
		}
	}
	switch {
	case p.Replicas > 0:
		res.Notes = append(res.Notes, fmt.Sprintf("CPU per pod is scaled to %d replicas (× the day's most Ready pods ÷ %d); memory per pod is taken as measured", p.Replicas, p.Replicas))
	case p.Replicas == 0:
		res.Notes = append(res.Notes, "the row runs 0 replicas; each day is replayed with the pods that ran")
	}
	res.Summary = summary(res)
	return res
}

// replayContainer is one sample under the proposal's values for its container (zero Container:
// the container is not in the proposal, so it runs as it ran).
func replayContainer(s peaks.Sample, c Container, replicas int32) ContainerDay {
	scale := 1.0
	if replicas > 0 && s.PodsMax > 0 {
		scale = float64(s.PodsMax) / float64(replicas)
	}
	return ContainerDay{
		Name:       s.Container,
		CPU:        finite(s.CPUMax) * scale,
		Mem:        finite(s.MemMax),
		CPURequest: pick(c.CPURequestMillis, 1e-3, s.CPURequest),
		CPULimit:   pick(c.CPULimitMillis, 1e-3, s.CPULimit),
		MemRequest: pick(c.MemRequestMiB, 1<<20, s.MemRequest),
		MemLimit:   pick(c.MemLimitMiB, 1<<20, s.MemLimit),
	}
}

// pick is the proposed value in peak-data units when set (> 0), else what ran.
func pick(proposed int64, unit, stored float64) float64 {
	if proposed > 0 {
		return float64(proposed) * unit
	}
	return max(finite(stored), 0)
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sortedSamples drops pod totals and orders by (day, container), as the store returns them.
func sortedSamples(in []peaks.Sample) []peaks.Sample {
	out := make([]peaks.Sample, 0, len(in))
	for _, s := range in {
		if s.Container != peaks.PodTotal {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b peaks.Sample) int {
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		return strings.Compare(a.Container, b.Container)
	})
	return out
}

// summary says the result in the edit dialog's words.
func summary(r Result) string {
	if r.DaysWithData == 0 {
		return fmt.Sprintf("no peak history in the last %d days: nothing to replay", r.Days)
	}
	parts := []string{fmt.Sprintf("%d of %d days over the request", r.OverRequestDays, r.DaysWithData)}
	parts = append(parts, fmt.Sprintf("%d %s within 10 %% of the CPU limit", r.ThrottleRiskDays, plural(r.ThrottleRiskDays, "day", "days")))
	parts = append(parts, fmt.Sprintf("%d %s above 90 %% of the memory limit", r.OOMRiskDays, plural(r.OOMRiskDays, "day", "days")))
	s := "with these values: " + strings.Join(parts, ", ")
	if r.DaysWithData < r.Days {
		s += fmt.Sprintf(" (%d of the last %d days have peak data)", r.DaysWithData, r.Days)
	}
	if r.Worst != nil {
		s += fmt.Sprintf("; least headroom %s on %s (%s %s)", pct(r.Worst.Headroom), r.Worst.Day, r.Worst.Container, r.Worst.Resource)
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func pct(f float64) string { return fmt.Sprintf("%.0f %%", f*100) }
