// Package engine finds libchdb.so (the ClickHouse engine the embedded store loads) and, when an
// admin asks, fetches the pinned engine package into the plugin's data directory. The plugin
// archive cannot carry the library (docs/troubleshooting.md, "engine not found"), so a Grafana
// admin who keeps the default storage gets it here, verified against a pinned checksum.
package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The pinned engine package: the npm package scripts/fetch-libchdb.sh uses, its tarball and the
// registry's dist.integrity (`npm view @chdb/lib-linux-x64-gnu@26.5.3 dist --json`). A fetch
// installs these bytes or nothing.
const (
	PackageName    = "@chdb/lib-linux-x64-gnu"
	PackageVersion = "26.5.3"
	TarballURL     = "https://registry.npmjs.org/@chdb/lib-linux-x64-gnu/-/lib-linux-x64-gnu-26.5.3.tgz"
	Integrity      = "sha512-fPrLmRt5Moor9yGz4mazbrNje4t7X9KB2mTGkXFWRxRBs2iKy8yh6jx11xsa0Qr3iDFMU/yHqd+bVdYJXu3QaQ=="
	// TarballSize is the tarball's size in bytes, the progress total when the server sends no
	// Content-Length.
	TarballSize = 166_572_008

	// FileName is the library's file name wherever it is looked for.
	FileName = "libchdb.so"
	// tarMember is the library's path inside the package tarball.
	tarMember = "package/" + FileName
	// DirName is the folder, next to the embedded data directory, that fetched engines go to.
	DirName = "kubedoor-engine"
	// EnvLibrary names the library explicitly; when set it is the only place looked at.
	EnvLibrary = "KUBEDOOR_LIBCHDB"
)

// Package describes a package the fetcher installs: where it is and what it must hash to.
type Package struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	URL       string `json:"url"`
	Integrity string `json:"integrity"` // "sha512-<base64>", as npm's dist.integrity
	Size      int64  `json:"size"`      // approximate; the progress total without Content-Length
}

// Pinned is the package this build of the plugin fetches.
func Pinned() Package {
	return Package{Name: PackageName, Version: PackageVersion, URL: TarballURL, Integrity: Integrity, Size: TarballSize}
}

// Place is one place the library is looked for.
type Place struct {
	Path   string `json:"path"`
	Source string `json:"source"` // why it is looked at, for the admin
	Exists bool   `json:"exists"`
}

// Sources of Places.
const (
	SourceEnv      = EnvLibrary
	SourceExe      = "next to the plugin executable"
	SourceFetched  = "the plugin's data directory (where Download engine installs it)"
	errNotFoundFmt = "%w: looked at %s. Download it from the app's configuration page, install it by hand (docs/troubleshooting.md), or use server mode"
)

// ErrNotFound is returned (wrapped) by Find when no place has the library.
var ErrNotFound = errors.New("engine library not found")

// InstallDir is where a fetch puts the pinned engine for the embedded data directory dataDir:
// a versioned folder beside it (the engine owns dataDir itself, so nothing is added inside it).
func InstallDir(dataDir string) string {
	return filepath.Join(filepath.Dir(filepath.Clean(dataDir)), DirName, PackageVersion)
}

// Places lists where the library is looked for, in order: $KUBEDOOR_LIBCHDB alone when set (an
// explicit choice must not silently fall back), else next to the executable (where a hand-made
// plugin package ships it), then InstallDir(dataDir).
func Places(dataDir string) []Place {
	if p := os.Getenv(EnvLibrary); p != "" {
		return []Place{place(p, SourceEnv)}
	}
	var out []Place
	if exe, err := os.Executable(); err == nil {
		out = append(out, place(filepath.Join(filepath.Dir(exe), FileName), SourceExe))
	}
	if dataDir != "" {
		out = append(out, place(filepath.Join(InstallDir(dataDir), FileName), SourceFetched))
	}
	return out
}

func place(path, source string) Place {
	st, err := os.Stat(path)
	return Place{Path: path, Source: source, Exists: err == nil && st.Mode().IsRegular()}
}

// Find returns the first place holding the library, or an error wrapping ErrNotFound that says
// where it looked and what to do.
func Find(dataDir string) (Place, error) {
	places := Places(dataDir)
	for _, p := range places {
		if p.Exists {
			return p, nil
		}
	}
	where := make([]string, len(places))
	for i, p := range places {
		where[i] = p.Path + " (" + p.Source + ")"
	}
	return Place{}, fmt.Errorf(errNotFoundFmt, ErrNotFound, strings.Join(where, ", "))
}
