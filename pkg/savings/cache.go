package savings

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Cache keeps the latest rows and replays of a cluster and window for as long as neither the
// control table nor the window's peak samples changed: both only change when an edit, a
// derivation or a collection lands, while the page is read far more often, and the replay is the
// route's whole cost (BENCHMARKS.md). An entry is used only when a fresh fingerprint of its inputs
// (one small query) equals the one taken before it was computed, so a cached answer is always
// what a computation now would give. When only control rows changed (an edit, an accepted
// batch), only the rows whose version changed are replayed again. Prices, the live view and
// sorting are applied per request.
type Cache struct {
	mu      sync.Mutex
	entries map[cacheKey]*cacheEntry
	max     int
	stats   CacheStats
}

// CacheStats count lookups: Hits answered from an entry, Refreshes re-replayed only the rows
// that changed since, Misses computed everything.
type CacheStats struct{ Hits, Misses, Refreshes uint64 }

// Stats returns the counts so far.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// DefaultCacheEntries bounds a Cache: a cluster's default window and a few others.
const DefaultCacheEntries = 16

// NewCache returns an empty Cache holding at most entries windows (oldest use evicted first).
func NewCache(entries int) *Cache {
	return &Cache{entries: map[cacheKey]*cacheEntry{}, max: max(entries, 1)}
}

type cacheKey struct {
	cluster  string
	from, to string // days, time.DateOnly
}

type cacheEntry struct {
	conn   store.Conn // entries of another store (settings changed) are never used
	mark   fingerprint
	rows   []control.Row // read-only once cached: Compute does not modify rows
	stored map[workload.Ref]Stored
	used   time.Time
	replay Replay // how and when rows and stored were had
}

// fingerprint changes with every write to the cluster's control rows (versions are appended,
// each with its updated_at) and every collection of a day in the window (rows appended with a
// newer collected_at). A merge of re-collected days lowers peakRows: a needless recomputation,
// never a stale answer.
type fingerprint struct {
	control rowsMark
	peaks   rowsMark
}

type rowsMark struct {
	rows   uint64
	newest time.Time
}

const fingerprintQuery = `SELECT
  (SELECT count() FROM control_rows WHERE cluster = {cluster:String}),
  (SELECT max(updated_at) FROM control_rows WHERE cluster = {cluster:String}),
  (SELECT count() FROM peak_samples WHERE cluster = {cluster:String} AND day BETWEEN {from:Date} AND {to:Date}),
  (SELECT max(collected_at) FROM peak_samples WHERE cluster = {cluster:String} AND day BETWEEN {from:Date} AND {to:Date})`

func fingerprintOf(ctx context.Context, conn store.Conn, cluster string, r peaks.Range) (fingerprint, error) {
	res, err := conn.Query(ctx, fingerprintQuery, store.P("cluster", cluster), store.P("from", store.Date(r.From)), store.P("to", store.Date(r.To)))
	if err != nil {
		return fingerprint{}, fmt.Errorf("reading what the replays of %s depend on: %w", cluster, err)
	}
	defer res.Close()
	var f fingerprint
	if res.Next() {
		if err := res.Scan(&f.control.rows, &f.control.newest, &f.peaks.rows, &f.peaks.newest); err != nil {
			return fingerprint{}, fmt.Errorf("reading what the replays of %s depend on: %w", cluster, err)
		}
	}
	if err := res.Err(); err != nil {
		return fingerprint{}, fmt.Errorf("reading what the replays of %s depend on: %w", cluster, err)
	}
	return f, nil
}

// lookup returns the entry for k computed on conn, and whether its inputs still read f (a hit)
// or only its control rows changed (the caller may refresh the rows that did).
func (c *Cache) lookup(k cacheKey, conn store.Conn, f fingerprint, now time.Time) (e *cacheEntry, hit, samePeaks bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	switch {
	case !ok || e.conn != conn:
		c.stats.Misses++
		return nil, false, false
	case e.mark == f:
		c.stats.Hits++
		e.used = now
		return e, true, true
	case e.mark.peaks == f.peaks:
		c.stats.Refreshes++
		return e, false, true
	}
	c.stats.Misses++
	return nil, false, false
}

// keep stores e under k, evicting the least recently used entry when full.
func (c *Cache) keep(k cacheKey, e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; !ok && len(c.entries) >= c.max {
		var oldest cacheKey
		first := true
		for key, v := range c.entries {
			if first || v.used.Before(c.entries[oldest].used) {
				oldest, first = key, false
			}
		}
		delete(c.entries, oldest)
	}
	c.entries[k] = e
}
