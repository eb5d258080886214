package plugin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
)

// faultHost is a plugin process of its own on dataDir, started as Grafana starts it, with
// KUBEDOOR_FAULT set to fault ("" = none). Its log goes to logPath.
func faultHost(t *testing.T, dataDir, fault, logPath string) *pluginhost.Host {
	t.Helper()
	lib, err := testenv.LibCHDB()
	if err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = logFile.Close() })
	env := []string{"KUBEDOOR_LIBCHDB=" + lib, "KUBEDOOR_DATA_DIR=" + dataDir}
	if fault != "" {
		env = append(env, "KUBEDOOR_FAULT="+fault)
	}
	h, err := pluginhost.Start(pluginhost.Options{Executable: os.Getenv(envFuzzExe), PluginID: plugin.ID, Env: env,
		JSONData: settingsJSON(promURL), Log: logFile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Stop)
	return h
}

type auditPage struct {
	Items []audit.Record
	Total int
}

func auditOf(t *testing.T, h *pluginhost.Host, target string) auditPage {
	t.Helper()
	res, err := h.Call(context.Background(), viewer, "GET", "v1/audit?cluster=c0&target="+target, nil)
	if err != nil || res.Status != 200 {
		t.Fatalf("reading the audit log: %v %+v", err, res)
	}
	var p auditPage
	if err := json.Unmarshal(res.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// waitForLog waits until a line of the plugin's log at path contains every one of parts.
func waitForLog(t *testing.T, path string, parts ...string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(path)
		for _, line := range bytes.Split(b, []byte("\n")) {
			all := true
			for _, p := range parts {
				all = all && bytes.Contains(line, []byte(p))
			}
			if all {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	b, _ := os.ReadFile(path)
	t.Fatalf("no line with %q in the plugin log within 2 minutes:\n%s", parts, b)
}

// reconciled is the log line of the audit reconciliation's pass over the control table.
var reconciled = []string{"stored versions checked for their audit entries", "table=control_rows"}

// Issue 17 §3: the backend is killed (SIGKILL, at KUBEDOOR_FAULT=after-control-write) after a
// control-table version is stored and before its audit entry is. Restarted on the same data
// directory, it writes the entry from the version; restarted again, it writes nothing more.
func TestAControlWriteKilledBeforeItsAuditEntryIsAuditedOnceAfterRestart(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	ctx := context.Background()
	const target = "crash/checkout"

	h := faultHost(t, data, "after-control-write", filepath.Join(dir, "run1.log"))
	res, err := h.Call(ctx, editor, "POST", "v1/control", []byte(`{"cluster":"c0","namespace":"crash","workload":"checkout","replicas":{"manual":4}}`))
	if err == nil {
		t.Fatalf("the write was answered (%d %s); the process should have died before answering", res.Status, res.Body)
	}
	for deadline := time.Now().Add(30 * time.Second); !h.Exited() && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if !h.Exited() {
		t.Fatal("the plugin process is still running after the fault point")
	}
	h.Stop()

	log2 := filepath.Join(dir, "run2.log")
	h = faultHost(t, data, "", log2)
	waitForLog(t, log2, reconciled...)
	res, err = h.Call(ctx, viewer, "GET", "v1/control/c0/"+target, nil)
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

	log3 := filepath.Join(dir, "run3.log")
	h = faultHost(t, data, "", log3)
	waitForLog(t, log3, reconciled...)
	if got := auditOf(t, h, target); got.Total != 1 {
		t.Fatalf("%d audit entries after a second restart, want still 1: %+v", got.Total, got.Items)
	}
	if b, _ := os.ReadFile(log3); strings.Contains(string(b), "whose own entry was lost") {
		t.Errorf("the second restart recorded an entry again:\n%s", b)
	}
}
