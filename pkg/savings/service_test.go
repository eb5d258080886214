//go:build parts

package savings

// On the embedded engine: a cluster's rows written as the derivation writes them, 30 days of
// peak history written as the collector writes it, and answers worked out from the numbers
// below, independently of the code under test.

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/pkg/backtest"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

var conn store.Conn

func TestMain(m *testing.M) { storetest.Main("savings", &conn, m.Run) }

const gib = 1 << 30

// now is noon on 2026-11-30 UTC: the last 30 days are 11-01 … 11-30.
var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// fleet writes cluster prod:
//
//	shop/api   manual 4, recommended 2 (observed 3); app 1000m / 1024 MiB. Every day 4 pods at 0.25 cores
//	           and 256 MiB (stored requests 1 core, 1 GiB), except 11-10 (1 OOM kill) and 11-30
//	           (6 pods). 10-20, outside the window, 8 cores: never read.
//	shop/cart  manual 2; app 500m / 512 MiB; no history.
//	batch/job  observed 1, no recommendation; app 2000m, memory unset. Every day 1 pod at 1 core
//	           (stored request 2 cores, no memory request).
//
// and a cluster "other" whose shop/api must never be read.
func fleet(t *testing.T, ctx context.Context) {
	t.Helper()
	tbl := control.New(conn, nil)
	if rows, _, err := tbl.Current(ctx, "prod", control.Filter{}); err != nil {
		t.Fatal(err)
	} else if len(rows) > 0 {
		return // written by an earlier test of this package run
	}
	row := func(ns, wl string, manual, recommended, observed int32, c control.Container) control.Row {
		r := control.Row{Cluster: "prod", Namespace: ns, Workload: wl, Version: 1,
			Replicas: control.Replicas{Manual: manual, Recommended: recommended, Observed: observed}, Containers: []control.Container{c}}
		if recommended >= 0 {
			r.Replicas.RecommendedFor, r.Replicas.RecommendedReason = control.RecommendedForReplicas, "peak fits in fewer pods"
		}
		return r
	}
	if _, err := tbl.Rederive(ctx, "prod", "test", func([]control.Row) ([]control.Row, error) {
		return []control.Row{
			row("shop", "api", 4, 2, 3, container("app", 1000, 1024)),
			row("shop", "cart", 2, -1, -1, container("app", 500, 512)),
			row("batch", "job", -1, -1, 1, container("app", 2000, -1)),
		}, nil
	}); err != nil {
		t.Fatal(err)
	}
	write := func(cluster string, d time.Time, ss ...peaks.Sample) {
		for i := range ss {
			ss[i].Cluster, ss[i].Day, ss[i].Container, ss[i].Quantile = cluster, d, "app", 0.95
		}
		if err := peaks.WriteDay(ctx, conn, cluster, d, ss, d.Add(26*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	for d := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC); !d.After(now); d = d.AddDate(0, 0, 1) {
		api := peaks.Sample{Namespace: "shop", Workload: "api", PodsMax: 4, CPUMax: 0.25, MemMax: 256 << 20, CPURequest: 1, MemRequest: gib}
		switch d.Day() {
		case 10:
			api.OOMKills = 1
		case 30:
			api.PodsMax = 6
		}
		job := peaks.Sample{Namespace: "batch", Workload: "job", PodsMax: 1, CPUMax: 1, MemMax: 100 << 20, CPURequest: 2}
		write("prod", d, api, job)
		write("other", d, peaks.Sample{Namespace: "shop", Workload: "api", PodsMax: 50, CPUMax: 9, CPURequest: 9})
	}
	write("prod", time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC),
		peaks.Sample{Namespace: "shop", Workload: "api", PodsMax: 4, CPUMax: 8, MemMax: 256 << 20, CPURequest: 1, MemRequest: gib})
}

// Hand-worked prices at 0.0316 a core-hour and 0.0042 a GiB-hour, 730 hours a month.
var (
	coreMonth, gibMonth = 0.0316 * 730, 0.0042 * 730
	apiTable            = 4*coreMonth + 4*gibMonth // 4 × (1 core, 1 GiB)
	apiRecommended      = 2*coreMonth + 2*gibMonth // 2 replicas
	apiNow              = 6*coreMonth + 6*gibMonth // 11-30: 6 pods × stored 1 core, 1 GiB
	cartTable           = 1*coreMonth + 1*gibMonth // 2 × (0.5 core, 0.5 GiB)
	jobTable            = 2 * coreMonth            // 1 × 2 cores, memory unset
	median              = jobTable                 // of 26.13, 46.14, 104.54
	apiScore            = func() int {
		// Replayed at 4 replicas: the worst CPU day is 11-30, 0.25 × 6/4 = 0.375 of 1 core;
		// memory 256 MiB of 1 GiB every day. Idle weighted by cost share; one OOM-kill day.
		idle := (4*coreMonth*(1-0.375) + 4*gibMonth*0.75) / apiTable
		size := 0.5 + apiTable/(apiTable+median)
		return int(math.Round(100 * math.Min(1, idle*size) * (1 - 2.0/30)))
	}()
)

func TestRecommendationsOnTheEmbeddedEngine(t *testing.T) {
	ctx := t.Context()
	fleet(t, ctx)
	svc := New(conn, control.New(conn, nil), NewCache(DefaultCacheEntries))

	ans, err := svc.Recommendations(ctx, "prod", listPrices, time.UTC, now, Query{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ans.NowFrom != NowStored || ans.Days != 30 || ans.Currency != "USD" || ans.Total != 3 || len(ans.Items) != 3 {
		t.Fatalf("answer %+v", ans)
	}
	api, job, cart := ans.Items[0], ans.Items[1], ans.Items[2]
	t.Run("items are sorted by savings, largest first", func(t *testing.T) {
		if api.Workload != "api" || job.Workload != "job" || cart.Workload != "cart" {
			t.Fatalf("order %s %s %s", api.Workload, job.Workload, cart.Workload)
		}
	})
	t.Run("api is priced now from its latest stored day, in the table at 4 and recommended at 2", func(t *testing.T) {
		if api.Replicas != (Replicas{Now: 6, Table: 4, Recommended: 2, RecommendedFor: "replicas", Reason: "peak fits in fewer pods"}) || api.Version != 1 {
			t.Errorf("replicas %+v version %d", api.Replicas, api.Version)
		}
		if !cents(api.Now.Monthly, apiNow) || !cents(api.Table.Monthly, apiTable) || !cents(api.Recommended.Monthly, apiRecommended) ||
			!cents(api.Savings, apiNow-apiRecommended) || api.Now.CPUCores != 6 || api.Table.MemGiB != 4 {
			t.Errorf("now %+v table %+v recommended %+v savings %v", api.Now, api.Table, api.Recommended, api.Savings)
		}
	})
	t.Run("api's score counts its busiest day in the window and its OOM-kill day", func(t *testing.T) {
		if api.Score == nil || *api.Score != apiScore || api.HistoryDays != 30 {
			t.Errorf("score %v days %d, want %d: %s", deref(api.Score), api.HistoryDays, apiScore, api.ScoreReason)
		}
		if api.Risk != (Risk{Level: RiskHigh, OOMKills: 1}) {
			t.Errorf("risk %+v", api.Risk)
		}
	})
	t.Run("job's unset memory counts 0 and is said; half its CPU idle at the median cost scores 50", func(t *testing.T) {
		if !cents(job.Table.Monthly, jobTable) || !cents(job.Now.Monthly, jobTable) || job.Savings != 0 || len(job.Notes) != 1 {
			t.Errorf("job %+v", job)
		}
		if job.Score == nil || *job.Score != 50 || job.Risk.Level != RiskLow {
			t.Errorf("score %v risk %+v: %s", deref(job.Score), job.Risk, job.ScoreReason)
		}
	})
	t.Run("cart without history is not scored and runs nothing stored", func(t *testing.T) {
		if cart.Score != nil || cart.ScoreReason != "no stored peak history in the last 30 days" || cart.HistoryDays != 0 ||
			cart.Risk.Level != RiskUnknown || cart.Now != (Cost{}) || !cents(cart.Savings, -cartTable) {
			t.Errorf("cart %+v", cart)
		}
	})
	t.Run("totals and namespaces add every item", func(t *testing.T) {
		tt := ans.Totals
		if !cents(tt.Now.Monthly, apiNow+jobTable) || !cents(tt.Table.Monthly, apiTable+cartTable+jobTable) ||
			!cents(tt.Recommended.Monthly, apiRecommended+cartTable+jobTable) ||
			!cents(tt.SavingsTable, apiNow+jobTable-(apiTable+cartTable+jobTable)) ||
			!cents(tt.SavingsRecommended, apiNow+jobTable-(apiRecommended+cartTable+jobTable)) {
			t.Errorf("totals %+v", tt)
		}
		if len(ans.Namespaces) != 2 || ans.Namespaces[0].Namespace != "batch" || !cents(ans.Namespaces[1].Table.Monthly, apiTable+cartTable) {
			t.Errorf("namespaces %+v", ans.Namespaces)
		}
	})
	t.Run("sorting by score and by risk, a limit and a namespace", func(t *testing.T) {
		for _, tc := range []struct {
			q    Query
			want []string
		}{
			{Query{Sort: SortScore}, []string{"api", "job", "cart"}},
			{Query{Sort: SortRisk}, []string{"api", "job", "cart"}},
			{Query{Sort: SortSavings, Limit: 1}, []string{"api"}},
			{Query{Namespace: "batch"}, []string{"job"}},
		} {
			a, err := svc.Recommendations(ctx, "prod", listPrices, time.UTC, now, tc.q, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range a.Items {
				got = append(got, it.Workload)
			}
			if len(got) != len(tc.want) || got[0] != tc.want[0] || got[len(got)-1] != tc.want[len(tc.want)-1] {
				t.Errorf("%+v: got %v, want %v", tc.q, got, tc.want)
			}
			if tc.q.Namespace == "batch" && (*a.Items[0].Score != 50 || !cents(a.Totals.Table.Monthly, jobTable) || len(a.Namespaces) != 1) {
				t.Errorf("batch only: %+v", a)
			}
		}
	})
	t.Run("live Deployments price now and a missing one says so", func(t *testing.T) {
		live := Live{{Namespace: "shop", Kind: "Deployment", Name: "api"}: {Replicas: 3, Pod: Pod{CPUCores: 0.5, MemGiB: 0.5}}, {Namespace: "batch", Kind: "Deployment", Name: "job"}: {Replicas: 1, Pod: Pod{CPUCores: 2}}}
		a, err := svc.Recommendations(ctx, "prod", listPrices, time.UTC, now, Query{Namespace: "shop"}, live, []string{"w"})
		if err != nil {
			t.Fatal(err)
		}
		api, cart := a.Items[0], a.Items[1]
		if a.NowFrom != NowLive || api.Replicas.Now != 3 || !cents(api.Now.Monthly, 1.5*coreMonth+1.5*gibMonth) ||
			cart.Replicas.Now != 0 || len(cart.Notes) != 1 || len(a.Warnings) != 1 {
			t.Errorf("live answer %+v", a)
		}
	})
}

func TestQueryParametersAreValidatedByName(t *testing.T) {
	for _, tc := range []struct {
		name  string
		q     Query
		field string
	}{
		{"an unknown sort", Query{Sort: "cost"}, "sort"},
		{"a negative limit", Query{Limit: -1}, "limit"},
		{"a limit above the maximum", Query{Limit: MaxLimit + 1}, "limit"},
		{"401 days", Query{Days: 401}, "days"},
		{"a namespace that is no DNS label", Query{Namespace: "Shop"}, "namespace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(conn, control.New(conn, nil), nil).Recommendations(t.Context(), "prod", listPrices, time.UTC, now, tc.q, nil, nil)
			if fe, ok := asFieldError(err); !ok || fe != tc.field {
				t.Errorf("got %v, want a field error on %s", err, tc.field)
			}
		})
	}
}

func cents(got, want float64) bool { return math.Abs(got-want) < 0.006 }

// The engine's replay of every row is backtest.Replay's, workload by workload: on the fleet
// above and on cluster "eq", whose rows set limits, leave values unset, run fewer or more
// replicas than ran and leave a stored container (proxy) unnamed.
func TestTheEngineReplaysAsBacktestReplays(t *testing.T) {
	ctx := t.Context()
	tbl := control.New(conn, nil)
	rows, _, err := tbl.Current(ctx, "prod", control.Filter{})
	if err == nil && len(rows) == 0 { // run alone, without TestRecommendationsOnTheEmbeddedEngine
		fleet(t, ctx)
		rows, _, err = tbl.Current(ctx, "prod", control.Filter{})
	}
	if err != nil || len(rows) != 3 {
		t.Fatalf("rows %v %v", rows, err)
	}
	limited := func(wl string, replicas int32, cpu, cpuLim, mem, memLim int64) control.Row {
		c := container("app", cpu, mem)
		c.CPULimitMillis, c.MemLimitMiB = cpuLim, memLim
		return control.Row{Cluster: "eq", Namespace: "edge", Workload: wl, Version: 1,
			Replicas: control.Replicas{Manual: replicas, Recommended: -1, Observed: -1}, Containers: []control.Container{c}}
	}
	eq := []control.Row{
		limited("a", 2, 300, 500, 256, 300), limited("b", 6, -1, 1000, 512, -1), limited("c", -1, 200, -1, -1, 600),
		limited("d", 0, 100, 150, 128, 140), limited("e", -1, 200, 400, 256, 512), limited("f", -1, 200, 400, 256, 512),
	}
	// e runs its active recommendation (3 of 5 observed), f an HPA's advice it never runs (observed 5).
	eq[4].Replicas = control.Replicas{Manual: -1, Recommended: 3, RecommendedFor: control.RecommendedForReplicas, RecommendedActive: true, Observed: 5}
	eq[5].Replicas = control.Replicas{Manual: -1, Recommended: 2, RecommendedFor: control.RecommendedForHPAMin, RecommendedActive: true, Observed: 5}
	if _, err := tbl.Rederive(ctx, "eq", "test", func([]control.Row) ([]control.Row, error) { return eq, nil }); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		d := now.Truncate(24*time.Hour).AddDate(0, 0, -i)
		var ss []peaks.Sample
		for j, wl := range []string{"a", "b", "c", "d", "e", "f"} {
			v := float64((i*7+j*3)%10) / 10 // 0 … 0.9, a different day pattern per workload
			for _, ct := range []string{"app", "proxy"} {
				ss = append(ss, peaks.Sample{Cluster: "eq", Namespace: "edge", Workload: wl, Container: ct, Day: d,
					PodsMax: uint32(1 + (i+j)%5), CPUMax: 0.1 + 0.4*v, MemMax: (100 + 300*v) * (1 << 20), OOMKills: uint32(i % 9 / 8),
					CPURequest: 0.25, CPULimit: 0.5 * float64(i%2), MemRequest: 200 << 20, MemLimit: float64(i%3) * (256 << 20), Quantile: 0.95})
			}
		}
		if err := peaks.WriteDay(ctx, conn, "eq", d, ss, d.Add(26*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	// The engine reads the stored rows; so does the reference.
	if eq, _, err = tbl.Current(ctx, "eq", control.Filter{}); err != nil || len(eq) != 6 {
		t.Fatalf("rows of eq: %v %v", eq, err)
	}
	for _, cl := range []struct {
		cluster string
		rows    []control.Row
	}{{"prod", rows}, {"eq", eq}} {
		for _, days := range []int{1, 7, 30, 60} {
			r := peaks.LastDays(days, time.UTC, now)
			got, err := clusterReplays(ctx, conn, cl.cluster, r, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range cl.rows {
				samples, err := peaks.WorkloadContainers(ctx, conn, cl.cluster, peaks.Workload{Namespace: row.Namespace, Kind: row.Kind, Name: row.Workload}, r)
				if err != nil {
					t.Fatal(err)
				}
				want := FromBacktest(backtest.Replay(backtest.ProposalOf(row), samples, days))
				st := got[refOf(row)]
				st.Days = days // a workload without samples is absent from the engine's answer
				if !sameReplay(st.Replayed, want) {
					t.Errorf("%s, %d days, %s: engine %+v, backtest %+v", cl.cluster, days, row.Workload, st.Replayed, want)
				}
			}
		}
	}
}

func sameReplay(a, b Replayed) bool {
	u := func(x, y usage) bool {
		return near(x.used, y.used) && near(x.request, y.request) && near(x.share, y.share)
	}
	ac, bc := a, b
	ac.CPU, ac.Mem, bc.CPU, bc.Mem = usage{}, usage{}, usage{}, usage{}
	return ac == bc && u(a.CPU, b.CPU) && u(a.Mem, b.Mem)
}
