package store

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/engine"
)

func TestProblemNamesTheTroubleshootingCaseOfAnOpenError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"no error is no problem", nil, ""},
		{"no library anywhere is engine-not-found", fmt.Errorf("opening embedded store: store config: locating the engine: %w: looked at x", engine.ErrNotFound), ProblemEngineNotFound},
		{"a library that does not load is engine-load", fmt.Errorf("opening embedded store: store: %w: dlopen", ErrEngineLoad), ProblemEngineLoad},
		{"a data directory the engine cannot open is data-dir", fmt.Errorf("opening embedded store: store: %w: creating it", ErrDataDir), ProblemDataDir},
		{"a server that does not answer has no section", errors.New("opening server store: dial tcp: connection refused"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Problem(tt.err); got != tt.want {
				t.Errorf("Problem(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}
