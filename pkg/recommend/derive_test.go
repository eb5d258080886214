package recommend

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
)

var collected = control.Sources{CPURequest: control.SourceCollected, CPULimit: control.SourceCollected,
	MemRequest: control.SourceCollected, MemLimit: control.SourceCollected}

// ctr is a container with every source collected.
func ctr(name string, cpu, cpuLim, mem, memLim int64) control.Container {
	return control.Container{Name: name, CPURequestMillis: cpu, CPULimitMillis: cpuLim, MemRequestMiB: mem, MemLimitMiB: memLim, Sources: collected}
}

func find(t *testing.T, rows []control.Row, ns, wl string) control.Row {
	t.Helper()
	i := slices.IndexFunc(rows, func(r control.Row) bool { return r.Namespace == ns && r.Workload == wl })
	if i < 0 {
		t.Fatalf("no row for %s/%s in %d rows", ns, wl, len(rows))
	}
	return rows[i]
}

func wantContainers(t *testing.T, r control.Row, want ...control.Container) {
	t.Helper()
	if !slices.Equal(r.Containers, want) {
		t.Fatalf("%s/%s containers\n got %+v\nwant %+v", r.Namespace, r.Workload, r.Containers, want)
	}
}

func mustDerive(t *testing.T, p Params, history []peaks.Sample, current []control.Row) ([]control.Row, Report) {
	t.Helper()
	next, rep, err := Derive(p, history, current, now)
	if err != nil {
		t.Fatal(err)
	}
	return next, rep
}

func TestPerWorkloadModeUsesEachWorkloadsOwnWorstDay(t *testing.T) {
	next, rep := mustDerive(t, DefaultParams(), twelveDays(), nil)
	if rep.FirstDay != "2026-11-13" || rep.LastDay != "2026-11-22" || rep.ClusterPeakDay != "" {
		t.Fatalf("window %s..%s, cluster day %q", rep.FirstDay, rep.LastDay, rep.ClusterPeakDay)
	}
	if len(next) != 3 || rep.Workloads != 3 || len(rep.New) != 3 || rep.Written() != 3 {
		t.Fatalf("%d rows, report %+v", len(next), rep)
	}
	api := find(t, next, "shop", "api")
	if api.PeakDay != "2026-11-15" || api.Replicas.Observed != 4 || api.Replicas.Effective != 4 || api.Replicas.Source != control.ReplicasObserved {
		t.Fatalf("api day %s replicas %+v", api.PeakDay, api.Replicas)
	}
	// app: 0.60 cores → 600m; 400 MiB with 2 OOM kills → max(400×1.2, 400+100) = 500 MiB.
	// istio-proxy: 4.2m → 5m → floor 10m; 0.3 MiB → 1 MiB.
	wantContainers(t, api, ctr("app", 600, 2000, 500, 2048), ctr("istio-proxy", 10, -1, 1, -1))
	web := find(t, next, "shop", "web")
	// 0.45 cores → 450m, above the 300m limit → clamped.
	if web.PeakDay != "2026-11-20" || web.Replicas.Observed != 8 {
		t.Fatalf("web day %s replicas %+v", web.PeakDay, web.Replicas)
	}
	wantContainers(t, web, ctr("app", 300, 300, 260, 512))
	newsvc := find(t, next, "pay", "newsvc")
	wantContainers(t, newsvc, ctr("app", 120, 1000, 128, 256))
	if len(rep.Clamped) != 1 || rep.Clamped[0] != (Adjustment{Namespace: "shop", Kind: "Deployment", Workload: "web", Container: "app", Field: "cpuRequest", From: 450, To: 300,
		Reason: "cpu request of app clamped from 450m to its limit 300m"}) {
		t.Fatalf("clamped %+v", rep.Clamped)
	}
	if len(rep.Bumped) != 1 || rep.Bumped[0].From != 400 || rep.Bumped[0].To != 500 || rep.Bumped[0].Workload != "api" {
		t.Fatalf("bumped %+v", rep.Bumped)
	}
	if !slices.Equal(web.Notes, []string{"cpu request of app clamped from 450m to its limit 300m"}) {
		t.Fatalf("web notes %q", web.Notes)
	}
	for _, r := range next {
		// The recommend switch is off by default: a recommendation is made but not enforced.
		if r.Version != 1 || r.UpdatedBy != control.UpdatedByCollector || r.Replicas.Manual != -1 || r.Replicas.RecommendedActive ||
			r.Replicas.Source != control.ReplicasObserved || r.Replicas.Effective != r.Replicas.Observed {
			t.Fatalf("new row %s/%s: version %d by %q replicas %+v", r.Namespace, r.Workload, r.Version, r.UpdatedBy, r.Replicas)
		}
	}
}

func TestKubeDoorModeUsesOneClusterWideDay(t *testing.T) {
	p := DefaultParams()
	p.Mode = ModeKubeDoor
	next, rep := mustDerive(t, p, twelveDays(), nil)
	if rep.ClusterPeakDay != "2026-11-20" {
		t.Fatalf("cluster day %q, want 2026-11-20", rep.ClusterPeakDay)
	}
	// newsvc has no samples on 11-20, so KubeDoor's rule cannot add it.
	if len(next) != 2 || rep.NotOnPeakDay != 1 || len(rep.New) != 2 {
		t.Fatalf("%d rows, report %+v", len(next), rep)
	}
	api := find(t, next, "shop", "api")
	if api.PeakDay != "2026-11-20" || api.Replicas.Observed != 3 {
		t.Fatalf("api day %s replicas %+v", api.PeakDay, api.Replicas)
	}
	// 0.25 cores → 250m; 300.2 MiB → 301 MiB (rounded up), no OOM kills that day.
	wantContainers(t, api, ctr("app", 250, 2000, 301, 2048), ctr("istio-proxy", 10, -1, 1, -1))
	wantContainers(t, find(t, next, "shop", "web"), ctr("app", 300, 300, 260, 512))
}

// row is a current row with the given containers, as a previous derivation left it.
func row(ns, wl string, version uint64, observed int32, cs ...control.Container) control.Row {
	r := control.Row{Cluster: "prod-a", Namespace: ns, Workload: wl, Version: version, PeakDay: "2026-11-01",
		Replicas: control.Replicas{Manual: -1, Recommended: -1, Observed: observed, ObservedFrom: control.ObservedDesired}, Containers: cs, Notes: []string{}}
	r.Replicas.Resolve()
	return r
}

func TestDerivationRules(t *testing.T) {
	base := func(mut ...func(*s)) []peaks.Sample {
		x := s{ns: "shop", wl: "api", c: "app", d: 20, pods: 3, cpuAvg: 0.2, cpuMax: 0.35, memMiB: 300, cpuLim: 2, memLim: 1024}
		for _, m := range mut {
			m(&x)
		}
		return samples(x)
	}
	tests := []struct {
		name    string
		params  func(*Params)
		history []peaks.Sample
		current []control.Row
		check   func(t *testing.T, next []control.Row, rep Report)
	}{
		{
			name: "float noise does not add a millicore", history: base(),
			check: func(t *testing.T, next []control.Row, _ Report) {
				wantContainers(t, next[0], ctr("app", 350, 2000, 300, 1024))
			},
		},
		{
			name: "headroom multiplies before rounding up", params: func(p *Params) { p.Headroom = 0.15 },
			history: base(func(x *s) { x.cpuMax, x.memMiB = 0.333, 100.5 }),
			check: func(t *testing.T, next []control.Row, _ Report) {
				// 333 × 1.15 = 382.95 → 383m; 100.5 × 1.15 = 115.575 → 116 MiB.
				wantContainers(t, next[0], ctr("app", 383, 2000, 116, 1024))
			},
		},
		{
			name: "floors lift idle containers", params: func(p *Params) { p.CPUFloorMillis, p.MemFloorMiB = 25, 16 },
			history: base(func(x *s) { x.cpuMax, x.memMiB = 0, 3 }),
			check: func(t *testing.T, next []control.Row, _ Report) {
				wantContainers(t, next[0], ctr("app", 25, 2000, 16, 1024))
			},
		},
		{
			name: "a small OOM-killed container gets +100 MiB", history: base(func(x *s) { x.memMiB, x.oom = 200, 1 }),
			check: func(t *testing.T, next []control.Row, rep Report) {
				wantContainers(t, next[0], ctr("app", 350, 2000, 300, 1024))
				if len(rep.Bumped) != 1 || rep.Bumped[0].From != 200 || rep.Bumped[0].To != 300 {
					t.Fatalf("bumped %+v", rep.Bumped)
				}
			},
		},
		{
			name: "a large OOM-killed container gets ×1.2", history: base(func(x *s) { x.memMiB, x.memLim, x.oom = 700, 4096, 3 }),
			check: func(t *testing.T, next []control.Row, _ Report) {
				wantContainers(t, next[0], ctr("app", 350, 2000, 840, 4096))
			},
		},
		{
			name: "the OOM bump can be switched off", params: func(p *Params) { p.OOMBump = false },
			history: base(func(x *s) { x.memMiB, x.oom = 200, 1 }),
			check: func(t *testing.T, next []control.Row, rep Report) {
				wantContainers(t, next[0], ctr("app", 350, 2000, 200, 1024))
				if len(rep.Bumped) != 0 {
					t.Fatalf("bumped %+v", rep.Bumped)
				}
			},
		},
		{
			name: "a bumped memory request is still clamped to its limit", history: base(func(x *s) { x.memMiB, x.memLim, x.oom = 950, 1024, 1 }),
			check: func(t *testing.T, next []control.Row, rep Report) {
				wantContainers(t, next[0], ctr("app", 350, 2000, 1024, 1024))
				if len(rep.Bumped) != 1 || len(rep.Clamped) != 1 || rep.Clamped[0].From != 1140 {
					t.Fatalf("bumped %+v clamped %+v", rep.Bumped, rep.Clamped)
				}
			},
		},
		{
			name: "limits are kept once set and only requests follow the data", history: base(func(x *s) { x.cpuLim, x.memLim = 4, 8192 }),
			current: []control.Row{row("shop", "api", 5, 2, ctr("app", 100, 2000, 100, 1024))},
			check: func(t *testing.T, next []control.Row, rep Report) {
				wantContainers(t, next[0], ctr("app", 350, 2000, 300, 1024))
				if next[0].Version != 6 || rep.Changed != 1 || len(rep.New) != 0 {
					t.Fatalf("version %d report %+v", next[0].Version, rep)
				}
			},
		},
		{
			name: "an unset limit is filled from the first observation", history: base(),
			current: []control.Row{row("shop", "api", 1, 2, ctr("app", 100, -1, 100, -1))},
			check: func(t *testing.T, next []control.Row, _ Report) {
				wantContainers(t, next[0], ctr("app", 350, 2000, 300, 1024))
			},
		},
		{
			name: "manual values survive and collected ones move", history: base(),
			current: []control.Row{func() control.Row {
				c := ctr("app", 900, 3000, 2000, 4096)
				c.Sources = control.Sources{CPURequest: control.SourceManual, CPULimit: control.SourceManual, MemRequest: control.SourceCollected, MemLimit: control.SourceManual}
				r := row("shop", "api", 7, 2, c)
				r.Replicas.Manual = 6
				return r
			}()},
			check: func(t *testing.T, next []control.Row, _ Report) {
				r := next[0]
				if r.Replicas.Manual != 6 || r.Replicas.Observed != 3 || r.Replicas.Effective != 6 {
					t.Fatalf("replicas %+v", r.Replicas)
				}
				c := r.Containers[0]
				if c.CPURequestMillis != 900 || c.CPULimitMillis != 3000 || c.MemLimitMiB != 4096 || c.MemRequestMiB != 300 {
					t.Fatalf("container %+v", c)
				}
			},
		},
		{
			name: "a manual request above a newly observed limit is noted, not changed", history: base(func(x *s) { x.cpuLim = 0.5 }),
			current: []control.Row{func() control.Row {
				c := ctr("app", 800, -1, 100, 1024)
				c.Sources.CPURequest = control.SourceManual
				return row("shop", "api", 1, 2, c)
			}()},
			check: func(t *testing.T, next []control.Row, rep Report) {
				if c := next[0].Containers[0]; c.CPURequestMillis != 800 || c.CPULimitMillis != 500 {
					t.Fatalf("container %+v", c)
				}
				if len(rep.Clamped) != 0 || len(next[0].Notes) != 1 || !strings.Contains(next[0].Notes[0], "manual cpu request of app (800m) is above its limit (500m)") {
					t.Fatalf("notes %q clamped %+v", next[0].Notes, rep.Clamped)
				}
			},
		},
		{
			name: "re-deriving what the table holds writes nothing", history: base(),
			current: []control.Row{func() control.Row {
				r := row("shop", "api", 4, 3, ctr("app", 350, 2000, 300, 1024))
				r.PeakDay = "2026-11-20"
				// memory: 3 pods × 270 MiB (pod average) = 810 MiB / (300 MiB × 0.8) = 3.4 → 4
				r.Replicas.Recommended, r.Replicas.RecommendedFor = 4, control.RecommendedForReplicas
				r.Replicas.RecommendedReason = "peak memory 810 MiB over 3 pods requesting 300 MiB each = 90 % → 4 pods reach 68 % (target 80 %)"
				return r
			}()},
			check: func(t *testing.T, next []control.Row, rep Report) {
				if len(next) != 0 || rep.Unchanged != 1 || rep.Written() != 0 {
					t.Fatalf("%d rows, report %+v", len(next), rep)
				}
			},
		},
		{
			name: "a workload not seen is kept", history: base(),
			current: []control.Row{row("shop", "gone", 2, 1, ctr("app", 10, -1, 1, -1))},
			check: func(t *testing.T, next []control.Row, rep Report) {
				if len(next) != 1 || next[0].Workload != "api" || rep.Kept != 1 {
					t.Fatalf("%d rows, report %+v", len(next), rep)
				}
			},
		},
		{
			name: "a workload removed by hand is not brought back", history: base(),
			current: []control.Row{func() control.Row { r := row("shop", "api", 3, 2); r.Deleted = true; return r }()},
			check: func(t *testing.T, next []control.Row, rep Report) {
				if len(next) != 0 || rep.Removed != 1 || len(rep.New) != 0 {
					t.Fatalf("%d rows, report %+v", len(next), rep)
				}
			},
		},
		{
			name: "a sidecar seen for the first time is added after the known containers",
			history: append(base(), s{ns: "shop", wl: "api", c: "envoy", d: 20, pods: 3, cpuAvg: 0.05, cpuMax: 0.07, memMiB: 64}.sample(),
				s{ns: "shop", wl: "api", c: "aaa-log", d: 20, pods: 3, cpuAvg: 0.01, cpuMax: 0.011, memMiB: 20}.sample()),
			current: []control.Row{row("shop", "api", 1, 3, ctr("app", 1, 2000, 1, 1024))},
			check: func(t *testing.T, next []control.Row, _ Report) {
				wantContainers(t, next[0], ctr("app", 350, 2000, 300, 1024), ctr("aaa-log", 11, -1, 20, -1), ctr("envoy", 70, -1, 64, -1))
			},
		},
		{
			name:    "a container missing on the chosen day keeps its values",
			history: base(), current: []control.Row{row("shop", "api", 1, 3, ctr("app", 1, 2000, 1, 1024), ctr("old-sidecar", 50, -1, 50, -1))},
			check: func(t *testing.T, next []control.Row, _ Report) {
				wantContainers(t, next[0], ctr("app", 350, 2000, 300, 1024), ctr("old-sidecar", 50, -1, 50, -1))
			},
		},
		{
			name: "on equal loads the later day wins",
			history: samples(s{ns: "shop", wl: "api", c: "app", d: 18, pods: 2, cpuAvg: 0.5, cpuMax: 0.9, memMiB: 10},
				s{ns: "shop", wl: "api", c: "app", d: 19, pods: 1, cpuAvg: 1.0, cpuMax: 0.4, memMiB: 10}),
			check: func(t *testing.T, next []control.Row, _ Report) {
				if next[0].PeakDay != "2026-11-19" || next[0].Containers[0].CPURequestMillis != 400 {
					t.Fatalf("day %s containers %+v", next[0].PeakDay, next[0].Containers)
				}
			},
		},
		{
			name: "a re-collected sample counts once, the later collection winning",
			history: func() []peaks.Sample {
				h := base()
				stale := h[0]
				stale.CPUMax, stale.CollectedAt = 9, stale.CollectedAt.Add(-time.Hour)
				return append([]peaks.Sample{stale}, h...)
			}(),
			check: func(t *testing.T, next []control.Row, _ Report) {
				wantContainers(t, next[0], ctr("app", 350, 2000, 300, 1024))
			},
		},
		{
			name: "today's samples are not used", history: base(func(x *s) { x.d = 23 }),
			check: func(t *testing.T, next []control.Row, rep Report) {
				if len(next) != 0 || rep.Workloads != 0 {
					t.Fatalf("%d rows from today's samples", len(next))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultParams()
			if tt.params != nil {
				tt.params(&p)
			}
			next, rep := mustDerive(t, p, tt.history, tt.current)
			tt.check(t, next, rep)
		})
	}
}

func TestDeriveRefusesBadInput(t *testing.T) {
	tests := []struct {
		name    string
		params  func(*Params)
		history []peaks.Sample
		current []control.Row
		want    string
	}{
		{name: "zero days", params: func(p *Params) { p.Days = 0 }, want: "days must be 1..90"},
		{name: "an unknown mode", params: func(p *Params) { p.Mode = "max" }, want: "mode must be"},
		{name: "a NaN headroom", params: func(p *Params) { p.Headroom = nanValue() }, want: "headroom must be 0..10"},
		{name: "negative floors", params: func(p *Params) { p.MemFloorMiB = -1 }, want: "memory floor"},
		{name: "samples of two clusters", history: func() []peaks.Sample {
			h := samples(s{ns: "a", wl: "b", c: "c", d: 20, pods: 1}, s{ns: "a", wl: "b", c: "c", d: 21, pods: 1})
			h[1].Cluster = "prod-b"
			return h
		}(), want: `samples of clusters "prod-a" and "prod-b"`},
		{name: "rows of another cluster", history: samples(s{ns: "a", wl: "b", c: "c", d: 20, pods: 1}),
			current: []control.Row{{Cluster: "prod-b", Namespace: "x", Workload: "y"}}, want: `current rows of clusters "prod-a" and "prod-b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultParams()
			if tt.params != nil {
				tt.params(&p)
			}
			_, _, err := Derive(p, tt.history, tt.current, now)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func nanValue() float64 { var z float64; return z / z }

func TestTheWindowIsTheDaysBeforeTodayInTheClustersZone(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.Days, p.Location = 3, shanghai
	// 2026-11-22 20:00 UTC is already 2026-11-23 04:00 in Shanghai.
	first, last := p.Window(time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC))
	if got := fmt.Sprint(first.Format(time.DateOnly), "..", last.Format(time.DateOnly)); got != "2026-11-20..2026-11-22" {
		t.Fatalf("window %s", got)
	}
}
