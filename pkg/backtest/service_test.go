//go:build parts

package backtest

// On the embedded engine: a workload's peak history written as the collector writes it, the
// current row in the control table, and answers worked out by hand from the history below.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

var conn store.Conn

func TestMain(m *testing.M) { storetest.Main("backtest", &conn, m.Run) }

// histDay is day n (1-based) of the stored history: 2026-10-01 + n-1; day 40 is 2026-11-09.
func histDay(n int) time.Time { return time.Date(2026, 10, n, 0, 0, 0, 0, time.UTC) }

// shanghai is the cluster's zone; now is 04:00 on day 40 there (20:00 UTC on day 39), so the
// last N days end on day 40 only if the range is taken in the cluster's zone.
var (
	shanghai, _ = time.LoadLocation("Asia/Shanghai")
	now         = time.Date(2026, 11, 8, 20, 0, 0, 0, time.UTC)
)

// history writes 40 days of "shop/checkout" (containers app and proxy, plus the pod total)
// and of a neighbour "shop/cart" that must never be read. checkout's app runs 4 pods at 0.3
// cores / 300 MiB with request 500m / 400 MiB and limit 1000m / 512 MiB, except:
//
//	day  5: 2.0 cores (outside the last 30 days)
//	day 15: 0.6 cores                      → over the request
//	day 20: 0.95 cores, throttling 0.25    → over, within 10 % of the CPU limit
//	day 25: 480 MiB, 1 OOM kill            → over, above 90 % of the memory limit (460.8 MiB)
//	day 30: first collected at 0.99 cores, then re-collected at 0.3 (only the latter counts)
func history(t *testing.T, ctx context.Context) {
	t.Helper()
	for n := 1; n <= 40; n++ {
		d := histDay(n)
		a := peaks.Sample{Cluster: "prod", Namespace: "shop", Workload: "checkout", Container: "app", Day: d,
			WindowStart: d.Add(2 * time.Hour), WindowEnd: d.Add(3 * time.Hour), PodsMin: 4, PodsMax: 4,
			CPUMax: 0.3, CPUAvg: 0.25, MemMax: 300 * mib, MemAvg: 280 * mib,
			CPURequest: 0.5, CPULimit: 1, MemRequest: 400 * mib, MemLimit: 512 * mib, Quantile: 0.95}
		switch n {
		case 5:
			a.CPUMax = 2
		case 15:
			a.CPUMax = 0.6
		case 20:
			a.CPUMax, a.ThrottlingRatio = 0.95, 0.25
		case 25:
			a.MemMax, a.OOMKills = 480*mib, 1
		}
		proxy := a
		proxy.Container, proxy.CPUMax, proxy.MemMax, proxy.CPURequest, proxy.CPULimit = "proxy", 0.02, 30*mib, 0.1, 0.2
		proxy.MemRequest, proxy.MemLimit, proxy.OOMKills, proxy.ThrottlingRatio = 64*mib, 128*mib, 0, 0
		total := a
		total.Container, total.CPUMax, total.MemMax = peaks.PodTotal, 9, 9000*mib
		cart := a
		cart.Workload, cart.CPUMax = "cart", 5
		samples := []peaks.Sample{a, proxy, total, cart}
		at := d.Add(30 * time.Hour)
		if n == 30 {
			spiky := a
			spiky.CPUMax = 0.99
			if err := peaks.WriteDay(ctx, conn, "prod", d, []peaks.Sample{spiky, proxy, total, cart}, at); err != nil {
				t.Fatal(err)
			}
			at = at.Add(time.Hour)
		}
		if err := peaks.WriteDay(ctx, conn, "prod", d, samples, at); err != nil {
			t.Fatal(err)
		}
	}
	table := control.New(conn, nil)
	_, err := table.Add(ctx, control.Row{Cluster: "prod", Namespace: "shop", Workload: "checkout",
		Replicas: control.Replicas{Manual: 4, Recommended: -1, Observed: -1},
		Containers: []control.Container{{Name: "app", CPURequestMillis: 500, CPULimitMillis: 1000, MemRequestMiB: 400, MemLimitMiB: 512,
			Sources: control.Sources{CPURequest: control.SourceManual, CPULimit: control.SourceManual, MemRequest: control.SourceManual, MemLimit: control.SourceManual}}},
	}, "tester")
	if err != nil {
		t.Fatal(err)
	}
}

func TestBacktestOnTheEmbeddedEngine(t *testing.T) {
	ctx := t.Context()
	history(t, ctx)
	svc := New(conn, control.New(conn, nil))
	checkout := control.Key{Cluster: "prod", Namespace: "shop", Workload: "checkout"}
	days := func(n int) *int { return &n }

	t.Run("the current row over the last 30 days finds the three spikes and the re-collected day is not one", func(t *testing.T) {
		r, err := svc.Run(ctx, checkout, shanghai, now, Request{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Days != 30 || r.DaysWithData != 30 || r.Items[0].Day != "2026-10-11" || r.Items[29].Day != "2026-11-09" {
			t.Fatalf("days %d with data %d, from %s to %s; want 30 days 2026-10-11..2026-11-09",
				r.Days, r.DaysWithData, r.Items[0].Day, r.Items[len(r.Items)-1].Day)
		}
		if r.OverRequestDays != 3 || r.ThrottleRiskDays != 1 || r.OOMRiskDays != 1 || r.OOMKillDays != 1 {
			t.Errorf("over/throttle/oom/oom-kill days = %d/%d/%d/%d, want 3/1/1/1",
				r.OverRequestDays, r.ThrottleRiskDays, r.OOMRiskDays, r.OOMKillDays)
		}
		d20 := r.Items[9] // 2026-10-20
		if d20.Day != "2026-10-20" || !d20.ThrottleRisk || d20.ThrottlingRatio != 0.25 || len(d20.Containers) != 2 {
			t.Errorf("day 20 = %+v, want the throttling risk with the stored ratio 0.25 over app and proxy", d20)
		}
		// Worst: day 20's CPU, (0.5 − 0.95) / 0.5 = −90 %.
		if w := r.Worst; w == nil || w.Day != "2026-10-20" || w.Resource != "cpu" || w.Container != "app" || w.Headroom > -0.899 || w.Headroom < -0.901 {
			t.Errorf("worst = %+v, want app's CPU on 2026-10-20 at -90 %%", r.Worst)
		}
		if r.Proposal.Replicas != 4 || len(r.Proposal.Containers) != 1 || r.Proposal.Containers[0].CPURequestMillis != 500 {
			t.Errorf("replayed %+v, want the current row (4 replicas, app 500m)", r.Proposal)
		}
	})

	t.Run("a proposed cut to 200m on 8 replicas is over the request on the spikes only", func(t *testing.T) {
		// Per pod 0.3 × 4/8 = 0.15 ≤ 0.2; day 15: 0.3, day 20: 0.475 > 0.2; day 25's memory is
		// over the stored 400 MiB and 90 % of 512 MiB; no day reaches 90 % of the stored 1-core limit.
		r, err := svc.Run(ctx, checkout, shanghai, now, Request{Proposed: &Proposal{Replicas: 8, Containers: []Container{
			{Name: "app", CPURequestMillis: 200, CPULimitMillis: -1, MemRequestMiB: -1, MemLimitMiB: -1}}}})
		if err != nil {
			t.Fatal(err)
		}
		if r.OverRequestDays != 3 || r.ThrottleRiskDays != 0 || r.OOMRiskDays != 1 {
			t.Errorf("over/throttle/oom days = %d/%d/%d, want 3/0/1", r.OverRequestDays, r.ThrottleRiskDays, r.OOMRiskDays)
		}
		if got := r.Items[0].Containers[0]; got.Name != "app" || got.CPU != 0.15 || got.CPURequest != 0.2 || got.CPULimit != 1 {
			t.Errorf("first day app = %+v, want 0.15 cores against 0.2 requested and the stored 1-core limit", got)
		}
	})

	t.Run("the last 10 days are all quiet", func(t *testing.T) {
		r, err := svc.Run(ctx, checkout, shanghai, now, Request{Days: days(10)})
		if err != nil {
			t.Fatal(err)
		}
		if r.DaysWithData != 10 || r.OverRequestDays != 0 || r.ThrottleRiskDays != 0 || r.OOMRiskDays != 0 {
			t.Errorf("got %d days, %d/%d/%d; want 10 quiet days", r.DaysWithData, r.OverRequestDays, r.ThrottleRiskDays, r.OOMRiskDays)
		}
	})

	t.Run("400 days reach back to the first stored day, including the 2-core day 5", func(t *testing.T) {
		r, err := svc.Run(ctx, checkout, shanghai, now, Request{Days: days(400)})
		if err != nil {
			t.Fatal(err)
		}
		if r.Days != 400 || r.DaysWithData != 40 || r.OverRequestDays != 4 || r.ThrottleRiskDays != 2 {
			t.Errorf("days %d with data %d, over %d, throttle %d; want 400, 40, 4, 2", r.Days, r.DaysWithData, r.OverRequestDays, r.ThrottleRiskDays)
		}
	})

	t.Run("a workload with history but no row needs a proposal", func(t *testing.T) {
		_, err := svc.Run(ctx, control.Key{Cluster: "prod", Namespace: "shop", Workload: "cart"}, shanghai, now, Request{})
		if !errors.Is(err, control.ErrNotFound) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
		r, err := svc.Run(ctx, control.Key{Cluster: "prod", Namespace: "shop", Workload: "cart"}, shanghai, now, Request{Proposed: &Proposal{Replicas: -1}})
		if err != nil {
			t.Fatal(err)
		}
		if r.OverRequestDays != 30 {
			t.Errorf("cart (5 cores on a 0.5 request every day) over on %d days, want 30", r.OverRequestDays)
		}
	})

	t.Run("a workload without history says so", func(t *testing.T) {
		r, err := svc.Run(ctx, control.Key{Cluster: "prod", Namespace: "shop", Workload: "new"}, shanghai, now, Request{Proposed: &Proposal{Replicas: 2}})
		if err != nil {
			t.Fatal(err)
		}
		if r.DaysWithData != 0 || r.Summary != "no peak history in the last 30 days: nothing to replay" {
			t.Errorf("got %d days, summary %q", r.DaysWithData, r.Summary)
		}
	})

	t.Run("401 days are refused naming the field", func(t *testing.T) {
		_, err := svc.Run(ctx, checkout, shanghai, now, Request{Days: days(401)})
		if fieldOf(err) != "days" {
			t.Fatalf("got %v, want a field error on days", err)
		}
	})
}
