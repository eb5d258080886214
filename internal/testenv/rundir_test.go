package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrepareRunDirWipesOnlyDeadRunsOfItsOwn(t *testing.T) {
	deadPID := func(t *testing.T) int {
		cmd := exec.Command("true")
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		return cmd.Process.Pid
	}
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, dir string) // nil: dir does not exist
		wantErr string                         // "" : dir is prepared and emptied
	}{
		{name: "a missing dir is created"},
		{name: "an empty dir is used", setup: func(t *testing.T, dir string) { mkdir(t, dir) }},
		{
			name:    "a foreign dir with files is refused",
			setup:   func(t *testing.T, dir string) { mkdir(t, dir); write(t, dir, "notes.txt", "mine") },
			wantErr: "not made by testenv",
		},
		{
			name: "a dir of a live cluster is refused",
			setup: func(t *testing.T, dir string) {
				mkdir(t, dir)
				if err := writeMarker(dir, false); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: "in use by a running cluster",
		},
		{
			name: "a dir kept after Stop is wiped",
			setup: func(t *testing.T, dir string) {
				mkdir(t, dir)
				write(t, dir, "old.log", "x")
				if err := writeMarkerPID(dir, 0, true); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "a dir of a crashed process is wiped",
			setup: func(t *testing.T, dir string) {
				mkdir(t, dir)
				write(t, dir, "old.log", "x")
				if err := writeMarkerPID(dir, deadPID(t), false); err != nil {
					t.Fatal(err)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			got, err := prepareRunDir(dir, false)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(got)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 || entries[0].Name() != runDirMarker {
				t.Errorf("prepared dir holds %v, want only the marker", entries)
			}
			if pid, _, ok := readMarker(got); !ok || pid != os.Getpid() {
				t.Errorf("marker pid = %d (ok %v), want ours", pid, ok)
			}
		})
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
