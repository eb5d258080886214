//go:build parts

package schedule

import (
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
)

func TestAScheduleWriteWhoseAuditEntryWasLostIsRecordedOnceFromTheVersion(t *testing.T) {
	ctx := t.Context()
	tests := []struct {
		name string
		// write writes schedules of f's cluster, recording (or not) their own entries.
		write      func(t *testing.T, f *fixture)
		wantAction string // the one entry the pass records; "" = none
		wantAfter  string // in its after JSON
	}{
		{
			name: "a created schedule whose writer died before its entry gets one",
			write: func(t *testing.T, f *fixture) {
				f.mgr = f.mgr.Audited("create schedule", "Editor")
				f.once(t, start.Add(time.Hour))
			},
			wantAction: "create schedule", wantAfter: `"version":1`,
		},
		{
			name: "a deletion whose writer died before its entry gets one",
			write: func(t *testing.T, f *fixture) {
				sc := f.once(t, start.Add(time.Hour)) // written as before this change: owes nothing
				if _, err := f.mgr.Audited("delete schedule", "Editor").Delete(ctx, sc.ID, "ed"); err != nil {
					t.Fatal(err)
				}
			},
			wantAction: "delete schedule", wantAfter: `"deleted":true`,
		},
		{
			name: "a pause whose writer recorded its entry needs nothing",
			write: func(t *testing.T, f *fixture) {
				sc := f.once(t, start.Add(time.Hour))
				_, after, err := f.mgr.Audited("pause schedule", "Editor").Pause(ctx, sc.ID, "ed")
				if err != nil {
					t.Fatal(err)
				}
				if err := audit.New(conn).Record(ctx, audit.Entry{ID: audit.ScheduleVersionID(sc.ID, after.Version), User: "ed",
					Action: "pause schedule", Cluster: sc.Cluster, Target: "schedule/" + sc.ID}); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name:  "a schedule written without an owed entry (before this change) needs nothing",
			write: func(t *testing.T, f *fixture) { f.once(t, start.Add(time.Hour)) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, start)
			cluster := f.clusters[0].Name
			tt.write(t, f)
			entries := func() []audit.Record { // those the pass recorded
				recs, _, err := audit.New(conn).List(ctx, audit.Filter{Cluster: cluster})
				if err != nil {
					t.Fatal(err)
				}
				var out []audit.Record
				for _, r := range recs {
					if r.Note == audit.NoteRecordedLater {
						out = append(out, r)
					}
				}
				return out
			}
			for pass := 1; pass <= 2; pass++ {
				if _, _, err := AuditPass(ctx, conn, audit.New(conn), time.Time{}, time.Now().Add(time.Second)); err != nil {
					t.Fatal(err)
				}
				got := entries()
				if tt.wantAction == "" {
					if len(got) != 0 {
						t.Fatalf("pass %d recorded %+v, want nothing", pass, got)
					}
					continue
				}
				if len(got) != 1 || got[0].Action != tt.wantAction || got[0].User != "ed" || got[0].Role != "Editor" ||
					got[0].Result != audit.ResultOK || !strings.Contains(string(got[0].After), tt.wantAfter) {
					t.Fatalf("after pass %d: %+v, want one %q entry by ed as Editor with %s", pass, got, tt.wantAction, tt.wantAfter)
				}
			}
		})
	}
}
