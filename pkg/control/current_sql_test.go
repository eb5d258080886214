//go:build parts

package control

import (
	"slices"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// CurrentSQL answers what Current and Resolve answer, row by row: every way the replicas can
// resolve, a row edited to a newer version (its latest values count), and a removed row (absent).
func TestCurrentSQLResolvesAsResolve(t *testing.T) {
	ctx := ctxT(t)
	tbl := New(conn, nil)
	cluster := newCluster()
	rec := func(wl string, rep Replicas) Row {
		r := apiRow(cluster)
		r.Workload, r.Replicas, r.Version = wl, rep, 1
		return r
	}
	rows := []Row{
		rec("manual", Replicas{Manual: 5, Recommended: 8, RecommendedFor: RecommendedForReplicas, RecommendedActive: true, Observed: 12}),
		rec("recommended-active", Replicas{Manual: -1, Recommended: 8, RecommendedFor: RecommendedForReplicas, RecommendedActive: true, Observed: 12}),
		rec("recommended-off", Replicas{Manual: -1, Recommended: 8, RecommendedFor: RecommendedForReplicas, Observed: 12}),
		rec("hpa-advice", Replicas{Manual: -1, Recommended: 3, RecommendedFor: RecommendedForHPAMin, RecommendedActive: true, Observed: 12}),
		rec("none", Replicas{Manual: -1, Recommended: -1, Observed: -1}),
		rec("zero", Replicas{Manual: 0, Recommended: -1, Observed: 3}),
		rec("edited", Replicas{Manual: -1, Recommended: -1, Observed: 2}),
		rec("removed", Replicas{Manual: 7, Recommended: -1, Observed: 2}),
	}
	rows[0].Containers = append(rows[0].Containers, Container{Name: "sidecar", CPURequestMillis: 50, CPULimitMillis: Unset, MemRequestMiB: 64, MemLimitMiB: Unset})
	for i := range rows {
		for j := range rows[i].Containers {
			rows[i].Containers[j].Sources = Sources{SourceCollected, SourceCollected, SourceCollected, SourceCollected}
		}
	}
	if _, err := tbl.Rederive(ctx, cluster, "test", func([]Row) ([]Row, error) { return rows, nil }); err != nil {
		t.Fatal(err)
	}
	edited := rows[6].Clone()
	edited.Replicas.Manual, edited.Containers[0].CPURequestMillis, edited.Containers[0].Sources.CPURequest = 9, 750, SourceManual
	if _, err := tbl.Put(ctx, edited, 1, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.Delete(ctx, rows[7].Key(), 1, "alice"); err != nil {
		t.Fatal(err)
	}

	want, _, err := tbl.Current(ctx, cluster, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := conn.Query(ctx, "SELECT * FROM ("+CurrentSQL+") ORDER BY namespace, workload, kind", store.P("cluster", cluster))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	var got []Row
	for res.Next() {
		var ns, kind, wl string
		var replicas int32
		var cn []string
		var ccr, ccl, cmr, cml []int64
		if err := res.Scan(&ns, &kind, &wl, &replicas, &cn, &ccr, &ccl, &cmr, &cml); err != nil {
			t.Fatal(err)
		}
		r := Row{Cluster: cluster, Namespace: ns, Kind: kind, Workload: wl, Replicas: Replicas{Effective: replicas}}
		for i := range cn {
			r.Containers = append(r.Containers, Container{Name: cn[i], CPURequestMillis: ccr[i], CPULimitMillis: ccl[i], MemRequestMiB: cmr[i], MemLimitMiB: cml[i]})
		}
		got = append(got, r)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows)-1 || len(want) != len(got) {
		t.Fatalf("CurrentSQL has %d rows, Current %d, want %d (the removed row left out)", len(got), len(want), len(rows)-1)
	}
	for i, w := range want {
		g := got[i]
		if g.Workload != w.Workload || g.Replicas.Effective != w.Replicas.Effective {
			t.Errorf("%s: CurrentSQL replicas %d, Resolve %d (from %s)", w.Workload, g.Replicas.Effective, w.Replicas.Effective, w.Replicas.Source)
		}
		if len(g.Containers) != len(w.Containers) {
			t.Fatalf("%s: containers %+v, want %+v", w.Workload, g.Containers, w.Containers)
		}
		for j, c := range w.Containers {
			gc := g.Containers[j]
			if gc.Name != c.Name || !slices.Equal([]int64{gc.CPURequestMillis, gc.CPULimitMillis, gc.MemRequestMiB, gc.MemLimitMiB},
				[]int64{c.CPURequestMillis, c.CPULimitMillis, c.MemRequestMiB, c.MemLimitMiB}) {
				t.Errorf("%s: container %+v, want %+v", w.Workload, gc, c)
			}
		}
	}
	// The checks above can fail: the edit and the removal are in what Current returns.
	i := slices.IndexFunc(want, func(r Row) bool { return r.Workload == "edited" })
	if i < 0 || want[i].Replicas.Effective != 9 || want[i].Containers[0].CPURequestMillis != 750 {
		t.Fatalf("fixture: the edited row is not at its edited version in %+v", want)
	}
}
