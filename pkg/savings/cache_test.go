//go:build parts

package savings

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
)

// A cached answer is what a computation would give now: it is reused while the rows and the
// window's samples are unchanged, refreshed row by row after an edit, an added or a removed
// row, and recomputed after a collected day or for another window.
func TestTheCacheNeverAnswersFromChangedInputs(t *testing.T) {
	ctx := t.Context()
	tbl := control.New(conn, nil)
	const cluster = "cached"
	row := func(wl string, observed int32) control.Row {
		c := container("app", 1000, 1024)
		c.Sources = control.Sources{CPURequest: control.SourceCollected, CPULimit: control.SourceCollected,
			MemRequest: control.SourceCollected, MemLimit: control.SourceCollected}
		return control.Row{Cluster: cluster, Namespace: "shop", Workload: wl, Version: 1,
			Replicas: control.Replicas{Manual: -1, Recommended: -1, Observed: observed}, Containers: []control.Container{c}}
	}
	var rows []control.Row
	for i := range 8 {
		rows = append(rows, row(fmt.Sprintf("api-%d", i), 3))
	}
	if _, err := tbl.Rederive(ctx, cluster, "test", func([]control.Row) ([]control.Row, error) { return rows, nil }); err != nil {
		t.Fatal(err)
	}
	last := now.Truncate(24 * time.Hour)
	day := func(d time.Time, cpu float64, collected time.Time, workloads ...string) {
		t.Helper()
		var ss []peaks.Sample
		for _, wl := range workloads {
			ss = append(ss, peaks.Sample{Cluster: cluster, Namespace: "shop", Workload: wl, Container: "app", Day: d, Quantile: 0.95,
				PodsMax: 3, CPUMax: cpu, MemMax: 256 << 20, CPURequest: 1, MemRequest: gib})
		}
		if err := peaks.WriteDay(ctx, conn, cluster, d, ss, collected); err != nil {
			t.Fatal(err)
		}
	}
	all := []string{"api-0", "api-1", "api-2", "api-3", "api-4", "api-5", "api-6", "api-7", "new"}
	for i := range 5 {
		d := last.AddDate(0, 0, -i)
		day(d, 0.2, d.Add(26*time.Hour), all...)
	}
	cache := NewCache(DefaultCacheEntries)
	svc := New(conn, tbl, cache)
	fresh := New(conn, tbl, nil) // the reference: computes every time
	var from string              // the last answer's replay.from
	ask := func(days int) map[string]Item {
		t.Helper()
		q := Query{Days: days, Limit: MaxLimit}
		a, err := svc.Recommendations(ctx, cluster, listPrices, time.UTC, now, q, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := fresh.Recommendations(ctx, cluster, listPrices, time.UTC, now, q, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want.Replay.From != ReplayComputed {
			t.Fatalf("without a cache the replay was %q", want.Replay.From)
		}
		from = a.Replay.From
		a.Replay, want.Replay = Replay{}, Replay{}
		if !reflect.DeepEqual(a, want) {
			t.Fatalf("through the cache:\n%+v\ncomputed now:\n%+v", a, want)
		}
		items := map[string]Item{}
		for _, it := range a.Items {
			items[it.Workload] = it
		}
		return items
	}
	stats := func(want CacheStats) {
		t.Helper()
		if got := cache.Stats(); got != want {
			t.Fatalf("cache %+v, want %+v", got, want)
		}
	}
	saysFrom := func(want string) {
		t.Helper()
		if from != want {
			t.Fatalf("the answer says its replay was %q, want %q", from, want)
		}
	}

	if len(ask(30)) != 8 {
		t.Fatal("want 8 items")
	}
	stats(CacheStats{Misses: 1})
	saysFrom(ReplayComputed)
	ask(30)
	stats(CacheStats{Misses: 1, Hits: 1})
	saysFrom(ReplayCache)

	// An edit: only that row is replayed again, and its answer is the edited row's.
	edited := rows[0].Clone()
	edited.Replicas.Manual = 5
	if _, err := tbl.Put(ctx, edited, 1, "alice"); err != nil {
		t.Fatal(err)
	}
	if it := ask(30)["api-0"]; it.Replicas.Table != 5 || it.Version != 2 {
		t.Fatalf("after the edit: replicas %+v, version %d", it.Replicas, it.Version)
	}
	stats(CacheStats{Misses: 1, Hits: 1, Refreshes: 1})
	saysFrom(ReplayRefreshed)

	// A removed row leaves the answer; an added row with history joins it with its replay.
	if _, err := tbl.Delete(ctx, rows[1].Key(), 1, "alice"); err != nil {
		t.Fatal(err)
	}
	added := row("new", -1)
	added.Replicas.Manual = 2
	added.Containers[0].Sources = control.Sources{CPURequest: control.SourceManual, CPULimit: control.SourceManual,
		MemRequest: control.SourceManual, MemLimit: control.SourceManual}
	if _, err := tbl.Add(ctx, added, "alice"); err != nil {
		t.Fatal(err)
	}
	items := ask(30)
	if _, ok := items["api-1"]; ok || items["new"].HistoryDays != 5 {
		t.Fatalf("after a removal and an addition: %v", items)
	}
	stats(CacheStats{Misses: 1, Hits: 1, Refreshes: 2})

	// A re-collected day over the request: everything is replayed again.
	day(last, 2, last.Add(30*time.Hour), "api-0") // 2 cores × 3 pods ÷ 5 replicas = 1.2 of a 1-core request
	if it := ask(30)["api-0"]; it.Risk.DaysOverRequest != 1 {
		t.Fatalf("after a collection: risk %+v", it.Risk)
	}
	stats(CacheStats{Misses: 2, Hits: 1, Refreshes: 2})
	saysFrom(ReplayComputed)

	// Another window is its own entry; the first is still current.
	if it := ask(2)["api-0"]; it.HistoryDays != 2 {
		t.Fatalf("2-day window: %d history days", it.HistoryDays)
	}
	ask(30)
	stats(CacheStats{Misses: 3, Hits: 2, Refreshes: 2})
	saysFrom(ReplayCache)
}

func TestTheCacheEvictsTheLeastRecentlyUsedWindow(t *testing.T) {
	c := NewCache(2)
	at := func(s int) time.Time { return time.Unix(int64(s), 0) }
	k := func(to string) cacheKey { return cacheKey{cluster: "c", from: "2026-11-01", to: to} }
	found := func(key string, s int) bool {
		_, hit, _ := c.lookup(k(key), conn, fingerprint{}, at(s))
		return hit
	}
	c.keep(k("a"), &cacheEntry{conn: conn, used: at(1)})
	c.keep(k("b"), &cacheEntry{conn: conn, used: at(2)})
	if !found("a", 3) { // a is now the most recent
		t.Fatal("a missing")
	}
	c.keep(k("c"), &cacheEntry{conn: conn, used: at(4)})
	if found("b", 5) {
		t.Fatal("b, the least recently used, was kept")
	}
	for _, key := range []string{"a", "c"} {
		if !found(key, 6) {
			t.Fatalf("%s was evicted", key)
		}
	}
	if _, hit, _ := c.lookup(k("a"), nil, fingerprint{}, at(7)); hit {
		t.Fatal("an entry of another store was used")
	}
}

// Warm fills the default window's entry, so the next read of it is answered from the cache.
func TestWarmingMakesTheFirstReadACacheHit(t *testing.T) {
	ctx := t.Context()
	fleet(t, ctx)
	cache := NewCache(DefaultCacheEntries)
	svc := New(conn, control.New(conn, nil), cache)
	if err := svc.Warm(ctx, "prod", time.UTC, now); err != nil {
		t.Fatal(err)
	}
	a, err := svc.Recommendations(ctx, "prod", listPrices, time.UTC, now, Query{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Replay.From != ReplayCache || a.Replay.ComputedAt.IsZero() || cache.Stats() != (CacheStats{Misses: 1, Hits: 1}) {
		t.Fatalf("replay %+v, cache %+v", a.Replay, cache.Stats())
	}
	if err := New(conn, control.New(conn, nil), nil).Warm(ctx, "prod", time.UTC, now); err != nil {
		t.Fatalf("warming without a cache: %v", err)
	}
}
