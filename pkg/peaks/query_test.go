//go:build parts

package peaks

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

var conn store.Conn

func TestMain(m *testing.M) {
	storetest.Main("peaks", &conn, func() int {
		if conn != nil { // nil in fuzz workers
			// Merges stay off so that replaced rows remain until read: only FINAL hides them.
			ctx := context.Background()
			if err := conn.Exec(ctx, "SYSTEM STOP MERGES peak_samples"); err != nil {
				panic(err)
			}
			current, replaced := fixtureRows()
			for _, rows := range [][][]any{current, replaced} { // separate inserts: separate parts
				if err := conn.Insert(ctx, "peak_samples", Columns, rows); err != nil {
					panic(err)
				}
			}
		}
		return m.Run()
	})
}

const cluster = "q1"

func d(n int) time.Time { return time.Date(2026, 11, n, 0, 0, 0, 0, time.UTC) }

const gib = float64(1 << 30)

// truth is the fixture as the queries must see it: one row per identity, latest collection.
// Pod-total rows (container "") hold deliberately huge numbers so that counting them shows.
var truth = func() []Sample {
	type w struct {
		ns, wl     string
		containers []string
	}
	wls := []w{{"shop", "api", []string{"app", "istio-proxy"}}, {"shop", "web", []string{"app"}}, {"pay", "ledger", []string{"app"}}}
	var out []Sample
	for di, day := range []int{20, 21, 22} {
		for wi, x := range wls {
			pods := uint32(2 + wi + di) // varies by workload and day
			for ci, c := range x.containers {
				f := float64(1+wi) * float64(1+di) * float64(1+ci*3)
				out = append(out, Sample{
					Cluster: cluster, Namespace: x.ns, Workload: x.wl, Container: c, Day: d(day),
					WindowStart: d(day).Add(2 * time.Hour), WindowEnd: d(day).Add(3 * time.Hour),
					PodsMin: pods, PodsMax: pods + 2,
					CPUMax: 0.1 * f, CPUAvg: 0.08 * f, MemMax: 0.25 * gib * f, MemAvg: 0.2 * gib * f,
					CPURequest: 0.1 * float64(1+ci), CPULimit: 1, MemRequest: 0.25 * gib, MemLimit: gib,
					CPUPctOfLimit: 10 * f, MemPctOfLimit: 25 * f, ThrottlingRatio: 0.01 * f, OOMKills: uint32(di),
					Quantile: 0.95, CollectedAt: d(day + 1).Add(time.Hour),
				})
			}
			out = append(out, Sample{Cluster: cluster, Namespace: x.ns, Workload: x.wl, Container: PodTotal, Day: d(day),
				PodsMin: pods, PodsMax: pods + 2, CPUMax: 1000, CPUAvg: 1000, MemMax: 1000 * gib, MemAvg: 1000 * gib,
				CPURequest: 1000, CPULimit: 1000, MemRequest: 1000 * gib, MemLimit: 1000 * gib, CPUPctOfLimit: 1000, MemPctOfLimit: 1000,
				Quantile: 0.95, CollectedAt: d(day + 1).Add(time.Hour)})
		}
	}
	return out
}()

// fixtureRows is truth plus what the queries must not see: another cluster's rows, and an
// earlier collection of one row with other values, which truth's later collection replaces.
func fixtureRows() (current, replaced [][]any) {
	for _, s := range truth {
		if s.Namespace == "shop" && s.Workload == "web" && s.Day.Equal(d(21)) && s.Container == "app" {
			stale := s
			stale.CPUMax, stale.CPUAvg, stale.PodsMin, stale.CPUPctOfLimit = 500, 500, 500, 5000
			stale.CollectedAt = s.CollectedAt.Add(-12 * time.Hour)
			replaced = append(replaced, stale.Row())
		}
		current = append(current, s.Row())
		other := s
		other.Cluster = "q2"
		other.CPUAvg, other.MemAvg = 777, 777*gib
		current = append(current, other.Row())
	}
	return current, replaced
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

var all = Range{From: d(20), To: d(22)}

func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestListPagesNewestDayFirstAndSeesOneRowPerIdentity(t *testing.T) {
	ctx := ctxT(t)
	tests := []struct {
		name      string
		filter    ListFilter
		wantTotal uint64
		wantFirst string // namespace/workload/container@day of the first item
		wantItems int
	}{
		{"every row of the cluster", ListFilter{Range: all, Limit: 1000}, uint64(len(truth)), "pay/ledger/@2026-11-22", len(truth)},
		{"a page keeps the total", ListFilter{Range: all, Limit: 5, Offset: 5}, uint64(len(truth)), "shop/web/@2026-11-22", 5},
		{"a namespace", ListFilter{Range: all, Namespace: "shop", Limit: 100}, 15, "shop/api/@2026-11-22", 15},
		{"a workload's pod totals", ListFilter{Range: all, Namespace: "shop", Workload: "api", HasContainer: true, Limit: 100}, 3, "shop/api/@2026-11-22", 3},
		{"one container over one day", ListFilter{Range: Range{d(21), d(21)}, Container: "istio-proxy", HasContainer: true, Limit: 100}, 1, "shop/api/istio-proxy@2026-11-21", 1},
		{"a range without data", ListFilter{Range: Range{d(1), d(2)}, Limit: 100}, 0, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.filter
			f.Cluster = cluster
			rows, total, err := List(ctx, conn, f)
			if err != nil {
				t.Fatal(err)
			}
			if total != tt.wantTotal || len(rows) != tt.wantItems {
				t.Fatalf("%d items, total %d; want %d, %d", len(rows), total, tt.wantItems, tt.wantTotal)
			}
			if len(rows) > 0 {
				if got := rows[0].Namespace + "/" + rows[0].Workload + "/" + rows[0].Container + "@" + rows[0].Day; got != tt.wantFirst {
					t.Fatalf("first item %s, want %s", got, tt.wantFirst)
				}
			}
			for _, r := range rows {
				if r.Cluster != cluster || r.CPUAvg == 500 || r.CPUAvg == 777 {
					t.Fatalf("a row that must not be seen: %+v", r)
				}
			}
		})
	}
}

func TestSeriesIsOneWorkloadContainerPerDayOldestFirst(t *testing.T) {
	rows, err := Series(ctxT(t), conn, cluster, Workload{Namespace: "shop", Name: "web"}, "app", all)
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, r := range rows {
		days = append(days, r.Day)
	}
	if strings.Join(days, ",") != "2026-11-20,2026-11-21,2026-11-22" {
		t.Fatalf("days %v", days)
	}
	want := RowOf(truth[slices.IndexFunc(truth, func(s Sample) bool {
		return s.Workload == "web" && s.Container == "app" && s.Day.Equal(d(21))
	})])
	if rows[1] != want {
		t.Fatalf("series row\n %+v\nwant\n %+v", rows[1], want)
	}
}

// expected sums computed straight from truth, by the documented definitions.
type wday struct {
	ns, wl string
	day    time.Time
}

func perWorkloadDay(ns string) map[wday]DayTotal {
	out := map[wday]DayTotal{}
	for _, s := range truth {
		if s.Container == PodTotal || (ns != "" && s.Namespace != ns) {
			continue
		}
		k := wday{s.Namespace, s.Workload, s.Day}
		t := out[k]
		p := float64(s.PodsMin)
		t.Pods = max(t.Pods, uint64(s.PodsMin))
		t.CPUUsage += p * s.CPUAvg
		t.MemUsage += p * s.MemAvg
		t.CPURequest += p * s.CPURequest
		t.CPULimit += p * s.CPULimit
		t.MemRequest += p * s.MemRequest
		t.MemLimit += p * s.MemLimit
		out[k] = t
	}
	return out
}

func TestTotalsSumWorkloadsPerDayWithoutPodTotals(t *testing.T) {
	for _, ns := range []string{"", "shop"} {
		t.Run("namespace "+ns, func(t *testing.T) {
			want := map[string]DayTotal{}
			for k, v := range perWorkloadDay(ns) {
				day := k.day.Format(time.DateOnly)
				w := want[day]
				w.Day = day
				w.Pods += v.Pods
				w.CPUUsage += v.CPUUsage
				w.MemUsage += v.MemUsage
				w.CPURequest += v.CPURequest
				w.CPULimit += v.CPULimit
				w.MemRequest += v.MemRequest
				w.MemLimit += v.MemLimit
				want[day] = w
			}
			got, err := Totals(ctxT(t), conn, cluster, ns, "", all)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 {
				t.Fatalf("%d days: %+v", len(got), got)
			}
			for _, g := range got {
				w := want[g.Day]
				if g.Pods != w.Pods || !near(g.CPUUsage, w.CPUUsage) || !near(g.MemUsage, w.MemUsage) || !near(g.CPURequest, w.CPURequest) ||
					!near(g.CPULimit, w.CPULimit) || !near(g.MemRequest, w.MemRequest) || !near(g.MemLimit, w.MemLimit) {
					t.Fatalf("day %s\n got %+v\nwant %+v", g.Day, g, w)
				}
			}
		})
	}
}

func TestTopRanksEachWorkloadsWorstDay(t *testing.T) {
	value := func(by string, s Sample) float64 {
		switch by {
		case ByCPUPct:
			return s.CPUPctOfLimit
		case ByMemPct:
			return s.MemPctOfLimit
		case ByPods:
			return float64(s.PodsMax)
		}
		return 0
	}
	for _, by := range []string{ByCPU, ByMemory, ByCPUPct, ByMemPct, ByPods} {
		t.Run(by, func(t *testing.T) {
			perDay := map[wday]float64{}
			for k, v := range perWorkloadDay("") {
				switch by {
				case ByCPU:
					perDay[k] = v.CPUUsage
				case ByMemory:
					perDay[k] = v.MemUsage
				}
			}
			if by != ByCPU && by != ByMemory {
				for _, s := range truth {
					if s.Container != PodTotal {
						k := wday{s.Namespace, s.Workload, s.Day}
						perDay[k] = max(perDay[k], value(by, s))
					}
				}
			}
			type item struct {
				name string
				v    float64
				day  time.Time
			}
			best := map[string]item{}
			for k, v := range perDay {
				n := k.ns + "/" + k.wl
				if b, ok := best[n]; !ok || v > b.v || (v == b.v && k.day.After(b.day)) {
					best[n] = item{n, v, k.day}
				}
			}
			var want []item
			for _, it := range best {
				want = append(want, it)
			}
			sort.Slice(want, func(i, j int) bool {
				if want[i].v != want[j].v {
					return want[i].v > want[j].v
				}
				return want[i].name < want[j].name
			})
			got, err := Top(ctxT(t), conn, cluster, "", by, all, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("%d items", len(got))
			}
			for i, g := range got {
				w := want[i]
				if g.Namespace+"/"+g.Workload != w.name || !near(g.Value, w.v) || g.Day != w.day.Format(time.DateOnly) {
					t.Fatalf("item %d: got %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestNamespacesShareTheClusterByMeanDailyUsage(t *testing.T) {
	type acc struct {
		perDay                         map[time.Time]uint64 // workloads seen each day
		pods, cpu, mem, cpuReq, memReq float64
	}
	per := map[string]*acc{}
	var cpuAll, memAll float64
	for k, v := range perWorkloadDay("") {
		a := per[k.ns]
		if a == nil {
			a = &acc{perDay: map[time.Time]uint64{}}
			per[k.ns] = a
		}
		a.perDay[k.day]++
		a.pods += float64(v.Pods)
		a.cpu += v.CPUUsage
		a.mem += v.MemUsage
		a.cpuReq += v.CPURequest
		a.memReq += v.MemRequest
		cpuAll += v.CPUUsage
		memAll += v.MemUsage
	}
	got, err := Namespaces(ctxT(t), conn, cluster, "", all)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].CPUUsage < got[1].CPUUsage {
		t.Fatalf("namespaces %+v", got)
	}
	var shares float64
	for _, g := range got {
		a := per[g.Namespace]
		var most uint64
		for _, n := range a.perDay {
			most = max(most, n)
		}
		const days = 3
		if g.Workloads != most || !near(g.Pods, a.pods/days) || !near(g.CPUUsage, a.cpu/days) || !near(g.MemUsage, a.mem/days) ||
			!near(g.CPURequest, a.cpuReq/days) || !near(g.MemRequest, a.memReq/days) ||
			!near(g.CPUShare, a.cpu/cpuAll) || !near(g.MemShare, a.mem/memAll) {
			t.Fatalf("namespace %s: got %+v, want %+v over %d days", g.Namespace, g, *a, days)
		}
		shares += g.CPUShare
	}
	if !near(shares, 1) {
		t.Fatalf("cpu shares add up to %v", shares)
	}
}

func TestQueriesRefuseBadRanges(t *testing.T) {
	ctx := ctxT(t)
	backwards := Range{From: d(22), To: d(20)}
	if _, _, err := List(ctx, conn, ListFilter{Cluster: cluster, Range: backwards}); err == nil {
		t.Fatal("a backwards range was accepted")
	}
	if _, err := Top(ctx, conn, cluster, "", "cost", all, 10); err == nil || !strings.Contains(err.Error(), "unknown order") {
		t.Fatalf("an unknown order: %v", err)
	}
	if _, err := Totals(ctx, conn, cluster, "", "", Range{From: d(1).AddDate(-11, 0, 0), To: d(1)}); err == nil {
		t.Fatal("an 11-year range was accepted")
	}
}
