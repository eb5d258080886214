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
		if _, err := os.Stat(filepath.Join(dir, runDirMarker)); err != nil {
			return "", fmt.Errorf("run dir %s is not empty and was not made by testenv; refusing to wipe it", dir)
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

func writeMarker(dir string, keep bool) error {
	data := fmt.Sprintf("pid=%d keep=%t\n", os.Getpid(), keep)
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
		data, err := os.ReadFile(filepath.Join(d, runDirMarker))
		if err != nil {
			continue // not ours, or still being set up
		}
		var pid int
		var keep bool
		if _, err := fmt.Sscanf(strings.TrimSpace(string(data)), "pid=%d keep=%t", &pid, &keep); err != nil {
			continue
		}
		if keep || pid <= 0 || processAlive(pid) {
			continue
		}
		_ = os.RemoveAll(d)
	}
}
