package resize

import (
	"testing"
	"time"
)

// FuzzParseWindow: any annotation value parses or is refused with an error, never panics, and a
// parsed window is open only when a start lies within its duration before now.
func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"0 2 * * 6; 3h; Europe/Berlin", "0 0 30 2 *; 1h", "* * * * *; 1m; UTC", "; ;", "0 2 * * 6;3h;Local", "@daily; 1h", "0 2 * * 6; 25h"} {
		f.Add(s, int64(1764806400))
	}
	f.Fuzz(func(t *testing.T, s string, unix int64) {
		w, err := ParseWindow(s)
		if err != nil {
			return
		}
		now := time.Unix(unix%(400*365*24*3600), 0).UTC()
		if w.duration <= 0 || w.duration > MaxWindow {
			t.Fatalf("%q parsed with duration %s", s, w.duration)
		}
		next := w.start.Next(now.In(w.loc).Add(-w.duration))
		if w.Open(now) != (!next.IsZero() && !next.After(now) && next.After(now.Add(-w.duration-time.Second))) {
			t.Fatalf("%q at %s: open %v, but the start after now−duration is %s", s, now, w.Open(now), next)
		}
	})
}
