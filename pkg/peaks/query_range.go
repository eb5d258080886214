package peaks

import (
	"fmt"
	"strings"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

// DefaultRangeDays is how far back a query looks when it names no start.
const DefaultRangeDays = 30

// ParseRange reads the from/to query parameters of the peak routes. Each is a calendar day
// (YYYY-MM-DD) or an RFC 3339 time, which counts as its day in loc (the cluster's zone: a
// dashboard's time range arrives as times). A missing to is today in loc; a missing from is
// DefaultRangeDays days up to to. Problems come back as *refusal.FieldError.
func ParseRange(from, to string, loc *time.Location, now time.Time) (Range, error) {
	if loc == nil {
		loc = time.UTC
	}
	var r Range
	var err error
	if to == "" {
		r.To = dateIn(now, loc)
	} else if r.To, err = parseDay(to, loc); err != nil {
		return Range{}, &refusal.FieldError{Field: "to", Reason: err.Error()}
	}
	if from == "" {
		r.From = r.To.AddDate(0, 0, -(DefaultRangeDays - 1))
	} else if r.From, err = parseDay(from, loc); err != nil {
		return Range{}, &refusal.FieldError{Field: "from", Reason: err.Error()}
	}
	if err := r.Validate(); err != nil {
		return Range{}, &refusal.FieldError{Field: "from", Reason: err.Error()}
	}
	return r, nil
}

func parseDay(v string, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	if len(v) == len(time.DateOnly) {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return time.Time{}, fmt.Errorf("must be a day (YYYY-MM-DD) or an RFC 3339 time, got %q", v)
		}
		return checkYear(d)
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("must be a day (YYYY-MM-DD) or an RFC 3339 time, got %q", v)
	}
	return checkYear(dateIn(t, loc))
}

// checkYear keeps days inside what the store's Date column holds (1970-01-01 .. 2149-06-06).
func checkYear(d time.Time) (time.Time, error) {
	if d.Year() < 1970 || d.Year() > 2148 {
		return time.Time{}, fmt.Errorf("day %s is outside 1970..2148", d.Format(time.DateOnly))
	}
	return d, nil
}

// dateIn is t's calendar day in loc, as midnight UTC (how the store keeps days).
func dateIn(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
