// Package storetest opens the embedded ClickHouse engine, migrated, for a package's tests. One
// process hosts one engine, so a package opens it once in TestMain and its tests share it,
// each on its own rows (or after truncating the tables it uses).
package storetest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Open starts the engine in a fresh data directory and applies the shipped migrations. The
// returned func closes it and removes the directory. A missing libchdb is an error, never a
// skip: a passing test must have used the engine.
func Open(ctx context.Context, name string) (store.Conn, func(), error) {
	dir, err := os.MkdirTemp("", "kubedoor-"+name+"-")
	if err != nil {
		return nil, nil, err
	}
	conn, err := OpenDir(ctx, dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, nil, err
	}
	return conn, func() {
		_ = conn.Close()
		_ = os.RemoveAll(dir)
	}, nil
}

// OpenDir starts the engine on dataDir (the default database, as the plugin uses it) and
// applies the shipped migrations.
func OpenDir(ctx context.Context, dataDir string) (store.Conn, error) {
	lib, err := testenv.LibCHDB()
	if err != nil {
		return nil, fmt.Errorf("the embedded ClickHouse engine is needed: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	conn, err := store.Open(ctx, store.Config{DataDir: dataDir, LibraryPath: lib})
	if err != nil {
		return nil, err
	}
	if _, err := store.Migrate(ctx, conn, store.MigrateOptions{}); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return conn, nil
}

// Main is a TestMain body: it opens the engine into *conn, runs the tests and exits. Fuzz
// workers (which run only pure fuzz targets) are spared the engine.
func Main(name string, conn *store.Conn, run func() int) {
	flag.Parse()
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		os.Exit(run())
	}
	c, done, err := Open(context.Background(), name)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s tests cannot start: %v\n", name, err)
		os.Exit(1)
	}
	*conn = c
	code := run()
	done()
	os.Exit(code)
}
