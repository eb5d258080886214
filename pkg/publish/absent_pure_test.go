package publish

import (
	"io"
	"log/slog"
	"testing"
	"time"
)

func TestAMissingNamespaceWaitsLongerAfterEachFailedTry(t *testing.T) {
	w := NewWorker(WorkerDeps{Log: quietLogger()}, Options{})
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	desired := []Policy{{Namespace: "gone", Name: "web"}, {Namespace: "here", Name: "api"}}
	missing := Result{Failures: []Failure{{Namespace: "gone", Name: "web", NamespaceMissing: true}}}
	w.noteAbsent("prod", desired, desired, missing, t0)
	tests := []struct {
		name     string
		at       time.Time
		why      string
		wantHeld bool
	}{
		{"a period within the first wait holds it back", t0.Add(30 * time.Second), "periodic", true},
		{"a write tries it at once", t0.Add(30 * time.Second), "trigger", false},
		{"a settings change tries it at once", t0.Add(30 * time.Second), "settings changed", false},
		{"a period after the first wait tries it", t0.Add(time.Minute), "periodic", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			try, held := w.holdBack("prod", tt.why, desired, tt.at)
			if (len(held) == 1) != tt.wantHeld || len(try)+len(held) != 2 {
				t.Fatalf("try %v held %v", try, held)
			}
		})
	}
	// Failing again doubles the wait, up to an hour.
	at := t0.Add(time.Minute)
	for _, want := range []time.Duration{2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour} {
		w.noteAbsent("prod", desired, desired, missing, at)
		if _, held := w.holdBack("prod", "periodic", desired, at.Add(want-time.Second)); len(held) != 1 {
			t.Fatalf("after a failed try at %s: not held %s later", at, want-time.Second)
		}
		if _, held := w.holdBack("prod", "periodic", desired, at.Add(want)); len(held) != 0 {
			t.Fatalf("after a failed try at %s: still held %s later", at, want)
		}
		at = at.Add(want)
	}
	// Removed from the control table: forgotten without a word.
	w.noteAbsent("prod", desired[1:], desired[1:], Result{}, at)
	if len(w.absent) != 0 {
		t.Fatalf("absent %v, want nothing once no row names the namespace", w.absent)
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
