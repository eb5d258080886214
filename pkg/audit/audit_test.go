//go:build parts

package audit

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

var conn store.Conn

func TestMain(m *testing.M) { storetest.Main("audit", &conn, m.Run) }

func TestRecordedEntriesComeBackNewestFirstWithTheirJSON(t *testing.T) {
	ctx := t.Context()
	if err := conn.Exec(ctx, "TRUNCATE TABLE audit_log"); err != nil {
		t.Fatal(err)
	}
	log := New(conn)
	base := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	entries := []Entry{
		{At: base, User: "ed", Role: "Editor", Action: "control.edit", Cluster: "prod-a", Target: "shop/checkout",
			Before: map[string]int{"replicasManual": -1}, After: map[string]int{"replicasManual": 4}},
		{At: base.Add(time.Minute), User: "vera", Role: "Viewer", Action: "control.edit", Cluster: "prod-a", Target: "shop/api",
			Result: ResultDenied, Error: "control.edit requires the Editor role; it's a 'quoted' message"},
		{At: base.Add(2 * time.Minute), User: "ada", Role: "Admin", Action: "enforcement.set", Cluster: "prod-b", Target: "pay",
			After: json.RawMessage(`{"control":"enforce"}`)},
	}
	for _, e := range entries {
		if err := log.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name      string
		filter    Filter
		wantUsers []string
		wantTotal uint64
	}{
		{"no filter lists everything newest first", Filter{}, []string{"ada", "vera", "ed"}, 3},
		{"a cluster filter keeps that cluster", Filter{Cluster: "prod-a"}, []string{"vera", "ed"}, 2},
		{"a result filter finds refusals", Filter{Result: ResultDenied}, []string{"vera"}, 1},
		{"a target prefix matches a namespace", Filter{Target: "shop/"}, []string{"vera", "ed"}, 2},
		{"a time range is half-open", Filter{From: base, To: base.Add(2 * time.Minute)}, []string{"vera", "ed"}, 2},
		{"paging keeps the total", Filter{Limit: 1, Offset: 1}, []string{"vera"}, 3},
		{"a filter value with quotes is data, not SQL", Filter{User: "x' OR '1'='1"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := log.List(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var users []string
			for _, r := range got {
				users = append(users, r.User)
			}
			if strings.Join(users, ",") != strings.Join(tt.wantUsers, ",") || total != tt.wantTotal {
				t.Fatalf("users %v total %d, want %v total %d", users, total, tt.wantUsers, tt.wantTotal)
			}
		})
	}
	all, _, err := log.List(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if string(all[2].After) != `{"replicasManual":4}` || string(all[0].Before) != "null" {
		t.Fatalf("JSON not kept: after %s before %s", all[2].After, all[0].Before)
	}
	if !strings.Contains(all[1].Error, "'quoted'") || all[1].ID == "" {
		t.Fatalf("error text or id lost: %+v", all[1])
	}
}

func TestAVersionAuditedTwiceIsReadOnceAsTheWritersEntry(t *testing.T) {
	ctx := t.Context()
	log := New(conn)
	id := ControlVersionID("dup", "shop", "checkout", 3)
	at := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	// The reconciliation wrote the entry from the version (at = updated_at), then the writer,
	// which was only slow, wrote its own a moment later.
	for _, e := range []Entry{
		{ID: id, At: at, User: "ed", Action: "edit", Cluster: "dup", Target: "shop/checkout", Note: NoteRecordedLater},
		{ID: id, At: at.Add(40 * time.Millisecond), User: "ed", Role: "Editor", Action: "edit", Cluster: "dup", Target: "shop/checkout"},
	} {
		if err := log.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got, total, err := log.List(ctx, Filter{Cluster: "dup"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || total != 1 || got[0].Role != "Editor" || got[0].Note != "" {
		t.Fatalf("entries %+v total %d, want the writer's entry once", got, total)
	}
	have, err := log.Recorded(ctx, []uuid.UUID{id, ControlVersionID("dup", "shop", "checkout", 4)}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(have) != 1 || !have[id] {
		t.Fatalf("recorded %v, want only version 3's entry", have)
	}
}
