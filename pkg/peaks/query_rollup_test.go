//go:build parts

package peaks

import (
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// rollupFixture spans three months for cluster "q3": 2026-09-20 .. 2026-11-10, two namespaces,
// five workloads, app and sidecar containers and pod totals, values from a fixed formula.
func rollupFixture() []Sample {
	var out []Sample
	for day := time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC); !day.After(time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)); day = day.AddDate(0, 0, 1) {
		dn := int(day.Sub(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
		for w := 0; w < 5; w++ {
			ns := []string{"alpha", "beta"}[w%2]
			pods := uint32(1 + (w*7+dn*3)%5)
			for c, name := range []string{"app", "sidecar", PodTotal} {
				f := float64((w*13+dn*7+c*5)%17+1) / 10
				out = append(out, Sample{Cluster: "q3", Namespace: ns, Workload: "w" + string(rune('a'+w)), Container: name, Day: day,
					PodsMin: pods, PodsMax: pods + uint32(dn%3), CPUAvg: f, CPUMax: f * 1.2, MemAvg: f * gib, MemMax: f * 1.1 * gib,
					CPURequest: 0.25 * float64(c+1), CPULimit: 2, MemRequest: 0.5 * gib, MemLimit: 2 * gib,
					CPUPctOfLimit: f * 10, MemPctOfLimit: f * 7, Quantile: 0.95, CollectedAt: day.Add(30 * time.Hour)})
			}
		}
	}
	return out
}

// wantTop ranks ss's workloads by their worst day in r by the documented definitions.
func wantTop(ss []Sample, by string, r Range, limit int) []TopItem {
	type key struct {
		ns, wl string
		day    time.Time
	}
	perDay := map[key]float64{}
	for _, s := range ss {
		if s.Container == PodTotal || s.Day.Before(r.From) || s.Day.After(r.To) {
			continue
		}
		k := key{s.Namespace, s.Workload, s.Day}
		switch by {
		case ByCPU:
			perDay[k] += float64(s.PodsMin) * s.CPUAvg
		case ByMemory:
			perDay[k] += float64(s.PodsMin) * s.MemAvg
		case ByCPUPct:
			perDay[k] = max(perDay[k], s.CPUPctOfLimit)
		case ByMemPct:
			perDay[k] = max(perDay[k], s.MemPctOfLimit)
		case ByPods:
			perDay[k] = max(perDay[k], float64(s.PodsMax))
		}
	}
	best := map[[2]string]TopItem{}
	for k, v := range perDay {
		n := [2]string{k.ns, k.wl}
		day := k.day.Format(time.DateOnly)
		if b, ok := best[n]; !ok || v > b.Value || (v == b.Value && day > b.Day) {
			best[n] = TopItem{Namespace: k.ns, Workload: k.wl, Value: v, Day: day}
		}
	}
	var out []TopItem
	for _, t := range best {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Value != out[j].Value {
			return out[i].Value > out[j].Value
		}
		return out[i].Namespace+"/"+out[i].Workload < out[j].Namespace+"/"+out[j].Workload
	})
	return out[:min(limit, len(out))]
}

func insertSamples(t *testing.T, ss []Sample) {
	t.Helper()
	rows := make([][]any, len(ss))
	for i, s := range ss {
		rows[i] = s.Row()
	}
	if err := conn.Insert(ctxT(t), "peak_samples", Columns, rows); err != nil {
		t.Fatal(err)
	}
}

func TestTopAcrossWholeAndPartialMonthsMatchesTheSamples(t *testing.T) {
	ss := rollupFixture()
	insertSamples(t, ss)
	ranges := []struct {
		name string
		r    Range
	}{
		{"a range with a whole month inside", Range{time.Date(2026, 9, 25, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)}},
		{"exactly one month", Range{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)}},
		{"part of one month", Range{time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)}},
		{"a whole month then part of the next", Range{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)}},
		{"part of a month then a whole one", Range{time.Date(2026, 9, 25, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)}},
	}
	for _, rg := range ranges {
		for _, by := range []string{ByCPU, ByMemory, ByCPUPct, ByMemPct, ByPods} {
			t.Run(rg.name+" by "+by, func(t *testing.T) {
				got, err := Top(ctxT(t), conn, "q3", "", by, rg.r, 3)
				if err != nil {
					t.Fatal(err)
				}
				want := wantTop(ss, by, rg.r, 3)
				if len(got) != len(want) {
					t.Fatalf("got %+v, want %+v", got, want)
				}
				for i := range want {
					if got[i].Namespace != want[i].Namespace || got[i].Workload != want[i].Workload || !near(got[i].Value, want[i].Value) || got[i].Day != want[i].Day {
						t.Fatalf("item %d: got %+v, want %+v", i, got[i], want[i])
					}
				}
			})
		}
	}
	totals, err := Totals(ctxT(t), conn, "q3", "", "", ranges[0].r)
	if err != nil || len(totals) != 42 {
		t.Fatalf("%d days of totals (%v), want 42", len(totals), err)
	}
}

// The rollups follow the samples: a re-collected day (before and after the merge that drops
// the replaced rows) and a deletion both show in the next answer.
func TestRollupsFollowReCollectionsAndDeletions(t *testing.T) {
	ctx := ctxT(t)
	day := time.Date(2026, 8, 10, 0, 0, 0, 0, time.UTC) // a month no other fixture uses, within the TTL
	base := Sample{Cluster: "q4", Namespace: "shop", Workload: "api", Container: "app", Day: day, PodsMin: 2, PodsMax: 2,
		CPUAvg: 1, CPUMax: 1, Quantile: 0.95, CollectedAt: day.Add(30 * time.Hour)}
	other := base
	other.Workload = "web"
	insertSamples(t, []Sample{base, other})
	r := Range{day, day}
	cpuTotal := func(step string) float64 {
		t.Helper()
		got, err := Totals(ctx, conn, "q4", "", "", r)
		if err != nil || len(got) != 1 {
			t.Fatalf("after %s: totals %+v (%v)", step, got, err)
		}
		return got[0].CPUUsage
	}
	merge := func() {
		t.Helper()
		for _, q := range []string{"SYSTEM START MERGES peak_samples", "OPTIMIZE TABLE peak_samples PARTITION 202608 FINAL", "SYSTEM STOP MERGES peak_samples"} {
			if err := conn.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
	}
	steps := []struct {
		name   string
		change func()
		want   float64
	}{
		{"first read", func() {}, 4},
		{"a re-collection", func() {
			again := base
			again.CPUAvg, again.CollectedAt = 3, base.CollectedAt.Add(time.Hour)
			insertSamples(t, []Sample{again})
		}, 8},
		{"the merge that drops the replaced row", merge, 8},
		{"a re-collection merged before anyone looks", func() {
			again := base
			again.CPUAvg, again.CollectedAt = 5, base.CollectedAt.Add(2*time.Hour)
			insertSamples(t, []Sample{again})
			merge()
		}, 12},
		{"a deletion", func() {
			// A lightweight delete is a mutation: it needs merges running.
			for _, q := range []string{"SYSTEM START MERGES peak_samples", "DELETE FROM peak_samples WHERE cluster = 'q4' AND workload = 'web'", "SYSTEM STOP MERGES peak_samples"} {
				if err := conn.Exec(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
		}, 10},
	}
	for _, s := range steps {
		s.change()
		if got := cpuTotal(s.name); !near(got, s.want) {
			t.Fatalf("after %s: cpu usage %v, want %v", s.name, got, s.want)
		}
	}

	// A merge that changes no data renames the parts but rebuilds nothing.
	before, err := freshGenerations(ctx, conn, "q4", r)
	if err != nil {
		t.Fatal(err)
	}
	partNames := func() string {
		t.Helper()
		names, err := collect(ctx, conn, "part names", "SELECT arrayStringConcat(arraySort(groupArray(name)), ',') FROM system.parts WHERE database = currentDatabase() AND table = 'peak_samples' AND active AND partition_id = '202608'",
			func(rows store.Rows) (string, error) {
				var n string
				return n, rows.Scan(&n)
			})
		if err != nil || len(names) != 1 {
			t.Fatalf("part names %v (%v)", names, err)
		}
		return names[0]
	}
	partsBefore := partNames()
	merge()
	if partNames() == partsBefore {
		t.Fatalf("the merge left the parts as they were (%s): this test would prove nothing", partsBefore)
	}
	after, err := freshGenerations(ctx, conn, "q4", r)
	if err != nil {
		t.Fatal(err)
	}
	if len(before.gens) != 1 || !slices.Equal(before.gens, after.gens) {
		t.Fatalf("generations %v before a plain merge, %v after: the month was rebuilt", before.gens, after.gens)
	}
}
