//go:build parts

package recommend

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

var conn store.Conn

func TestMain(m *testing.M) { storetest.Main("recommend", &conn, m.Run) }

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func insertSamples(t testing.TB, cluster string, ss []peaks.Sample) {
	t.Helper()
	rows := make([][]any, len(ss))
	for i, x := range ss {
		x.Cluster = cluster
		rows[i] = x.Row()
	}
	if err := conn.Insert(ctxT(t), "peak_samples", peaks.Columns, rows); err != nil {
		t.Fatal(err)
	}
}

func storedVersions(t *testing.T, cluster string) uint64 {
	t.Helper()
	rows, err := conn.Query(ctxT(t), "SELECT count() FROM control_rows WHERE cluster = {c:String}", store.P("c", cluster))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n uint64
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func current(t *testing.T, cluster string) []control.Row {
	t.Helper()
	rows, _, err := control.New(conn, nil).Current(ctxT(t), cluster, control.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func testLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// The whole cycle on the embedded engine: first derivation, an idempotent re-run, a person's
// edit that later derivations respect, a new day, and a change of mode.
func TestDeriverKeepsTheControlTableInStepWithPeakData(t *testing.T) {
	ctx := ctxT(t)
	const cluster = "derive-cycle"
	// Merges stay off so the stale collection below remains until read: only FINAL hides it.
	if err := conn.Exec(ctx, "SYSTEM STOP MERGES peak_samples"); err != nil {
		t.Fatal(err)
	}
	hist := twelveDays()
	insertSamples(t, cluster, hist)
	// A stale earlier collection of api's busiest day, inserted later: FINAL must drop it.
	stale := s{ns: "shop", wl: "api", c: "app", d: 15, pods: 40, cpuAvg: 9, cpuMax: 9, memMiB: 9000, cpuLim: 2, memLim: 2048}.sample()
	stale.CollectedAt = stale.CollectedAt.Add(-24 * time.Hour)
	insertSamples(t, cluster, []peaks.Sample{stale})

	d := Deriver{Log: testLog()}
	rep, err := d.Derive(ctx, conn, cluster, DefaultParams(), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.New) != 3 || rep.Cluster != cluster {
		t.Fatalf("first derivation report %+v", rep)
	}
	// The store path agrees with the pure function over the same history.
	pure, _ := mustDerive(t, DefaultParams(), withCluster(hist, cluster), nil)
	got := current(t, cluster)
	if len(got) != len(pure) {
		t.Fatalf("%d rows stored, pure derivation gives %d", len(got), len(pure))
	}
	for i := range pure {
		if !control.SameContent(got[i], pure[i]) || got[i].Version != 1 {
			t.Fatalf("stored row\n %+v\npure row\n %+v", got[i], pure[i])
		}
	}
	wantContainers(t, find(t, got, "shop", "api"), ctr("app", 600, 2000, 500, 2048), ctr("istio-proxy", 10, -1, 1, -1))

	// Re-deriving the same data writes nothing.
	rep, err = d.Derive(ctx, conn, cluster, DefaultParams(), now)
	if err != nil || rep.Written() != 0 || rep.Unchanged != 3 || storedVersions(t, cluster) != 3 {
		t.Fatalf("re-derivation: %v, report %+v, %d versions stored", err, rep, storedVersions(t, cluster))
	}

	// A person pins replicas and the app's CPU limit.
	tbl := control.New(conn, nil)
	apiKey := control.Key{Cluster: cluster, Namespace: "shop", Workload: "api"}
	v, six, lim := uint64(1), int32(6), int64(3000)
	if _, err := tbl.Update(ctx, apiKey, control.Edit{ExpectedVersion: &v, ReplicasManual: &six,
		Containers: []control.ContainerEdit{{Name: "app", CPULimitMillis: &lim}}}, "ed"); err != nil {
		t.Fatal(err)
	}
	rep, err = d.Derive(ctx, conn, cluster, DefaultParams(), now)
	if err != nil || rep.Written() != 0 || storedVersions(t, cluster) != 4 {
		t.Fatalf("derivation after the edit: %v, report %+v", err, rep)
	}

	// A new, busier day for api arrives with a different limit in the cluster.
	insertSamples(t, cluster, samples(
		s{ns: "shop", wl: "api", c: "app", d: 23, pods: 5, cpuAvg: 0.6, cpuMax: 0.75, memMiB: 350, cpuLim: 8, memLim: 4096},
		s{ns: "shop", wl: "api", c: "istio-proxy", d: 23, pods: 5, cpuAvg: 0.02, cpuMax: 0.03, memMiB: 50},
	))
	rep, err = d.Derive(ctx, conn, cluster, DefaultParams(), now.AddDate(0, 0, 1))
	if err != nil || rep.Changed != 1 || rep.Unchanged != 2 {
		t.Fatalf("derivation with a new day: %v, report %+v", err, rep)
	}
	api, err := tbl.Get(ctx, apiKey)
	if err != nil {
		t.Fatal(err)
	}
	if api.Version != 3 || api.PeakDay != "2026-11-23" || api.Replicas.Manual != 6 || api.Replicas.Observed != 5 || api.Replicas.Effective != 6 {
		t.Fatalf("api after the new day: version %d day %s replicas %+v", api.Version, api.PeakDay, api.Replicas)
	}
	manualLimit := ctr("app", 750, 3000, 350, 2048)
	manualLimit.Sources.CPULimit = control.SourceManual
	wantContainers(t, api, manualLimit, ctr("istio-proxy", 30, -1, 50, -1))

	// Mode kubedoor picks one cluster day (11-20 still has the highest cluster load).
	p := DefaultParams()
	p.Mode = ModeKubeDoor
	rep, err = d.Derive(ctx, conn, cluster, p, now.AddDate(0, 0, 1))
	if err != nil || rep.ClusterPeakDay != "2026-11-20" || rep.Changed != 1 || rep.Kept != 1 {
		t.Fatalf("kubedoor mode: %v, report %+v", err, rep)
	}
	api, _ = tbl.Get(ctx, apiKey)
	if api.PeakDay != "2026-11-20" || api.Replicas.Manual != 6 || api.Containers[0].CPULimitMillis != 3000 || api.Containers[0].CPURequestMillis != 250 {
		t.Fatalf("api in kubedoor mode: %+v", api)
	}

	hist2, total, err := tbl.History(ctx, apiKey, 0, 0)
	if err != nil || total != 4 {
		t.Fatalf("history: %v, %d versions", err, total)
	}
	var by []string
	for _, h := range hist2 {
		by = append(by, h.UpdatedBy)
	}
	if want := []string{"collector", "collector", "ed", "collector"}; !equalStrings(by, want) {
		t.Fatalf("history written by %v, want %v", by, want)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func withCluster(ss []peaks.Sample, cluster string) []peaks.Sample {
	out := make([]peaks.Sample, len(ss))
	for i, x := range ss {
		x.Cluster = cluster
		out[i] = x
	}
	return out
}

func TestDeriverWithNoDataWritesNothing(t *testing.T) {
	rep, err := Deriver{}.Derive(ctxT(t), conn, "empty-cluster", DefaultParams(), now)
	if err != nil || rep.Written() != 0 || rep.Workloads != 0 || rep.Cluster != "empty-cluster" {
		t.Fatalf("%v, report %+v", err, rep)
	}
}

// The store's day choice (SQL) and Choose (Go) are one rule written twice: they must agree.
func TestTheStoreChoosesTheSameDaysAsChoose(t *testing.T) {
	const cluster = "choose-same"
	hist := withCluster(twelveDays(), cluster)
	// Equal loads on two days: the later one wins in both.
	hist = append(hist, withCluster(samples(
		s{ns: "tie", wl: "even", c: "app", d: 18, pods: 2, cpuAvg: 0.5, cpuMax: 0.9, memMiB: 10},
		s{ns: "tie", wl: "even", c: "app", d: 19, pods: 1, cpuAvg: 1.0, cpuMax: 0.4, memMiB: 10},
	), cluster)...)
	insertSamples(t, cluster, hist)
	key := func(x peaks.Sample) string {
		return x.Namespace + "/" + x.Workload + "/" + x.Container + "@" + x.Day.Format(time.DateOnly)
	}
	keys := func(ss []peaks.Sample) []string {
		var out []string
		for _, x := range ss {
			out = append(out, key(x))
		}
		slices.Sort(out)
		return out
	}
	for _, mode := range []string{ModePerWorkload, ModeKubeDoor} {
		t.Run(mode, func(t *testing.T) {
			p := DefaultParams()
			p.Mode = mode
			want, err := Choose(p, hist, now)
			if err != nil {
				t.Fatal(err)
			}
			got, err := choose(ctxT(t), conn, cluster, p, now)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(keys(got.Samples), keys(want.Samples)) || !got.ClusterDay.Equal(want.ClusterDay) || !slices.Equal(got.Absent, want.Absent) {
				t.Fatalf("store chose\n %v day %v absent %v\nChoose chose\n %v day %v absent %v",
					keys(got.Samples), got.ClusterDay, got.Absent, keys(want.Samples), want.ClusterDay, want.Absent)
			}
			if len(want.Samples) == 0 || (mode == ModeKubeDoor && len(want.Absent) != 2) {
				t.Fatalf("the fixture does not exercise the rule: %d samples, absent %v", len(want.Samples), want.Absent)
			}
		})
	}
}

type snapshotter struct{ snap snapshot.Snapshot }

func (s snapshotter) Snapshot() (snapshot.Snapshot, error) { return s.snap, nil }

// The jobs' Deriver reads the cluster's saved settings: here mode kubedoor and 20 % headroom.
func TestClusterDeriverUsesTheClustersSavedSettings(t *testing.T) {
	ctx := ctxT(t)
	const cluster = "with-settings"
	insertSamples(t, cluster, twelveDays())
	cs := clustersettings.Defaults(cluster, "Asia/Shanghai")
	cs.Mode, cs.Headroom = clustersettings.ModeKubeDoor, 0.2
	if _, err := clustersettings.NewStore(conn).Put(ctx, cs, 0, "ada"); err != nil {
		t.Fatal(err)
	}
	var reports []Report
	d := ClusterDeriver{
		Svc:   snapshotter{snapshot.Snapshot{Conn: conn, App: settings.App{Clusters: []settings.Cluster{{Name: cluster, TimeZone: "Asia/Shanghai"}}}}},
		Now:   func() time.Time { return now },
		After: func(_ context.Context, rep Report) { reports = append(reports, rep) },
	}
	if err := d.Derive(ctx, cluster); err != nil {
		t.Fatal(err)
	}
	if err := d.Derive(ctx, cluster); err != nil { // nothing changes: After is not called again
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].ClusterPeakDay != "2026-11-20" || len(reports[0].New) != 2 {
		t.Fatalf("reports %+v", reports)
	}
	api := find(t, current(t, cluster), "shop", "api")
	// 11-20: 0.25 cores × 1.2 = 300m; 300.2 MiB × 1.2 = 360.24 → 361 MiB.
	if c := api.Containers[0]; c.CPURequestMillis != 300 || c.MemRequestMiB != 361 {
		t.Fatalf("api app %+v", c)
	}
}
