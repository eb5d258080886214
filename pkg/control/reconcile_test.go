//go:build parts

package control

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
)

var editorEdit = Owed{Action: "edit a control-table row", Role: "Editor"}

// entriesOf reads cluster's audit entries, oldest first.
func entriesOf(t *testing.T, cluster string) []audit.Record {
	t.Helper()
	recs, total, err := audit.New(conn).List(ctxT(t), audit.Filter{Cluster: cluster, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if int(total) != len(recs) {
		t.Fatalf("%d entries listed, total says %d", len(recs), total)
	}
	for i, j := 0, len(recs)-1; i < j; i, j = i+1, j-1 {
		recs[i], recs[j] = recs[j], recs[i]
	}
	return recs
}

func reconcile(t *testing.T, until time.Time) AuditReport {
	t.Helper()
	rep, err := New(conn, nil).ReconcileAudit(ctxT(t), audit.New(conn), time.Time{}, until)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestVersionsWhoseEntryWasLostGetExactlyOneAndASecondPassAddsNothing(t *testing.T) {
	ctx, cl := ctxT(t), newCluster()
	tbl := New(conn, nil).Audited(Owed{Action: "add a workload to the control table", Role: "Editor"})
	added, err := tbl.Add(ctx, apiRow(cl), "ed")
	if err != nil {
		t.Fatal(err)
	}
	// The process "dies" after each write: neither records its entry.
	edited, err := New(conn, nil).Audited(editorEdit).Update(ctx, added.After.Key(), Edit{ExpectedVersion: u64(1), ReplicasManual: i32(7)}, "ed")
	if err != nil {
		t.Fatal(err)
	}

	rep := reconcile(t, time.Now().Add(time.Second))
	var mine []KeyVersion
	for _, kv := range rep.Recorded {
		if kv.Cluster == cl {
			mine = append(mine, kv)
		}
	}
	if len(mine) != 2 || mine[0].Version != 1 || mine[1].Version != 2 {
		t.Fatalf("recorded %+v, want versions 1 and 2 of %s", mine, cl)
	}
	got := entriesOf(t, cl)
	if len(got) != 2 {
		t.Fatalf("%d entries, want 2: %+v", len(got), got)
	}
	wantActions := []string{"add a workload to the control table", "edit a control-table row"}
	for i, e := range got {
		v := uint64(i + 1)
		if e.ID != audit.ControlVersionID(cl, "shop", "checkout", v).String() || e.User != "ed" || e.Role != "Editor" ||
			e.Action != wantActions[i] || e.Target != "shop/checkout" || e.Result != audit.ResultOK || e.Note != audit.NoteRecordedLater {
			t.Errorf("entry of version %d: %+v", v, e)
		}
		var after Row
		if err := json.Unmarshal(e.After, &after); err != nil || after.Version != v {
			t.Errorf("entry of version %d: after %s (%v)", v, e.After, err)
		}
	}
	if !got[1].At.Equal(edited.After.UpdatedAt) {
		t.Errorf("entry at %v, want the version's updated_at %v", got[1].At, edited.After.UpdatedAt)
	}
	var before Row
	if err := json.Unmarshal(got[1].Before, &before); err != nil || before.Version != 1 || before.Replicas.Manual != 4 {
		t.Errorf("before of version 2: %s (%v), want version 1", got[1].Before, err)
	}
	if string(got[0].Before) != "null" {
		t.Errorf("before of version 1: %s, want null", got[0].Before)
	}

	again := reconcile(t, time.Now().Add(time.Second))
	for _, kv := range again.Recorded {
		if kv.Cluster == cl {
			t.Fatalf("second pass recorded %+v again", kv)
		}
	}
	if n := len(entriesOf(t, cl)); n != 2 {
		t.Fatalf("%d entries after a second pass, want 2", n)
	}
}

func TestWhichVersionsAReconciliationLeavesAlone(t *testing.T) {
	tests := []struct {
		name  string
		write func(t *testing.T, cl string) // writes version 1 of cl/shop/checkout
		until func() time.Time
	}{
		{
			name: "a version whose writer recorded its entry under the version's ID",
			write: func(t *testing.T, cl string) {
				ch, err := New(conn, nil).Audited(editorEdit).Add(ctxT(t), apiRow(cl), "ed")
				if err != nil {
					t.Fatal(err)
				}
				e := audit.Entry{ID: audit.ControlVersionID(cl, "shop", "checkout", ch.After.Version), User: "ed",
					Action: editorEdit.Action, Cluster: cl, Target: "shop/checkout", After: ch.After}
				if err := audit.New(conn).Record(ctxT(t), e); err != nil {
					t.Fatal(err)
				}
			},
			until: func() time.Time { return time.Now().Add(time.Second) },
		},
		{
			name: "a version written by a writer that owes no entry (the derivation, a pre-upgrade version)",
			write: func(t *testing.T, cl string) {
				if _, err := New(conn, nil).Add(ctxT(t), apiRow(cl), "ed"); err != nil {
					t.Fatal(err)
				}
				if _, err := New(conn, nil).Audited(editorEdit).Rederive(ctxT(t), cl, UpdatedByCollector, func(cur []Row) ([]Row, error) {
					next := cur[0].Clone()
					next.Version++
					next.Replicas.Observed = 3
					return []Row{next}, nil
				}); err != nil {
					t.Fatal(err)
				}
			},
			until: func() time.Time { return time.Now().Add(time.Second) },
		},
		{
			name: "a version written after the pass's horizon (its writer may still record the entry)",
			write: func(t *testing.T, cl string) {
				if _, err := New(conn, nil).Audited(editorEdit).Add(ctxT(t), apiRow(cl), "ed"); err != nil {
					t.Fatal(err)
				}
			},
			until: func() time.Time { return time.Now().Add(-time.Hour) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := newCluster()
			tt.write(t, cl)
			before := len(entriesOf(t, cl))
			rep := reconcile(t, tt.until())
			for _, kv := range rep.Recorded {
				if kv.Cluster == cl {
					t.Fatalf("recorded %+v", kv)
				}
			}
			if n := len(entriesOf(t, cl)); n != before {
				t.Fatalf("%d entries, want %d", n, before)
			}
		})
	}
}
