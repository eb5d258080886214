package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindLooksInTheDocumentedOrder(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	besideExe := filepath.Join(filepath.Dir(exe), FileName)
	if _, err := os.Stat(besideExe); err == nil {
		t.Skipf("%s exists; the order cannot be observed", besideExe)
	}
	dataDir := filepath.Join(t.TempDir(), "grafana", "kubedoor-chdb")
	fetched := filepath.Join(filepath.Dir(dataDir), DirName, PackageVersion, FileName)

	t.Run("nothing installed: the error names every place and the ways out", func(t *testing.T) {
		t.Setenv(EnvLibrary, "")
		_, err := Find(dataDir)
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), besideExe) || !strings.Contains(err.Error(), fetched) || !strings.Contains(err.Error(), "server mode") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("a fetched engine beside the data directory is found", func(t *testing.T) {
		t.Setenv(EnvLibrary, "")
		if err := os.MkdirAll(filepath.Dir(fetched), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fetched, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Find(dataDir)
		if err != nil || p.Path != fetched || p.Source != SourceFetched {
			t.Fatalf("found %+v, %v", p, err)
		}
	})
	t.Run("KUBEDOOR_LIBCHDB is the only place when set, even while missing", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "nope.so")
		t.Setenv(EnvLibrary, missing)
		if pl := Places(dataDir); len(pl) != 1 || pl[0].Path != missing || pl[0].Exists {
			t.Fatalf("places %+v", pl)
		}
		if _, err := Find(dataDir); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), EnvLibrary) {
			t.Fatalf("error %v", err)
		}
	})
}

func TestThePinnedIntegrityIsAWellFormedSHA512(t *testing.T) {
	if _, err := parseIntegrity(Pinned().Integrity); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(Pinned().URL, PackageVersion) {
		t.Fatalf("the tarball URL %s is not of version %s", Pinned().URL, PackageVersion)
	}
}

func TestInstallRefusesAStaleVersionAndAnEngineAlreadyThere(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "kubedoor-chdb")
	f := NewFetcher(Options{Package: &Package{Name: "@test/lib", Version: "1.0.0", URL: "http://127.0.0.1:1/never", Integrity: Integrity}})
	if _, err := f.Install(t.Context(), dataDir, "0.9.0", nil); !errors.Is(err, ErrVersion) {
		t.Fatalf("a stale version: %v, want ErrVersion", err)
	}
	present := filepath.Join(t.TempDir(), "libchdb.so")
	if err := os.WriteFile(present, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvLibrary, present)
	if _, err := f.Install(t.Context(), dataDir, "1.0.0", nil); !errors.Is(err, ErrPresent) || !strings.Contains(err.Error(), present) {
		t.Fatalf("an engine already there: %v, want ErrPresent naming %s", err, present)
	}
	if st := f.State(dataDir); !st.Found || st.Path != present || st.Fetch.State != StateIdle || st.InstallDir != InstallDir(dataDir) {
		t.Fatalf("state %+v", st)
	}
}
