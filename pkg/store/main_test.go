//go:build parts

package store

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

// target is one engine the suite runs against.
type target struct {
	name string
	conn Conn
	cfg  Config
}

var (
	targets  []target
	libPath  string // libchdb.so used by the embedded target
	dataDir  string // the embedded target's data directory
	migrated sync.Map
)

// TestMain opens the embedded engine once for the package (one engine per process, ~250 MiB),
// and a ClickHouse server too when KUBEDOOR_CLICKHOUSE_ADDR names one. A missing libchdb fails
// the run: a pass must mean the engine was exercised.
func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	// Fuzz workers run only pure fuzz targets; sparing them the engine keeps fuzzing light.
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var err error
	if libPath, err = testenv.LibCHDB(); err != nil {
		fmt.Fprintln(os.Stderr, "store tests need the embedded ClickHouse engine:", err)
		return 1
	}
	if dataDir, err = os.MkdirTemp("", "kubedoor-store-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dataDir) }()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := Config{DataDir: dataDir, LibraryPath: libPath, Database: "kubedoor_test", Logger: log}
	start := time.Now()
	conn, err := Open(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "opening the embedded engine:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "store tests: embedded engine opened in %v\n", time.Since(start).Round(time.Millisecond))
	targets = append(targets, target{name: ModeEmbedded, conn: conn, cfg: cfg})

	if addr := os.Getenv("KUBEDOOR_CLICKHOUSE_ADDR"); addr != "" {
		scfg := Config{
			Mode: ModeServer, Address: addr, Logger: log,
			Username: os.Getenv("KUBEDOOR_CLICKHOUSE_USER"), Password: os.Getenv("KUBEDOOR_CLICKHOUSE_PASSWORD"),
			Cluster:  os.Getenv("KUBEDOOR_CLICKHOUSE_CLUSTER"),
			Database: fmt.Sprintf("kubedoor_test_%d_%d", os.Getpid(), time.Now().Unix()),
		}
		sconn, err := Open(ctx, scfg)
		if err != nil {
			fmt.Fprintln(os.Stderr, "opening the ClickHouse server named by KUBEDOOR_CLICKHOUSE_ADDR:", err)
			return 1
		}
		defer func() {
			_ = sconn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+quoteIdent(scfg.Database)+onCluster(scfg.Cluster))
		}()
		targets = append(targets, target{name: ModeServer, conn: sconn, cfg: scfg})
	}
	code := m.Run()
	for _, t := range targets {
		_ = t.conn.Close()
	}
	return code
}

// eachTarget runs f against every engine the suite has.
func eachTarget(t *testing.T, f func(t *testing.T, c Conn)) {
	t.Helper()
	if len(targets) == 0 {
		t.Fatal("no engine opened (TestMain did not run the engine setup)")
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) { f(t, tg.conn) })
	}
}

// withSchema returns c after the shipped migrations were applied to it (once per target).
func withSchema(t testing.TB, c Conn) Conn {
	t.Helper()
	if _, done := migrated.Load(c); !done {
		if _, err := Migrate(testCtx(t), c, MigrateOptions{}); err != nil {
			t.Fatalf("migrating: %v", err)
		}
		migrated.Store(c, true)
	}
	return c
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// tableName makes a table name unique to the test target run.
var tableSeq struct {
	sync.Mutex
	n int
}

func tableName(prefix string) string {
	tableSeq.Lock()
	defer tableSeq.Unlock()
	tableSeq.n++
	return fmt.Sprintf("%s_%d", prefix, tableSeq.n)
}

// queryAll runs a query and scans every row with newDest.
func scanAll[T any](t *testing.T, c Conn, query string, scan func(Rows) (T, error), params ...Param) []T {
	t.Helper()
	rows, err := c.Query(testCtx(t), query, params...)
	if err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			t.Fatalf("scan %q: %v", query, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows %q: %v", query, err)
	}
	return out
}

func queryCount(t *testing.T, c Conn, query string, params ...Param) uint64 {
	t.Helper()
	n := scanAll(t, c, query, func(r Rows) (uint64, error) {
		var v uint64
		return v, r.Scan(&v)
	}, params...)
	if len(n) != 1 {
		t.Fatalf("%q returned %d rows, want 1", query, len(n))
	}
	return n[0]
}
