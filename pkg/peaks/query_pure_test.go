package peaks

import (
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

func TestParseRangeReadsDaysAndTimesInTheClustersZone(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC) // 2026-11-23 in Shanghai
	tests := []struct {
		name, from, to string
		want           string // "from..to" or "error:<field>"
	}{
		{"days are taken as they are", "2026-11-01", "2026-11-05", "2026-11-01..2026-11-05"},
		{"times count as their day in the cluster's zone", "2026-10-31T17:00:00Z", "2026-11-05T15:59:59Z", "2026-11-01..2026-11-05"},
		{"no range is the last 30 days up to today", "", "", "2026-10-25..2026-11-23"},
		{"no start is 30 days up to the end", "", "2026-11-05", "2026-10-07..2026-11-05"},
		{"a malformed end names to", "2026-11-01", "tomorrow", "error:to"},
		{"a malformed start names from", "11/01/2026", "", "error:from"},
		{"a backwards range names from", "2026-11-06", "2026-11-05", "error:from"},
		{"a day before 1970 is refused", "1969-12-31", "2026-11-05", "error:from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRange(tt.from, tt.to, shanghai, now)
			got := r.From.Format(time.DateOnly) + ".." + r.To.Format(time.DateOnly)
			if err != nil {
				fe, ok := refusal.AsFieldError(err)
				if !ok {
					t.Fatalf("not a field error: %v", err)
				}
				got = "error:" + fe.Field
			}
			if got != tt.want {
				t.Fatalf("got %s (%v), want %s", got, err, tt.want)
			}
		})
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range [][2]string{{"2026-11-01", "2026-11-05"}, {"2026-10-31T17:00:00Z", ""}, {"", "2026-02-30"}, {"x", "2026-11-05T25:00:00+08:00"}} {
		f.Add(s[0], s[1])
	}
	now := time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, from, to string) {
		r, err := ParseRange(from, to, time.UTC, now)
		if err != nil {
			if _, ok := refusal.AsFieldError(err); !ok {
				t.Fatalf("error %v is not a field error", err)
			}
			return
		}
		if r.To.Before(r.From) || r.From.Year() < 1970 || r.To.Year() > 2148 || r.To.Sub(r.From) > MaxRangeDays*24*time.Hour {
			t.Fatalf("accepted a range it should refuse: %v..%v", r.From, r.To)
		}
		if r.From.Location() != time.UTC || r.From.Hour() != 0 || r.To.Hour() != 0 {
			t.Fatalf("days must be midnight UTC: %v..%v", r.From, r.To)
		}
	})
}
