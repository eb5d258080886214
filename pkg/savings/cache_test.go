package savings

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
)

// A cached answer is what a computation would give now: it is reused while the rows and the
// window's samples are unchanged, and recomputed after an edit, a collected day or another window.
func TestTheCacheNeverAnswersFromChangedInputs(t *testing.T) {
	ctx := context.Background()
	tbl := control.New(conn, nil)
	c := container("app", 1000, 1024)
	if _, err := tbl.Rederive(ctx, "cached", "test", func([]control.Row) ([]control.Row, error) {
		return []control.Row{{Cluster: "cached", Namespace: "shop", Workload: "api", Version: 1,
			Replicas: control.Replicas{Manual: -1, Recommended: -1, Observed: 3}, Containers: []control.Container{c}}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	day := func(d time.Time, cpu float64, collected time.Time) {
		t.Helper()
		s := peaks.Sample{Cluster: "cached", Namespace: "shop", Workload: "api", Container: "app", Day: d, Quantile: 0.95,
			PodsMax: 3, CPUMax: cpu, MemMax: 256 << 20, CPURequest: 1, MemRequest: gib}
		if err := peaks.WriteDay(ctx, conn, "cached", d, []peaks.Sample{s}, collected); err != nil {
			t.Fatal(err)
		}
	}
	last := now.Truncate(24 * time.Hour)
	for i := range 5 {
		d := last.AddDate(0, 0, -i)
		day(d, 0.2, d.Add(26*time.Hour))
	}
	cache := NewCache(DefaultCacheEntries)
	svc := New(conn, tbl, cache)
	ask := func(days int) Item {
		t.Helper()
		a, err := svc.Recommendations(ctx, "cached", listPrices, time.UTC, now, Query{Days: days}, nil, nil)
		if err != nil || len(a.Items) != 1 {
			t.Fatalf("answer %+v, %v", a, err)
		}
		return a.Items[0]
	}
	stats := func(wantHits, wantMisses uint64) {
		t.Helper()
		if h, m := cache.Stats(); h != wantHits || m != wantMisses {
			t.Fatalf("cache hits %d, misses %d; want %d, %d", h, m, wantHits, wantMisses)
		}
	}

	first := ask(30)
	stats(0, 1)
	if again := ask(30); !reflect.DeepEqual(again, first) {
		t.Fatalf("cached %+v, computed %+v", again, first)
	}
	stats(1, 1)

	// An edit: the table's replicas and the version change at once.
	row, _, err := tbl.Current(ctx, "cached", control.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	edited := row[0].Clone()
	edited.Replicas.Manual = 5
	if _, err := tbl.Put(ctx, edited, 1, "alice"); err != nil {
		t.Fatal(err)
	}
	if it := ask(30); it.Replicas.Table != 5 || it.Version != 2 {
		t.Fatalf("after the edit: replicas %+v, version %d", it.Replicas, it.Version)
	}
	stats(1, 2)

	// A re-collected day over the request: the replay counts it.
	day(last, 2, last.Add(30*time.Hour)) // 2 cores × 3 pods ÷ 5 replicas = 1.2 of a 1-core request
	if it := ask(30); it.Risk.DaysOverRequest != 1 {
		t.Fatalf("after a collection: risk %+v", it.Risk)
	}
	stats(1, 3)

	// Another window is its own entry; the first is still current.
	if it := ask(2); it.HistoryDays != 2 {
		t.Fatalf("2-day window: %d history days", it.HistoryDays)
	}
	ask(30)
	stats(2, 4)
}

func TestTheCacheEvictsTheLeastRecentlyUsedWindow(t *testing.T) {
	c := NewCache(2)
	at := func(s int) time.Time { return time.Unix(int64(s), 0) }
	k := func(to string) cacheKey { return cacheKey{cluster: "c", from: "2026-11-01", to: to} }
	c.keep(k("a"), &cacheEntry{conn: conn, used: at(1)})
	c.keep(k("b"), &cacheEntry{conn: conn, used: at(2)})
	if _, ok := c.lookup(k("a"), conn, fingerprint{}, at(3)); !ok { // a is now the most recent
		t.Fatal("a missing")
	}
	c.keep(k("c"), &cacheEntry{conn: conn, used: at(4)})
	if _, ok := c.lookup(k("b"), conn, fingerprint{}, at(5)); ok {
		t.Fatal("b, the least recently used, was kept")
	}
	for _, key := range []string{"a", "c"} {
		if _, ok := c.lookup(k(key), conn, fingerprint{}, at(6)); !ok {
			t.Fatalf("%s was evicted", key)
		}
	}
	if _, ok := c.lookup(k("a"), nil, fingerprint{}, at(7)); ok {
		t.Fatal("an entry of another store was used")
	}
}
