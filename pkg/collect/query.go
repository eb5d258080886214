package collect

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/kubedoor/kubedoor-grafana/pkg/prom"
)

// Stats counts what a collection asked of Prometheus.
type Stats struct {
	Queries      int64 // HTTP queries that succeeded
	Retries      int64 // attempts repeated after a transient failure
	MaxPoints    int64 // most points any one series of any query spanned (subquery or range steps)
	SeriesParsed int64
}

type runner struct {
	prom  prom.Client
	opts  Options
	sem   chan struct{}
	stats *statsCounter
}

type statsCounter struct {
	queries, retries, maxPoints, series atomic.Int64
}

func (s *statsCounter) snapshot() Stats {
	return Stats{Queries: s.queries.Load(), Retries: s.retries.Load(), MaxPoints: s.maxPoints.Load(), SeriesParsed: s.series.Load()}
}

func (s *statsCounter) points(n int64) {
	for {
		cur := s.maxPoints.Load()
		if n <= cur || s.maxPoints.CompareAndSwap(cur, n) {
			return
		}
	}
}

// instant runs an instant query at `at` whose subqueries span `points` steps.
func (r *runner) instant(ctx context.Context, q string, at time.Time, points int64) (model.Vector, error) {
	v, err := r.do(ctx, q, func(ctx context.Context) (model.Value, error) { return r.prom.Query(ctx, q, at) })
	if err != nil {
		return nil, err
	}
	vec, ok := v.(model.Vector)
	if !ok {
		return nil, fmt.Errorf("query %s: want an instant vector, got %s", short(q), v.Type())
	}
	r.stats.points(points)
	r.stats.series.Add(int64(len(vec)))
	return vec, nil
}

// matrix runs a range query.
func (r *runner) matrix(ctx context.Context, q string, rng v1.Range) (model.Matrix, error) {
	v, err := r.do(ctx, q, func(ctx context.Context) (model.Value, error) { return r.prom.QueryRange(ctx, q, rng) })
	if err != nil {
		return nil, err
	}
	m, ok := v.(model.Matrix)
	if !ok {
		return nil, fmt.Errorf("range query %s: want a matrix, got %s", short(q), v.Type())
	}
	for _, s := range m {
		r.stats.points(int64(len(s.Values)))
	}
	r.stats.series.Add(int64(len(m)))
	return m, nil
}

// do runs one query holding a concurrency slot, with a per-attempt timeout and retries with
// exponential backoff and jitter on transient failures.
func (r *runner) do(ctx context.Context, q string, call func(context.Context) (model.Value, error)) (model.Value, error) {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-r.sem }()
	wait := r.opts.RetryBase
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, r.opts.QueryTimeout)
		v, err := call(actx)
		cancel()
		if err == nil {
			r.stats.queries.Add(1)
			return v, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !prom.Transient(err) || attempt >= r.opts.Retries {
			if attempt > 0 {
				return nil, fmt.Errorf("after %d attempts: %w", attempt+1, err)
			}
			return nil, err
		}
		r.stats.retries.Add(1)
		r.opts.Logger.Warn("prometheus query failed; retrying", "attempt", attempt+1, "in", wait, "error", err)
		jitter := time.Duration(rand.Int64N(int64(wait)/2 + 1))
		select {
		case <-time.After(wait + jitter):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		wait *= 2
	}
}

func short(q string) string {
	if len(q) > 160 {
		return q[:160] + "…"
	}
	return q
}

// group runs functions concurrently (each takes a slot per query it makes) and returns the first
// error, cancelling the rest.
type group struct {
	wg     sync.WaitGroup
	mu     sync.Mutex
	err    error
	cancel context.CancelFunc
}

func newGroup(ctx context.Context) (*group, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	return &group{cancel: cancel}, ctx
}

func (g *group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.mu.Lock()
			if g.err == nil {
				g.err = err
				g.cancel()
			}
			g.mu.Unlock()
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}
