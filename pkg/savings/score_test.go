package savings

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/backtest"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
)

// day is one stored sample of container app: cpu cores and mem MiB of the worst pod.
type day struct {
	pods     uint32
	cpu, mem float64
	oomKills uint32
}

func history(days ...day) []peaks.Sample {
	first := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	out := []peaks.Sample{}
	for i, d := range days {
		out = append(out, peaks.Sample{Namespace: "shop", Workload: "api", Container: "app", Day: first.AddDate(0, 0, i),
			PodsMax: d.pods, CPUMax: d.cpu, MemMax: d.mem * (1 << 20), OOMKills: d.oomKills,
			CPURequest: 1, MemRequest: 1 << 30})
	}
	return out
}

// apiRow runs 2 replicas of app requesting 1 core and 1 GiB, with a CPU limit (0 = none).
func apiRow(cpuLimitMillis int64) control.Row {
	c := container("app", 1000, 1024)
	if cpuLimitMillis > 0 {
		c.CPULimitMillis = cpuLimitMillis
	}
	return control.Row{Namespace: "shop", Workload: "api", Replicas: control.Replicas{Manual: 2, Recommended: -1, Observed: -1},
		Containers: []control.Container{c}}
}

func TestWasteScore(t *testing.T) {
	// The row requests 2 × 1 core and 2 × 1 GiB: CPU 2 × 0.0316 × 730 = 46.136 a month, memory
	// 2 × 0.0042 × 730 = 6.132, together 52.268.
	const cpuCost, memCost = 46.136, 6.132
	const cost = cpuCost + memCost
	quiet := []day{{2, 0.25, 256, 0}, {2, 0.5, 512, 0}, {2, 0.3, 256, 0}}
	tests := []struct {
		name      string
		row       control.Row
		days      []day
		median    float64
		want      int
		idle      float64 // monthly money
		risk      Risk
		reasonHas []string
	}{
		{"half of both requests idle at the median cost scores 50", apiRow(0), quiet, cost,
			// Worst day 0.5 of 1 core and 512 MiB of 1 GiB: half of each idle; size 0.5 + ½ = 1.
			50, cost / 2, Risk{Level: RiskLow},
			[]string{"requests 1 cores/pod, peak used 0.5 (50 %)", "1 GiB/pod, peak used 0.5 (50 %)", "26 USD/month idle", "no risk days → 50"}},
		{"the same idle share costing four times the median scores 1.3 times as much", apiRow(0), quiet, cost / 4,
			// size 0.5 + c/(c + c/4) = 0.5 + 0.8 = 1.3.
			65, cost / 2, Risk{Level: RiskLow}, []string{"4.0× the cluster's median", "→ 65"}},
		{"fewer replicas than ran scale the CPU peak per pod up", func() control.Row { r := apiRow(0); r.Replicas.Manual = 1; return r }(), quiet, cost / 2,
			// 1 replica, 2 pods ran: worst CPU 0.5 × 2 = 1 core of a 1-core request (0 idle); memory
			// half idle. The row prices 1 core and 1 GiB: idle = 0.5 × 3.066 / 26.134; size 0.5 + ½.
			int(math.Round(100 * 0.5 * 3.066 / 26.134)), 3.066 / 2, Risk{Level: RiskLow}, nil},
		{"a day with OOM kills lowers the score and makes the risk high", apiRow(0), []day{{2, 0.25, 256, 0}, {2, 0.5, 512, 1}, {2, 0.3, 256, 0}}, cost,
			// safety 1 − 2 × 1 OOM-kill day / 3 = 1/3: 50 / 3.
			17, cost / 2, Risk{Level: RiskHigh, OOMKills: 1}, []string{"0 risk days of 3, 1 with OOM kills → 17"}},
		{"a day over the CPU request leaves no CPU idle and lowers the score", apiRow(0), []day{{2, 0.25, 256, 0}, {2, 1.2, 512, 0}, {2, 0.3, 256, 0}}, cost,
			// CPU idle 0; memory half idle: idle share 3.066 / 52.268; safety 1 − 1/3.
			int(math.Round(100 * 3.066 / cost * 2 / 3)), memCost / 2, Risk{Level: RiskHigh, DaysOverRequest: 1}, []string{"1 risk day of 3"}},
		{"a day near the CPU limit is a medium risk", apiRow(600), []day{{2, 0.25, 256, 0}, {2, 0.55, 512, 0}, {2, 0.3, 256, 0}}, cost,
			// 0.55 ≥ 0.9 × 0.6: a throttling day. CPU idle 0.45, memory 0.5; safety 2/3.
			int(math.Round(100 * (cpuCost*0.45 + memCost*0.5) / cost * 2 / 3)), cpuCost*0.45 + memCost*0.5,
			Risk{Level: RiskMedium, DaysNearCPULimit: 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := backtest.Replay(backtest.ProposalOf(tt.row), history(tt.days...), 30)
			pod, _ := TablePod(tt.row.Containers)
			rep := tt.row.Replicas
			rep.Resolve()
			s := ScoreOf(FromBacktest(res), Price(listPrices, rep.Effective, pod), listPrices, tt.median)
			if s.Score == nil || *s.Score != tt.want || !near(s.IdleMonthly, tt.idle) || s.Risk != tt.risk || s.HistoryDays != len(tt.days) {
				t.Fatalf("score %v idle %v risk %+v days %d, want %d %v %+v: %s", deref(s.Score), s.IdleMonthly, s.Risk, s.HistoryDays, tt.want, tt.idle, tt.risk, s.Reason)
			}
			t.Log(s.Reason)
			for _, h := range tt.reasonHas {
				if !strings.Contains(s.Reason, h) {
					t.Errorf("reason %q lacks %q", s.Reason, h)
				}
			}
		})
	}
}

func TestAWorkloadWithoutHistoryIsNotScored(t *testing.T) {
	res := backtest.Replay(backtest.ProposalOf(apiRow(0)), nil, 30)
	s := ScoreOf(FromBacktest(res), Cost{Monthly: 52}, listPrices, 52)
	if s.Score != nil || s.Reason != "no stored peak history in the last 30 days" || s.Risk.Level != RiskUnknown || s.HistoryDays != 0 {
		t.Errorf("got %+v", s)
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
