//go:build parts

package store

import (
	"path/filepath"
	"strings"
	"testing"
)

// One process hosts one engine serving one data directory: a second directory is refused
// while the first is open, and a store on the same directory reopens after Close.
func TestEmbeddedEngineServesOneDirectory(t *testing.T) {
	ctx := t.Context()
	cfg := targets[0].cfg
	other := cfg
	other.DataDir = t.TempDir()
	if c, err := Open(ctx, other); err == nil {
		_ = c.Close()
		t.Fatal("a second data directory was opened while the first is in use")
	}
	again := cfg
	again.Database = "kd_reopen"
	for i := range 2 {
		c, err := Open(ctx, again)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if err := c.Ping(ctx); err != nil {
			t.Fatalf("ping %d: %v", i, err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// The suite's own connection is unaffected, its current database included.
	db := scanAll(t, targets[0].conn, "SELECT currentDatabase()", func(r Rows) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
	if len(db) != 1 || db[0] != targets[0].cfg.Database {
		t.Fatalf("current database = %q, want %q", db, targets[0].cfg.Database)
	}
	if err := targets[0].conn.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestAnEmbeddedStoreWithoutTheEngineSaysWhereItLookedAndWhatToDo(t *testing.T) {
	t.Setenv("KUBEDOOR_LIBCHDB", "")
	dataDir := filepath.Join(t.TempDir(), "kubedoor-chdb")
	err := Config{DataDir: dataDir}.Validate()
	want := filepath.Join(filepath.Dir(dataDir), "kubedoor-engine")
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "configuration page") {
		t.Fatalf("error %v, want one naming %s and the configuration page", err, want)
	}
}
