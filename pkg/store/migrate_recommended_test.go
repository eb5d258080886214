//go:build parts

package store

import (
	"slices"
	"testing"
	"time"
)

// Migration recommended_replicas (005) adds the HPA and recommendation columns to a store that
// already holds peak samples and control rows: old samples read "no HPA" (NULL, not 0) and old
// rows read no recommendation, not active — so the migration changes no enforced value.
func TestRecommendedReplicasMigrationKeepsEarlierRowsValid(t *testing.T) {
	eachFreshTarget(t, "kd_migrate_recommended", func(t *testing.T, c Conn) {
		ctx := testCtx(t)
		all, err := Migrations()
		if err != nil {
			t.Fatal(err)
		}
		at := slices.IndexFunc(all, func(m Migration) bool { return m.Name == "recommended_replicas" })
		if at < 4 {
			t.Fatalf("no recommended_replicas migration after desired_replicas: %+v", all)
		}
		if _, err := migrate(ctx, c, MigrateOptions{}, all[:at]); err != nil {
			t.Fatal(err)
		}
		day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
		if err := c.Insert(ctx, "peak_samples", []string{"cluster", "namespace", "workload", "container", "day", "pods_max", "collected_at"},
			[][]any{{"old", "shop", "api", "app", day, uint32(3), day.Add(26 * time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		if err := c.Insert(ctx, "control_rows", []string{"cluster", "namespace", "workload", "version", "replicas_manual", "replicas_recommended", "replicas_observed"},
			[][]any{{"old", "shop", "api", uint64(1), int32(-1), int32(-1), int32(3)}}); err != nil {
			t.Fatal(err)
		}
		if applied, err := migrate(ctx, c, MigrateOptions{}, all); err != nil || len(applied) != len(all)-at {
			t.Fatalf("applied %+v: %v", applied, err)
		}
		hpa := scanAll(t, c, "SELECT hpa_min_replicas FROM peak_samples WHERE cluster = 'old'", func(r Rows) (*uint32, error) {
			var v *uint32
			return v, r.Scan(&v)
		})
		if len(hpa) != 1 || hpa[0] != nil {
			t.Fatalf("old peak sample's HPA after the migration: %v", hpa)
		}
		type rec struct {
			forWhat, reason string
			active          uint8
		}
		got := scanAll(t, c, "SELECT replicas_recommended_for, replicas_recommended_reason, replicas_recommended_active FROM control_rows WHERE cluster = 'old'",
			func(r Rows) (rec, error) {
				var x rec
				return x, r.Scan(&x.forWhat, &x.reason, &x.active)
			})
		if len(got) != 1 || got[0] != (rec{}) {
			t.Fatalf("old control row after the migration: %+v", got)
		}
	})
}
