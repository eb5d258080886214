// Package pluginarchive writes the built plugin (dist/) into the zip Grafana's plugin catalog
// receives: one top folder named for the plugin id holding dist's content, file modes kept so
// the backend executables stay executable.
package pluginarchive

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// Manifest is the part of a plugin.json the archive depends on.
type Manifest struct {
	ID         string `json:"id"`
	Backend    bool   `json:"backend"`
	Executable string `json:"executable"`
	Info       struct {
		Version string `json:"version"`
	} `json:"info"`
}

// ReadManifest reads the plugin.json at p.
func ReadManifest(p string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(p)
	if err != nil {
		return m, fmt.Errorf("reading plugin manifest: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("parsing plugin manifest %s: %w", p, err)
	}
	if m.ID == "" {
		return m, fmt.Errorf("plugin manifest %s has no id", p)
	}
	return m, nil
}

// Name is the catalog's file name for a plugin archive of one platform.
func Name(id, version, goos, goarch string) string {
	return fmt.Sprintf("%s-%s.%s_%s.zip", id, version, goos, goarch)
}

// Target is what the archive must contain: the plugin id and version (as the built plugin.json
// states them) and the backend platforms whose executables must be present.
type Target struct {
	ID, Version string
	Platforms   []string // e.g. "linux_amd64"
}

// Check refuses a dist folder that is not the build of target: another plugin, a stale version,
// or a backend plugin without its executables.
func Check(dist string, target Target) error {
	m, err := ReadManifest(filepath.Join(dist, "plugin.json"))
	if err != nil {
		return fmt.Errorf("%s is not a built plugin: %w", dist, err)
	}
	if m.ID != target.ID {
		return fmt.Errorf("%s/plugin.json is plugin %q, want %q", dist, m.ID, target.ID)
	}
	if m.Info.Version != target.Version {
		return fmt.Errorf("%s/plugin.json has version %q, want %q (rebuild the frontend)", dist, m.Info.Version, target.Version)
	}
	if !m.Backend {
		return nil
	}
	for _, p := range target.Platforms {
		exe := filepath.Join(dist, m.Executable+"_"+p)
		st, err := os.Stat(exe)
		if err != nil {
			return fmt.Errorf("backend executable for %s: %w", p, err)
		}
		if st.Mode().Perm()&0o111 == 0 {
			return fmt.Errorf("backend executable %s is not executable (mode %v)", exe, st.Mode())
		}
	}
	return nil
}

// Write zips dist into out, every entry under the folder top, after checking dist against
// target. out is written beside itself first and renamed, so a failed run leaves no half zip.
func Write(dist, out string, target Target) (err error) {
	if err := Check(dist, target); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".pluginarchive-*")
	if err != nil {
		return fmt.Errorf("creating archive: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	zw := zip.NewWriter(tmp)
	if err := addTree(zw, dist, target.ID); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("finishing archive: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("finishing archive: %w", err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("placing archive: %w", err)
	}
	return nil
}

func addTree(zw *zip.Writer, dist, top string) error {
	return filepath.WalkDir(dist, func(p string, d fs.DirEntry, walkErr error) error {
		if walkErr != nil {
			return walkErr
		}
		rel, err := filepath.Rel(dist, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() && !info.IsDir() {
			return fmt.Errorf("%s: only files and folders can be archived (mode %v)", p, info.Mode())
		}
		hdr, err := zip.FileInfoHeader(info)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		hdr.Name = path.Join(top, filepath.ToSlash(rel))
		if info.IsDir() {
			hdr.Name += "/"
			_, err = zw.CreateHeader(hdr)
			return err
		}
		hdr.Method = zip.Deflate
		return addFile(zw, hdr, p)
	})
}

func addFile(zw *zip.Writer, hdr *zip.FileHeader, p string) error {
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return fmt.Errorf("%s: %w", hdr.Name, err)
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, f)
	return errors.Join(err, f.Close())
}
