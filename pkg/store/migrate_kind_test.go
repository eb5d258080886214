//go:build parts

package store

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// Migration workload_kind (008) reads every row written before it as a Deployment's, and after
// it a StatefulSet's sample of the same namespace, name, container and day is a row of its own:
// kind is part of the key peak samples are deduplicated by.
func TestWorkloadKindMigrationKeepsDeploymentRowsAndSeparatesKinds(t *testing.T) {
	eachFreshTarget(t, "kd_migrate_kind", func(t *testing.T, c Conn) {
		ctx := testCtx(t)
		all, err := Migrations()
		if err != nil {
			t.Fatal(err)
		}
		at := slices.IndexFunc(all, func(m Migration) bool { return m.Name == "workload_kind" })
		if at < 7 {
			t.Fatalf("no workload_kind migration after schedule_audit_owed: %+v", all)
		}
		if _, err := migrate(ctx, c, MigrateOptions{}, all[:at]); err != nil {
			t.Fatal(err)
		}
		day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
		if err := c.Insert(ctx, "peak_samples", []string{"cluster", "namespace", "workload", "container", "day", "pods_max", "collected_at"},
			[][]any{{"old", "shop", "db", "app", day, uint32(3), day.Add(26 * time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		if err := c.Insert(ctx, "control_rows", []string{"cluster", "namespace", "workload", "version", "replicas_manual", "replicas_recommended", "replicas_observed"},
			[][]any{{"old", "shop", "db", uint64(1), int32(-1), int32(-1), int32(3)}}); err != nil {
			t.Fatal(err)
		}
		if applied, err := migrate(ctx, c, MigrateOptions{}, all); err != nil || len(applied) != len(all)-at {
			t.Fatalf("applied %+v: %v", applied, err)
		}
		// Applying the shipped migrations again changes nothing (the ledger skips them).
		if applied, err := migrate(ctx, c, MigrateOptions{}, all); err != nil || len(applied) != 0 {
			t.Fatalf("second run applied %+v: %v", applied, err)
		}
		kinds := func(query string) []string {
			return scanAll(t, c, query, func(r Rows) (string, error) {
				var k string
				var pods uint32
				err := r.Scan(&k, &pods)
				return fmt.Sprintf("%s:%d", k, pods), err
			})
		}
		if got := kinds("SELECT kind, toUInt32(version) FROM control_rows WHERE cluster = 'old'"); !slices.Equal(got, []string{"Deployment:1"}) {
			t.Fatalf("old control row's kind after the migration: %v", got)
		}
		// A re-collection of the old day as a Deployment replaces the old sample; a StatefulSet
		// of the same name is a sample of its own.
		if err := c.Insert(ctx, "peak_samples", []string{"cluster", "namespace", "kind", "workload", "container", "day", "pods_max", "collected_at"},
			[][]any{
				{"old", "shop", "StatefulSet", "db", "app", day, uint32(2), day.Add(27 * time.Hour)},
				{"old", "shop", "Deployment", "db", "app", day, uint32(5), day.Add(27 * time.Hour)},
			}); err != nil {
			t.Fatal(err)
		}
		const samples = "SELECT kind, pods_max FROM peak_samples FINAL WHERE cluster = 'old' ORDER BY kind"
		want := []string{"Deployment:5", "StatefulSet:2"}
		if got := kinds(samples); !slices.Equal(got, want) {
			t.Fatalf("peak samples of a Deployment and a StatefulSet named alike, read FINAL: %v, want %v", got, want)
		}
		if err := c.Exec(ctx, "OPTIMIZE TABLE peak_samples FINAL"); err != nil {
			t.Fatal(err)
		}
		if got := kinds(samples); !slices.Equal(got, want) {
			t.Fatalf("the same after a merge: %v, want %v", got, want)
		}
	})
}
