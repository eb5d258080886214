//go:build parts

package store

import (
	"regexp"
	"testing"
)

func TestEveryConnectionSaysWhichEngineServesIt(t *testing.T) {
	eachTarget(t, func(t *testing.T, c Conn) {
		r, ok := c.(EngineReporter)
		if !ok {
			t.Fatalf("%T does not report its engine", c)
		}
		e, err := r.Engine(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^\d+\.\d+`).MatchString(e.Version) {
			t.Errorf("version %q is not a ClickHouse version", e.Version)
		}
		if c.Mode() == ModeEmbedded && e.Library != libPath {
			t.Errorf("library %q, want the one loaded, %q", e.Library, libPath)
		}
		if c.Mode() == ModeServer && e.Library != "" {
			t.Errorf("a server connection names a library %q", e.Library)
		}
	})
}
