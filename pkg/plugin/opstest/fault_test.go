//go:build parts

package opstest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/faulthost"
	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/pkg/fault"
)

// faultHost is a plugin process of its own on dataDir with KUBEDOOR_FAULT set to point ("" =
// none), for cluster prod-a at kubeconfig. Its schedule lease lives in leaseNS, so the package's shared host,
// which holds the lease in "kubedoor", does not keep it from running schedules. extra are more
// environment variables (NAME=value).
func faultHost(t *testing.T, dataDir, point, leaseNS, kubeconfig, logPath string, extra ...string) *pluginhost.Host {
	t.Helper()
	jsonData, _ := json.Marshal(map[string]any{
		"storage": map[string]string{"mode": "embedded"},
		"clusters": []map[string]string{{"name": "prod-a", "prometheusUrl": env.promURL, "kubeAccess": "kubeconfig",
			"timeZone": "Europe/Berlin", "kubedoorNamespace": leaseNS}},
	})
	p := faulthost.Plugin{Executable: env.exe, Lib: env.lib, JSONData: jsonData, Secure: map[string]string{"clusters.prod-a.kubeconfig": kubeconfig}}
	return p.Start(t, dataDir, point, logPath, extra...)
}

// scaleScene is a killed-scale test's ground: its directory, the plugin's data directory in it,
// a namespace of its own for the schedule lease and a namespace with Deployment api at 2
// replicas.
func scaleScene(t *testing.T) (dir, data, leaseNS, ns string) {
	t.Helper()
	dir = t.TempDir()
	leaseNS, ns = namespace(t), namespace(t)
	deployment(t, ns, "api", 2)
	return dir, filepath.Join(dir, "data"), leaseNS, ns
}

// waitRunSettled waits until the first run of schedule id, as the restarted h lists them, is no
// longer running (its restart settles what the kill interrupted) and returns the runs.
func waitRunSettled(t *testing.T, h *pluginhost.Host, id, logPath string) runList {
	t.Helper()
	var runs runList
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		if s := callOn(t, h, viewer, "GET", "v1/schedules/"+id+"/runs", nil, &runs); s != 200 {
			t.Fatalf("runs: %d", s)
		}
		if len(runs.Items) > 0 && runs.Items[0].Status != "running" {
			return runs
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logPath)
			t.Fatalf("the killed run is still %+v 60 s after the restart:\n%s", runs, faulthost.Tail(b, 8000))
		}
	}
}

// callOn is call against host h rather than the package's shared host.
func callOn(t *testing.T, h *pluginhost.Host, u pluginhost.User, method, path string, body any, out any) int {
	t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	res, err := h.Call(t.Context(), u, method, path, raw)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if out != nil && len(res.Body) > 0 {
		if err := json.Unmarshal(res.Body, out); err != nil {
			t.Fatalf("%s %s: answer %d is not JSON: %s", method, path, res.Status, res.Body)
		}
	}
	return res.Status
}

type faultAudit struct {
	Items []struct {
		ID, User, Role, Action, Target, Result, Note string
		Before, After                                json.RawMessage
	}
	Total int
}

// The fault suite (docs/reliability.md): the backend is killed (SIGKILL at KUBEDOOR_FAULT=after-action-write)
// in a once schedule's run, after the run is recorded running, the scale's pending audit entry
// is recorded and the scale reached the kube-apiserver, before either result is recorded.
// Restarted on the same data directory: the run is failed with the interruption as its reason,
// the schedule does not fire again, and the Audit page shows the scale as pending with the
// state before (audit.PendingPass settles it as unknown 15 minutes after it began:
// pkg/audit/pending_test.go).
func TestAScheduleRunKilledMidActionIsSettledNotRepeatedAndItsActionShownPending(t *testing.T) {
	dir, data, leaseNS, ns := scaleScene(t)
	log1 := filepath.Join(dir, "run1.log")
	h := faultHost(t, data, fault.AfterActionWrite, leaseNS, env.kubeconfig, log1)
	at := time.Now().Add(4 * time.Second).UTC().Truncate(time.Second)
	var sc schedule
	if s := callOn(t, h, editor, "POST", "v1/schedules", map[string]any{"cluster": "prod-a", "name": "crash test", "action": "scale",
		"kind": "once", "runAt": at, "items": []map[string]any{{"namespace": ns, "workload": "api", "replicas": 4}}}, &sc); s != 201 || sc.ID == "" {
		t.Fatalf("create: %d %+v", s, sc)
	}
	faulthost.WaitKilled(t, h, 90*time.Second, log1)
	if got := *getDeployment(t, ns, "api").Spec.Replicas; got != 4 {
		t.Fatalf("replicas %d after the crash, want the 4 the scale wrote before it", got)
	}

	log2 := filepath.Join(dir, "run2.log")
	h = faultHost(t, data, "", leaseNS, env.kubeconfig, log2)
	runs := waitRunSettled(t, h, sc.ID, log2)
	r := runs.Items[0]
	if len(runs.Items) != 1 || r.Status != "failed" || !r.ScheduledFor.Equal(at) || r.FinishedAt == nil ||
		!strings.HasPrefix(r.Error, "interrupted: the backend running it") || !strings.Contains(r.Error, "items may have been done in part") {
		t.Fatalf("runs %+v, want the one run failed as interrupted", runs)
	}

	var audit faultAudit
	if s := callOn(t, h, viewer, "GET", "v1/audit?action=scale&target="+ns+"/api", nil, &audit); s != 200 {
		t.Fatalf("audit: %d", s)
	}
	if audit.Total != 1 || len(audit.Items) != 1 {
		t.Fatalf("%d audit entries for the scale, want exactly its pending one: %+v", audit.Total, audit.Items)
	}
	e := audit.Items[0]
	if e.Result != "pending" || e.Role != "Schedule" || !strings.Contains(e.User, sc.ID) || !strings.Contains(string(e.Before), `2`) || len(e.After) > 0 && string(e.After) != "null" {
		t.Fatalf("entry %+v, want the schedule's scale pending with the 2 replicas before and no after", e)
	}

	// The once schedule is spent: no next run, and no second run or scale while the restarted
	// backend takes the lease over (15 s) and ticks.
	var after schedule
	callOn(t, h, viewer, "GET", "v1/schedules/"+sc.ID, nil, &after)
	if after.NextRunAt != nil {
		t.Fatalf("the killed once schedule has a next run: %+v", after)
	}
	faulthost.WaitLog(t, log2, 60*time.Second, "schedule lease acquired")
	time.Sleep(3 * time.Second)
	callOn(t, h, viewer, "GET", "v1/schedules/"+sc.ID+"/runs", nil, &runs)
	callOn(t, h, viewer, "GET", "v1/audit?action=scale&target="+ns+"/api", nil, &audit)
	if runs.Total != 1 || audit.Total != 1 {
		t.Fatalf("the schedule fired again after the restart: runs %+v, audit %+v", runs, audit)
	}
}
