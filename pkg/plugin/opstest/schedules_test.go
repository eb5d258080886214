//go:build parts

package opstest

import (
	"strings"
	"testing"
	"time"
)

type schedule struct {
	ID, Cluster, Name, Action, Kind, Cron, TimeZone string
	RunAt, NextRunAt                                *time.Time
	Enabled                                         bool
	Version                                         uint64
	CreatedBy, UpdatedBy                            string
}

type runRecord struct {
	ID, ScheduleID, Status, Error string
	ScheduledFor                  time.Time
	FinishedAt                    *time.Time
	Results                       []result
}

type runList struct {
	Items []runRecord
	Total int
}

func createSchedule(t *testing.T, body map[string]any) schedule {
	t.Helper()
	var sc schedule
	if s := call(t, editor, "POST", "v1/schedules", body, &sc); s != 201 || sc.ID == "" || sc.Version != 1 || sc.CreatedBy != "ed" {
		t.Fatalf("create: %d %+v", s, sc)
	}
	return sc
}

// waitRun waits until schedule id has a finished run and returns the runs.
func waitRun(t *testing.T, id string, within time.Duration) []runRecord {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var runs runList
		if s := call(t, viewer, "GET", "v1/schedules/"+id+"/runs", nil, &runs); s != 200 {
			t.Fatalf("runs: %d", s)
		}
		if len(runs.Items) > 0 && runs.Items[0].Status != "running" {
			return runs.Items
		}
		if time.Now().After(deadline) {
			t.Fatalf("no finished run of %s within %v: %+v", id, within, runs)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func TestAOnceScheduleFiresAndItsRunIsRecorded(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "api", 2)
	at := time.Now().Add(3 * time.Second).UTC().Truncate(time.Second)
	sc := createSchedule(t, map[string]any{"cluster": "prod-a", "action": "scale", "kind": "once", "runAt": at,
		"items": []map[string]any{{"namespace": ns, "workload": "api", "replicas": 4}, {"namespace": ns, "workload": "gone", "replicas": 1}}})
	if sc.NextRunAt == nil || !sc.NextRunAt.Equal(at) || sc.TimeZone != "Europe/Berlin" {
		t.Fatalf("created %+v", sc)
	}
	runs := waitRun(t, sc.ID, 40*time.Second)
	r := runs[0]
	if len(runs) != 1 || r.Status != "failed" || r.Error != "1 of 2 items failed" || !r.ScheduledFor.Equal(at) || r.FinishedAt == nil ||
		len(r.Results) != 2 || !r.Results[0].OK || r.Results[1].OK {
		t.Fatalf("runs %+v", runs)
	}
	if got := *getDeployment(t, ns, "api").Spec.Replicas; got != 4 {
		t.Fatalf("replicas %d, want 4", got)
	}
	var after schedule
	call(t, viewer, "GET", "v1/schedules/"+sc.ID, nil, &after)
	if after.NextRunAt != nil {
		t.Fatalf("a once schedule that ran has no next run: %+v", after)
	}
	// The failure was notified, and the items were audited as the schedule.
	env.hook.waitFor(t, `"kind":"scheduleFailed"`, sc.ID)
	var log auditList
	call(t, viewer, "GET", "v1/audit?action=scale&target="+ns+"/api", nil, &log)
	if log.Total != 1 || !strings.Contains(log.Items[0].User, sc.ID) || log.Items[0].Role != "Schedule" {
		t.Fatalf("audit %+v", log)
	}
}

func TestScheduleValidationConflictsAndLifecycle(t *testing.T) {
	past := time.Now().Add(-time.Minute).UTC()
	bad := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"a past runAt", map[string]any{"cluster": "prod-a", "action": "collect", "kind": "once", "runAt": past}, "runAt"},
		{"a bad cron", map[string]any{"cluster": "prod-a", "action": "collect", "kind": "cron", "cron": "0 25 * * *"}, "cron"},
		{"a descriptor", map[string]any{"cluster": "prod-a", "action": "collect", "kind": "cron", "cron": "@daily"}, "cron"},
		{"a bad zone", map[string]any{"cluster": "prod-a", "action": "collect", "kind": "cron", "cron": "0 1 * * *", "timeZone": "Europe/Atlantis"}, "timeZone"},
		{"an unknown cluster", map[string]any{"cluster": "nope", "action": "collect", "kind": "cron", "cron": "0 1 * * *"}, "cluster"},
		{"a restart on a cluster without Kubernetes access", map[string]any{"cluster": "peaks-only", "action": "restart", "kind": "cron", "cron": "0 1 * * *", "items": []map[string]any{{"namespace": "a", "workload": "b"}}}, "cluster"},
		{"scale without replicas", map[string]any{"cluster": "prod-a", "action": "scale", "kind": "cron", "cron": "0 1 * * *", "items": []map[string]any{{"namespace": "a", "workload": "b"}}}, "items[0].replicas"},
	}
	for _, tt := range bad {
		t.Run(tt.name+" is refused naming the field", func(t *testing.T) {
			var e apiErr
			wantFieldError(t, call(t, editor, "POST", "v1/schedules", tt.body, &e), e, tt.field)
		})
	}

	sc := createSchedule(t, map[string]any{"cluster": "prod-a", "name": "nightly restart", "action": "restart", "kind": "cron",
		"cron": "0 3 * * *", "timeZone": "America/New_York", "items": []map[string]any{{"namespace": "shop", "workload": "api"}}})
	if sc.NextRunAt == nil || sc.NextRunAt.In(mustZone(t, "America/New_York")).Hour() != 3 {
		t.Fatalf("next run %v", sc.NextRunAt)
	}

	edit := map[string]any{"expectedVersion": 1, "cluster": "prod-a", "name": "nightly restart, 4am", "action": "restart", "kind": "cron",
		"cron": "0 4 * * *", "timeZone": "America/New_York", "items": []map[string]any{{"namespace": "shop", "workload": "api"}}}
	var edited schedule
	if s := call(t, editor, "PUT", "v1/schedules/"+sc.ID, edit, &edited); s != 200 || edited.Version != 2 || edited.Cron != "0 4 * * *" {
		t.Fatalf("edit: %d %+v", s, edited)
	}
	var e apiErr
	if s := call(t, editor, "PUT", "v1/schedules/"+sc.ID, edit, &e); s != 409 || e.Code != "conflict" || e.Current == nil || e.Current.Version != 2 {
		t.Fatalf("a stale expectedVersion must be 409 with the current schedule: %d %+v", s, e)
	}
	delete(edit, "expectedVersion")
	wantFieldError(t, call(t, editor, "PUT", "v1/schedules/"+sc.ID, edit, &e), e, "expectedVersion")

	var paused, resumed schedule
	if s := call(t, editor, "POST", "v1/schedules/"+sc.ID+"/pause", nil, &paused); s != 200 || paused.Enabled || paused.NextRunAt != nil {
		t.Fatalf("pause: %d %+v", s, paused)
	}
	if s := call(t, editor, "POST", "v1/schedules/"+sc.ID+"/resume", nil, &resumed); s != 200 || !resumed.Enabled || resumed.NextRunAt == nil {
		t.Fatalf("resume: %d %+v", s, resumed)
	}
	var list struct {
		Items []schedule
		Total int
	}
	call(t, viewer, "GET", "v1/schedules?cluster=prod-a", nil, &list)
	found := false
	for _, it := range list.Items {
		found = found || it.ID == sc.ID
	}
	if !found {
		t.Fatalf("the schedule is not listed: %+v", list)
	}
	if s := call(t, editor, "DELETE", "v1/schedules/"+sc.ID, nil, nil); s != 204 {
		t.Fatalf("delete: %d", s)
	}
	if s := call(t, viewer, "GET", "v1/schedules/"+sc.ID, nil, &e); s != 404 || e.Code != "not_found" {
		t.Fatalf("after delete: %d %+v", s, e)
	}
	var log auditList
	call(t, viewer, "GET", "v1/audit?target=schedule/"+sc.ID, nil, &log)
	if log.Total != 5 { // create, edit, pause, resume, delete
		t.Fatalf("audit of the schedule: %+v", log)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestACollectScheduleOfAClusterWithoutKubernetesAccessRunsAHereBackfill(t *testing.T) {
	at := time.Now().Add(2 * time.Second).UTC().Truncate(time.Second)
	sc := createSchedule(t, map[string]any{"cluster": "peaks-only", "action": "collect", "kind": "once", "runAt": at, "days": 3})
	runs := waitRun(t, sc.ID, 60*time.Second)
	if runs[0].Status != "succeeded" || runs[0].Error != "" {
		t.Fatalf("runs %+v", runs)
	}
	// The run went through the collection jobs: a 3-day backfill of that cluster, started by the schedule.
	var jobs struct {
		Items []struct {
			Cluster, Kind, State, StartedBy string
			DaysTotal, DaysDone             int
		}
	}
	if s := call(t, viewer, "GET", "v1/collections?cluster=peaks-only", nil, &jobs); s != 200 {
		t.Fatalf("collections: %d", s)
	}
	found := false
	for _, j := range jobs.Items {
		if j.Kind == "backfill" && j.StartedBy == "schedule" && j.DaysTotal == 3 && j.DaysDone == 3 && j.State == "succeeded" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no finished 3-day backfill started by the schedule: %+v", jobs.Items)
	}
}

// Runs after the others (Go runs a file's tests in order, files by name): it restarts the
// plugin process.
func TestSchedulesSurviveABackendRestart(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "api", 1)
	at := time.Now().Add(8 * time.Second).UTC().Truncate(time.Second)
	sc := createSchedule(t, map[string]any{"cluster": "prod-a", "action": "restart", "kind": "once", "runAt": at,
		"items": []map[string]any{{"namespace": ns, "workload": "api"}}})
	cron := createSchedule(t, map[string]any{"cluster": "prod-a", "action": "restart", "kind": "cron", "cron": "30 2 * * *",
		"items": []map[string]any{{"namespace": ns, "workload": "api"}}})

	currentHost().Stop()
	if err := startHost(); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []schedule
		Total int
	}
	call(t, viewer, "GET", "v1/schedules?cluster=prod-a", nil, &list) // also hands the new process its settings
	ids := map[string]bool{}
	for _, it := range list.Items {
		ids[it.ID] = true
	}
	if !ids[sc.ID] || !ids[cron.ID] {
		t.Fatalf("schedules lost in the restart: %+v", list)
	}
	// The stopped process may still hold the cluster's lease; the new one takes over once it
	// expires (15 s) and then fires the schedule, late but within the grace period.
	runs := waitRun(t, sc.ID, 60*time.Second)
	if runs[0].Status != "succeeded" {
		t.Fatalf("runs %+v", runs)
	}
	if getDeployment(t, ns, "api").Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] == "" {
		t.Fatal("the deployment was not restarted")
	}
}
