package resize

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// AnnotationMaintenanceWindow on a namespace says when a workload whose pods cannot be resized in
// place may instead be restarted (rolled out) with the table's values, e.g.
// "0 2 * * 6; 3h; Europe/Berlin": starts on a 5-field cron, lasts a duration, in an IANA zone.
const AnnotationMaintenanceWindow = "kubedoor.io/maintenance-window"

// MaxWindow bounds a window's length: a week would make it always open.
const MaxWindow = 24 * time.Hour

// Window is a parsed maintenance window.
type Window struct {
	start    cron.Schedule
	duration time.Duration
	loc      *time.Location
}

var windowParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// ParseWindow reads "<cron>; <duration>; <zone>" (the zone may be left out: UTC).
func ParseWindow(s string) (Window, error) {
	parts := strings.Split(s, ";")
	if len(parts) < 2 || len(parts) > 3 {
		return Window{}, fmt.Errorf("maintenance window %q: want \"<cron>; <duration>; <zone>\", e.g. \"0 2 * * 6; 3h; Europe/Berlin\"", s)
	}
	spec := strings.TrimSpace(parts[0])
	if len(strings.Fields(spec)) != 5 {
		return Window{}, fmt.Errorf("maintenance window %q: the cron needs exactly 5 fields", s)
	}
	sched, err := windowParser.Parse(spec)
	if err != nil {
		return Window{}, fmt.Errorf("maintenance window %q: %w", s, err)
	}
	d, err := time.ParseDuration(strings.TrimSpace(parts[1]))
	if err != nil || d <= 0 || d > MaxWindow {
		return Window{}, fmt.Errorf("maintenance window %q: the duration must be above 0 and at most %s", s, MaxWindow)
	}
	loc := time.UTC
	if len(parts) == 3 {
		zone := strings.TrimSpace(parts[2])
		if zone == "Local" {
			return Window{}, fmt.Errorf("maintenance window %q: name an IANA zone, not Local", s)
		}
		if loc, err = time.LoadLocation(zone); err != nil {
			return Window{}, fmt.Errorf("maintenance window %q: %w", s, err)
		}
	}
	return Window{start: sched, duration: d, loc: loc}, nil
}

// Open reports whether now lies inside a window: some start in (now − duration, now]. A cron that
// never fires ("0 0 30 2 *": robfig/cron answers the zero time) is never open.
func (w Window) Open(now time.Time) bool {
	next := w.start.Next(now.In(w.loc).Add(-w.duration))
	return !next.IsZero() && !next.After(now)
}

// Next is the next start after now.
func (w Window) Next(now time.Time) time.Time { return w.start.Next(now.In(w.loc)) }
