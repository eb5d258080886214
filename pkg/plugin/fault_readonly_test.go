//go:build parts

package plugin_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/faulthost"
	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
)

// readOnlyStore mounts a small tmpfs at dataDir/store, where the embedded engine writes every
// table's parts, and returns a function that remounts it read-only (ro) or writable again: as
// root, chmod does not stop writes, a read-only filesystem does. The whole data directory cannot
// be remounted read-only under a running engine (EBUSY: it keeps its `status` lock file open for
// writing), as a disk the kernel turns read-only on errors would be; its table storage can. It
// skips the test where mounting is not allowed (not root, no CAP_SYS_ADMIN).
func readOnlyStore(t *testing.T, dataDir string) func(ro bool) {
	t.Helper()
	dir := filepath.Join(dataDir, "store")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=512m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("a read-only data directory needs a filesystem this test can mount and remount (root): %v %s", err, out)
	}
	// Registered after the plugin's own cleanup would be too late: Cleanup runs in reverse, so
	// this runs after the host (started later) has stopped.
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("unmounting the data directory: %v %s", err, out)
		}
	})
	return func(ro bool) {
		t.Helper()
		opt := "remount,rw"
		if ro {
			opt = "remount,ro"
		}
		// A part being written or merged holds a file open for writing for a moment, and the
		// remount is refused as busy meanwhile: try again until it is not.
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			out, err := exec.Command("mount", "-o", opt, dir).CombinedOutput()
			if err == nil {
				return
			}
			if !strings.Contains(string(out), "busy") || time.Now().After(deadline) {
				t.Fatalf("mount -o %s: %v %s", opt, err, out)
			}
		}
	}
}

type storeStatus struct {
	Store struct {
		OK      bool
		Message string
	}
}

func statusOf(t *testing.T, h *pluginhost.Host) storeStatus {
	t.Helper()
	res, err := h.Call(t.Context(), viewer, "GET", "v1/status", nil)
	if err != nil || res.Status != 200 {
		t.Fatalf("v1/status: %v %+v", err, res)
	}
	var st storeStatus
	if err := json.Unmarshal(res.Body, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// The fault suite (docs/reliability.md): the data directory becomes read-only while the plugin process runs,
// then writable again. Meanwhile a write answers 503 `unavailable` with what to do and no path or
// engine text, is not stored (so it owes no audit entry) and is logged, and the status says the
// store is not OK. Once writable, the same process stores writes again, with their audit
// entries, and the status is OK: no restart, no settings save.
func TestAReadOnlyDataDirectoryIsRefusedClearlyAndTheSameProcessRecoversWhenWritable(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	setRO := readOnlyStore(t, data)
	logPath := filepath.Join(dir, "plugin.log")
	h := faultHost(t, data, "", logPath)
	ctx := t.Context()
	write := func(workload string) (int, []byte) {
		t.Helper()
		res, err := h.Call(ctx, editor, "POST", "v1/control", []byte(`{"cluster":"c0","namespace":"ro","workload":"`+workload+`","replicas":{"manual":2}}`))
		if err != nil {
			t.Fatalf("writing ro/%s: %v", workload, err)
		}
		return res.Status, res.Body
	}
	stored := func(workload string) int {
		t.Helper()
		res, err := h.Call(ctx, viewer, "GET", "v1/control/c0/ro/"+workload, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.Status
	}

	if s, b := write("before"); s != 201 {
		t.Fatalf("a write before the fault: %d %s", s, b)
	}
	if st := statusOf(t, h); !st.Store.OK {
		t.Fatalf("status before the fault: %+v", st)
	}

	setRO(true)
	s, b := write("during")
	var e struct{ Error, Code string }
	_ = json.Unmarshal(b, &e)
	if s != 503 || e.Code != "unavailable" || !strings.Contains(e.Error, "the backend log has the engine's error") {
		t.Fatalf("a write to a read-only data directory: %d %s, want 503 unavailable saying where the details are", s, b)
	}
	for _, leak := range []string{data, "/", "Code:", "DB::", "Exception"} {
		if strings.Contains(e.Error, leak) {
			t.Fatalf("the answer carries the engine's text or a path (%q): %s", leak, b)
		}
	}
	if st := statusOf(t, h); st.Store.OK || st.Store.Message == "" {
		t.Fatalf("status after a refused write: %+v, want not OK with the reason", st)
	} else {
		t.Logf("refused: %s; status: %s", e.Error, st.Store.Message)
	}
	if b, _ := os.ReadFile(logPath); !strings.Contains(string(b), "failed: the store") {
		t.Fatalf("the refused write is not in the log:\n%s", faulthost.Tail(b, 4000))
	}

	setRO(false)
	// The refused write was not stored, so it owes no audit entry; the one before it kept its.
	if s := stored("during"); s != 404 {
		t.Fatalf("the refused write: GET answers %d, want 404 (not stored)", s)
	}
	if got := auditOf(t, h, "ro/during"); got.Total != 0 {
		t.Fatalf("audit entries for the refused write: %+v, want none", got.Items)
	}
	if got := auditOf(t, h, "ro/before"); got.Total != 1 {
		t.Fatalf("audit entries for the write before the fault: %+v, want its one", got.Items)
	}
	var after int
	t0 := time.Now()
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(time.Second) {
		if after, b = write("after"); after == 201 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("writes still refused 90 s after the directory became writable: %d %s", after, b)
		}
	}
	t.Logf("writes stored again %v after the directory became writable", time.Since(t0).Round(time.Millisecond))
	if st := statusOf(t, h); !st.Store.OK {
		t.Fatalf("status after a write succeeded again: %+v", st)
	}
	if got := auditOf(t, h, "ro/after"); got.Total != 1 || got.Items[0].User != "ed" {
		t.Fatalf("audit entries for the write after recovery: %+v, want ed's one", got.Items)
	}
}
