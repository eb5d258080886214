package testenv

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// runDirMarker identifies a run dir this package made, so only those are ever wiped. It holds
// the owning process id and whether the dir is to be kept, which lets a later start sweep the
// dirs of test processes that crashed before calling Stop.
const runDirMarker = ".kubedoor-testenv"

// tempRunDirPrefix names default run dirs in os.TempDir().
const tempRunDirPrefix = "kubedoor-kube-"

func prepareRunDir(dir string, keep bool) (string, error) {
	if dir == "" {
		sweepStaleRunDirs()
		d, err := os.MkdirTemp("", tempRunDirPrefix)
		if err != nil {
			return "", fmt.Errorf("creating run dir: %w", err)
		}
		return d, writeMarker(d, keep)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("resolving run dir: %w", err)
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0):
	case err != nil:
		return "", fmt.Errorf("reading run dir: %w", err)
	default:
		pid, _, ok := readMarker(dir)
		if !ok {
			return "", fmt.Errorf("run dir %s is not empty and was not made by testenv; refusing to wipe it", dir)
		}
		if pid != 0 && processAlive(pid) {
			return "", fmt.Errorf("run dir %s is in use by a running cluster (pid %d)", dir, pid)
		}
		if err := os.RemoveAll(dir); err != nil {
			return "", fmt.Errorf("wiping previous run dir: %w", err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating run dir: %w", err)
	}
	return dir, writeMarker(dir, keep)
}

// writeMarker records the owner; Stop rewrites it with pid 0 when keeping the dir, so the dir is
// reusable by the same process later.
func writeMarker(dir string, keep bool) error { return writeMarkerPID(dir, os.Getpid(), keep) }

func writeMarkerPID(dir string, pid int, keep bool) error {
	data := fmt.Sprintf("pid=%d keep=%t\n", pid, keep)
	if err := os.WriteFile(filepath.Join(dir, runDirMarker), []byte(data), 0o644); err != nil {
		return fmt.Errorf("marking run dir: %w", err)
	}
	return nil
}

// sweepStaleRunDirs removes default run dirs whose owner died without Stop (a panicking or
// killed test; its processes died with it). Best effort: a failure only leaves litter.
func sweepStaleRunDirs() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempRunDirPrefix+"*"))
	for _, d := range dirs {
		pid, keep, ok := readMarker(d)
		if !ok || keep || pid <= 0 || processAlive(pid) { // not ours, being set up, kept or live
			continue
		}
		_ = os.RemoveAll(d)
	}
}

// readMarker returns the owner recorded in dir's marker; ok is false without a valid marker.
func readMarker(dir string) (pid int, keep bool, ok bool) {
	data, err := os.ReadFile(filepath.Join(dir, runDirMarker))
	if err != nil {
		return 0, false, false
	}
	if _, err := fmt.Sscanf(strings.TrimSpace(string(data)), "pid=%d keep=%t", &pid, &keep); err != nil {
		return 0, false, false
	}
	return pid, keep, true
}
