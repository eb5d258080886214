package savings

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubedoor/kubedoor-grafana/pkg/backtest"
	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/preview"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Sort orders and bounds of a query.
const (
	SortSavings  = "savings" // now − recommended, largest first (the default)
	SortScore    = "score"   // waste score, highest first; no score last
	SortRisk     = "risk"    // risk level, then risk days, highest first
	DefaultLimit = 100
	MaxLimit     = 100_000
)

// Where "now" came from.
const (
	NowLive   = "live"   // the workloads' spec.replicas (a DaemonSet: its pods) × their pod templates' requests
	NowStored = "stored" // the latest stored peak day's most Ready pods × its stored requests
)

// Query is what the recommendations route asks.
type Query struct {
	Namespace string // "" = every namespace
	Kind      string // "" = every kind; else a canonical kind (workload.ParseKind)
	Sort      string // "" = SortSavings
	Limit     int    // 0 = DefaultLimit
	Days      int    // 0 = backtest.DefaultDays
}

// Validate returns the first problem as a *refusal.FieldError naming the query parameter.
func (q Query) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &refusal.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if q.Namespace != "" {
		if errs := validation.IsDNS1123Label(q.Namespace); len(errs) > 0 {
			return bad("namespace", "must be a Kubernetes namespace name: %s", strings.Join(errs, "; "))
		}
	}
	switch {
	case q.Sort != "" && q.Sort != SortSavings && q.Sort != SortScore && q.Sort != SortRisk:
		return bad("sort", "must be %q, %q or %q, got %q", SortSavings, SortScore, SortRisk, q.Sort)
	case q.Limit < 0 || q.Limit > MaxLimit:
		return bad("limit", "must be from 1 to %d, got %d", MaxLimit, q.Limit)
	case q.Days < 0 || q.Days > backtest.MaxDays:
		return bad("days", "must be from 1 to %d, got %d", backtest.MaxDays, q.Days)
	}
	return nil
}

// Running is what one workload runs now.
type Running struct {
	Replicas int32
	Pod      Pod
}

// Live is what runs, by workload; nil = no live view (use stored samples).
type Live map[workload.Ref]Running

// LiveFrom prices workloads as their specs ask: spec.replicas (a DaemonSet: the pods it should
// run now) × the pod template's requests (a limit without a request counts as the request, as
// Kubernetes defaults it).
func LiveFrom(objs []preview.Object) Live {
	out := make(Live, len(objs))
	for _, o := range objs {
		cpu, mem := preview.PodRequests(o.Containers)
		out[o.Ref] = Running{Replicas: o.Replicas, Pod: Pod{CPUCores: cpu / 1000, MemGiB: mem / 1024}}
	}
	return out
}

// Replicas are an item's three replica counts.
type Replicas struct {
	Now         int32 `json:"now"`
	Table       int32 `json:"table"`
	Recommended int32 `json:"recommended"`
	// RecommendedFor and Reason are the row's: what the recommendation sizes ("replicas",
	// "hpaMinReplicas", "" for none) and why, in one sentence.
	RecommendedFor string `json:"recommendedFor"`
	Reason         string `json:"reason"`
}

// Item is one workload.
type Item struct {
	Namespace   string   `json:"namespace"`
	Kind        string   `json:"kind"`
	Workload    string   `json:"workload"`
	Version     uint64   `json:"version"`
	Replicas    Replicas `json:"replicas"`
	Now         Cost     `json:"now"`
	Table       Cost     `json:"table"`
	Recommended Cost     `json:"recommended"`
	Savings     float64  `json:"savings"` // monthly: now − recommended
	Score       *int     `json:"score"`
	ScoreReason string   `json:"scoreReason"`
	Risk        Risk     `json:"risk"`
	HistoryDays int      `json:"historyDays"`
	// Notes say what the prices assume: unset requests counted as 0, no running Deployment.
	Notes []string `json:"notes"`
}

// Totals add up every item in scope (not only the returned page).
type Totals struct {
	Now                Cost    `json:"now"`
	Table              Cost    `json:"table"`
	Recommended        Cost    `json:"recommended"`
	SavingsTable       float64 `json:"savingsTable"`       // now − table, monthly
	SavingsRecommended float64 `json:"savingsRecommended"` // now − recommended, monthly
}

// NamespaceTotals are one namespace's sums.
type NamespaceTotals struct {
	Namespace   string `json:"namespace"`
	Now         Cost   `json:"now"`
	Table       Cost   `json:"table"`
	Recommended Cost   `json:"recommended"`
}

// Answer is the recommendations route's answer (docs/api.md "Recommendations and savings").
type Answer struct {
	Cluster    string                 `json:"cluster"`
	Currency   string                 `json:"currency"`
	Prices     clustersettings.Prices `json:"prices"`
	Days       int                    `json:"days"`
	NowFrom    string                 `json:"nowFrom"`
	Totals     Totals                 `json:"totals"`
	Namespaces []NamespaceTotals      `json:"namespaces"`
	Items      []Item                 `json:"items"`
	// Total is how many workloads are in scope; Items holds the first Limit of them.
	Total    int      `json:"total"`
	Warnings []string `json:"warnings"`
	Replay   Replay   `json:"replay"`
}

// How an answer's replays were had.
const (
	ReplayComputed  = "computed"  // every row replayed for this request
	ReplayRefreshed = "refreshed" // the cached replays, with the rows edited since replayed again
	ReplayCache     = "cache"     // the cached replays: nothing they depend on changed since
)

// Replay says where an answer's replays came from and when they were computed.
type Replay struct {
	From       string    `json:"from"`
	ComputedAt time.Time `json:"computedAt"`
}

// Service answers recommendation queries from a store.
type Service struct {
	conn  store.Conn
	table *control.Table
	cache *Cache
}

// New returns a Service on conn; cache (nil = none) is the process's, shared by its requests.
func New(conn store.Conn, table *control.Table, cache *Cache) *Service {
	return &Service{conn: conn, table: table, cache: cache}
}

// Recommendations prices and scores every current row of cluster (the whole cluster, so sizes
// compare with every workload; q.Namespace only narrows the answer) from two queries: the rows
// and every row replayed over its peak days in the window. live nil prices "now" from stored samples;
// warnings are passed through (e.g. why live was not available).
func (s *Service) Recommendations(ctx context.Context, cluster string, p clustersettings.Prices, loc *time.Location, now time.Time,
	q Query, live Live, warnings []string) (Answer, error) {
	if err := q.Validate(); err != nil {
		return Answer{}, err
	}
	q = q.withDefaults()
	e, err := s.replays(ctx, cluster, peaks.LastDays(q.Days, loc, now))
	if err != nil {
		return Answer{}, fmt.Errorf("recommendations for %s: %w", cluster, err)
	}
	ans := Compute(cluster, p, q, e.rows, e.stored, live, warnings)
	ans.Replay = e.replay
	return ans, nil
}

// Warm computes the cluster's replay over the default window into the cache, so the first read
// after a collection does not pay for it; without a cache it does nothing.
func (s *Service) Warm(ctx context.Context, cluster string, loc *time.Location, now time.Time) error {
	if s.cache == nil {
		return nil
	}
	if _, err := s.replays(ctx, cluster, peaks.LastDays(backtest.DefaultDays, loc, now)); err != nil {
		return fmt.Errorf("warming the recommendations of %s: %w", cluster, err)
	}
	return nil
}

// replays returns the cluster's current rows and their replays over r, from the cache when its
// inputs have not changed since, re-replaying only changed rows when only rows changed.
func (s *Service) replays(ctx context.Context, cluster string, r peaks.Range) (*cacheEntry, error) {
	if s.cache == nil {
		return s.compute(ctx, cluster, r, nil)
	}
	// Taken before anything is read: a write that lands meanwhile changes the next fingerprint.
	f, err := fingerprintOf(ctx, s.conn, cluster, r)
	if err != nil {
		return nil, err
	}
	k := cacheKey{cluster: cluster, from: r.From.Format(time.DateOnly), to: r.To.Format(time.DateOnly)}
	e, hit, samePeaks := s.cache.lookup(k, s.conn, f, time.Now())
	if hit {
		hitE := *e
		hitE.replay.From = ReplayCache
		return &hitE, nil
	}
	var prev *cacheEntry
	if samePeaks {
		prev = e
	}
	fresh, err := s.compute(ctx, cluster, r, prev)
	if err != nil {
		return nil, err
	}
	fresh.mark = f
	s.cache.keep(k, fresh)
	return fresh, nil
}

// compute reads the current rows and replays them; with prev (computed from the same samples)
// it replays only the rows whose version differs from prev's and keeps prev's other replays.
func (s *Service) compute(ctx context.Context, cluster string, r peaks.Range, prev *cacheEntry) (*cacheEntry, error) {
	at := time.Now().UTC()
	rows, _, err := s.table.Current(ctx, cluster, control.Filter{})
	if err != nil {
		return nil, err
	}
	var changed []workload.Ref
	if prev != nil {
		was := make(map[workload.Ref]uint64, len(prev.rows))
		for _, row := range prev.rows {
			was[refOf(row)] = row.Version
		}
		changed = []workload.Ref{}
		for _, row := range rows {
			k := refOf(row)
			if v, ok := was[k]; !ok || v != row.Version {
				changed = append(changed, k)
			}
		}
		if len(changed) > len(rows)/4 { // a re-derivation: one full replay is cheaper
			changed = nil
		}
	}
	fresh, err := clusterReplays(ctx, s.conn, cluster, r, changed)
	if err != nil {
		return nil, err
	}
	e := &cacheEntry{conn: s.conn, rows: rows, stored: fresh, used: at, replay: Replay{From: ReplayComputed, ComputedAt: at}}
	if changed == nil {
		return e, nil
	}
	e.stored, e.replay.From = make(map[workload.Ref]Stored, len(rows)), ReplayRefreshed
	for _, row := range rows {
		k := refOf(row)
		if st, ok := prev.stored[k]; ok {
			e.stored[k] = st // removed rows drop out with the rows they belonged to
		}
	}
	for _, k := range changed {
		delete(e.stored, k) // a changed row without samples in the window has no replay
		if st, ok := fresh[k]; ok {
			e.stored[k] = st
		}
	}
	return e, nil
}

func (q Query) withDefaults() Query {
	q.Sort = cmp.Or(q.Sort, SortSavings)
	q.Limit = cmp.Or(q.Limit, DefaultLimit)
	q.Days = cmp.Or(q.Days, backtest.DefaultDays)
	return q
}
