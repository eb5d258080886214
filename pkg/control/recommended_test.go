//go:build parts

package control

import (
	"errors"
	"testing"
)

// recommendedRow is a derived row carrying a recommendation, written as the derivation does.
func recommendedRow(t *testing.T, tbl *Table, cluster, wl string, rep Replicas) Row {
	t.Helper()
	r := apiRow(cluster)
	r.Workload, r.Replicas = wl, rep
	r.Containers[0].Sources = Sources{SourceCollected, SourceCollected, SourceCollected, SourceCollected}
	r.Version = 1
	if _, err := tbl.Rederive(ctxT(t), cluster, UpdatedByCollector, func([]Row) ([]Row, error) { return []Row{r}, nil }); err != nil {
		t.Fatal(err)
	}
	got, err := tbl.Get(ctxT(t), r.Key())
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestRecommendationFieldsRoundTripAndAccept(t *testing.T) {
	ctx := ctxT(t)
	tbl := New(conn, nil)
	c := newCluster()
	rec := Replicas{Manual: -1, Recommended: 8, RecommendedFor: RecommendedForReplicas, RecommendedReason: "why", Observed: 12, ObservedFrom: ObservedDesired}
	got := recommendedRow(t, tbl, c, "web", rec)
	want := rec
	want.Effective, want.Source = 12, ReplicasObserved
	if got.Replicas != want {
		t.Fatalf("read back %+v, want %+v", got.Replicas, want)
	}
	if _, err := tbl.AcceptRecommended(ctx, got.Key(), got.Version+1, "ed"); !refused(err, RefusedConflict) {
		t.Fatalf("stale accept: %v", err)
	}
	ch, err := tbl.AcceptRecommended(ctx, got.Key(), got.Version, "ed")
	if err != nil || !ch.Written || ch.After.Version != 2 || ch.After.Replicas.Manual != 8 || ch.After.Replicas.Source != ReplicasManual {
		t.Fatalf("accept: %+v %v", ch.After, err)
	}

	hpa := recommendedRow(t, tbl, c, "hpa", Replicas{Manual: -1, Recommended: 4, RecommendedFor: RecommendedForHPAMin, Observed: 6})
	if _, err := tbl.AcceptRecommended(ctx, hpa.Key(), hpa.Version, "ed"); !refused(err, RefusedHPA) || refusedReason(err) != "the HPA owns replicas; set its minReplicas to 4" {
		t.Fatalf("HPA accept: %v", err)
	}
	none := recommendedRow(t, tbl, c, "none", Replicas{Manual: -1, Recommended: -1, RecommendedReason: "no requests", Observed: 6})
	if _, err := tbl.AcceptRecommended(ctx, none.Key(), none.Version, "ed"); !refused(err, RefusedNone) {
		t.Fatalf("accept without a recommendation: %v", err)
	}
	if _, err := tbl.AcceptRecommended(ctx, Key{Cluster: c, Namespace: "shop", Workload: "ghost"}, 1, "ed"); !refused(err, RefusedNotFound) {
		t.Fatalf("accept of a missing row: %v", err)
	}
}

func refused(err error, code string) bool {
	var re *RefusedError
	return errors.As(err, &re) && re.Code == code
}

func refusedReason(err error) string {
	var r *RefusedError
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}
