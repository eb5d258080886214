package pluginarchive

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WriteSource zips the files (paths relative to root, slash-separated, as `git ls-files` lists
// them) into out: the source the validator compares the build with (Go build manifest, source
// maps). Listed files that no longer exist (deleted, not yet committed) are left out.
func WriteSource(root string, files []string, out string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".pluginsource-*")
	if err != nil {
		return fmt.Errorf("creating source zip: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	zw := zip.NewWriter(tmp)
	for _, name := range files {
		if name == "" || strings.HasPrefix(name, "/") || strings.Contains("/"+name+"/", "/../") {
			return fmt.Errorf("source file %q is not inside the repository", name)
		}
		p := filepath.Join(root, filepath.FromSlash(name))
		info, err := os.Lstat(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			continue // symlinks and submodules are not source the validator reads
		}
		hdr, err := zip.FileInfoHeader(info)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		hdr.Name, hdr.Method = name, zip.Deflate
		if err := addFile(zw, hdr, p); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("finishing source zip: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("finishing source zip: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("finishing source zip: %w", err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("placing source zip: %w", err)
	}
	return nil
}
