//go:build parts

package opstest

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/faulthost"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/fault"
)

// The fault suite (docs/reliability.md): a user's scale is killed (SIGKILL at after-action-write) after its
// pending audit entry and its write, before its result. Restarted with the default settle age
// (15 min) the entry stays pending; restarted with KUBEDOOR_AUDIT_PENDING_SETTLE=2s the start's
// reconciliation settles it as unknown with the note, once, without waiting 15 minutes.
func TestAnActionKilledBeforeItsResultIsSettledUnknownAfterTheSettleAge(t *testing.T) {
	dir, data, leaseNS, ns := scaleScene(t)
	log1 := filepath.Join(dir, "run1.log")
	h := faultHost(t, data, fault.AfterActionWrite, leaseNS, env.kubeconfig, log1)
	scale := map[string]any{"items": []map[string]any{{"cluster": "prod-a", "namespace": ns, "workload": "api", "replicas": 3}}}
	body, _ := json.Marshal(scale)
	faulthost.CallKilled(t, h, editor, "POST", "v1/actions/scale", body, 30*time.Second, log1)
	if got := *getDeployment(t, ns, "api").Spec.Replicas; got != 3 {
		t.Fatalf("replicas %d after the crash, want the 3 the scale wrote before it", got)
	}
	auditOn := func(t *testing.T, logPath string, extra ...string) faultAudit {
		t.Helper()
		h := faultHost(t, data, "", leaseNS, env.kubeconfig, logPath, extra...)
		defer h.Stop()
		faulthost.WaitLog(t, logPath, 60*time.Second, "stored versions checked for their audit entries", "table=actions")
		var a faultAudit
		if s := callOn(t, h, viewer, "GET", "v1/audit?action=scale&target="+ns+"/api", nil, &a); s != 200 {
			t.Fatalf("audit: %d", s)
		}
		return a
	}

	// The default age: the start's pass leaves an entry younger than 15 minutes alone.
	if a := auditOn(t, filepath.Join(dir, "run2.log")); a.Total != 1 || a.Items[0].Result != audit.ResultPending {
		t.Fatalf("with the default settle age the entry must stay pending: %+v", a)
	}
	time.Sleep(2 * time.Second) // the entry is older than the short age below for certain
	log3 := filepath.Join(dir, "run3.log")
	a := auditOn(t, log3, audit.EnvPendingSettle+"=2s")
	if a.Total != 1 || len(a.Items) != 1 {
		t.Fatalf("%d audit entries for the scale, want exactly one: %+v", a.Total, a.Items)
	}
	e := a.Items[0]
	if e.Result != audit.ResultUnknown || e.Note != audit.NoteInterrupted || e.User != "ed" || e.Role != "Editor" ||
		string(e.Before) != `{"replicas":2}` || len(e.After) > 0 && string(e.After) != "null" {
		t.Fatalf("entry %+v, want ed's scale unknown with the note, the 2 replicas before and no after", e)
	}
	faulthost.WaitLog(t, log3, 5*time.Second, "audit entry recorded for a stored version whose own entry was lost", "table=actions")
	// Settled once: another restart adds nothing.
	if a := auditOn(t, filepath.Join(dir, "run4.log"), audit.EnvPendingSettle+"=2s"); a.Total != 1 || a.Items[0].Result != audit.ResultUnknown {
		t.Fatalf("after another restart: %+v", a)
	}
}
