package pluginarchive

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const appJSON = `{"id":"acme-demo-app","type":"app","backend":true,"executable":"gpx_demo","info":{"version":"1.2.3"}}`

// fakeDist lays out what webpack and the SDK's backend build leave in dist/.
func fakeDist(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(filepath.Base(name), "gpx_") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var target = Target{ID: "acme-demo-app", Version: "1.2.3", Platforms: []string{"linux_amd64"}}

func TestWriteLaysOutTheCatalogArchive(t *testing.T) {
	dist := fakeDist(t, map[string]string{
		"plugin.json":              appJSON,
		"module.js":                "define([],function(){})",
		"gpx_demo_linux_amd64":     "\x7fELF…",
		"datasource/plugin.json":   `{"id":"acme-demo-datasource","type":"datasource"}`,
		"img/screenshots/main.png": "\x89PNG",
	})
	out := filepath.Join(t.TempDir(), Name(target.ID, target.Version, "linux", "amd64"))
	if err := Write(dist, out, target); err != nil {
		t.Fatal(err)
	}
	if filepath.Base(out) != "acme-demo-app-1.2.3.linux_amd64.zip" {
		t.Fatalf("archive name %s", filepath.Base(out))
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	got := map[string]*zip.File{}
	var names []string
	for _, f := range zr.File {
		got[f.Name] = f
		names = append(names, f.Name)
	}
	sort.Strings(names)
	want := []string{
		"acme-demo-app/", "acme-demo-app/datasource/", "acme-demo-app/datasource/plugin.json",
		"acme-demo-app/gpx_demo_linux_amd64", "acme-demo-app/img/", "acme-demo-app/img/screenshots/",
		"acme-demo-app/img/screenshots/main.png", "acme-demo-app/module.js", "acme-demo-app/plugin.json",
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("entries\n got %v\nwant %v", names, want)
	}
	if m := got["acme-demo-app/gpx_demo_linux_amd64"].Mode(); m.Perm() != 0o755 {
		t.Errorf("executable stored with mode %v, want 0755", m)
	}
	if m := got["acme-demo-app/module.js"].Mode(); m.Perm() != 0o644 {
		t.Errorf("module.js stored with mode %v, want 0644", m)
	}
	rc, err := got["acme-demo-app/plugin.json"].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, _ := io.ReadAll(rc); string(b) != appJSON {
		t.Errorf("plugin.json content changed: %s", b)
	}
}

func TestWriteRefusesADistThatIsNotTheTarget(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string
		errPart string
	}{
		{"no build", map[string]string{"module.js": "x"}, "not a built plugin"},
		{"another plugin", map[string]string{"plugin.json": strings.Replace(appJSON, "acme-demo-app", "other-app", 1)}, `plugin "other-app"`},
		{"stale version", map[string]string{"plugin.json": strings.Replace(appJSON, "1.2.3", "1.2.2", 1), "gpx_demo_linux_amd64": "x"}, `version "1.2.2"`},
		{"no backend executable", map[string]string{"plugin.json": appJSON}, "backend executable for linux_amd64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			outDir := t.TempDir()
			err := Write(fakeDist(t, c.files), filepath.Join(outDir, "a.zip"), target)
			if err == nil || !strings.Contains(err.Error(), c.errPart) {
				t.Fatalf("Write = %v, want an error containing %q", err, c.errPart)
			}
			if left, _ := os.ReadDir(outDir); len(left) != 0 {
				t.Fatalf("a refused archive left files behind: %v", left)
			}
		})
	}
}

func TestCheckWantsTheExecutableBit(t *testing.T) {
	dist := fakeDist(t, map[string]string{"plugin.json": appJSON, "gpx_demo_linux_amd64": "x"})
	if err := os.Chmod(filepath.Join(dist, "gpx_demo_linux_amd64"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Check(dist, target); err == nil || !strings.Contains(err.Error(), "not executable") {
		t.Fatalf("Check = %v, want a not-executable error", err)
	}
}

// The repository's own plugin.json is what the mage package target reads the id from.
func TestRepositoryManifest(t *testing.T) {
	m, err := ReadManifest(filepath.Join("..", "..", "plugin.json"))
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "kubedoor-capacity-app" || !m.Backend || m.Executable != "gpx_kubedoor" {
		t.Fatalf("manifest %+v", m)
	}
}
