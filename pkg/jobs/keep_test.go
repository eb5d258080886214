//go:build parts

package jobs

// A collection that finds nothing, or too little, must never delete stored
// history (docs/reliability.md). planDay's rule on its own, then jobs against the real Prometheus of TestMain, with row
// counts read from the embedded engine before and after.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// withSettings changes prod-b's cluster settings for one test and puts them back after.
func withSettings(t *testing.T, edit func(*clustersettings.ClusterSettings)) {
	t.Helper()
	ctx := t.Context()
	st := clustersettings.NewStore(conn)
	cur, err := st.Get(ctx, "prod-b", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	orig := cur
	edit(&cur)
	saved, err := st.Put(ctx, cur, cur.Version, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := st.Put(context.WithoutCancel(ctx), orig, saved.Version, "test"); err != nil {
			t.Errorf("restoring prod-b settings: %v", err)
		}
	})
}

// dayRows is every stored row of prod-b's day: namespace/workload/container → collected_at.
func dayRows(t *testing.T, d peakwindow.Day) map[string]time.Time {
	t.Helper()
	r, err := conn.Query(t.Context(), `SELECT namespace, workload, container, collected_at FROM peak_samples
		WHERE cluster = 'prod-b' AND day = {d:Date}`, store.P("d", store.DateOf(d.Time())))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := map[string]time.Time{}
	for r.Next() {
		var ns, wl, ctr string
		var at time.Time
		if err := r.Scan(&ns, &wl, &ctr, &at); err != nil {
			t.Fatal(err)
		}
		k := ns + "/" + wl + "/" + ctr
		if _, dup := out[k]; dup {
			t.Fatalf("%s is stored twice on %s", k, d)
		}
		out[k] = at
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func runJob(t *testing.T, m *Manager, req Request) Job {
	t.Helper()
	req.Cluster = "prod-b"
	j, err := m.Start(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	return waitDone(t, m, j.ID)
}

// storeExtra adds rows for workloads Prometheus does not hold (as if collected when it did).
func storeExtra(t *testing.T, d peakwindow.Day, at time.Time, workloads ...string) {
	t.Helper()
	var rows [][]any
	for _, w := range wls(workloads...) {
		s := peakSample("prod-b", w.Namespace, w.Name, "app", d.Time(), 0.3)
		s.CollectedAt = at
		rows = append(rows, s.Row())
	}
	if err := conn.Insert(t.Context(), "peak_samples", peaks.Columns, rows); err != nil {
		t.Fatal(err)
	}
}

func sameRows(t *testing.T, what string, got, want map[string]time.Time) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows %v, want %d %v", what, len(got), got, len(want), want)
	}
	for k, at := range want {
		if g, ok := got[k]; !ok || !g.Equal(at) {
			t.Fatalf("%s: %s collected at %v (present %v), want untouched %v", what, k, g, ok, at)
		}
	}
}

const search = "shop/search/app"

func TestAWrongClusterLabelKeepsTheStoredDays(t *testing.T) {
	m := newManager(env{}, nil, nowAfter())
	if j := runJob(t, m, Request{From: day(0), To: day(1)}); j.State != StateSucceeded || len(j.Kept) != 0 || len(j.Unavailable) != 0 {
		t.Fatalf("first collection %+v", j)
	}
	before0, before1 := dayRows(t, day(0)), dayRows(t, day(1))
	if len(before0) != 2 || len(before1) != 2 {
		t.Fatalf("stored %v and %v, want app and pod total on each day", before0, before1)
	}

	typo := newManager(env{labelValue: "prod-bb"}, &deriver{}, nowAfter())
	j := runJob(t, typo, Request{Kind: KindRerun, From: day(0), To: day(1), StartedBy: "ada"})
	sameRows(t, "day 0 after the typo", dayRows(t, day(0)), before0)
	sameRows(t, "day 1 after the typo", dayRows(t, day(1)), before1)
	if j.State != StateSucceeded || j.DaysDone != 2 || j.ErrorCount != 0 {
		t.Fatalf("job %+v", j)
	}
	if len(j.Unavailable) != 2 || j.Unavailable[0] != day(0) || j.Unavailable[1] != day(1) {
		t.Fatalf("unavailable %v, want both days", j.Unavailable)
	}
	if len(j.Kept) != 2 || j.Kept[0].Day != day(0) || j.Kept[1].Day != day(1) {
		t.Fatalf("kept %+v, want both days", j.Kept)
	}
	for _, k := range j.Kept {
		if k.StoredWorkloads != 1 || k.KeptWorkloads != 1 || k.FoundWorkloads != 0 || !strings.Contains(k.Reason, "no pod series") {
			t.Errorf("kept %+v", k)
		}
	}
	// The job read back from the store (waitDone reads it once it finished) says the same, in
	// the JSON the collections API answers.
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`"kept":[{"day":"%s","storedWorkloads":1,"foundWorkloads":0,"keptWorkloads":1,"reason":"Prometheus holds no pod series`, day(0))
	if !strings.Contains(string(b), want) || !strings.Contains(string(b), fmt.Sprintf(`"unavailable":["%s","%s"]`, day(0), day(1))) {
		t.Fatalf("job JSON %s", b)
	}
}

func TestDaysPrometheusNoLongerHoldsAreReportedAndKept(t *testing.T) {
	// day(-3)..day(-1) are before the synthetic data: for Prometheus they are days it no longer
	// holds. day(-2) has rows from "a year ago"; day(0) is held and collected as usual.
	old := time.Now().UTC().AddDate(-1, 0, 0).Truncate(time.Millisecond)
	storeExtra(t, day(-2), old, "shop/search", "shop/cart", "ops/monitor")
	before := dayRows(t, day(-2))
	if len(before) != 3 {
		t.Fatalf("stored %v", before)
	}
	d := &deriver{}
	m := newManager(env{}, d, nowAfter())
	j := runJob(t, m, Request{From: day(-3), To: day(0)})
	sameRows(t, "day -2", dayRows(t, day(-2)), before)
	if got := dayRows(t, day(-3)); len(got) != 0 {
		t.Fatalf("day -3 got rows %v", got)
	}
	if got := dayRows(t, day(0)); len(got) != 2 {
		t.Fatalf("day 0 (held by Prometheus) has %v, want app and pod total", got)
	}
	if j.State != StateSucceeded || j.DaysDone != 4 || j.ErrorCount != 0 || j.Workloads != 1 {
		t.Fatalf("job %+v", j)
	}
	if len(j.Unavailable) != 3 || j.Unavailable[0] != day(-3) || j.Unavailable[2] != day(-1) {
		t.Fatalf("unavailable %v, want day -3 to day -1", j.Unavailable)
	}
	// Only the day with stored rows is reported kept: the other two were simply empty.
	if len(j.Kept) != 1 || j.Kept[0].Day != day(-2) || j.Kept[0].StoredWorkloads != 3 || j.Kept[0].KeptWorkloads != 3 {
		t.Fatalf("kept %+v", j.Kept)
	}
	if len(d.calls) != 1 {
		t.Errorf("a job that stored day 0 derives once; deriver calls %v", d.calls)
	}
}

func TestAPartialAnswerKeepsTheDayOrTheMissingWorkloads(t *testing.T) {
	m := newManager(env{}, nil, nowAfter())
	runJob(t, m, Request{From: day(2), To: day(2)})
	storeExtra(t, day(2), time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond), "shop/cart", "shop/pay", "ops/monitor")
	before := dayRows(t, day(2))
	if len(before) != 5 {
		t.Fatalf("stored %v, want search's two rows and three others", before)
	}

	// Prometheus holds one of the four workloads: below the default ratio 0.5, the day stays.
	j := runJob(t, m, Request{Kind: KindRerun, From: day(2), To: day(2)})
	sameRows(t, "day 2 after a re-run that found 1 of 4", dayRows(t, day(2)), before)
	if j.State != StateSucceeded || len(j.Unavailable) != 0 || len(j.Kept) != 1 {
		t.Fatalf("job %+v", j)
	}
	if k := j.Kept[0]; k.StoredWorkloads != 4 || k.FoundWorkloads != 1 || k.KeptWorkloads != 4 || !strings.Contains(k.Reason, "collect.minFoundRatio 0.5") {
		t.Fatalf("kept %+v", k)
	}

	// At 0.25 one of four is enough: search is replaced, the three others keep their rows.
	withSettings(t, func(s *clustersettings.ClusterSettings) { s.Collect.MinFoundRatio = 0.25 })
	j = runJob(t, m, Request{Kind: KindRerun, From: day(2), To: day(2)})
	after := dayRows(t, day(2))
	if len(after) != 5 || !after[search].After(before[search]) || !after["shop/search/"].After(before["shop/search/"]) {
		t.Fatalf("after the re-run at 0.25: %v, before %v", after, before)
	}
	delete(before, search)
	delete(before, "shop/search/")
	delete(after, search)
	delete(after, "shop/search/")
	sameRows(t, "the workloads Prometheus lacks", after, before)
	if len(j.Kept) != 1 || j.Kept[0].KeptWorkloads != 3 || !strings.Contains(j.Kept[0].Reason, "3 of the 4 stored workloads were not found again") {
		t.Fatalf("kept %+v", j.Kept)
	}
}

func TestAnEmptyCollectionKeepsTheStoredDay(t *testing.T) {
	m := newManager(env{}, nil, nowAfter())
	runJob(t, m, Request{From: day(1), To: day(1)})
	before := dayRows(t, day(1))
	// shop's peak window moved to minutes Prometheus holds no samples of: the day is there (the
	// probe finds the default window's series) but the collection finds no workload.
	withSettings(t, func(s *clustersettings.ClusterSettings) {
		s.Overrides = []clustersettings.Override{{Namespace: "shop", PeakWindow: clustersettings.Window{Start: "11:50", End: "11:58"}}}
	})
	j := runJob(t, m, Request{Kind: KindRerun, From: day(1), To: day(1)})
	sameRows(t, "day 1 after an empty collection", dayRows(t, day(1)), before)
	if j.State != StateSucceeded || len(j.Unavailable) != 0 || j.Workloads != 0 || len(j.Kept) != 1 ||
		j.Kept[0].KeptWorkloads != 1 || !strings.Contains(j.Kept[0].Reason, "answered no workloads") {
		t.Fatalf("job %+v", j)
	}
}

func TestANormalReRunStillReplacesTheDay(t *testing.T) {
	m := newManager(env{}, nil, nowAfter())
	runJob(t, m, Request{From: day(0), To: day(0)})
	before := dayRows(t, day(0))
	j := runJob(t, m, Request{Kind: KindRerun, From: day(0), To: day(0)})
	after := dayRows(t, day(0))
	if j.State != StateSucceeded || len(j.Kept) != 0 || len(j.Unavailable) != 0 || j.Workloads != 1 {
		t.Fatalf("job %+v", j)
	}
	if len(after) != 2 || len(before) != 2 {
		t.Fatalf("before %v after %v, want app and pod total", before, after)
	}
	for k, at := range before {
		if !after[k].After(at) {
			t.Errorf("%s collected at %v, not replaced (was %v)", k, after[k], at)
		}
	}
}
