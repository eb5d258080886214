//go:build parts

package store

import (
	"slices"
	"testing"
	"time"
)

// Migration desired_replicas (004) adds the desired-replicas columns to a store that already holds peak samples
// and control rows: those rows stay readable, with NULL (not 0, which would read as "scaled to
// zero") for the counts they never had and ” for where their observed replicas came from.
func TestDesiredReplicasMigrationKeepsEarlierRowsValid(t *testing.T) {
	eachFreshTarget(t, "kd_migrate_desired", func(t *testing.T, c Conn) {
		ctx := testCtx(t)
		all, err := Migrations()
		if err != nil {
			t.Fatal(err)
		}
		at := slices.IndexFunc(all, func(m Migration) bool { return m.Name == "desired_replicas" })
		if at < 2 {
			t.Fatalf("no desired_replicas migration after the initial ones: %+v", all)
		}
		if _, err := migrate(ctx, c, MigrateOptions{}, all[:at]); err != nil {
			t.Fatal(err)
		}
		day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
		if err := c.Insert(ctx, "peak_samples", []string{"cluster", "namespace", "workload", "container", "day", "pods_min", "pods_max", "collected_at"},
			[][]any{{"old", "shop", "api", "app", day, uint32(0), uint32(3), day.Add(26 * time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		if err := c.Insert(ctx, "control_rows", []string{"cluster", "namespace", "workload", "version", "replicas_manual", "replicas_recommended", "replicas_observed"},
			[][]any{{"old", "shop", "api", uint64(1), int32(-1), int32(-1), int32(0)}}); err != nil {
			t.Fatal(err)
		}
		applied, err := migrate(ctx, c, MigrateOptions{}, all)
		if err != nil || len(applied) != len(all)-at {
			t.Fatalf("applied %+v: %v", applied, err)
		}
		type peak struct {
			min, max        uint32
			desired, median *uint32
		}
		got := scanAll(t, c, "SELECT pods_min, pods_max, replicas_desired, pods_ready_median FROM peak_samples WHERE cluster = 'old'",
			func(r Rows) (peak, error) {
				var p peak
				return p, r.Scan(&p.min, &p.max, &p.desired, &p.median)
			})
		if len(got) != 1 || got[0].max != 3 || got[0].desired != nil || got[0].median != nil {
			t.Fatalf("old peak sample after the migration: %+v", got)
		}
		from := scanAll(t, c, "SELECT replicas_observed_from FROM control_rows WHERE cluster = 'old'", func(r Rows) (string, error) {
			var s string
			return s, r.Scan(&s)
		})
		if len(from) != 1 || from[0] != "" {
			t.Fatalf("old control row after the migration: %q", from)
		}
		// A row of the new shape goes in beside it.
		n := uint32(2)
		if err := c.Insert(ctx, "peak_samples", []string{"cluster", "namespace", "workload", "container", "day", "replicas_desired", "pods_ready_median", "collected_at"},
			[][]any{{"old", "shop", "api", "app", day.AddDate(0, 0, 1), &n, (*uint32)(nil), day.Add(50 * time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		got = scanAll(t, c, "SELECT pods_min, pods_max, replicas_desired, pods_ready_median FROM peak_samples WHERE cluster = 'old' ORDER BY day",
			func(r Rows) (peak, error) {
				var p peak
				return p, r.Scan(&p.min, &p.max, &p.desired, &p.median)
			})
		if len(got) != 2 || got[1].desired == nil || *got[1].desired != 2 || got[1].median != nil {
			t.Fatalf("rows after a new insert: %+v", got)
		}
	})
}
