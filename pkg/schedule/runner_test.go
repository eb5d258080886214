//go:build parts

package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
)

// Each test uses its own cluster name, so the shared store's schedules do not mix.
func testCluster(t *testing.T) []settings.Cluster {
	name := strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	return []settings.Cluster{{Name: strings.Trim(name, "-"), TimeZone: "Europe/Berlin", KubeAccess: settings.KubeAccessInCluster}}
}

// executor records calls and answers with per-item results, failing when told to.
type executor struct {
	mu    sync.Mutex
	calls []string
	err   error
	fail  bool
}

func (e *executor) run(_ context.Context, sc Schedule, by actions.Actor) ([]actions.Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, sc.ID+" by "+by.User)
	if e.err != nil {
		return nil, e.err
	}
	var out []actions.Result
	for _, it := range sc.Items {
		r := actions.Result{Workload: actions.Workload{Cluster: sc.Cluster, Namespace: it.Namespace, Name: it.Workload}, OK: !e.fail}
		if e.fail {
			r.Error = "deployment not found"
		}
		out = append(out, r)
	}
	return out, nil
}

func (e *executor) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.calls)
}

type events struct {
	mu sync.Mutex
	ev []notify.Event
}

func (n *events) Notify(_ context.Context, e notify.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.ev = append(n.ev, e)
}

type fixture struct {
	clock    *clocktesting.FakeClock
	exec     *executor
	runner   *Runner
	mgr      *Manager
	clusters []settings.Cluster
	notes    *events
	blocked  string // what onlyClusters reports as blocking the lease ("" = nothing)
	holder   string // another backend onlyClusters reports holding the lease ("" = this one holds it)
	own      bool   // the store is the runner's own (embedded), not shared with peers
}

func newFixture(t *testing.T, start time.Time) *fixture {
	f := &fixture{clock: clocktesting.NewFakeClock(start), exec: &executor{}, clusters: testCluster(t), notes: &events{}}
	f.runner = f.newRunner("backend-1")
	f.mgr = &Manager{Store: NewStore(conn), Now: f.clock.Now, Wake: f.runner.Wake}
	return f
}

func (f *fixture) newRunner(id string) *Runner {
	return NewRunner(RunnerOptions{ID: id, Clock: f.clock, Execute: f.exec.run, Notifier: f.notes, MaxMissed: 5,
		Leader: onlyClusters{f}, Log: slog.New(slog.DiscardHandler), OwnStore: func(snapshot.Snapshot) bool { return f.own }})
}

// onlyClusters holds the fixture's clusters: tests share the store, not their schedules.
type onlyClusters struct{ f *fixture }

func (onlyClusters) Sync(context.Context, snapshot.Snapshot) {}
func (o onlyClusters) Blocked(string) string                 { return o.f.blocked }
func (o onlyClusters) Holder(string) string                  { return o.f.holder }
func (o onlyClusters) Holds(cluster string, needKube bool) bool {
	if needKube && o.f.blocked != "" || o.f.holder != "" {
		return false
	}
	for _, c := range o.f.clusters {
		if c.Name == cluster {
			return true
		}
	}
	return false
}

func (f *fixture) tick(t *testing.T, r *Runner) time.Time {
	t.Helper()
	next := r.Tick(t.Context(), snapshot.Snapshot{Conn: conn, App: settings.App{Clusters: f.clusters}})
	r.WaitIdle()
	return next
}

func (f *fixture) runs(t *testing.T, id string) []Run {
	t.Helper()
	runs, _, err := f.mgr.Runs(t.Context(), id, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func (f *fixture) once(t *testing.T, at time.Time) Schedule {
	t.Helper()
	sc, err := f.mgr.Create(t.Context(), Spec{Cluster: f.clusters[0].Name, Action: ActionScale, Kind: KindOnce, RunAt: &at,
		Items: []Item{{Namespace: "demo", Workload: "api", Replicas: int32p(4)}}}, f.clusters, "ed")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestAOnceScheduleFiresOnceAndItsRunIsRecorded(t *testing.T) {
	f := newFixture(t, start)
	at := start.Add(90 * time.Second)
	sc := f.once(t, at)
	if sc.NextRunAt == nil || !sc.NextRunAt.Equal(at) {
		t.Fatalf("nextRunAt %v, want %v", sc.NextRunAt, at)
	}
	if next := f.tick(t, f.runner); !next.Equal(at) || f.exec.count() != 0 {
		t.Fatalf("before its time: next %v, %d runs", next, f.exec.count())
	}
	f.clock.SetTime(at.Add(2 * time.Second))
	f.tick(t, f.runner)
	runs := f.runs(t, sc.ID)
	if f.exec.count() != 1 || len(runs) != 1 || runs[0].Status != StatusSucceeded || !runs[0].ScheduledFor.Equal(at) ||
		runs[0].FinishedAt == nil || len(runs[0].Results) != 1 || !runs[0].Results[0].OK || runs[0].Runner != "backend-1" {
		t.Fatalf("calls %v, runs %+v", f.exec.calls, runs)
	}
	if !strings.Contains(f.exec.calls[0], `schedule "scale demo/api"`) {
		t.Fatalf("the actions must be audited as the schedule: %v", f.exec.calls)
	}
	f.clock.SetTime(at.AddDate(1, 0, 0)) // KubeDoor's one-off CronJobs fired again a year later
	f.tick(t, f.runner)
	got, _ := f.mgr.Get(t.Context(), sc.ID)
	if f.exec.count() != 1 || got.NextRunAt != nil {
		t.Fatalf("a once schedule must never fire again: %d calls, nextRunAt %v", f.exec.count(), got.NextRunAt)
	}
}

func TestAFailedOnceRunIsRecordedNotifiedAndNeverRetried(t *testing.T) {
	f := newFixture(t, start)
	f.exec.fail = true
	sc := f.once(t, start.Add(time.Minute))
	f.clock.SetTime(start.Add(time.Minute))
	f.tick(t, f.runner)
	f.clock.SetTime(start.Add(time.Hour))
	f.tick(t, f.runner)
	runs := f.runs(t, sc.ID)
	if f.exec.count() != 1 || len(runs) != 1 || runs[0].Status != StatusFailed || runs[0].Error != "1 of 1 items failed" ||
		runs[0].Results[0].Error != "deployment not found" {
		t.Fatalf("runs %+v", runs)
	}
	if len(f.notes.ev) != 1 || f.notes.ev[0].Kind != notify.EventScheduleFailed {
		t.Fatalf("notifications %+v", f.notes.ev)
	}

	f.exec.fail, f.exec.err = false, errors.New("collector unavailable")
	sc2 := f.once(t, start.Add(2*time.Hour))
	f.clock.SetTime(start.Add(2 * time.Hour))
	f.tick(t, f.runner)
	if runs := f.runs(t, sc2.ID); len(runs) != 1 || runs[0].Status != StatusFailed || runs[0].Error != "collector unavailable" {
		t.Fatalf("runs %+v", runs)
	}
}

func TestARunTheBackendWasDownForIsRecordedMissedNotReplayed(t *testing.T) {
	f := newFixture(t, start)
	sc := f.once(t, start.Add(time.Minute))
	f.clock.SetTime(start.Add(time.Hour)) // the backend comes back an hour later
	f.tick(t, f.runner)
	runs := f.runs(t, sc.ID)
	if f.exec.count() != 0 || len(runs) != 1 || runs[0].Status != StatusMissed || !strings.Contains(runs[0].Error, "not replayed") {
		t.Fatalf("calls %d, runs %+v", f.exec.count(), runs)
	}
}

func TestARunNoBackendCanTakeTheLeaseForIsRecordedMissedWithTheReasonOnceItsGraceHasPassed(t *testing.T) {
	f := newFixture(t, start)
	f.blocked = "the lease namespace kubedoor does not exist and this backend may not create it"
	sc := f.once(t, start.Add(time.Minute))
	f.clock.SetTime(start.Add(2 * time.Minute)) // due a minute ago: still within the grace
	f.tick(t, f.runner)
	if runs := f.runs(t, sc.ID); len(runs) != 0 || f.exec.count() != 0 {
		t.Fatalf("within the grace nothing is recorded yet: calls %d, runs %+v", f.exec.count(), runs)
	}
	f.clock.SetTime(start.Add(4 * time.Minute))
	f.tick(t, f.runner)
	runs := f.runs(t, sc.ID)
	if f.exec.count() != 0 || len(runs) != 1 || runs[0].Status != StatusMissed ||
		!strings.Contains(runs[0].Error, "no backend can take the cluster's schedule lease: the lease namespace kubedoor does not exist") {
		t.Fatalf("calls %d, runs %+v", f.exec.count(), runs)
	}
	f.tick(t, f.runner) // a second look records nothing more
	if runs := f.runs(t, sc.ID); len(runs) != 1 {
		t.Fatalf("runs after a second look: %+v", runs)
	}
}

func TestACronScheduleRecordsEachMissedOccurrenceUpToACapThenRunsOnTime(t *testing.T) {
	f := newFixture(t, start)
	sc, err := f.mgr.Create(t.Context(), Spec{Cluster: f.clusters[0].Name, Action: ActionCollect, Kind: KindCron, Cron: "*/10 * * * *"}, f.clusters, "ed")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.SetTime(start.Add(3*time.Hour + 30*time.Second)) // 18 occurrences missed; 15:00 is due now
	f.tick(t, f.runner)
	runs := f.runs(t, sc.ID)
	if len(runs) != 6 || runs[0].Status != StatusSucceeded || !runs[0].ScheduledFor.Equal(start.Add(3*time.Hour)) || f.exec.count() != 1 {
		t.Fatalf("want 5 missed + the on-time run, got %d runs, %d calls: %+v", len(runs), f.exec.count(), runs)
	}
	summary := runs[1]
	if summary.Status != StatusMissed || !summary.ScheduledFor.Equal(start.Add(170*time.Minute)) || !strings.Contains(summary.Error, "12 earlier occurrences") {
		t.Fatalf("the last missed run must sum up the rest: %+v", summary)
	}
	if runs[5].Status != StatusMissed || !runs[5].ScheduledFor.Equal(start.Add(10*time.Minute)) {
		t.Fatalf("the first missed occurrence: %+v", runs[5])
	}
	got, _ := f.mgr.Get(t.Context(), sc.ID)
	if got.NextRunAt == nil || !got.NextRunAt.Equal(start.Add(190*time.Minute)) {
		t.Fatalf("nextRunAt %v", got.NextRunAt)
	}
}

func TestSchedulesSurviveARestartAndAnInterruptedRunIsSettled(t *testing.T) {
	f := newFixture(t, start)
	sc := f.once(t, start.Add(time.Minute))
	// The first backend records the start of the run, then dies before it ends.
	st := NewStore(conn)
	run := Run{ID: RunID(sc.ID, start.Add(time.Minute)), ScheduleID: sc.ID, Cluster: sc.Cluster, ScheduledFor: start.Add(time.Minute),
		StartedAt: start.Add(time.Minute), Status: StatusRunning, Runner: "backend-1"}
	if err := st.RecordRun(t.Context(), run, start.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	later := newFixture(t, start.Add(5*time.Minute))
	later.clusters = f.clusters
	second := later.newRunner("backend-2")
	later.tick(t, second)
	runs := later.runs(t, sc.ID)
	if later.exec.count() != 0 || len(runs) != 1 || runs[0].Status != StatusFailed || !strings.Contains(runs[0].Error, "interrupted") {
		t.Fatalf("a run cut short must be settled as failed, never re-run: %d calls, %+v", later.exec.count(), runs)
	}
	// And a schedule created before the restart fires under the new backend.
	sc2 := f.once(t, start.Add(6*time.Minute))
	later.clock.SetTime(start.Add(6 * time.Minute))
	later.tick(t, second)
	if runs := later.runs(t, sc2.ID); len(runs) != 1 || runs[0].Status != StatusSucceeded || runs[0].Runner != "backend-2" {
		t.Fatalf("runs %+v", runs)
	}
}

func TestAPausedScheduleOwesNothingForThePause(t *testing.T) {
	f := newFixture(t, start)
	ctx := t.Context()
	sc, err := f.mgr.Create(ctx, Spec{Cluster: f.clusters[0].Name, Action: ActionRestart, Kind: KindCron, Cron: "0 * * * *",
		Items: []Item{{Namespace: "demo", Workload: "api"}}}, f.clusters, "ed")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.mgr.Pause(ctx, sc.ID, "ed"); err != nil {
		t.Fatal(err)
	}
	f.clock.SetTime(start.Add(5*time.Hour + 30*time.Minute))
	f.tick(t, f.runner)
	_, resumed, err := f.mgr.Resume(ctx, sc.ID, "ed")
	if err != nil {
		t.Fatal(err)
	}
	f.tick(t, f.runner)
	if n := len(f.runs(t, sc.ID)); n != 0 || f.exec.count() != 0 {
		t.Fatalf("%d runs while paused, calls %v", n, f.exec.calls)
	}
	if resumed.NextRunAt == nil || !resumed.NextRunAt.Equal(start.Add(6*time.Hour)) || resumed.Version != 3 {
		t.Fatalf("resumed %+v next %v", resumed, resumed.NextRunAt)
	}
}

func TestManagerEdits(t *testing.T) {
	f := newFixture(t, start)
	ctx := t.Context()
	sc := f.once(t, start.Add(time.Hour))
	spec := Spec{Cluster: sc.Cluster, Name: "scale out for the sale", Action: ActionScale, Kind: KindOnce, RunAt: sc.RunAt, Items: sc.Items}

	v1 := uint64(1)
	spec.ExpectedVersion = &v1
	_, after, err := f.mgr.Update(ctx, sc.ID, spec, f.clusters, "ada")
	if err != nil || after.Version != 2 || after.Name != "scale out for the sale" || after.UpdatedBy != "ada" || after.CreatedBy != "ed" {
		t.Fatalf("update: %+v %v", after, err)
	}
	_, _, err = f.mgr.Update(ctx, sc.ID, spec, f.clusters, "bob") // still says version 1
	var ce *refusal.Conflict[Schedule]
	if !errors.As(err, &ce) || ce.Current.Version != 2 {
		t.Fatalf("a stale version must conflict with the current one: %v", err)
	}
	spec.ExpectedVersion = nil
	if _, _, err := f.mgr.Update(ctx, sc.ID, spec, f.clusters, "bob"); err == nil || !strings.Contains(err.Error(), "expectedVersion") {
		t.Fatalf("an update without expectedVersion: %v", err)
	}

	// Once its time passed, the schedule can be renamed but not resumed.
	f.clock.SetTime(start.Add(2 * time.Hour))
	v2 := uint64(2)
	spec.ExpectedVersion, spec.Name = &v2, "renamed after it ran"
	if _, _, err := f.mgr.Update(ctx, sc.ID, spec, f.clusters, "ada"); err != nil {
		t.Fatalf("renaming a past once schedule: %v", err)
	}
	if _, _, err := f.mgr.Pause(ctx, sc.ID, "ada"); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.mgr.Resume(ctx, sc.ID, "ada")
	if fe, ok := refusal.AsFieldError(err); !ok || fe.Field != "runAt" {
		t.Fatalf("resuming a past once schedule: %v", err)
	}

	if _, err := f.mgr.Delete(ctx, sc.ID, "ada"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.mgr.Get(ctx, sc.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a deleted schedule: %v", err)
	}
	list, total, err := f.mgr.List(ctx, sc.Cluster, 100, 0)
	if err != nil || total != 0 || len(list) != 0 {
		t.Fatalf("list after delete: %d %v", total, err)
	}
	if _, err := f.mgr.Get(ctx, "not-a-uuid"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a malformed id: %v", err)
	}
}

// localOnly is a leader for clusters treated as local: it holds their collect schedules only,
// as every backend does at start before Kubernetes access is known.
type localOnly struct{}

func (localOnly) Sync(context.Context, snapshot.Snapshot) {}
func (localOnly) Blocked(string) string                   { return "" }
func (localOnly) Holder(string) string                    { return "" }
func (localOnly) Holds(_ string, needKube bool) bool      { return !needKube }

func TestARestartingBackendSettlesOnlyTheRunsOfItsOwnEarlierProcessUnlessItHoldsTheLease(t *testing.T) {
	f := newFixture(t, start)
	host, _ := os.Hostname()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	st := NewStore(conn)
	record := func(runner string, at time.Time) Run {
		sc := f.once(t, at)
		run := Run{ID: RunID(sc.ID, at), ScheduleID: sc.ID, Cluster: sc.Cluster, ScheduledFor: at, StartedAt: at, Status: StatusRunning, Runner: runner}
		if err := st.RecordRun(t.Context(), run, at); err != nil {
			t.Fatal(err)
		}
		return run
	}
	peer := record("other-host_4242_a1b2c3", start.Add(time.Minute))
	earlier := record(fmt.Sprintf("%s_%d_d4e5f6", host, gone.Process.Pid), start.Add(2*time.Minute))

	later := newFixture(t, start.Add(5*time.Minute))
	later.clusters = f.clusters
	r := NewRunner(RunnerOptions{ID: InstanceID(), Clock: later.clock, Execute: later.exec.run, Leader: localOnly{}, Log: slog.New(slog.DiscardHandler)})
	later.tick(t, r)
	if runs := later.runs(t, peer.ScheduleID); len(runs) != 1 || runs[0].Status != StatusRunning {
		t.Fatalf("a peer's run in a cluster this backend does not lead must be left running: %+v", runs)
	}
	if runs := later.runs(t, earlier.ScheduleID); len(runs) != 1 || runs[0].Status != StatusFailed || !strings.Contains(runs[0].Error, "interrupted") {
		t.Fatalf("the run of this host's earlier, gone process must be settled: %+v", runs)
	}
}

func TestEarlierOnThisHost(t *testing.T) {
	host, _ := os.Hostname()
	self := fmt.Sprintf("%s_%d_aaaaaa", host, os.Getpid())
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, runner string
		want         bool
	}{
		{"a gone process on this host is an earlier one", fmt.Sprintf("%s_%d_bbbbbb", host, gone.Process.Pid), true},
		{"the same pid with another suffix is this process restarted (a container keeps its pid)", fmt.Sprintf("%s_%d_cccccc", host, os.Getpid()), true},
		{"a live process on this host is a peer", fmt.Sprintf("%s_%d_dddddd", host, os.Getppid()), false},
		{"another host is a peer", fmt.Sprintf("elsewhere_%d_eeeeee", gone.Process.Pid), false},
		{"this very instance is not an earlier one", self, false},
		{"an id of another shape proves nothing", "backend-1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EarlierOnThisHost(tt.runner, self); got != tt.want {
				t.Fatalf("EarlierOnThisHost(%q) = %v, want %v", tt.runner, got, tt.want)
			}
		})
	}
}

// Two backends with embedded stores (each Grafana of an HA pair with the default storage): the
// lease holder cannot see the other's schedules, so the other says so on each due run instead of
// waiting silently; on a shared store it leaves them to the holder.
func TestAScheduleThatAPeerHoldingTheLeaseCannotSeeIsRecordedMissedWithTheReason(t *testing.T) {
	for _, tt := range []struct {
		name string
		own  bool
		want int
	}{
		{"on a store of its own the run is missed with the reason", true, 1},
		{"on a shared store the holder runs it, so nothing is recorded here", false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, start)
			f.own, f.holder = tt.own, "grafana-1_7_abcdef"
			sc := f.once(t, start.Add(time.Minute))
			f.clock.SetTime(start.Add(2 * time.Minute)) // within the grace: the lease may still come here
			f.tick(t, f.runner)
			if runs := f.runs(t, sc.ID); len(runs) != 0 {
				t.Fatalf("within the grace nothing is recorded yet: %+v", runs)
			}
			f.clock.SetTime(start.Add(4 * time.Minute))
			f.tick(t, f.runner)
			runs := f.runs(t, sc.ID)
			if f.exec.count() != 0 || len(runs) != tt.want {
				t.Fatalf("calls %d, runs %+v; want %d runs and no call", f.exec.count(), runs, tt.want)
			}
			if tt.want == 1 && (runs[0].Status != StatusMissed ||
				!strings.Contains(runs[0].Error, "another backend (grafana-1_7_abcdef) holds the cluster's schedule lease and cannot see this schedule") ||
				!strings.Contains(runs[0].Error, "storage mode server")) {
				t.Fatalf("run %+v, want missed naming the holder and what to do", runs[0])
			}
		})
	}
}

// In a store of its own, a run another instance left running was an earlier process's on this
// store, even when that process named another host (a pod that came back under a new name).
func TestABackendOnAStoreOfItsOwnSettlesARunAnEarlierProcessLeftRunningWhateverItsHost(t *testing.T) {
	f := newFixture(t, start)
	at := start.Add(time.Minute)
	sc := f.once(t, at)
	run := Run{ID: RunID(sc.ID, at), ScheduleID: sc.ID, Cluster: sc.Cluster, ScheduledFor: at, StartedAt: at, Status: StatusRunning,
		Runner: "grafana-0-old-pod_4242_a1b2c3"}
	if err := NewStore(conn).RecordRun(t.Context(), run, at); err != nil {
		t.Fatal(err)
	}
	later := newFixture(t, start.Add(5*time.Minute))
	later.clusters = f.clusters
	shared := NewRunner(RunnerOptions{ID: InstanceID(), Clock: later.clock, Execute: later.exec.run, Leader: localOnly{}, Log: slog.New(slog.DiscardHandler)})
	later.tick(t, shared)
	if runs := later.runs(t, sc.ID); len(runs) != 1 || runs[0].Status != StatusRunning {
		t.Fatalf("on a shared store, a run of another host in a cluster this backend does not lead is a live peer's: %+v", runs)
	}
	own := NewRunner(RunnerOptions{ID: InstanceID(), Clock: later.clock, Execute: later.exec.run, Leader: localOnly{},
		OwnStore: func(snapshot.Snapshot) bool { return true }, Log: slog.New(slog.DiscardHandler)})
	later.tick(t, own)
	runs := later.runs(t, sc.ID)
	if len(runs) != 1 || runs[0].Status != StatusFailed || !strings.Contains(runs[0].Error, "interrupted: the backend running it (grafana-0-old-pod_4242_a1b2c3)") {
		t.Fatalf("on a store of its own the earlier process's run must be settled: %+v", runs)
	}
}
