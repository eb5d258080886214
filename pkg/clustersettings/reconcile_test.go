//go:build parts

package clustersettings

import (
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
)

// Every write audited, for cluster settings: a save whose audit entry was lost (the backend died between
// the version and its entry) gets the entry from the version, once; a save whose writer recorded
// its entry, and a version that owes none, get nothing.
func TestASettingsSaveWhoseAuditEntryWasLostIsAuditedFromTheVersionOnce(t *testing.T) {
	ctx := t.Context()
	const cluster = "prod-audit"
	st := NewStore(conn)
	log := audit.New(conn)
	s := Defaults(cluster, "UTC")
	v1, err := st.Audited("edit cluster settings", "Admin").Put(ctx, s, 0, "ada")
	if err != nil {
		t.Fatal(err)
	}
	// The writer recorded v1's entry itself, under the version's ID.
	if err := log.Record(ctx, audit.Entry{ID: audit.SettingsVersionID(Key(cluster), 1), At: v1.UpdatedAt, User: "ada", Role: "Admin",
		Action: "edit cluster settings", Cluster: cluster, Target: Key(cluster), After: v1}); err != nil {
		t.Fatal(err)
	}
	s.Quantile = 0.9
	if _, err := st.Audited("edit cluster settings", "Admin").Put(ctx, s, 1, "bob"); err != nil { // its entry is lost
		t.Fatal(err)
	}
	s.Quantile = 0.8
	if _, err := st.Put(ctx, s, 2, "carl"); err != nil { // owes nothing (saved before the migration)
		t.Fatal(err)
	}
	recorded, owed, err := AuditPass(ctx, conn, log, time.Time{}, time.Now().Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if owed != 2 || len(recorded) != 1 || recorded[0] != "cluster/prod-audit version 2" {
		t.Fatalf("recorded %v of %d owed; want only version 2, of 2", recorded, owed)
	}
	items, total, err := log.List(ctx, audit.Filter{Target: Key(cluster)})
	if err != nil || total != 2 {
		t.Fatalf("%d entries (%v), want v1's and v2's: %+v", total, err, items)
	}
	e := items[0]
	if e.ID != audit.SettingsVersionID(Key(cluster), 2).String() || e.User != "bob" || e.Role != "Admin" || e.Action != "edit cluster settings" ||
		e.Cluster != cluster || e.Result != audit.ResultOK || e.Note != audit.NoteRecordedLater ||
		!strings.Contains(string(e.After), `"quantile":0.9`) || !strings.Contains(string(e.After), `"version":2`) ||
		!strings.Contains(string(e.Before), `"version":1`) {
		t.Fatalf("the entry recorded later %+v; want bob's save of version 2 with version 1 before it", e)
	}
	if recorded, _, err := AuditPass(ctx, conn, log, time.Time{}, time.Now().Add(time.Second)); err != nil || len(recorded) != 0 {
		t.Fatalf("a second pass recorded %v (%v); want nothing", recorded, err)
	}
}

func TestASettingsVersionYoungerThanTheWindowIsLeftToItsWriter(t *testing.T) {
	ctx := t.Context()
	st := NewStore(conn)
	saved, err := st.Audited("edit cluster settings", "Admin").Put(ctx, Defaults("prod-young", "UTC"), 0, "ada")
	if err != nil {
		t.Fatal(err)
	}
	recorded, _, err := AuditPass(ctx, conn, audit.New(conn), time.Time{}, saved.UpdatedAt)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recorded {
		if strings.Contains(r, "prod-young") {
			t.Fatalf("a pass ending at the save recorded its entry: %v", recorded)
		}
	}
}
