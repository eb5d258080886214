//go:build parts

package plugin_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/faulthost"
	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/synth"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/fault"
)

// faultHost is a plugin process of its own on dataDir, started as Grafana starts it, with
// KUBEDOOR_FAULT set to fault ("" = none). Its log goes to logPath.
func faultHost(t *testing.T, dataDir, fault, logPath string) *pluginhost.Host {
	t.Helper()
	lib, err := testenv.LibCHDB()
	if err != nil {
		t.Fatal(err)
	}
	p := faulthost.Plugin{Executable: os.Getenv(envFuzzExe), Lib: lib, JSONData: settingsJSON(promURL)}
	return p.Start(t, dataDir, fault, logPath)
}

type auditPage struct {
	Items []audit.Record
	Total int
}

func auditOf(t *testing.T, h *pluginhost.Host, target string) auditPage {
	t.Helper()
	res, err := h.Call(t.Context(), viewer, "GET", "v1/audit?cluster=c0&target="+target, nil)
	if err != nil || res.Status != 200 {
		t.Fatalf("reading the audit log: %v %+v", err, res)
	}
	var p auditPage
	if err := json.Unmarshal(res.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// reconciled is the log line of the audit reconciliation's pass over the control table.
var reconciled = []string{"stored versions checked for their audit entries", "table=control_rows"}

// Every write audited (docs/reliability.md): the backend is killed (SIGKILL, at KUBEDOOR_FAULT=after-control-write) after a
// control-table version is stored and before its audit entry is. Restarted on the same data
// directory, it writes the entry from the version; restarted again, it writes nothing more.
func TestAControlWriteKilledBeforeItsAuditEntryIsAuditedOnceAfterRestart(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	ctx := t.Context()
	const target = "crash/checkout"

	log1 := filepath.Join(dir, "run1.log")
	h := faultHost(t, data, "after-control-write", log1)
	faulthost.CallKilled(t, h, editor, "POST", "v1/control", []byte(`{"cluster":"c0","namespace":"crash","workload":"checkout","replicas":{"manual":4}}`), 30*time.Second, log1)

	log2 := filepath.Join(dir, "run2.log")
	h = faultHost(t, data, "", log2)
	faulthost.WaitLog(t, log2, 2*time.Minute, reconciled...)
	res, err := h.Call(ctx, viewer, "GET", "v1/control/c0/"+target, nil)
	if err != nil || res.Status != 200 {
		t.Fatalf("the version written before the crash: %v %+v", err, res)
	}
	var row struct {
		Version   uint64
		UpdatedBy string
	}
	if err := json.Unmarshal(res.Body, &row); err != nil || row.Version != 1 || row.UpdatedBy != "ed" {
		t.Fatalf("row %s (%v), want version 1 by ed", res.Body, err)
	}
	got := auditOf(t, h, target)
	want := audit.ControlVersionID("c0", "crash", "checkout", 1).String()
	if got.Total != 1 || len(got.Items) != 1 {
		t.Fatalf("%d audit entries for the version, want exactly 1: %+v", got.Total, got.Items)
	}
	e := got.Items[0]
	if e.ID != want || e.User != "ed" || e.Role != "Editor" || e.Action != "add a workload to the control table" ||
		e.Result != audit.ResultOK || e.Note != audit.NoteRecordedLater {
		t.Fatalf("entry %+v, want ed's add as Editor, ok, id %s, marked as recorded later", e, want)
	}
	if b, _ := os.ReadFile(log2); !strings.Contains(string(b), "audit entry recorded for a stored version whose own entry was lost") {
		t.Errorf("the restart did not log the entry it recorded:\n%s", b)
	}
	h.Stop()
	restartRecordsNothingMore(t, data, filepath.Join(dir, "run3.log"), target, reconciled)
}

// restartRecordsNothingMore starts the plugin on data once more and checks that, once its
// audit reconciliation has passed (the log line pass), target still has its one audit entry and
// nothing was recorded again.
func restartRecordsNothingMore(t *testing.T, data, logPath, target string, pass []string) {
	t.Helper()
	h := faultHost(t, data, "", logPath)
	faulthost.WaitLog(t, logPath, 2*time.Minute, pass...)
	if got := auditOf(t, h, target); got.Total != 1 {
		t.Fatalf("%d audit entries after a second restart, want still 1: %+v", got.Total, got.Items)
	}
	if b, _ := os.ReadFile(logPath); strings.Contains(string(b), "whose own entry was lost") {
		t.Errorf("the second restart recorded an entry again:\n%s", b)
	}
}

var collectedAt = regexp.MustCompile(`"collectedAt":"[^"]*"`)

// jobsOf lists cluster c0's collection jobs.
func jobsOf(t *testing.T, h *pluginhost.Host) []job {
	t.Helper()
	res, err := h.Call(t.Context(), viewer, "GET", "v1/collections?cluster=c0&limit=100", nil)
	if err != nil || res.Status != 200 {
		t.Fatalf("listing collection jobs: %v %+v", err, res)
	}
	var list struct{ Items []job }
	if err := json.Unmarshal(res.Body, &list); err != nil {
		t.Fatal(err)
	}
	return list.Items
}

// settled waits until none of c0's jobs is queued or running (the restarted backend may run its
// daily catch-up collection) and returns them.
func settled(t *testing.T, h *pluginhost.Host) []job {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(300 * time.Millisecond) {
		jobs, busy := jobsOf(t, h), false
		for _, j := range jobs {
			busy = busy || j.State == "queued" || j.State == "running"
		}
		if !busy {
			return jobs
		}
		if time.Now().After(deadline) {
			t.Fatalf("collection jobs still running after 2 minutes: %+v", jobs)
		}
	}
}

// The fault suite (docs/reliability.md): the backend is killed (SIGKILL at KUBEDOOR_FAULT=after-collection-day)
// once a collection job has stored a day's rows. Restarted on the same data directory, it marks
// the job failed with the reason, serves what was stored, and a re-run of the day leaves the
// stored peaks exactly as they were (nothing lost, nothing duplicated).
func TestACollectionKilledMidJobIsSettledAndItsRerunChangesNothing(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	ctx := t.Context()
	yesterday := synth.DateOf(time.Now().UTC()).AddDays(-1).String()
	rerun := []byte(fmt.Sprintf(`{"from":%q,"to":%q}`, yesterday, yesterday))

	log1 := filepath.Join(dir, "run1.log")
	h := faultHost(t, data, fault.AfterCollectionDay, log1)
	// The backend's own daily catch-up may store the day first; either job's day kills it.
	if res, err := h.Call(ctx, editor, "POST", "v1/clusters/c0/collections", rerun); err == nil && res.Status != 202 {
		t.Fatalf("starting the collection: %d %s", res.Status, res.Body)
	}
	faulthost.WaitKilled(t, h, 2*time.Minute, log1)

	h = faultHost(t, data, "", filepath.Join(dir, "run2.log"))
	interrupted := 0
	for _, j := range settled(t, h) {
		if j.State == "failed" && len(j.Errors) > 0 && strings.Contains(j.Errors[len(j.Errors)-1], "interrupted: the backend stopped while the job ran") {
			interrupted++
			if j.DaysDone != j.DaysTotal {
				t.Errorf("interrupted job %+v: daysDone %d, want the %d day(s) it stored", j, j.DaysDone, j.DaysTotal)
			}
		}
	}
	if interrupted != 1 {
		t.Fatalf("%d jobs marked interrupted after the restart, want exactly the one killed: %+v", interrupted, jobsOf(t, h))
	}
	peaks := func() string {
		t.Helper()
		res, err := h.Call(ctx, viewer, "GET", "v1/peaks?cluster=c0&namespace=shop&workload=api&from="+yesterday+"&to="+yesterday+"&limit=1000", nil)
		if err != nil || res.Status != 200 {
			t.Fatalf("reading the stored peaks: %v %+v", err, res)
		}
		// When the day was collected differs by design; every value must not.
		return collectedAt.ReplaceAllString(string(res.Body), "")
	}
	stored := peaks()
	if !strings.Contains(stored, `"workload":"api"`) {
		t.Fatalf("the day stored before the crash is not served: %s", stored)
	}

	res, err := h.Call(ctx, editor, "POST", "v1/clusters/c0/collections", rerun)
	if err != nil || res.Status != 202 {
		t.Fatalf("re-running the day: %v %+v", err, res)
	}
	var j job
	if err := json.Unmarshal(res.Body, &j); err != nil {
		t.Fatal(err)
	}
	for _, got := range settled(t, h) {
		if got.ID == j.ID {
			j = got
		}
	}
	if j.State != "succeeded" || j.DaysDone != 1 || j.Workloads != 1 {
		t.Fatalf("the re-run %+v, want succeeded with the day's one workload", j)
	}
	if again := peaks(); again != stored {
		t.Fatalf("the re-run changed the stored peaks:\nbefore %s\nafter  %s", stored, again)
	}
}
