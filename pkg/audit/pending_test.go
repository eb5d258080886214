//go:build parts

package audit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestAPendingEntryIsSettledOnlyWhenItsResultNeverCame(t *testing.T) {
	ctx := t.Context()
	if err := conn.Exec(ctx, "TRUNCATE TABLE audit_log"); err != nil {
		t.Fatal(err)
	}
	log := New(conn)
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	begin := func(user string, at time.Time) uuid.UUID {
		t.Helper()
		id, err := log.Begin(ctx, Entry{At: at, User: user, Role: "Editor", Action: "restart", Cluster: "c0", Target: "shop/api",
			Before: map[string]string{"restartedAt": "before"}, After: "ignored", Error: "ignored"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	finished := begin("finished", now.Add(-time.Hour))
	if err := log.Record(ctx, Entry{ID: finished, At: now.Add(-time.Hour + time.Second), User: "finished", Role: "Editor",
		Action: "restart", Cluster: "c0", Target: "shop/api", After: map[string]string{"restartedAt": "after"}}); err != nil {
		t.Fatal(err)
	}
	crashed := begin("crashed", now.Add(-time.Hour))
	running := begin("running", now.Add(-PendingSettle+time.Minute)) // may still be running somewhere

	recorded, owed, err := PendingPass(ctx, conn, log, time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if owed != 1 || len(recorded) != 1 || !strings.Contains(recorded[0], "restart shop/api") {
		t.Fatalf("settled %v of %d; want only the crashed action", recorded, owed)
	}
	byUser := map[string]Record{}
	items, total, err := log.List(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		byUser[it.User] = it
	}
	if total != 3 || len(items) != 3 {
		t.Fatalf("%d entries (total %d), want one per action: %+v", len(items), total, items)
	}
	if got := byUser["finished"]; got.ID != finished.String() || got.Result != ResultOK || string(got.After) != `{"restartedAt":"after"}` {
		t.Errorf("finished action reads %+v; want its result", got)
	}
	got := byUser["crashed"]
	if got.ID != crashed.String() || got.Result != ResultUnknown || got.Note != NoteInterrupted ||
		string(got.Before) != `{"restartedAt":"before"}` || string(got.After) != "null" || !got.At.Equal(now.Add(-time.Hour+time.Millisecond)) {
		t.Errorf("crashed action reads %+v; want unknown with the note, its before, at its start + 1 ms", got)
	}
	if got := byUser["running"]; got.ID != running.String() || got.Result != ResultPending || string(got.After) != "null" || got.Error != "" {
		t.Errorf("running action reads %+v; want pending, with no after or error", got)
	}
	for _, tt := range []struct {
		result string
		want   int
	}{{ResultPending, 1}, {ResultUnknown, 1}, {ResultOK, 1}} {
		if items, total, err := log.List(ctx, Filter{Result: tt.result}); err != nil || len(items) != tt.want || total != uint64(tt.want) {
			t.Errorf("filter %s: %d entries (total %d, %v), want %d: a result filter matches each action's newest entry only", tt.result, len(items), total, err, tt.want)
		}
	}
	if recorded, _, err := PendingPass(ctx, conn, log, now.Add(-10*time.Minute), now.Add(time.Minute)); err != nil || len(recorded) != 0 {
		t.Fatalf("a second pass settled %v (%v); want nothing", recorded, err)
	}
	// The next pass, once the running one is old enough, settles it even though its window
	// starts after the entry: the pass looks back by the settle time.
	later := now.Add(2 * time.Minute)
	if recorded, _, err := PendingPass(ctx, conn, log, later.Add(-2*time.Minute), later); err != nil || len(recorded) != 1 {
		t.Fatalf("the later pass settled %v (%v); want the one left running", recorded, err)
	}
}

func TestBeginRecordsNothingWhenTheStoreRefuses(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if id, err := New(conn).Begin(ctx, Entry{Action: "restart", Target: "x/y"}); err == nil || id != uuid.Nil {
		t.Fatalf("Begin on a refused insert returned %s, %v; want no ID and an error", id, err)
	}
}

func TestAShorterSettleAgeSettlesAPendingEntrySooner(t *testing.T) {
	ctx := t.Context()
	if err := conn.Exec(ctx, "TRUNCATE TABLE audit_log"); err != nil {
		t.Fatal(err)
	}
	log := New(conn)
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	if _, err := log.Begin(ctx, Entry{At: now.Add(-10 * time.Second), User: "crashed", Role: "Editor", Action: "scale",
		Cluster: "c0", Target: "shop/api"}); err != nil {
		t.Fatal(err)
	}
	if recorded, _, err := PendingPass(ctx, conn, log, time.Time{}, now); err != nil || len(recorded) != 0 {
		t.Fatalf("the default pass settled %v (%v); a 10 s old entry is younger than 15 minutes", recorded, err)
	}
	if recorded, _, err := PendingPassAfter(5*time.Second)(ctx, conn, log, time.Time{}, now); err != nil || len(recorded) != 1 {
		t.Fatalf("a 5 s settle age settled %v (%v); want the 10 s old entry", recorded, err)
	}
	items, _, err := log.List(ctx, Filter{})
	if err != nil || len(items) != 1 || items[0].Result != ResultUnknown || items[0].Note != NoteInterrupted {
		t.Fatalf("entries %+v (%v); want the one entry unknown with the note", items, err)
	}
}
