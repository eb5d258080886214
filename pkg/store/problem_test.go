//go:build parts

package store

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/engine"
)

// TestOpenTellsTheEngineProblemsApart opens the real engine the ways an install goes wrong.
func TestOpenTellsTheEngineProblemsApart(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	file := filepath.Join(dir, "not-a-directory")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(engine.EnvLibrary, filepath.Join(dir, "missing", engine.FileName))
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no library where it is looked for", Config{DataDir: filepath.Join(dir, "data")}, ProblemEngineNotFound},
		// The process has the engine loaded from the cache (TestMain); one library per process.
		{"a second, different library", Config{DataDir: filepath.Join(dir, "data"), LibraryPath: file}, ProblemEngineLoad},
		{"a data directory that cannot be created", Config{DataDir: filepath.Join(file, "data"), LibraryPath: libPath}, ProblemDataDir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := Open(ctx, tt.cfg)
			if err == nil {
				_ = conn.Close()
				t.Fatal("opened")
			}
			if got := Problem(err); got != tt.want {
				t.Errorf("Problem(%v) = %q, want %q", err, got, tt.want)
			}
		})
	}
}
