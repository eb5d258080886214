//go:build parts

package actions

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// manualCalls records what SetManualReplicas is given and passes it on to the store-backed
// table, so a test sees the kind reach the interface pkg/control implements.
type manualCalls struct {
	mu    sync.Mutex
	next  ManualReplicas
	calls []Workload
}

func (m *manualCalls) SetManualReplicas(ctx context.Context, w Workload, replicas int32, by Actor) (ManualChange, error) {
	m.mu.Lock()
	m.calls = append(m.calls, w)
	m.mu.Unlock()
	return m.next.SetManualReplicas(ctx, w, replicas, by)
}

func withManual(r *Runner, m ManualReplicas) *Runner {
	r.d.Manual = m
	return r
}

func TestAStatefulSetScaleRecordsItsManualReplicasWithTheKindAndEndsATemporaryScale(t *testing.T) {
	ns := namespace(t)
	statefulSet(t, ns, "db", 3, map[string]string{v1alpha1.AnnotationScaleTemp: "2026-03-01T15:29:00Z@3->8"})
	controlRow(t, ns, "db", 7) // a Deployment of the same name, whose row must stay as it is
	kindRow(t, workload.StatefulSet, ns, "db", -1)
	manual := &manualCalls{next: tableManual{conn}}
	by := actor(t)
	w := Workload{Cluster: "test", Namespace: ns, Kind: "statefulset", Name: "db"}

	res := withManual(newRunner(t, nil, nil, nil), manual).Scale(t.Context(), ScaleRequest{Items: []ScaleItem{{w, 5}}}, by)

	if len(res) != 1 || !res[0].OK || res[0].Kind != workload.StatefulSet || res[0].Before != (ReplicasState{3}) || res[0].After != (ReplicasState{5}) {
		t.Fatalf("results %+v", res)
	}
	s := getStatefulSet(t, ns, "db")
	if *s.Spec.Replicas != 5 {
		t.Fatalf("statefulset replicas %d, want 5", *s.Spec.Replicas)
	}
	if _, still := s.Annotations[v1alpha1.AnnotationScaleTemp]; still {
		t.Fatalf("a deliberate scale must end the temporary one: %v", s.Annotations)
	}
	if len(manual.calls) != 1 || manual.calls[0].Kind != workload.StatefulSet || manual.calls[0].Name != "db" {
		t.Fatalf("SetManualReplicas got %+v, want one call for StatefulSet db", manual.calls)
	}
	tbl := control.New(conn, nil)
	sts, err := tbl.Get(t.Context(), control.Key{Cluster: "test", Namespace: ns, Kind: workload.StatefulSet, Workload: "db"})
	if err != nil || sts.Version != 2 || sts.Replicas.Manual != 5 {
		t.Fatalf("the StatefulSet's row %+v, %v; want version 2 with manual replicas 5", sts, err)
	}
	if dep, err := tbl.Get(t.Context(), control.Key{Cluster: "test", Namespace: ns, Workload: "db"}); err != nil || dep.Version != 1 || dep.Replicas.Manual != 7 {
		t.Fatalf("the same-named Deployment's row %+v, %v; want it untouched", dep, err)
	}
	var scale *auditRecord
	for _, e := range auditFor(t, by.User) {
		if e.action == ActionScale {
			scale = &e
		}
	}
	if scale == nil || scale.target != ns+"/StatefulSet/db" || scale.result != audit.ResultOK || scale.after != `{"replicas":5}` {
		t.Fatalf("scale audit entry %+v, want target %s/StatefulSet/db", scale, ns)
	}
}

func TestATemporaryScaleOfAStatefulSetSetsTheAnnotationTheWebhookHonours(t *testing.T) {
	ns := namespace(t)
	statefulSet(t, ns, "cache", 2, nil)
	w := Workload{Cluster: "test", Namespace: ns, Kind: workload.StatefulSet, Name: "cache"}
	res := newRunner(t, nil, nil, nil).Scale(t.Context(), ScaleRequest{Temporary: true, Items: []ScaleItem{{w, 6}}}, actor(t))
	if !res[0].OK {
		t.Fatalf("result %+v", res[0])
	}
	s := getStatefulSet(t, ns, "cache")
	if *s.Spec.Replicas != 6 || s.Annotations[v1alpha1.AnnotationScaleTemp] != "2026-03-01T15:30:00Z@2->6" {
		t.Fatalf("replicas %d, annotations %v", *s.Spec.Replicas, s.Annotations)
	}
	if got := auditFor(t, actor(t).User); len(got) != 1 || got[0].action != ActionScaleTemporary || got[0].target != ns+"/StatefulSet/cache" {
		t.Fatalf("audit %+v", got)
	}
}

func TestARestartSetsRestartedAtOnAStatefulSetsAndADaemonSetsPodTemplate(t *testing.T) {
	ns := namespace(t)
	statefulSet(t, ns, "db", 1, nil)
	daemonSet(t, ns, "agent")
	n := &notes{}
	by := actor(t)
	res := newRunner(t, nil, nil, n).Restart(t.Context(), RestartRequest{Items: []Workload{
		{Cluster: "test", Namespace: ns, Kind: workload.StatefulSet, Name: "db"},
		{Cluster: "test", Namespace: ns, Kind: "daemonset", Name: "agent"},
	}}, by)
	for _, r := range res {
		if !r.OK || r.After != (RestartState{"2026-03-01T15:30:00Z"}) {
			t.Fatalf("results %+v", res)
		}
	}
	if res[1].Kind != workload.DaemonSet {
		t.Fatalf("the result carries kind %q, want the canonical DaemonSet", res[1].Kind)
	}
	if at := getStatefulSet(t, ns, "db").Spec.Template.Annotations[RestartedAtAnnotation]; at != "2026-03-01T15:30:00Z" {
		t.Fatalf("statefulset template restartedAt %q", at)
	}
	if at := getDaemonSet(t, ns, "agent").Spec.Template.Annotations[RestartedAtAnnotation]; at != "2026-03-01T15:30:00Z" {
		t.Fatalf("daemonset template restartedAt %q", at)
	}
	got := auditFor(t, by.User)
	if len(got) != 2 || got[0].target != ns+"/StatefulSet/db" || got[1].target != ns+"/DaemonSet/agent" {
		t.Fatalf("audit %+v", got)
	}
	if len(n.events) != 1 || len(n.events[0].Fields) != 2 || n.events[0].Fields[1].Name != "test/"+ns+"/DaemonSet/agent" {
		t.Fatalf("the message must name each workload with its kind: %+v", n.events)
	}
}

func TestADaemonSetScaleIsRefusedAndLeavesItAndTheTableAlone(t *testing.T) {
	ns := namespace(t)
	before := daemonSet(t, ns, "agent")
	manual := &manualCalls{next: tableManual{conn}}
	by := actor(t)
	w := Workload{Cluster: "test", Namespace: ns, Kind: workload.DaemonSet, Name: "agent"}
	r := withManual(newRunner(t, nil, nil, nil), manual)
	for _, temporary := range []bool{false, true} {
		res := r.Scale(t.Context(), ScaleRequest{Temporary: temporary, Items: []ScaleItem{{w, 3}}}, by)
		if res[0].OK || !strings.Contains(res[0].Error, "one pod per eligible node") {
			t.Fatalf("temporary=%v: result %+v, want a refusal saying why", temporary, res[0])
		}
	}
	if after := getDaemonSet(t, ns, "agent"); after.ResourceVersion != before.ResourceVersion {
		t.Fatalf("the DaemonSet was changed: resourceVersion %s -> %s, annotations %v", before.ResourceVersion, after.ResourceVersion, after.Annotations)
	}
	if len(manual.calls) != 0 {
		t.Fatalf("nothing may be recorded as manual replicas for a DaemonSet: %+v", manual.calls)
	}
	got := auditFor(t, by.User)
	if len(got) != 2 || got[0].result != audit.ResultFailed || got[0].target != ns+"/DaemonSet/agent" || !strings.Contains(got[1].errText, "no replicas") {
		t.Fatalf("each refusal is audited as failed: %+v", got)
	}
}

func TestAnItemOfAnUnknownKindFailsAndTheBatchCarriesOn(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "web", 1, nil)
	res := newRunner(t, nil, nil, nil).Restart(t.Context(), RestartRequest{Items: []Workload{
		{Cluster: "test", Namespace: ns, Kind: "CronJob", Name: "nightly"},
		{Cluster: "test", Namespace: ns, Name: "web"},
	}}, actor(t))
	if res[0].OK || !strings.Contains(res[0].Error, `unknown workload kind "CronJob"`) || !res[1].OK || res[1].Kind != workload.Deployment {
		t.Fatalf("results %+v", res)
	}
}
