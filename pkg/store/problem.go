package store

import (
	"errors"

	"github.com/kubedoor/kubedoor-grafana/pkg/engine"
)

// Why an embedded store did not open, as docs/troubleshooting.md ("The engine is not found")
// tells the cases apart. No library found at all is engine.ErrNotFound.
var (
	// ErrEngineLoad: a library was found but does not load (a musl system such as Alpine, a
	// broken file, or another copy already loaded in this process).
	ErrEngineLoad = errors.New("the engine library does not load")
	// ErrDataDir: the engine loaded but cannot open its data directory (not writable by
	// Grafana's user, or used by another process).
	ErrDataDir = errors.New("the engine cannot open its data directory")
)

// Problems Problem reports; the Overview says what to do for each.
const (
	ProblemEngineNotFound = "engine-not-found"
	ProblemEngineLoad     = "engine-load"
	ProblemDataDir        = "data-dir"
)

// Problem names the troubleshooting case of an error from Open, or "" when none covers it
// (a server that does not answer, a failed migration, …: the message says those).
func Problem(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, engine.ErrNotFound):
		return ProblemEngineNotFound
	case errors.Is(err, ErrEngineLoad):
		return ProblemEngineLoad
	case errors.Is(err, ErrDataDir):
		return ProblemDataDir
	}
	return ""
}
