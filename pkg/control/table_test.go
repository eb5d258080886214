//go:build parts

package control

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

var conn store.Conn

func TestMain(m *testing.M) { storetest.Main("control", &conn, m.Run) }

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// clusterName gives each test its own cluster, so tests share the engine without truncating.
var clusterSeq struct {
	sync.Mutex
	n int
}

func newCluster() string {
	clusterSeq.Lock()
	defer clusterSeq.Unlock()
	clusterSeq.n++
	return fmt.Sprintf("c%d", clusterSeq.n)
}

func TestAddedRowIsReadBackWithItsSourcesAndEffectiveReplicas(t *testing.T) {
	ctx := ctxT(t)
	tbl := New(conn, nil)
	c := newCluster()
	got, err := after(tbl.Add(ctx, apiRow(c), "ed"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.UpdatedBy != "ed" || got.Deleted {
		t.Fatalf("added row %+v", got)
	}
	if got.Replicas != (Replicas{Manual: 4, Recommended: -1, RecommendedReason: ReasonNoHistory, Observed: -1, Effective: 4, Source: ReplicasManual}) {
		t.Fatalf("replicas %+v", got.Replicas)
	}
	want := Container{Name: "app", CPURequestMillis: 500, CPULimitMillis: 2000, MemRequestMiB: 1024, MemLimitMiB: 2048,
		Sources: Sources{CPURequest: SourceCollected, CPULimit: SourceManual, MemRequest: SourceCollected, MemLimit: SourceManual}}
	if len(got.Containers) != 1 || got.Containers[0] != want {
		t.Fatalf("containers %+v, want %+v", got.Containers, want)
	}
	read, err := tbl.Get(ctx, got.Key())
	if err != nil {
		t.Fatal(err)
	}
	if !SameContent(read, got) || read.Version != 1 || !read.UpdatedAt.Equal(got.UpdatedAt.Truncate(time.Millisecond)) {
		t.Fatalf("read back %+v, wrote %+v", read, got)
	}
	if _, err := tbl.Add(ctx, apiRow(c), "ed"); !isConflict(err) {
		t.Fatalf("adding a row twice: %v, want a conflict", err)
	}
}

// after returns the row a write left, keeping its error.
func after(ch Change, err error) (Row, error) { return ch.After, err }

func isConflict(err error) bool {
	var ce *refusal.Conflict[Row]
	return errors.As(err, &ce)
}

func TestEditsWriteVersionsAndTheHistoryListsThemNewestFirst(t *testing.T) {
	ctx := ctxT(t)
	tbl := New(conn, nil)
	r, err := after(tbl.Add(ctx, apiRow(newCluster()), "ed"))
	if err != nil {
		t.Fatal(err)
	}
	r2, err := after(tbl.Update(ctx, r.Key(), Edit{ExpectedVersion: u64(1), ReplicasManual: i32(0)}, "ada"))
	if err != nil {
		t.Fatal(err)
	}
	if r2.Version != 2 || r2.Replicas.Effective != 0 || r2.Replicas.Source != ReplicasManual {
		t.Fatalf("0 replicas is a real value: %+v", r2.Replicas)
	}
	r3, err := after(tbl.Update(ctx, r.Key(), Edit{ExpectedVersion: u64(2), Containers: []ContainerEdit{
		{Name: "app", CPULimitMillis: i64(3000)},
		{Name: "istio-proxy", CPURequestMillis: i64(50), MemRequestMiB: i64(64)},
	}}, "ada"))
	if err != nil {
		t.Fatal(err)
	}
	if r3.Version != 3 || len(r3.Containers) != 2 || r3.Containers[0].CPULimitMillis != 3000 ||
		r3.Containers[1] != (Container{Name: "istio-proxy", CPURequestMillis: 50, CPULimitMillis: -1, MemRequestMiB: 64, MemLimitMiB: -1,
			Sources: Sources{SourceManual, SourceCollected, SourceManual, SourceCollected}}) {
		t.Fatalf("containers after edit %+v", r3.Containers)
	}
	same, err := tbl.Update(ctx, r.Key(), Edit{ExpectedVersion: u64(3), ReplicasManual: i32(0)}, "ada")
	if err != nil || same.Written || same.After.Version != 3 || same.Before.Version != 3 {
		t.Fatalf("an edit that changes nothing: %+v (%v)", same, err)
	}
	hist, total, err := tbl.History(ctx, r.Key(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(hist) != 3 || hist[0].Version != 3 || hist[1].Version != 2 || hist[2].Version != 1 {
		t.Fatalf("history %d rows (total %d): %+v", len(hist), total, hist)
	}
	page, total, err := tbl.History(ctx, r.Key(), 1, 1)
	if err != nil || total != 3 || len(page) != 1 || page[0].Version != 2 {
		t.Fatalf("history page %+v total %d (%v)", page, total, err)
	}
}

func TestStaleWritesAreConflictsCarryingTheCurrentRow(t *testing.T) {
	ctx := ctxT(t)
	tbl := New(conn, nil)
	r, err := after(tbl.Add(ctx, apiRow(newCluster()), "ed"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.Update(ctx, r.Key(), Edit{ExpectedVersion: u64(1), ReplicasManual: i32(5)}, "ed"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		write func() error
	}{
		{"an edit based on version 1", func() error {
			_, err := after(tbl.Update(ctx, r.Key(), Edit{ExpectedVersion: u64(1), ReplicasManual: i32(6)}, "ed"))
			return err
		}},
		{"a delete based on version 1", func() error { _, err := tbl.Delete(ctx, r.Key(), 1, "ed"); return err }},
		{"a put based on version 1", func() error { _, err := tbl.Put(ctx, r, 1, "ed"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ce *refusal.Conflict[Row]
			if err := tt.write(); !errors.As(err, &ce) {
				t.Fatalf("got %v, want a conflict", err)
			}
			if ce.Current.Version != 2 || ce.Current.Replicas.Manual != 5 {
				t.Fatalf("conflict carries %+v, want version 2 with 5 replicas", ce.Current)
			}
		})
	}
}

// Two writers with the same expected version: exactly one wins, the others get 409, and the
// table holds exactly one new version.
func TestConcurrentWritersWithTheSameExpectedVersionGetOneWinner(t *testing.T) {
	ctx := ctxT(t)
	tbl := New(conn, nil)
	r, err := after(tbl.Add(ctx, apiRow(newCluster()), "ed"))
	if err != nil {
		t.Fatal(err)
	}
	const writers = 6
	errs := make([]error, writers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = New(conn, nil).Update(ctx, r.Key(), Edit{ExpectedVersion: u64(1), ReplicasManual: i32(int32(10 + i))}, fmt.Sprintf("w%d", i))
		}()
	}
	close(start)
	wg.Wait()
	wins, conflicts := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case isConflict(err):
			conflicts++
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if wins != 1 || conflicts != writers-1 {
		t.Fatalf("%d wins and %d conflicts, want 1 and %d", wins, conflicts, writers-1)
	}
	n := countRows(t, r.Key())
	if n != 2 {
		t.Fatalf("%d stored versions, want 2 (the add and one edit)", n)
	}
}

func countRows(t *testing.T, k Key) uint64 {
	t.Helper()
	n, err := New(conn, nil).count(ctxT(t), "SELECT count() FROM control_rows WHERE "+keyWhere, keyParams(k)...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Another backend on the same ClickHouse server cannot share this process's locks: both may
// insert the same version. Readers take the smaller write_id and the loser's confirm step
// answers 409.
func TestAWriterThatLostARaceFromAnotherProcessGetsAConflict(t *testing.T) {
	ctx := ctxT(t)
	tbl := New(conn, nil)
	r, err := after(tbl.Add(ctx, apiRow(newCluster()), "ed"))
	if err != nil {
		t.Fatal(err)
	}
	// The other backend's version 2, with an earlier write id, is already in.
	other := r.Clone()
	other.Replicas.Manual = 7
	tbl.stamp(&other, &r, "other-backend")
	if err := tbl.insert(ctx, []Row{other}); err != nil {
		t.Fatal(err)
	}
	ours := r.Clone()
	ours.Replicas.Manual = 9
	tbl.stamp(&ours, &r, "this-backend")
	if ours.writeID <= other.writeID {
		t.Fatalf("write ids are not time-ordered: %s then %s", other.writeID, ours.writeID)
	}
	_, err = tbl.commit(ctx, ours)
	var ce *refusal.Conflict[Row]
	if !errors.As(err, &ce) || ce.Current.UpdatedBy != "other-backend" || ce.Current.Replicas.Manual != 7 {
		t.Fatalf("commit of the later writer: %v, want a conflict naming the other backend's row", err)
	}
	got, err := tbl.Get(ctx, r.Key())
	if err != nil || got.Replicas.Manual != 7 {
		t.Fatalf("readers see %+v (%v), want the winner's 7 replicas", got.Replicas, err)
	}
	hist, total, err := tbl.History(ctx, r.Key(), 0, 0)
	if err != nil || total != 2 || len(hist) != 2 || hist[0].UpdatedBy != "other-backend" {
		t.Fatalf("history shows %d versions (total %d, %v): %+v", len(hist), total, err, hist)
	}
}

func TestDeletedRowsLeaveTheListKeepTheirHistoryAndCanBeAddedAgain(t *testing.T) {
	ctx := ctxT(t)
	tbl := New(conn, nil)
	c := newCluster()
	r, err := after(tbl.Add(ctx, apiRow(c), "ed"))
	if err != nil {
		t.Fatal(err)
	}
	del, err := after(tbl.Delete(ctx, r.Key(), 1, "ed"))
	if err != nil || !del.Deleted || del.Version != 2 {
		t.Fatalf("delete: %+v (%v)", del, err)
	}
	if rows, total, err := tbl.Current(ctx, c, Filter{}); err != nil || total != 0 || len(rows) != 0 {
		t.Fatalf("current rows after delete: %d (%v)", len(rows), err)
	}
	if _, err := tbl.Update(ctx, r.Key(), Edit{ExpectedVersion: u64(2), ReplicasManual: i32(1)}, "ed"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("editing a removed row: %v, want not found", err)
	}
	if _, err := tbl.Delete(ctx, r.Key(), 2, "ed"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleting twice: %v, want not found", err)
	}
	back, err := after(tbl.Add(ctx, apiRow(c), "ed"))
	if err != nil || back.Version != 3 || back.Deleted {
		t.Fatalf("re-adding: %+v (%v)", back, err)
	}
	if _, total, _ := tbl.History(ctx, r.Key(), 0, 0); total != 3 {
		t.Fatalf("history has %d versions, want 3", total)
	}
}

func TestCurrentFiltersByNamespaceAndTextAndPages(t *testing.T) {
	ctx := ctxT(t)
	tbl := New(conn, nil)
	c := newCluster()
	for _, k := range []struct{ ns, wl string }{{"shop", "checkout"}, {"shop", "cart"}, {"pay", "ledger"}, {"pay", "checkout-worker"}} {
		in := apiRow(c)
		in.Namespace, in.Workload = k.ns, k.wl
		if _, err := tbl.Add(ctx, in, "ed"); err != nil {
			t.Fatal(err)
		}
	}
	// Another cluster's row must not show up.
	if _, err := tbl.Add(ctx, apiRow(newCluster()), "ed"); err != nil {
		t.Fatal(err)
	}
	names := func(rows []Row) []string {
		var out []string
		for _, r := range rows {
			out = append(out, r.Namespace+"/"+r.Workload)
		}
		return out
	}
	tests := []struct {
		name      string
		filter    Filter
		want      []string
		wantTotal uint64
	}{
		{"no filter lists the cluster in namespace order", Filter{}, []string{"pay/checkout-worker", "pay/ledger", "shop/cart", "shop/checkout"}, 4},
		{"a namespace keeps its rows", Filter{Namespace: "shop"}, []string{"shop/cart", "shop/checkout"}, 2},
		{"text matches workloads ignoring case", Filter{Query: "CHECKOUT"}, []string{"pay/checkout-worker", "shop/checkout"}, 2},
		{"text matches namespaces", Filter{Query: "pa"}, []string{"pay/checkout-worker", "pay/ledger"}, 2},
		{"a page keeps the total", Filter{Limit: 2, Offset: 1}, []string{"pay/ledger", "shop/cart"}, 4},
		{"a page past the end is empty with the total", Filter{Limit: 2, Offset: 10}, nil, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, total, err := tbl.Current(ctx, c, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(rows); fmt.Sprint(got) != fmt.Sprint(tt.want) || total != tt.wantTotal {
				t.Fatalf("got %v (total %d), want %v (total %d)", got, total, tt.want, tt.wantTotal)
			}
		})
	}
}

func TestManualReplicasFromAScaleActionLandOnTheCurrentVersion(t *testing.T) {
	ctx := ctxT(t)
	tbl := New(conn, nil)
	r, err := after(tbl.Add(ctx, apiRow(newCluster()), "ed"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := after(tbl.SetManualReplicas(ctx, r.Key(), 12, "scaler"))
	if err != nil || got.Version != 2 || got.Replicas.Effective != 12 || got.UpdatedBy != "scaler" {
		t.Fatalf("scale recorded as %+v (%v)", got, err)
	}
	if _, err := tbl.SetManualReplicas(ctx, Key{Cluster: r.Cluster, Namespace: "shop", Workload: "nope"}, 1, "scaler"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown workload: %v", err)
	}
}

func TestRederiveRefusesVersionsThatWouldOverwriteHistory(t *testing.T) {
	ctx := ctxT(t)
	tbl := New(conn, nil)
	c := newCluster()
	r, err := after(tbl.Add(ctx, apiRow(c), "ed"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tbl.Rederive(ctx, c, UpdatedByCollector, func(cur []Row) ([]Row, error) {
		next := cur[0].Clone()
		next.Replicas.Observed = 3 // but the version is not moved on
		return []Row{next}, nil
	})
	if err == nil {
		t.Fatal("a derived row with the current version was accepted")
	}
	written, err := tbl.Rederive(ctx, c, UpdatedByCollector, func(cur []Row) ([]Row, error) {
		next := cur[0].Clone()
		next.Replicas.Observed, next.Version = 3, cur[0].Version+1
		return []Row{next}, nil
	})
	if err != nil || len(written) != 1 {
		t.Fatalf("rederive: %v", err)
	}
	got, _ := tbl.Get(ctx, r.Key())
	if got.Version != 2 || got.Replicas.Observed != 3 || got.UpdatedBy != UpdatedByCollector {
		t.Fatalf("after rederive %+v", got)
	}
}

func TestPoliciesArePublishedForRowsUnderControlOnly(t *testing.T) {
	ctx := ctxT(t)
	tbl := New(conn, nil)
	c := newCluster()
	for _, wl := range []string{"b", "a", "gone"} {
		in := apiRow(c)
		in.Workload = wl
		if _, err := tbl.Add(ctx, in, "ed"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tbl.Delete(ctx, Key{Cluster: c, Namespace: "shop", Workload: "gone"}, 1, "ed"); err != nil {
		t.Fatal(err)
	}
	ps, err := tbl.Policies(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Name != "a" || ps[1].Name != "b" || *ps[0].Spec.Replicas != 4 || ps[0].Spec.Cluster != c {
		t.Fatalf("policies %+v", ps)
	}
}
