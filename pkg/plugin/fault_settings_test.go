//go:build parts

package plugin_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/faulthost"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/fault"
)

// settingsReconciled is the log line of the audit reconciliation's pass over the settings.
var settingsReconciled = []string{"stored versions checked for their audit entries", "table=settings"}

// Every write audited, for cluster settings (docs/reliability.md): the backend is killed (SIGKILL at
// KUBEDOOR_FAULT=after-settings-write) after a cluster's settings version is stored and before
// its audit entry is. Restarted on the same data directory, it writes the entry from the
// version; restarted again, it writes nothing more.
func TestASettingsSaveKilledBeforeItsAuditEntryIsAuditedOnceAfterRestart(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	ctx := t.Context()
	target := clustersettings.Key("c0")

	log1 := filepath.Join(dir, "run1.log")
	h := faultHost(t, data, fault.AfterSettingsWrite, log1)
	faulthost.CallKilled(t, h, admin, "PUT", "v1/clusters/c0/settings", []byte(`{"expectedVersion":0,"quantile":0.9}`), 30*time.Second, log1)

	log2 := filepath.Join(dir, "run2.log")
	h = faultHost(t, data, "", log2)
	faulthost.WaitLog(t, log2, 2*time.Minute, settingsReconciled...)
	res, err := h.Call(ctx, viewer, "GET", "v1/clusters/c0/settings", nil)
	if err != nil || res.Status != 200 {
		t.Fatalf("the settings saved before the crash: %v %+v", err, res)
	}
	var saved struct {
		Version   uint64
		UpdatedBy string
		Quantile  float64
	}
	if err := json.Unmarshal(res.Body, &saved); err != nil || saved.Version != 1 || saved.UpdatedBy != "ada" || saved.Quantile != 0.9 {
		t.Fatalf("settings %s (%v), want version 1 by ada with quantile 0.9", res.Body, err)
	}
	got := auditOf(t, h, target)
	if got.Total != 1 || len(got.Items) != 1 {
		t.Fatalf("%d audit entries for the save, want exactly 1: %+v", got.Total, got.Items)
	}
	e := got.Items[0]
	if e.ID != audit.SettingsVersionID(target, 1).String() || e.User != "ada" || e.Role != "Admin" || e.Action != "edit cluster settings" ||
		e.Result != audit.ResultOK || e.Note != audit.NoteRecordedLater || !strings.Contains(string(e.After), `"quantile":0.9`) {
		t.Fatalf("entry %+v, want ada's save as Admin, ok, with its settings, marked as recorded later", e)
	}
	faulthost.WaitLog(t, log2, 2*time.Minute, "audit entry recorded for a stored version whose own entry was lost", "table=settings")
	h.Stop()
	restartRecordsNothingMore(t, data, filepath.Join(dir, "run3.log"), target, settingsReconciled)
}
