package synth

import (
	"fmt"
	"time"
)

// Date is a calendar day in a cluster's zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// AddDays returns the date n days later (earlier when negative).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Clock is a time of day.
type Clock struct{ Hour, Minute int }

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// PeakWindow is a daily window; End at or before Start crosses midnight.
type PeakWindow struct{ Start, End Clock }

// DefaultPeak is the product's default peak window, 10:00–11:30.
var DefaultPeak = PeakWindow{Clock{10, 0}, Clock{11, 30}}

// Window is one day's peak window as absolute times.
type Window struct {
	Day        Date
	Start, End time.Time
}

// Duration is the window's length.
func (w Window) Duration() time.Duration { return w.End.Sub(w.Start) }

// WindowOf returns the absolute window of day in loc.
func (p PeakWindow) WindowOf(day Date, loc *time.Location) Window {
	start := time.Date(day.Year, day.Month, day.Day, p.Start.Hour, p.Start.Minute, 0, 0, loc)
	endDay := day
	if p.End.Hour*60+p.End.Minute <= p.Start.Hour*60+p.Start.Minute {
		endDay = day.AddDays(1)
	}
	end := time.Date(endDay.Year, endDay.Month, endDay.Day, p.End.Hour, p.End.Minute, 0, 0, loc)
	return Window{Day: day, Start: start, End: end}
}

// Windows returns the cluster's window for each of its days.
func (c *Cluster) Windows() []Window {
	ws := make([]Window, len(c.Days))
	for i, d := range c.Days {
		ws[i] = c.Peak.WindowOf(d, c.location())
	}
	return ws
}

// span is a half-open stretch of Unix seconds [from, to).
type span struct{ from, to int64 }

// dataSpans returns the stretches data is written for: each window widened by the margin, with
// the end included (hence +1, as spans are half-open).
func dataSpans(windows []Window, margin time.Duration) []span {
	m := int64(margin / time.Second)
	out := make([]span, 0, len(windows))
	for _, w := range windows {
		s := span{w.Start.Unix() - m, w.End.Unix() + m + 1}
		if n := len(out); n > 0 && s.from <= out[n-1].to {
			out[n-1].to = max(out[n-1].to, s.to)
			continue
		}
		out = append(out, s)
	}
	return out
}

// DataRange returns the first and last sample instant written for any cluster.
func (s Scenario) DataRange() (first, last time.Time) {
	s = s.withDefaults()
	var lo, hi int64
	for i := range s.Clusters {
		for _, sp := range dataSpans(s.Clusters[i].Windows(), s.Margin) {
			if lo == 0 || sp.from < lo {
				lo = sp.from
			}
			hi = max(hi, sp.to-1)
		}
	}
	return time.Unix(lo, 0).UTC(), time.Unix(hi, 0).UTC()
}

// alignUp returns the first multiple of step at or after t.
func alignUp(t, step int64) int64 {
	if r := ((t % step) + step) % step; r != 0 {
		return t + step - r
	}
	return t
}

// alignDown returns the last multiple of step at or before t.
func alignDown(t, step int64) int64 { return t - ((t%step)+step)%step }
