package schedule

import (
	"time"

	"github.com/robfig/cron/v3"
)

// robfig/cron computes occurrences on the wall clock of the zone, which leaves two surprises on
// days the clock changes: a time inside the spring-forward gap (02:30 in New York on the March
// change) does not exist and is skipped for the day, and a time inside the repeated hour of the
// autumn change (01:30) fires twice. NextAfter applies the rules of the classic cron daemon
// instead, which operators expect of a daily job:
//   - a wall-clock time that falls into a gap fires at the end of the gap (03:00 local);
//   - a repeated wall-clock time fires once (the first time), unless the hour field is "*"
//     (an hourly job runs every real hour).

// starBit is robfig/cron's marker for a field written as "*".
const starBit = 1 << 63

// maxSkips bounds the repeated-hour skips in one NextAfter (each skip passes one occurrence).
const maxSkips = 120

// NextAfter is the first firing of spec strictly after t, in spec.Location, or zero if none
// within robfig/cron's five-year horizon. The result is in t's location.
func NextAfter(spec *cron.SpecSchedule, t time.Time) time.Time {
	loc := spec.Location
	from := t
	for range maxSkips {
		n := spec.Next(from)
		if n.IsZero() {
			return n
		}
		if g := gapFiring(spec, loc, from, n); !g.IsZero() {
			return g.In(t.Location())
		}
		if spec.Hour&starBit == 0 && repeatedWallTime(n, loc) {
			from = n
			continue
		}
		return n.In(t.Location())
	}
	return time.Time{}
}

// gapFiring returns the end of a spring-forward gap in (from, n] whose skipped wall-clock times
// include one the spec matches, or zero.
func gapFiring(spec *cron.SpecSchedule, loc *time.Location, from, n time.Time) time.Time {
	cur := from.In(loc)
	for range 50 { // zone periods between two occurrences; five years of DST is ~10
		_, end := cur.ZoneBounds()
		if end.IsZero() || end.After(n) {
			return time.Time{}
		}
		_, offBefore := end.Add(-time.Second).In(loc).Zone()
		_, offAfter := end.In(loc).Zone()
		if offAfter > offBefore && end.After(from) {
			wallStart := end.In(time.FixedZone("", offBefore)) // e.g. 02:00, the first skipped minute
			for m := 0; m < (offAfter-offBefore)/60; m++ {
				if matches(spec, wallStart.Add(time.Duration(m)*time.Minute)) {
					return end
				}
			}
		}
		cur = end.In(loc)
	}
	return time.Time{}
}

// repeatedWallTime reports whether n's wall-clock time already happened once, one offset change
// earlier (the second 01:30 of an autumn change).
func repeatedWallTime(n time.Time, loc *time.Location) bool {
	local := n.In(loc)
	start, _ := local.ZoneBounds()
	if start.IsZero() {
		return false
	}
	_, offNow := local.Zone()
	_, offPrev := start.Add(-time.Second).In(loc).Zone()
	if offPrev <= offNow {
		return false // the last change was not a fall-back
	}
	earlier := n.Add(-time.Duration(offPrev-offNow) * time.Second)
	// The same wall time, one repeat ago, is only a repeat if it was in the previous period.
	return earlier.Before(start) && earlier.In(loc).Format("2006-01-02 15:04") == local.Format("2006-01-02 15:04")
}

// matches reports whether wall-clock time w (its own fields) satisfies the spec's fields, with
// robfig/cron's day rule: if day-of-month or day-of-week is "*", both must match, else either.
func matches(spec *cron.SpecSchedule, w time.Time) bool {
	if spec.Minute&(1<<uint(w.Minute())) == 0 || spec.Hour&(1<<uint(w.Hour())) == 0 || spec.Month&(1<<uint(w.Month())) == 0 {
		return false
	}
	dom := spec.Dom&(1<<uint(w.Day())) != 0
	dow := spec.Dow&(1<<uint(w.Weekday())) != 0
	if spec.Dom&starBit != 0 || spec.Dow&starBit != 0 {
		return dom && dow
	}
	return dom || dow
}
