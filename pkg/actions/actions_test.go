//go:build parts

package actions

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/pause"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// controlRow inserts a control-table row (version 1) for Deployment test/ns/name.
func controlRow(t *testing.T, ns, name string, manual int32) {
	t.Helper()
	kindRow(t, workload.Deployment, ns, name, manual)
}

// kindRow inserts a control-table row (version 1) for the kind's test/ns/name.
func kindRow(t *testing.T, kind, ns, name string, manual int32) {
	t.Helper()
	cols := []string{"cluster", "namespace", "kind", "workload", "version", "replicas_manual", "replicas_recommended", "replicas_observed",
		"containers.name", "containers.cpu_request_m", "containers.cpu_limit_m", "containers.mem_request_mib", "containers.mem_limit_mib",
		"containers.cpu_request_source", "containers.cpu_limit_source", "containers.mem_request_source", "containers.mem_limit_source",
		"peak_day", "updated_by", "updated_at", "deleted"}
	row := []any{"test", ns, kind, name, uint64(1), manual, int32(-1), int32(3),
		[]string{"app"}, []int64{350}, []int64{2000}, []int64{420}, []int64{2048},
		[]string{"collected"}, []string{"collected"}, []string{"collected"}, []string{"manual"},
		time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "collector", time.Now().UTC(), uint8(0)}
	if err := conn.Insert(t.Context(), "control_rows", cols, [][]any{row}); err != nil {
		t.Fatal(err)
	}
}

type latestRow struct {
	version uint64
	manual  int32
	by      string
	cpuReq  []int64
}

func latest(t *testing.T, ns, name string) latestRow {
	t.Helper()
	rows, err := conn.Query(t.Context(), `SELECT version, replicas_manual, updated_by, containers.cpu_request_m FROM control_rows
WHERE cluster = 'test' AND namespace = {ns:String} AND workload = {name:String} ORDER BY version DESC LIMIT 1`,
		store.P("ns", ns), store.P("name", name))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var r latestRow
	if !rows.Next() {
		t.Fatalf("no control row for %s/%s", ns, name)
	}
	if err := rows.Scan(&r.version, &r.manual, &r.by, &r.cpuReq); err != nil {
		t.Fatal(err)
	}
	return r
}

type auditRecord struct{ action, target, result, before, after, errText string }

func auditFor(t *testing.T, user string) []auditRecord {
	t.Helper()
	items, _, err := audit.New(conn).List(t.Context(), audit.Filter{User: user, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []auditRecord
	for i := len(items) - 1; i >= 0; i-- { // oldest first
		it := items[i]
		out = append(out, auditRecord{it.Action, it.Target, it.Result, string(it.Before), string(it.After), it.Error})
	}
	return out
}

// publisher records each publish and the Deployment's replicas at that moment, to prove the
// table is published before the scale.
type publisher struct {
	mu       sync.Mutex
	clusters []string
	seen     []int32
	ns, name string
	t        *testing.T
}

func (p *publisher) Publish(_ context.Context, w Workload) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clusters = append(p.clusters, w.Cluster)
	p.seen = append(p.seen, *getDeployment(p.t, p.ns, p.name).Spec.Replicas)
	return nil
}

type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

type notes struct {
	mu     sync.Mutex
	events []notify.Event
}

func (n *notes) Notify(_ context.Context, e notify.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.events = append(n.events, e)
}

func newRunner(t *testing.T, pub Publisher, sl *sleeps, n *notes) *Runner {
	d := Deps{
		Kube: kubeFor, Manual: tableManual{conn}, Audit: audit.New(conn),
		Log: slog.New(slog.DiscardHandler), VerifyWait: time.Second,
		Now: func() time.Time { return time.Date(2026, 3, 1, 15, 30, 0, 0, time.UTC) },
	}
	if pub != nil {
		d.Publisher = pub
	}
	if sl != nil {
		d.Sleep = sl.sleep
	}
	if n != nil {
		d.Notifier = n
	}
	return New(d)
}

func actor(t *testing.T) Actor {
	return Actor{User: "ed-" + strings.ReplaceAll(t.Name(), "/", "-"), Role: "Editor"}
}

func TestAScaleRecordsManualReplicasPublishesThenScales(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "checkout", 3, nil)
	controlRow(t, ns, "checkout", -1)
	pub := &publisher{ns: ns, name: "checkout", t: t}
	n := &notes{}
	by := actor(t)

	res := newRunner(t, pub, nil, n).Scale(t.Context(), ScaleRequest{Items: []ScaleItem{{Workload{Cluster: "test", Namespace: ns, Name: "checkout"}, 5}}}, by)

	if len(res) != 1 || !res[0].OK || res[0].Before != (ReplicasState{3}) || res[0].After != (ReplicasState{5}) {
		t.Fatalf("results %+v", res)
	}
	if got := *getDeployment(t, ns, "checkout").Spec.Replicas; got != 5 {
		t.Fatalf("deployment replicas %d, want 5", got)
	}
	row := latest(t, ns, "checkout")
	if row.version != 2 || row.manual != 5 || row.by != by.User || len(row.cpuReq) != 1 || row.cpuReq[0] != 350 {
		t.Fatalf("control row after the scale: %+v (want version 2, manual 5, containers kept)", row)
	}
	if len(pub.clusters) != 1 || pub.clusters[0] != "test" || pub.seen[0] != 3 {
		t.Fatalf("publish calls %v with replicas %v: want one for cluster test before the scale (replicas still 3)", pub.clusters, pub.seen)
	}
	got := auditFor(t, by.User)
	if len(got) != 2 || got[0].action != ActionRecordManual || got[0].before != `{"replicasManual":-1}` || got[0].after != `{"replicasManual":5}` ||
		got[1].action != ActionScale || got[1].target != ns+"/checkout" || got[1].result != audit.ResultOK || got[1].before != `{"replicas":3}` || got[1].after != `{"replicas":5}` {
		t.Fatalf("audit %+v", got)
	}
	if len(n.events) != 1 || n.events[0].Kind != notify.EventActionDone || n.events[0].Cluster != "test" {
		t.Fatalf("notifications %+v", n.events)
	}
}

func TestAScaleEndsATemporaryScaleAndScalesAWorkloadOutsideTheTable(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "api", 2, map[string]string{v1alpha1.AnnotationScaleTemp: "2026-03-01T15:29:00Z@2->8"})
	res := newRunner(t, nil, nil, nil).Scale(t.Context(), ScaleRequest{Items: []ScaleItem{{Workload{Cluster: "test", Namespace: ns, Name: "api"}, 4}}}, actor(t))
	if !res[0].OK {
		t.Fatalf("result %+v", res[0])
	}
	d := getDeployment(t, ns, "api")
	if *d.Spec.Replicas != 4 {
		t.Fatalf("replicas %d", *d.Spec.Replicas)
	}
	if _, still := d.Annotations[v1alpha1.AnnotationScaleTemp]; still {
		t.Fatalf("the scale-temp annotation must be gone: %v", d.Annotations)
	}
}

func TestATemporaryScaleSetsTheAnnotationAndReplicasAndLeavesTheTable(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "cart", 3, nil)
	controlRow(t, ns, "cart", 3)
	res := newRunner(t, nil, nil, nil).Scale(t.Context(), ScaleRequest{Temporary: true, Items: []ScaleItem{{Workload{Cluster: "test", Namespace: ns, Name: "cart"}, 10}}}, actor(t))
	if !res[0].OK {
		t.Fatalf("result %+v", res[0])
	}
	d := getDeployment(t, ns, "cart")
	if *d.Spec.Replicas != 10 || d.Annotations[v1alpha1.AnnotationScaleTemp] != "2026-03-01T15:30:00Z@3->10" {
		t.Fatalf("replicas %d, annotations %v", *d.Spec.Replicas, d.Annotations)
	}
	if row := latest(t, ns, "cart"); row.version != 1 || row.manual != 3 {
		t.Fatalf("the table must be untouched: %+v", row)
	}
	if got := auditFor(t, actor(t).User); len(got) != 1 || got[0].action != ActionScaleTemporary || !strings.Contains(got[0].after, `@3-\u003e10`) {
		t.Fatalf("audit %+v", got)
	}
}

func TestARestartSetsANewRestartedAt(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "web", 1, nil)
	r := newRunner(t, nil, nil, nil)
	w := Workload{Cluster: "test", Namespace: ns, Name: "web"}
	first := r.Restart(t.Context(), RestartRequest{Items: []Workload{w}}, actor(t))
	second := r.Restart(t.Context(), RestartRequest{Items: []Workload{w}}, actor(t))
	if !first[0].OK || !second[0].OK {
		t.Fatalf("results %+v %+v", first, second)
	}
	at := getDeployment(t, ns, "web").Spec.Template.Annotations[RestartedAtAnnotation]
	if first[0].After != (RestartState{"2026-03-01T15:30:00Z"}) || second[0].Before != first[0].After || at != "2026-03-01T15:30:01Z" {
		t.Fatalf("first %+v, second %+v, stored %q: a second restart in the same second must still change the template", first[0], second[0], at)
	}
	if _, err := time.Parse(time.RFC3339, at); err != nil {
		t.Fatalf("restartedAt %q is not RFC 3339", at)
	}
}

func TestABatchReportsAFailingItemAndCarriesOnWithPausesBetweenItems(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "a", 1, nil)
	deployment(t, ns, "c", 1, nil)
	sl, n := &sleeps{}, &notes{}
	by := actor(t)
	res := newRunner(t, nil, sl, n).Restart(t.Context(), RestartRequest{Interval: 7 * time.Second, Items: []Workload{
		{Cluster: "test", Namespace: ns, Name: "a"}, {Cluster: "test", Namespace: ns, Name: "missing"}, {Cluster: "test", Namespace: ns, Name: "c"}, {Cluster: "elsewhere", Namespace: ns, Name: "a"},
	}}, by)
	want := []struct {
		ok  bool
		err string
	}{{true, ""}, {false, "Deployment " + ns + "/missing not found in cluster test"}, {true, ""}, {false, `no cluster named "elsewhere"`}}
	for i, w := range want {
		if res[i].OK != w.ok || !strings.Contains(res[i].Error, w.err) {
			t.Fatalf("item %d: %+v, want ok=%v error %q", i, res[i], w.ok, w.err)
		}
	}
	if len(sl.waits) != 3 || sl.waits[0] != 7*time.Second {
		t.Fatalf("waits %v: want 7s between the 4 items, none after the last", sl.waits)
	}
	got := auditFor(t, by.User)
	if len(got) != 4 || got[1].result != audit.ResultFailed || !strings.Contains(got[1].errText, "not found") {
		t.Fatalf("each item must be audited, failures too: %+v", got)
	}
	if len(n.events) != 1 || n.events[0].Kind != notify.EventActionFailed || !strings.Contains(n.events[0].Title, "2 of 4") {
		t.Fatalf("one message per batch: %+v", n.events)
	}
}

func TestACancelledBatchReportsTheItemsItDidNotRun(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "a", 1, nil)
	deployment(t, ns, "b", 1, nil)
	ctx, cancel := context.WithCancel(t.Context())
	r := New(Deps{Kube: kubeFor, Audit: audit.New(conn), Log: slog.New(slog.DiscardHandler),
		Sleep: func(ctx context.Context, d time.Duration) error { cancel(); return pause.Wait(ctx, d) }})
	res := r.Restart(ctx, RestartRequest{Interval: time.Hour, Items: []Workload{{Cluster: "test", Namespace: ns, Name: "a"}, {Cluster: "test", Namespace: ns, Name: "b"}}}, actor(t))
	if !res[0].OK || res[1].OK || !strings.Contains(res[1].Error, "not run") {
		t.Fatalf("results %+v", res)
	}
	if _, ok := getDeployment(t, ns, "b").Spec.Template.Annotations[RestartedAtAnnotation]; ok {
		t.Fatal("b must not have been restarted")
	}
}

func TestAScaleWithoutTheControlTableRefusesRatherThanBeUndone(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "a", 2, nil)
	r := New(Deps{Kube: kubeFor, Audit: audit.New(conn), Log: slog.New(slog.DiscardHandler)})
	res := r.Scale(t.Context(), ScaleRequest{Items: []ScaleItem{{Workload{Cluster: "test", Namespace: ns, Name: "a"}, 6}}}, actor(t))
	if res[0].OK || !strings.Contains(res[0].Error, "control table is unavailable") {
		t.Fatalf("result %+v", res[0])
	}
	if *getDeployment(t, ns, "a").Spec.Replicas != 2 {
		t.Fatal("the deployment must not be scaled")
	}
}
