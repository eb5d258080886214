// Package peakwindow turns a daily peak window written as wall-clock times ("10:00"–"11:30") in a
// cluster's IANA time zone into the absolute instants of each calendar day's window.
//
// Rules:
//   - A window whose end is at or before its start crosses midnight; it belongs to the day it
//     starts on (day D's window "22:00"–"02:00" runs from D 22:00 to D+1 02:00).
//   - Both ends are read in the wall-clock time of their own date, so on a DST-change day the
//     window keeps its wall-clock bounds and its length changes ("01:00"–"04:00" is 2 h long on a
//     spring-forward day in Europe/Berlin).
//   - A clock that falls into a skipped hour (spring forward) is the first instant after the
//     change: 02:30 on a day that jumps from 02:00 to 03:00 is 03:00. A window lying wholly in
//     the skipped hour is empty that day (the collector reports and skips it).
//   - A clock that falls into a repeated hour (fall back) is its first occurrence (the earlier
//     instant), so the window never starts later than the wall clock says.
package peakwindow

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Clock is a time of day, minutes after midnight (0..1439).
type Clock int

// ParseClock reads "HH:MM" (24-hour, two digits each).
func ParseClock(s string) (Clock, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	h, errH := strconv.Atoi(s[:2])
	m, errM := strconv.Atoi(s[3:])
	if errH != nil || errM != nil || !isDigits(s[:2]) || !isDigits(s[3:]) {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	if h > 23 || m > 59 {
		return 0, fmt.Errorf("%q is not a time of day (00:00 to 23:59)", s)
	}
	return Clock(h*60 + m), nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Hour and Minute split the clock.
func (c Clock) Hour() int   { return int(c) / 60 }
func (c Clock) Minute() int { return int(c) % 60 }

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour(), c.Minute()) }

// Window is a daily peak window.
type Window struct {
	Start, End Clock
}

// Parse reads a window from its two "HH:MM" ends. Equal ends mean a full 24 hours.
func Parse(start, end string) (Window, error) {
	s, err := ParseClock(start)
	if err != nil {
		return Window{}, fmt.Errorf("start: %w", err)
	}
	e, err := ParseClock(end)
	if err != nil {
		return Window{}, fmt.Errorf("end: %w", err)
	}
	return Window{Start: s, End: e}, nil
}

// ParseRange reads "HH:MM-HH:MM" (also accepting KubeDoor's "HH:MM:SS-HH:MM:SS" with zero seconds).
func ParseRange(s string) (Window, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Window{}, fmt.Errorf("%q is not HH:MM-HH:MM", s)
	}
	return Parse(trimZeroSeconds(strings.TrimSpace(a)), trimZeroSeconds(strings.TrimSpace(b)))
}

func trimZeroSeconds(s string) string {
	if len(s) == 8 && strings.HasSuffix(s, ":00") {
		return s[:5]
	}
	return s
}

// CrossesMidnight reports whether the window ends on the next day.
func (w Window) CrossesMidnight() bool { return w.End <= w.Start }

func (w Window) String() string { return w.Start.String() + "-" + w.End.String() }

// Span is one day's window as absolute instants.
type Span struct {
	Day        Day
	Start, End time.Time // in the zone the window was read in
}

// Duration is the span's length (not always End-Start clocks on DST days).
func (s Span) Duration() time.Duration { return s.End.Sub(s.Start) }

// On returns day's window in loc.
func (w Window) On(day Day, loc *time.Location) Span {
	endDay := day
	if w.CrossesMidnight() {
		endDay = day.AddDays(1)
	}
	return Span{Day: day, Start: WallTime(day, w.Start, loc), End: WallTime(endDay, w.End, loc)}
}

// WallTime is the instant the clock reads c on day in loc, with the package's rules for skipped
// and repeated wall-clock times.
func WallTime(day Day, c Clock, loc *time.Location) time.Time {
	naive := time.Date(day.Year, day.Month, day.Day, c.Hour(), c.Minute(), 0, 0, time.UTC)
	// Zone offsets 12 h either side: a day has at most one change, so these are the offsets
	// before and after it.
	before := offsetAt(naive.Add(-12*time.Hour), loc)
	after := offsetAt(naive.Add(12*time.Hour), loc)
	var first time.Time
	found := false
	for _, off := range []int{before, after} {
		cand := naive.Add(-time.Duration(off) * time.Second)
		if wallMatches(cand.In(loc), day, c) && (!found || cand.Before(first)) {
			first, found = cand, true
		}
	}
	if !found {
		// A skipped wall clock: read with the old offset it lands after the change, whose
		// instant is where the new zone period starts.
		first, _ = naive.Add(-time.Duration(before) * time.Second).In(loc).ZoneBounds()
	}
	return first.In(loc)
}

// offsetAt is loc's UTC offset at the instant whose UTC wall clock is naive shifted by that
// offset; close enough to pick the offsets on either side of a change.
func offsetAt(naive time.Time, loc *time.Location) int {
	_, off := naive.In(loc).Zone()
	return off
}

func wallMatches(t time.Time, day Day, c Clock) bool {
	y, m, d := t.Date()
	return y == day.Year && m == day.Month && d == day.Day && t.Hour() == c.Hour() && t.Minute() == c.Minute()
}

// Day is a calendar day in a cluster's zone.
type Day struct {
	Year  int
	Month time.Month
	Day   int
}

// DayOf returns t's calendar day in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return Day{y, m, d}
}

// ParseDay reads "YYYY-MM-DD".
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Day{}, fmt.Errorf("%q is not a day (YYYY-MM-DD)", s)
	}
	return Day{t.Year(), t.Month(), t.Day()}, nil
}

// AddDays returns the day n days later (earlier when n < 0).
func (d Day) AddDays(n int) Day {
	y, m, dd := time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC).Date()
	return Day{y, m, dd}
}

// Time is the day's midnight in UTC: the value a ClickHouse Date column takes.
func (d Day) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Before reports whether d is earlier than o.
func (d Day) Before(o Day) bool { return d.Time().Before(o.Time()) }

// DaysUntil is the number of days from d to o (negative when o is earlier).
func (d Day) DaysUntil(o Day) int { return int(o.Time().Sub(d.Time()).Hours() / 24) }

// IsZero reports whether d is the zero Day.
func (d Day) IsZero() bool { return d == Day{} }

func (d Day) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// MarshalText writes "YYYY-MM-DD".
func (d Day) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "YYYY-MM-DD".
func (d *Day) UnmarshalText(b []byte) error {
	v, err := ParseDay(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// LatestEnded returns the latest day whose window (read in loc) has ended at or before now.
func (w Window) LatestEnded(now time.Time, loc *time.Location) Day {
	d := DayOf(now, loc)
	for w.On(d, loc).End.After(now) {
		d = d.AddDays(-1)
	}
	return d
}

// Between returns the days' spans of w, read in loc, that overlap [from, to), earliest first.
// It starts a day before from's day, since a window crossing midnight reaches into the next
// day; spans that are empty (a window wholly in a skipped hour) are left out.
func (w Window) Between(from, to time.Time, loc *time.Location) []Span {
	if !to.After(from) {
		return nil
	}
	var out []Span
	last := DayOf(to, loc)
	for d := DayOf(from, loc).AddDays(-1); !last.Before(d); d = d.AddDays(1) {
		s := w.On(d, loc)
		if s.End.After(s.Start) && s.End.After(from) && s.Start.Before(to) {
			out = append(out, s)
		}
	}
	return out
}
