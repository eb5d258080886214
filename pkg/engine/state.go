package engine

import (
	"context"
	"fmt"
	"os"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

// EnvMirror names another URL serving the pinned tarball (an internal npm mirror or artifact
// store); the pinned checksum still decides what is installed.
const EnvMirror = "KUBEDOOR_ENGINE_URL"

// PinnedOrMirror is Pinned with its URL replaced by $KUBEDOOR_ENGINE_URL when that is set.
func PinnedOrMirror() Package {
	p := Pinned()
	if u := os.Getenv(EnvMirror); u != "" {
		p.URL = u
	}
	return p
}

// Refusals of Install, besides ErrBusy.
var (
	// ErrPresent: a library is already where the store looks; a fetch would not be used.
	ErrPresent = refusal.Kind(refusal.ErrConflict, "the engine library is already installed")
	// ErrVersion: the caller confirmed another version than this build fetches (a stale page).
	ErrVersion = &refusal.FieldError{Field: "version", Reason: "the confirmed version is not the pinned one", Kind: refusal.ErrInvalid}
)

// State is what the config page shows about the engine for one data directory.
type State struct {
	Found      bool     `json:"found"`
	Path       string   `json:"path,omitempty"`   // the library the store would load
	Source     string   `json:"source,omitempty"` // why that place is looked at
	Places     []Place  `json:"places"`           // every place looked at, in order
	InstallDir string   `json:"installDir"`       // where Install puts the library
	Package    Package  `json:"package"`
	Fetch      Progress `json:"fetch"`
}

// State looks for the library now and adds the fetch's progress.
func (f *Fetcher) State(dataDir string) State {
	s := State{Places: Places(dataDir), InstallDir: InstallDir(dataDir), Package: f.pkg, Fetch: f.Progress()}
	if p, err := Find(dataDir); err == nil {
		s.Found, s.Path, s.Source = true, p.Path, p.Source
	}
	return s
}

// Install starts fetching the pinned package into InstallDir(dataDir) once the caller confirmed
// its version, unless the library is already found (ErrPresent) or a fetch runs (ErrBusy).
func (f *Fetcher) Install(ctx context.Context, dataDir, version string, done func(Progress)) (Progress, error) {
	if version != f.pkg.Version {
		return f.Progress(), fmt.Errorf("%w: this backend fetches %s %s, not %q; reload the page", ErrVersion, f.pkg.Name, f.pkg.Version, version)
	}
	if p, err := Find(dataDir); err == nil {
		return f.Progress(), fmt.Errorf("%w at %s (%s); remove it first to fetch again", ErrPresent, p.Path, p.Source)
	}
	return f.Start(ctx, InstallDir(dataDir), done)
}
