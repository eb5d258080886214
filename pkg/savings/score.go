package savings

import (
	"fmt"
	"math"
	"strings"

	"github.com/kubedoor/kubedoor-grafana/pkg/backtest"
	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
)

// Risk levels, from the backtest of the current row.
const (
	RiskUnknown = "unknown" // no stored peak history: nothing to judge
	RiskLow     = "low"     // no risk day
	RiskMedium  = "medium"  // some day near a limit or over a request
	RiskHigh    = "high"    // OOM kills, or ≥ 10 % of the days over a request or near the memory limit
)

// Risk is how the current row fared over the stored days.
type Risk struct {
	Level            string `json:"level"`
	DaysOverRequest  int    `json:"daysOverRequest"`
	DaysNearCPULimit int    `json:"daysNearCPULimit"`
	DaysNearMemLimit int    `json:"daysNearMemLimit"`
	OOMKills         int    `json:"oomKills"`
}

// rank orders levels for sorting by risk.
func (r Risk) rank() int {
	return map[string]int{RiskLow: 1, RiskMedium: 2, RiskHigh: 3}[r.Level]
}

// Score is a workload's waste score and what it is made of.
type Score struct {
	Score  *int   // 0..100, higher = more wasteful; nil without history
	Reason string // the score in one sentence
	Risk   Risk
	// HistoryDays is how many of the asked days have peak samples.
	HistoryDays int
	// IdleMonthly is the money a month requested above the worst day's peak.
	IdleMonthly float64
}

// usage is one resource's worst day: the highest per-pod peak usage as a share of the request.
type usage struct{ used, request, share float64 }

func (u usage) idle() float64 { return min(max(1-u.share, 0), 1) }

func newUsage(used, request float64) usage {
	u := usage{used: used, request: request}
	if request > 0 {
		u.share = used / request
	}
	return u
}

// Replayed is what a score needs from the backtest of a workload's current row: the day counts
// and, per resource, the worst day's summed per-pod usage against the summed per-pod request
// (containers without a request left out: nothing is reserved for them). FromBacktest derives
// it from a replay; the service has the engine compute the same for a whole cluster at once.
type Replayed struct {
	Days, HistoryDays                         int // asked for; with samples
	OverRequestDays, NearCPUDays, NearMemDays int
	RiskDays                                  int // days with any of the three
	OOMKills, OOMKillDays                     int
	CPU, Mem                                  usage // cores, bytes
}

// FromBacktest summarises a replay for ScoreOf.
func FromBacktest(res backtest.Result) Replayed {
	r := Replayed{Days: res.Days, HistoryDays: res.DaysWithData, OverRequestDays: res.OverRequestDays,
		NearCPUDays: res.ThrottleRiskDays, NearMemDays: res.OOMRiskDays}
	for _, d := range res.Items {
		if d.OverRequest || d.ThrottleRisk || d.OOMRisk {
			r.RiskDays++
		}
		if d.OOMKills > 0 {
			r.OOMKillDays++
		}
		r.OOMKills += int(d.OOMKills)
		var cu, cr, mu, mr float64
		for _, cd := range d.Containers {
			if cd.CPURequest > 0 {
				cu, cr = cu+cd.CPU, cr+cd.CPURequest
			}
			if cd.MemRequest > 0 {
				mu, mr = mu+cd.Mem, mr+cd.MemRequest
			}
		}
		// The later day wins a tie, as the engine's argMax over (share, day) does.
		if c := newUsage(cu, cr); cr > 0 && (r.CPU.request == 0 || c.share >= r.CPU.share) {
			r.CPU = c
		}
		if m := newUsage(mu, mr); mr > 0 && (r.Mem.request == 0 || m.share >= r.Mem.share) {
			r.Mem = m
		}
	}
	return r
}

// ScoreOf scores a workload from h, the replay of its current row, and table, what that row
// requests a month at p. median is the median monthly table cost of the cluster's workloads.
//
// score = 100 × min(1, idle × size) × safety, rounded:
//   - idle: per resource 1 − (worst day's per-pod peak ÷ per-pod request), weighted by the
//     resource's share of the row's cost — the share of the bill the busiest day left unused;
//   - size: 0.5 + cost ÷ (cost + median): a workload at the cluster's median keeps its idle
//     share, a tiny one counts about half, the biggest up to 1.5× — the same idle share is worth
//     more attention where it costs more;
//   - safety: 1 − (risk days + 2 × OOM-kill days) ÷ history days, at least 0 — a row already
//     over its requests or near its limits on some day is less of a saving than it looks.
func ScoreOf(h Replayed, table Cost, p clustersettings.Prices, median float64) Score {
	s := Score{HistoryDays: h.HistoryDays, Risk: riskOf(h)}
	if h.HistoryDays == 0 {
		s.Reason = fmt.Sprintf("no stored peak history in the last %d days", h.Days)
		return s
	}
	cpu, mem := h.CPU, h.Mem
	cpuCost, memCost := table.cpuMonthly(p), table.memMonthly(p)
	idle := 0.0
	if total := cpuCost + memCost; total > 0 {
		idle = (cpuCost*cpu.idle() + memCost*mem.idle()) / total
	}
	s.IdleMonthly = cpuCost*cpu.idle() + memCost*mem.idle()
	size := 0.5
	if table.Monthly > 0 {
		size += table.Monthly / (table.Monthly + median)
	}
	riskDays, oomDays := h.RiskDays, h.OOMKillDays
	safety := max(0, 1-float64(riskDays+2*oomDays)/float64(h.HistoryDays))
	v := int(math.Round(100 * min(1, idle*size) * safety))
	s.Score = &v

	parts := []string{
		fmt.Sprintf("requests %s cores/pod, peak used %s (%s)", num(cpu.request), num(cpu.used), share(cpu)),
		fmt.Sprintf("%s GiB/pod, peak used %s (%s)", num(mem.request/(1<<30)), num(mem.used/(1<<30)), share(mem)),
		fmt.Sprintf("%.0f %s/month idle", s.IdleMonthly, p.Currency),
	}
	if median > 0 {
		parts = append(parts, fmt.Sprintf("cost %.1f× the cluster's median", table.Monthly/median))
	}
	switch {
	case riskDays == 0 && oomDays == 0:
		parts = append(parts, "no risk days")
	case oomDays == 0:
		parts = append(parts, fmt.Sprintf("%d risk %s of %d", riskDays, plural(riskDays, "day", "days"), h.HistoryDays))
	default:
		parts = append(parts, fmt.Sprintf("%d risk %s of %d, %d with OOM kills", riskDays, plural(riskDays, "day", "days"), h.HistoryDays, oomDays))
	}
	s.Reason = fmt.Sprintf("%s; %s; %s → %d", strings.Join(parts[:2], "; "), strings.Join(parts[2:len(parts)-1], ", "), parts[len(parts)-1], v)
	return s
}

func riskOf(h Replayed) Risk {
	r := Risk{Level: RiskUnknown, DaysOverRequest: h.OverRequestDays, DaysNearCPULimit: h.NearCPUDays,
		DaysNearMemLimit: h.NearMemDays, OOMKills: h.OOMKills}
	n := h.HistoryDays
	switch {
	case n == 0:
	case r.OOMKills > 0 || r.DaysOverRequest*10 >= n || r.DaysNearMemLimit*10 >= n:
		r.Level = RiskHigh
	case r.DaysNearCPULimit > 0:
		r.Level = RiskMedium
	default:
		r.Level = RiskLow
	}
	// Over-request and near-memory days below 10 % of the history are still risk days.
	if r.Level == RiskLow && (r.DaysOverRequest > 0 || r.DaysNearMemLimit > 0) {
		r.Level = RiskMedium
	}
	return r
}

func share(u usage) string {
	if u.request == 0 {
		return "no request"
	}
	return fmt.Sprintf("%.0f %%", u.share*100)
}

func num(v float64) string {
	if v >= 10 {
		return fmt.Sprintf("%.0f", v)
	}
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
