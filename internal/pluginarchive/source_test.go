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

func TestWriteSourceZipsTheListedFiles(t *testing.T) {
	root := fakeDist(t, map[string]string{
		"go.mod":        "module x",
		"pkg/main.go":   "package main // edited, not committed",
		"src/module.ts": "export {}",
		"ignored.log":   "not listed",
	})
	if err := os.Symlink("/nowhere", filepath.Join(root, "node_modules")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "source.zip")
	listed := []string{"go.mod", "pkg/main.go", "src/module.ts", "deleted.go", "node_modules"}
	if err := WriteSource(root, listed, out); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == "pkg/main.go" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if string(b) != "package main // edited, not committed" {
				t.Errorf("pkg/main.go holds %q, want the working tree's content", b)
			}
		}
	}
	sort.Strings(names)
	if got := strings.Join(names, " "); got != "go.mod pkg/main.go src/module.ts" {
		t.Fatalf("entries %s", got)
	}
}

func TestWriteSourceRefusesPathsOutsideTheRoot(t *testing.T) {
	for _, name := range []string{"../secret", "/etc/passwd", "a/../../b", ""} {
		out := filepath.Join(t.TempDir(), "source.zip")
		if err := WriteSource(t.TempDir(), []string{name}, out); err == nil {
			t.Errorf("%q was accepted", name)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%q left a zip behind", name)
		}
	}
}
