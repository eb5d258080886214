package store

import (
	"reflect"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	const tmpl = `CREATE TABLE IF NOT EXISTS {{.DB}}.t{{.OnCluster}} (a UInt8, d Date)
ENGINE = {{engine "ReplacingMergeTree" "a"}} ORDER BY a TTL d + toIntervalDay({{.RetentionDays}});
SELECT {p:String}`
	cases := []struct {
		name string
		opts SchemaOptions
		want string
	}{
		{"a single node gets plain engines and no ON CLUSTER",
			SchemaOptions{Database: "kd"},
			"CREATE TABLE IF NOT EXISTS `kd`.t (a UInt8, d Date)\nENGINE = ReplacingMergeTree(a) ORDER BY a TTL d + toIntervalDay(400);\nSELECT {p:String}"},
		{"a cluster gets ON CLUSTER and the replicated engine with the default path",
			SchemaOptions{Database: "kd", Cluster: "prod-ch.1", RetentionDays: 30},
			"CREATE TABLE IF NOT EXISTS `kd`.t ON CLUSTER `prod-ch.1` (a UInt8, d Date)\nENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', a) ORDER BY a TTL d + toIntervalDay(30);\nSELECT {p:String}"},
		{"a custom replica path is quoted as a literal",
			SchemaOptions{Database: "kd", Cluster: "c", ReplicaPath: "/ch/it's/{table}", ReplicaName: "r1"},
			"CREATE TABLE IF NOT EXISTS `kd`.t ON CLUSTER `c` (a UInt8, d Date)\nENGINE = ReplicatedReplacingMergeTree('/ch/it\\'s/{table}', 'r1', a) ORDER BY a TTL d + toIntervalDay(400);\nSELECT {p:String}"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Render(tmpl, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestEngineWithoutArguments(t *testing.T) {
	cases := []struct {
		name string
		opts SchemaOptions
		want string
	}{
		{"a MergeTree on one node", SchemaOptions{}, "MergeTree()"},
		{"a MergeTree on a cluster", SchemaOptions{Cluster: "c", ReplicaPath: "/p", ReplicaName: "r"}, "ReplicatedMergeTree('/p', 'r')"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.opts.Engine("MergeTree"); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRenderRefusesBadOptions(t *testing.T) {
	cases := []struct {
		name string
		opts SchemaOptions
		tmpl string
	}{
		{"a database name that needs quoting", SchemaOptions{Database: "kd`; DROP"}, "{{.DB}}"},
		{"a cluster name with a backtick", SchemaOptions{Cluster: "c` x"}, "{{.OnCluster}}"},
		{"a retention of minus one day", SchemaOptions{RetentionDays: -1}, "{{.RetentionDays}}"},
		{"an unknown template field", SchemaOptions{}, "{{.Nope}}"},
		{"a broken template", SchemaOptions{}, "{{engine"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := Render(tc.tmpl, tc.opts); err == nil {
				t.Errorf("rendered %q", got)
			}
		})
	}
}

// Every shipped migration renders for one node and for a cluster, and splits into statements
// that each carry the ON CLUSTER clause on a cluster.
func TestShippedMigrationsRender(t *testing.T) {
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 {
		t.Fatalf("migrations = %+v, want version 1 first", ms)
	}
	for _, m := range ms {
		for _, cluster := range []string{"", "main"} {
			sql, err := Render(m.Template, SchemaOptions{Database: "kd", Cluster: cluster})
			if err != nil {
				t.Fatalf("%d %s on cluster %q: %v", m.Version, m.Name, cluster, err)
			}
			for _, stmt := range SplitStatements(sql) {
				if cluster != "" && strings.HasPrefix(stmt, "CREATE") && !strings.Contains(stmt, "ON CLUSTER `main`") {
					t.Errorf("statement lacks ON CLUSTER: %s", firstLine(stmt))
				}
				if cluster != "" && strings.Contains(stmt, "ENGINE = ") && !strings.Contains(stmt, "ENGINE = Replicated") {
					t.Errorf("statement lacks a replicated engine: %s", firstLine(stmt))
				}
			}
		}
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func TestSplitStatements(t *testing.T) {
	cases := []struct {
		name string
		sql  string
		want []string
	}{
		{"two statements", "SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}},
		{"a last statement without a semicolon", "SELECT 1;\nSELECT 2", []string{"SELECT 1", "SELECT 2"}},
		{"a semicolon in a string", "SELECT 'a;b'; SELECT 2", []string{"SELECT 'a;b'", "SELECT 2"}},
		{"an escaped quote in a string", `SELECT 'it\'s;'; SELECT 2`, []string{`SELECT 'it\'s;'`, "SELECT 2"}},
		{"a doubled quote in a string", "SELECT 'it''s;'; SELECT 2", []string{"SELECT 'it''s;'", "SELECT 2"}},
		{"a semicolon in a quoted identifier", "SELECT 1 AS `a;b`; SELECT \"c;d\"", []string{"SELECT 1 AS `a;b`", "SELECT \"c;d\""}},
		{"a semicolon in a line comment", "-- a; b\nSELECT 1; # c;\nSELECT 2", []string{"-- a; b\nSELECT 1", "# c;\nSELECT 2"}},
		{"a semicolon in a block comment", "/* a; b */ SELECT 1; SELECT 2", []string{"/* a; b */ SELECT 1", "SELECT 2"}},
		{"comment-only pieces are dropped", "SELECT 1; -- the end\n; /* nothing */ ;", []string{"SELECT 1"}},
		{"an unterminated string runs to the end", "SELECT 'a;b", []string{"SELECT 'a;b"}},
		{"nothing", " \n ", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := SplitStatements(tc.sql); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzSplitStatements(f *testing.F) {
	for _, s := range []string{"SELECT 1; SELECT 2", "SELECT 'a;b' -- c;\n;", "/* ; */ `x;y`", `'\'`, "--", "/*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		stmts := SplitStatements(sql)
		total := 0
		for _, s := range stmts {
			if s == "" || s != strings.TrimSpace(s) {
				t.Errorf("statement %q is empty or untrimmed", s)
			}
			if !strings.Contains(sql, s) {
				t.Errorf("statement %q is not a piece of the input", s)
			}
			total += len(s)
		}
		if total > len(sql) {
			t.Errorf("statements are longer than the input")
		}
		// Plain text without quotes or comments splits exactly at its semicolons.
		if !strings.ContainsAny(sql, "'\"`#-/") {
			var want []string
			for _, p := range strings.Split(sql, ";") {
				if p = strings.TrimSpace(p); p != "" {
					want = append(want, p)
				}
			}
			if !reflect.DeepEqual(stmts, want) {
				t.Errorf("got %q, want %q", stmts, want)
			}
		}
	})
}
