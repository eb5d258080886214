//go:build parts

package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/internal/synth"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/collect"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
	"github.com/kubedoor/kubedoor-grafana/pkg/prom"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

var (
	conn     store.Conn
	promSrv  *testenv.PromServer
	firstDay synth.Date
	multi    synth.Scenario
	log      = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
)

const days = 3

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintf(os.Stderr, "jobs tests cannot start: %v\n", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	ctx := context.Background()
	var closeStore func()
	var err error
	if conn, closeStore, err = storetest.Open(ctx, "jobs"); err != nil {
		return 0, err
	}
	defer closeStore()
	firstDay = synth.DateOf(time.Now().UTC()).AddDays(-(days + 1))
	multi = synth.ScenarioMultiDay(firstDay, days)
	var buf bytes.Buffer
	if _, err := multi.WriteOpenMetrics(&buf); err != nil {
		return 0, err
	}
	if promSrv, err = testenv.StartPrometheus(ctx, testenv.PromOptions{Backfill: &buf}); err != nil {
		return 0, err
	}
	defer promSrv.Stop()
	return m.Run(), nil
}

func day(i int) peakwindow.Day {
	d := firstDay.AddDays(i)
	return peakwindow.Day{Year: d.Year, Month: d.Month, Day: d.Day}
}

// env is a Snapshotter over the test store with one cluster, prod-b, whose Prometheus client can
// be wrapped.
type env struct {
	wrap       func(prom.Client) prom.Client
	url        string
	labelValue string // the cluster label value; default prod-b
}

func (e env) Snapshot() (snapshot.Snapshot, error) {
	url := e.url
	if url == "" {
		url = promSrv.URL
	}
	c, err := prom.New(prom.Config{URL: url})
	if err != nil {
		return snapshot.Snapshot{}, err
	}
	if e.wrap != nil {
		c = e.wrap(c)
	}
	label := e.labelValue
	if label == "" {
		label = "prod-b"
	}
	app := settings.App{Clusters: []settings.Cluster{{Name: "prod-b", PrometheusURL: url, ClusterLabelKey: "cluster",
		ClusterLabelValue: label, TimeZone: "UTC"}}}
	return snapshot.Snapshot{Conn: conn, App: app, Prometheus: map[string]prom.Client{"prod-b": c}}, nil
}

type deriver struct {
	mu    sync.Mutex
	calls []string
}

func (d *deriver) Derive(_ context.Context, cluster string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, cluster)
	return nil
}

// gate holds every query until released.
type gate struct {
	prom.Client
	release chan struct{}
}

func (g gate) Query(ctx context.Context, q string, at time.Time) (model.Value, error) {
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Client.Query(ctx, q, at)
}

func countRows(t *testing.T, d peakwindow.Day) (rows, distinct uint64) {
	t.Helper()
	r, err := conn.Query(t.Context(), `SELECT count(), uniqExact(namespace, workload, container)
		FROM peak_samples WHERE cluster = 'prod-b' AND day = {d:Date}`, store.P("d", store.DateOf(d.Time())))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Next()
	if err := r.Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	return rows, distinct
}

func appCPU(t *testing.T, d peakwindow.Day) float64 {
	t.Helper()
	r, err := conn.Query(t.Context(), `SELECT cpu_p95_max FROM peak_samples FINAL
		WHERE cluster = 'prod-b' AND day = {d:Date} AND container = 'app'`, store.P("d", store.DateOf(d.Time())))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var v float64
	if r.Next() {
		if err := r.Scan(&v); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

func waitDone(t *testing.T, m *Manager, id string) Job {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	m.Wait(ctx, "prod-b")
	j, err := m.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !j.Finished() {
		t.Fatalf("job not finished: %+v", j)
	}
	return j
}

func newManager(e env, d Deriver, now time.Time) *Manager {
	m := NewManager(context.Background(), e, d, collect.Options{Retries: 1, RetryBase: 10 * time.Millisecond}, log)
	base := time.Now()
	m.now = func() time.Time { return now.Add(time.Since(base)) }
	return m
}

// nowAfter is a moment just after the last synthetic day's window.
func nowAfter() time.Time { return day(days - 1).Time().Add(12 * time.Hour) }

func TestABackfillStoresEveryDayOnceAndDerives(t *testing.T) {
	d := &deriver{}
	m := newManager(env{}, d, nowAfter())
	j, err := m.Start(t.Context(), Request{Cluster: "prod-b", Days: days, StartedBy: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	if j.State != StateQueued || j.FirstDay != day(0) || j.LastDay != day(days-1) || j.DaysTotal != days {
		t.Fatalf("queued job %+v", j)
	}
	j = waitDone(t, m, j.ID)
	if j.State != StateSucceeded || j.DaysDone != days || j.Workloads != 1 || j.ErrorCount != 0 || j.FinishedAt == nil {
		t.Fatalf("finished job %+v", j)
	}
	rows, err := multi.Expected(0.95)
	if err != nil {
		t.Fatal(err)
	}
	for i := range days {
		e, ok := synth.Find(rows, synth.Key{Cluster: "prod-b", Namespace: "shop", Deployment: "search", Container: "app"}, firstDay.AddDays(i))
		if !ok {
			t.Fatal("no expected row")
		}
		if got := appCPU(t, day(i)); got < e.CPUWorst*(1-1e-9) || got > e.CPUWorst*(1+1e-9) {
			t.Errorf("day %d: stored cpu %g, want %g", i, got, e.CPUWorst)
		}
	}
	if len(d.calls) != 1 || d.calls[0] != "prod-b" {
		t.Errorf("deriver calls %v", d.calls)
	}

	// Re-running the same days is idempotent: the same rows, no duplicates.
	before, _ := countRows(t, day(1))
	j2, err := m.Start(t.Context(), Request{Cluster: "prod-b", Kind: KindRerun, From: day(0), To: day(days - 1), StartedBy: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	if j2 = waitDone(t, m, j2.ID); j2.State != StateSucceeded {
		t.Fatalf("re-run %+v", j2)
	}
	for i := range days {
		n, distinct := countRows(t, day(i))
		if n != distinct || n != before || n != 2 {
			t.Errorf("day %d after re-run: %d rows, %d distinct, %d before (want 2: app and pod total)", i, n, distinct, before)
		}
	}
	list, total, err := m.List(t.Context(), Filter{Cluster: "prod-b"})
	if err != nil || total < 2 || list[0].ID != j2.ID {
		t.Fatalf("list %v total %d err %v", list, total, err)
	}
}

func TestRequestsAreValidated(t *testing.T) {
	m := newManager(env{}, nil, nowAfter())
	tests := []struct {
		name  string
		req   Request
		field string
	}{
		{"zero days and no range", Request{Cluster: "prod-b"}, "from"},
		{"401 days", Request{Cluster: "prod-b", Days: 401}, "days"},
		{"days and a range together", Request{Cluster: "prod-b", Days: 2, From: day(0), To: day(1)}, "days"},
		{"to before from", Request{Cluster: "prod-b", From: day(1), To: day(0)}, "to"},
		{"a day whose window has not ended", Request{Cluster: "prod-b", From: day(0), To: day(days + 1)}, "to"},
		{"more than 400 days", Request{Cluster: "prod-b", From: day(-401), To: day(0)}, "from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Start(t.Context(), tt.req)
			if fe, ok := refusal.AsFieldError(err); !ok || fe.Field != tt.field {
				t.Fatalf("got %v, want a field error on %s", err, tt.field)
			}
		})
	}
	if _, err := m.Start(t.Context(), Request{Cluster: "nope", Days: 1}); err == nil || !strings.Contains(err.Error(), "unknown cluster") {
		t.Fatalf("unknown cluster: %v", err)
	}
}

func TestASecondJobIsRefusedAndCancelStopsTheFirst(t *testing.T) {
	g := gate{release: make(chan struct{})}
	m := newManager(env{wrap: func(c prom.Client) prom.Client { return gate{Client: c, release: g.release} }}, nil, nowAfter())
	j, err := m.Start(t.Context(), Request{Cluster: "prod-b", From: day(0), To: day(0), StartedBy: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := countRows(t, day(0))
	_, err = m.Start(t.Context(), Request{Cluster: "prod-b", Days: 1, StartedBy: "bob"})
	var busy *refusal.Conflict[Job]
	if !errors.As(err, &busy) || busy.Current.ID != j.ID {
		t.Fatalf("second job: %v", err)
	}
	c, err := m.Cancel(t.Context(), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != StateCancelled {
		c = waitDone(t, m, j.ID)
	}
	if c.State != StateCancelled || c.DaysDone != 0 {
		t.Fatalf("cancelled job %+v", c)
	}
	if stored, _ := m.Get(t.Context(), j.ID); stored.State != StateCancelled {
		t.Fatalf("stored state %s", stored.State)
	}
	if after, _ := countRows(t, day(0)); after != before {
		t.Fatalf("a cancelled day changed the store: %d rows, %d before", after, before)
	}
}

// stopper stops the real Prometheus at the first collection query for the second day of the job
// (the job's opening probe of which days Prometheus holds goes through untouched).
type stopper struct {
	prom.Client
	at      time.Time
	stopped *atomic.Bool
	srv     *testenv.PromServer
}

func (s stopper) Query(ctx context.Context, q string, at time.Time) (model.Value, error) {
	if at.After(s.at) && !strings.HasPrefix(q, "count(last_over_time(kube_pod_owner") && s.stopped.CompareAndSwap(false, true) {
		_ = s.srv.Stop()
	}
	return s.Client.Query(ctx, q, at)
}

func (s stopper) QueryRange(ctx context.Context, q string, r v1.Range) (model.Value, error) {
	return s.Client.QueryRange(ctx, q, r)
}

func TestPrometheusStoppedMidJobFailsThoseDaysAndLosesNothing(t *testing.T) {
	// A Prometheus of its own, which this test stops.
	var buf bytes.Buffer
	if _, err := multi.WriteOpenMetrics(&buf); err != nil {
		t.Fatal(err)
	}
	srv, err := testenv.StartPrometheus(t.Context(), testenv.PromOptions{Backfill: &buf})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	m := newManager(env{url: srv.URL}, nil, nowAfter())
	// The last day is collected first, so there is something to lose.
	j, err := m.Start(t.Context(), Request{Cluster: "prod-b", From: day(2), To: day(2)})
	if err != nil {
		t.Fatal(err)
	}
	if j = waitDone(t, m, j.ID); j.State != StateSucceeded {
		t.Fatalf("%+v", j)
	}
	last := appCPU(t, day(2))
	rows, err := multi.Expected(0.95)
	if err != nil {
		t.Fatal(err)
	}
	e0, _ := synth.Find(rows, synth.Key{Cluster: "prod-b", Namespace: "shop", Deployment: "search", Container: "app"}, firstDay)

	stopped := &atomic.Bool{}
	endOfDay0 := day(0).Time().Add(12 * time.Hour)
	m = newManager(env{url: srv.URL, wrap: func(c prom.Client) prom.Client {
		return stopper{Client: c, at: endOfDay0, stopped: stopped, srv: srv}
	}}, nil, nowAfter())
	j, err = m.Start(t.Context(), Request{Cluster: "prod-b", From: day(0), To: day(2)})
	if err != nil {
		t.Fatal(err)
	}
	j = waitDone(t, m, j.ID)
	if !stopped.Load() {
		t.Fatal("Prometheus was never stopped")
	}
	if j.State != StateFailed || j.DaysDone != 3 || j.ErrorCount != 2 || len(j.Errors) != 2 {
		t.Fatalf("job after the stop %+v", j)
	}
	if !strings.Contains(j.Errors[0], day(1).String()) || !strings.Contains(j.Errors[0], "after 2 attempts") {
		t.Errorf("error does not say which day and why: %q", j.Errors[0])
	}
	if got := appCPU(t, day(0)); got < e0.CPUWorst*(1-1e-9) || got > e0.CPUWorst*(1+1e-9) {
		t.Errorf("day 0 (collected before the stop): %g, want %g", got, e0.CPUWorst)
	}
	if got := appCPU(t, day(2)); got != last || got == 0 {
		t.Errorf("day 2 (stored earlier, its re-run failed): %g, want %g", got, last)
	}
}

func TestRecoverMarksJobsOfADeadProcessFailed(t *testing.T) {
	m := newManager(env{}, nil, nowAfter())
	j := Job{ID: "7d1f3a0c-1111-4222-8333-944445555666", Cluster: "prod-b", Kind: KindBackfill, State: StateRunning,
		FirstDay: day(0), LastDay: day(0), DaysTotal: 1, StartedAt: day(0).Time()}
	if err := save(t.Context(), conn, &j, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := m.Recover(t.Context()); err != nil {
		t.Fatal(err)
	}
	got, err := m.Get(t.Context(), j.ID)
	if err != nil || got.State != StateFailed || got.FinishedAt == nil || !strings.Contains(got.Errors[0], "interrupted") {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestRecoverCountsTheDaysAJobStoredBeforeItsProgressWasSaved(t *testing.T) {
	ctx := t.Context()
	m := newManager(env{}, nil, nowAfter())
	started := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	first := peakwindow.Day{Year: 2026, Month: 1, Day: 10}
	// Days 10 to 14 of a job; it saved days_done 1, then stored days 11 and 12 and died before
	// saving. Day 13 was stored by an earlier job only: it does not count.
	j := Job{ID: "7d1f3a0c-2222-4222-8333-944445555666", Cluster: "recount", Kind: KindBackfill, State: StateRunning,
		FirstDay: first, LastDay: first.AddDays(4), DaysTotal: 5, DaysDone: 1, StartedAt: started}
	if err := save(ctx, conn, &j, started); err != nil {
		t.Fatal(err)
	}
	for i, at := range map[int]time.Time{0: started.Add(time.Minute), 1: started.Add(2 * time.Minute),
		2: started.Add(3 * time.Minute), 3: started.Add(-24 * time.Hour)} {
		d := first.AddDays(i).Time()
		if err := peaks.WriteDay(ctx, conn, "recount", d, []peaks.Sample{peakSample("recount", "shop", "api", "app", d, 0.5)}, at); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := m.Get(ctx, j.ID)
	if err != nil || got.State != StateFailed || got.DaysDone != 3 || !strings.Contains(got.Errors[0], "after 3 of 5 days") {
		t.Fatalf("%+v %v, want failed after 3 of 5 days", got, err)
	}
}

func TestAJobGivesUpAfterThreeFailedDaysInARow(t *testing.T) {
	m := newManager(env{url: "http://127.0.0.1:1"}, nil, nowAfter())
	j, err := m.Start(t.Context(), Request{Cluster: "prod-b", From: day(-5), To: day(days - 1)})
	if err != nil {
		t.Fatal(err)
	}
	j = waitDone(t, m, j.ID)
	if j.State != StateFailed || j.DaysDone != MaxFailedInARow || j.ErrorCount != MaxFailedInARow+1 ||
		!strings.Contains(j.Errors[MaxFailedInARow], "gave up after 3 days failed in a row") {
		t.Fatalf("%+v", j)
	}
}

func TestCollectWaitsForTheJobAndReportsItsOutcome(t *testing.T) {
	ctx := t.Context()
	if err := newManager(env{}, nil, nowAfter()).Collect(ctx, "prod-b", 1); err != nil {
		t.Fatalf("a collection that works: %v", err)
	}
	m := newManager(env{url: "http://127.0.0.1:1"}, nil, nowAfter().Add(time.Hour)) // started later
	err := m.Collect(ctx, "prod-b", 1)
	if err == nil || !strings.Contains(err.Error(), "failed") {
		t.Fatalf("a collection against a dead Prometheus: %v", err)
	}
	last, err := m.LastCollection(ctx, "prod-b")
	if j, ok := last.(*Job); err != nil || !ok || j.State != StateFailed || j.StartedBy != "schedule" {
		t.Fatalf("last collection %+v %v", last, err)
	}
}
