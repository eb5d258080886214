//go:build parts

package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

var schemaTables = []string{"audit_log", "collection_jobs", "control_rows",
	"peak_rollup_marks", "peak_rollup_namespace_days", "peak_rollup_workload_days", "peak_rollup_workload_months",
	"peak_samples", "schedule_runs", "schedules", "schema_migrations", "settings"}

// freshConn is a connection to an empty database of the target's engine, dropped afterwards.
func freshConn(t *testing.T, tg target, db string) Conn {
	t.Helper()
	ctx := testCtx(t)
	cfg := tg.cfg
	cfg.Database = db
	c, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.Exec(context.WithoutCancel(t.Context()), "DROP DATABASE IF EXISTS "+quoteIdent(db)+onCluster(c.Cluster()))
		_ = c.Close()
	})
	return c
}

func eachFreshTarget(t *testing.T, db string, f func(t *testing.T, c Conn)) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) { f(t, freshConn(t, tg, db)) })
	}
}

// Migrating an empty database creates the schema and records version 1; migrating again
// applies nothing and records nothing twice.
func TestMigrateTwiceIsANoOp(t *testing.T) {
	eachFreshTarget(t, "kd_migrate_twice", func(t *testing.T, c Conn) {
		ctx := testCtx(t)
		first, err := Migrate(ctx, c, MigrateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(first) == 0 || first[0].Version != 1 {
			t.Fatalf("first run applied %+v, want version 1 first", first)
		}
		second, err := Migrate(ctx, c, MigrateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(second) != 0 {
			t.Errorf("second run applied %+v, want nothing", second)
		}
		versions := scanAll(t, c, "SELECT version, name FROM schema_migrations FINAL ORDER BY version", func(r Rows) (string, error) {
			var v uint32
			var name string
			err := r.Scan(&v, &name)
			return fmt.Sprintf("%d %s", v, name), err
		})
		if len(versions) != len(first) || versions[0] != "1 initial" {
			t.Errorf("recorded versions %q, want one row per applied migration starting with 1 initial", versions)
		}
		tables := scanAll(t, c, "SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name", func(r Rows) (string, error) {
			var s string
			return s, r.Scan(&s)
		})
		if !slices.Equal(tables, schemaTables) {
			t.Errorf("tables = %q, want %q", tables, schemaTables)
		}
	})
}

// A later migration is applied after the recorded ones, and only once.
func TestMigrateAppliesOnlyNewVersions(t *testing.T) {
	v1 := &fstest.MapFile{Data: []byte("CREATE TABLE IF NOT EXISTS {{.DB}}.m1{{.OnCluster}} (a UInt8) ENGINE = {{engine \"MergeTree\"}} ORDER BY a;")}
	v2 := &fstest.MapFile{Data: []byte("ALTER TABLE {{.DB}}.m1{{.OnCluster}} ADD COLUMN IF NOT EXISTS b String;\n-- done\n")}
	eachFreshTarget(t, "kd_migrate_steps", func(t *testing.T, c Conn) {
		ctx := testCtx(t)
		steps := []struct {
			name  string
			files fstest.MapFS
			want  []uint32
		}{
			{"the first release applies version 1", fstest.MapFS{"m/001_one.sql": v1}, []uint32{1}},
			{"the next release applies version 2 only", fstest.MapFS{"m/001_one.sql": v1, "m/002_two.sql": v2}, []uint32{2}},
			{"a restart applies nothing", fstest.MapFS{"m/001_one.sql": v1, "m/002_two.sql": v2}, nil},
		}
		for _, s := range steps {
			all, err := loadMigrations(s.files, "m")
			if err != nil {
				t.Fatal(err)
			}
			applied, err := migrate(ctx, c, MigrateOptions{}, all)
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			var got []uint32
			for _, m := range applied {
				got = append(got, m.Version)
			}
			if !slices.Equal(got, s.want) {
				t.Errorf("%s: applied %v, want %v", s.name, got, s.want)
			}
		}
		if err := c.Insert(ctx, "m1", []string{"a", "b"}, [][]any{{uint8(1), "x"}}); err != nil {
			t.Errorf("the column added by version 2 is not there: %v", err)
		}
	})
}

// The peak samples' TTL follows the configured retention, also after the table exists.
func TestRetentionFollowsTheSetting(t *testing.T) {
	eachFreshTarget(t, "kd_retention", func(t *testing.T, c Conn) {
		ctx := testCtx(t)
		for _, days := range []int{400, 30, 400} {
			if _, err := Migrate(ctx, c, MigrateOptions{RetentionDays: days}); err != nil {
				t.Fatal(err)
			}
			engine := scanAll(t, c, "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'peak_samples'", func(r Rows) (string, error) {
				var s string
				return s, r.Scan(&s)
			})
			want := "toIntervalDay(" + strconv.Itoa(days) + ")"
			if len(engine) != 1 || !strings.Contains(engine[0], want) {
				t.Errorf("retention %d: engine %q lacks %s", days, engine, want)
			}
		}
	})
}

// Rows of a ReplacingMergeTree table re-inserted with the same key count once under FINAL,
// and the latest version wins; the control table keeps every version as history.
func TestReinsertReplacesPeakSamples(t *testing.T) {
	eachTarget(t, func(t *testing.T, c Conn) {
		c = withSchema(t, c)
		ctx := testCtx(t)
		day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		cols := []string{"cluster", "namespace", "workload", "container", "day", "window_start", "window_end",
			"pods_min", "pods_max", "cpu_p95_max", "mem_p95_max", "oom_kills", "quantile", "collected_at"}
		row := func(cpu float64, at time.Time) []any {
			return []any{"prod", "shop", "cart", "app", day, day.Add(10 * time.Hour), day.Add(11*time.Hour + 30*time.Minute),
				uint32(2), uint32(3), cpu, 512e6, uint32(0), 0.95, at}
		}
		first := time.Date(2026, 5, 2, 1, 0, 0, 0, time.UTC)
		for i, r := range [][]any{row(0.5, first), row(0.75, first.Add(time.Hour))} {
			if err := c.Insert(ctx, "peak_samples", cols, [][]any{r}); err != nil {
				t.Fatalf("insert %d: %v", i, err)
			}
		}
		const where = " WHERE cluster = {c:String} AND namespace = {ns:String} AND workload = {w:String} AND day = {d:Date}"
		params := []Param{P("c", "prod"), P("ns", "shop"), P("w", "cart"), P("d", day)}
		if n := queryCount(t, c, "SELECT count() FROM peak_samples FINAL"+where, params...); n != 1 {
			t.Errorf("FINAL count = %d, want 1", n)
		}
		cpu := scanAll(t, c, "SELECT cpu_p95_max FROM peak_samples FINAL"+where, func(r Rows) (float64, error) {
			var f float64
			return f, r.Scan(&f)
		}, params...)
		if len(cpu) != 1 || cpu[0] != 0.75 {
			t.Errorf("cpu = %v, want the re-collected 0.75", cpu)
		}
	})
}

func TestControlRowsKeepVersions(t *testing.T) {
	eachTarget(t, func(t *testing.T, c Conn) {
		c = withSchema(t, c)
		ctx := testCtx(t)
		cols := []string{"cluster", "namespace", "workload", "version", "replicas_manual", "replicas_recommended",
			"replicas_observed", "containers.name", "containers.cpu_request_m", "containers.cpu_limit_m",
			"containers.mem_request_mib", "containers.mem_limit_mib", "containers.cpu_request_source",
			"containers.cpu_limit_source", "containers.mem_request_source", "containers.mem_limit_source",
			"peak_day", "updated_by", "updated_at", "deleted"}
		now := time.Now().UTC().Truncate(time.Millisecond)
		row := func(version uint64, manual int32, cpu int64) []any {
			return []any{"prod", "shop", "orders", version, manual, int32(3), int32(2),
				[]string{"app", "istio-proxy"}, []int64{cpu, 100}, []int64{-1, 200}, []int64{512, 64}, []int64{1024, 128},
				[]string{"collected", "manual"}, []string{"collected", "manual"}, []string{"collected", "manual"}, []string{"collected", "manual"},
				now, "admin", now, uint8(0)}
		}
		if err := c.Insert(ctx, "control_rows", cols, [][]any{row(1, -1, 250), row(2, 5, 300)}); err != nil {
			t.Fatal(err)
		}
		type current struct {
			version uint64
			manual  int32
			names   []string
			cpu     []int64
		}
		got := scanAll(t, c, `SELECT version, replicas_manual, containers.name, containers.cpu_request_m
			FROM control_rows WHERE cluster = {c:String} AND namespace = {ns:String} AND workload = {w:String}
			ORDER BY version DESC LIMIT 1 BY cluster, namespace, workload`, func(r Rows) (current, error) {
			var v current
			return v, r.Scan(&v.version, &v.manual, &v.names, &v.cpu)
		}, P("c", "prod"), P("ns", "shop"), P("w", "orders"))
		if len(got) != 1 || got[0].version != 2 || got[0].manual != 5 || !slices.Equal(got[0].names, []string{"app", "istio-proxy"}) || got[0].cpu[0] != 300 {
			t.Errorf("current row = %+v, want version 2 with manual 5 and app cpu 300", got)
		}
		if n := queryCount(t, c, "SELECT count() FROM control_rows WHERE workload = {w:String}", P("w", "orders")); n != 2 {
			t.Errorf("history has %d versions, want 2", n)
		}
	})
}
