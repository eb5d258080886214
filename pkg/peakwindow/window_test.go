package peakwindow

import (
	"strings"
	"testing"
	"time"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseClock(t *testing.T) {
	tests := []struct {
		name, in string
		want     Clock
		wantErr  bool
	}{
		{"midnight is the first minute", "00:00", 0, false},
		{"last minute of the day", "23:59", 23*60 + 59, false},
		{"default peak start", "10:00", 600, false},
		{"hour 24 is refused", "24:00", 0, true},
		{"minute 60 is refused", "10:60", 0, true},
		{"one-digit hour is refused", "9:00", 0, true},
		{"seconds are refused", "10:00:00", 0, true},
		{"signs are refused", "+1:00", 0, true},
		{"empty is refused", "", 0, true},
		{"a dot separator is refused", "10.00", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseClock(tt.in)
			if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
				t.Fatalf("ParseClock(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseRangeAcceptsKubeDoorsFormat(t *testing.T) {
	w, err := ParseRange("10:00:00-11:30:00")
	if err != nil || w.String() != "10:00-11:30" {
		t.Fatalf("got %v, %v", w, err)
	}
	if _, err := ParseRange("10:00:30-11:30:00"); err == nil {
		t.Fatal("seconds other than :00 accepted")
	}
}

func TestWindowOn(t *testing.T) {
	utc := time.UTC
	sh := mustLoad(t, "Asia/Shanghai")
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	tests := []struct {
		name       string
		window     string
		day        Day
		loc        *time.Location
		start, end string // RFC 3339 in UTC
	}{
		{"default window in UTC", "10:00-11:30", Day{2026, 3, 2}, utc, "2026-03-02T10:00:00Z", "2026-03-02T11:30:00Z"},
		{"window crossing midnight in Shanghai belongs to the start day", "22:00-02:00", Day{2026, 3, 2}, sh, "2026-03-02T14:00:00Z", "2026-03-02T18:00:00Z"},
		{"equal ends are 24 hours", "10:00-10:00", Day{2026, 3, 2}, utc, "2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z"},
		{"spring forward shortens a window spanning the gap", "01:00-04:00", Day{2026, 3, 29}, berlin, "2026-03-29T00:00:00Z", "2026-03-29T02:00:00Z"},
		{"a start in the skipped hour is the instant of the change", "02:30-04:00", Day{2026, 3, 29}, berlin, "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"},
		{"a window wholly in the skipped hour is empty", "02:10-02:50", Day{2026, 3, 29}, berlin, "2026-03-29T01:00:00Z", "2026-03-29T01:00:00Z"},
		{"fall back lengthens a window spanning the repeat", "01:00-04:00", Day{2026, 10, 25}, berlin, "2026-10-24T23:00:00Z", "2026-10-25T03:00:00Z"},
		{"a start in the repeated hour is its first occurrence", "02:30-03:30", Day{2026, 10, 25}, berlin, "2026-10-25T00:30:00Z", "2026-10-25T02:30:00Z"},
		{"New York spring forward, peak after the change is unaffected", "10:00-11:30", Day{2026, 3, 8}, ny, "2026-03-08T14:00:00Z", "2026-03-08T15:30:00Z"},
		{"New York crossing midnight into fall back", "23:00-01:30", Day{2026, 10, 31}, ny, "2026-11-01T03:00:00Z", "2026-11-01T05:30:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := ParseRange(tt.window)
			if err != nil {
				t.Fatal(err)
			}
			sp := w.On(tt.day, tt.loc)
			if got := sp.Start.UTC().Format(time.RFC3339); got != tt.start {
				t.Errorf("start %s, want %s", got, tt.start)
			}
			if got := sp.End.UTC().Format(time.RFC3339); got != tt.end {
				t.Errorf("end %s, want %s", got, tt.end)
			}
			if sp.Day != tt.day {
				t.Errorf("day %v, want %v", sp.Day, tt.day)
			}
		})
	}
}

func TestLatestEnded(t *testing.T) {
	sh := mustLoad(t, "Asia/Shanghai")
	tests := []struct {
		name   string
		window string
		now    string
		loc    *time.Location
		want   Day
	}{
		{"before today's window ends it is yesterday", "10:00-11:30", "2026-03-02T11:29:59Z", time.UTC, Day{2026, 3, 1}},
		{"at the end instant today counts", "10:00-11:30", "2026-03-02T11:30:00Z", time.UTC, Day{2026, 3, 2}},
		{"a midnight-crossing window not yet ended at 01:00 gives the day before yesterday", "22:00-02:00", "2026-03-02T17:00:00Z", sh, Day{2026, 3, 1}},
		{"a midnight-crossing window ended at 02:00 gives yesterday", "22:00-02:00", "2026-03-02T18:00:00Z", sh, Day{2026, 3, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _ := ParseRange(tt.window)
			now, _ := time.Parse(time.RFC3339, tt.now)
			if got := w.LatestEnded(now, tt.loc); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDayText(t *testing.T) {
	var d Day
	if err := d.UnmarshalText([]byte("2026-02-29")); err == nil {
		t.Fatal("2026-02-29 accepted")
	}
	if err := d.UnmarshalText([]byte("2028-02-29")); err != nil || d.String() != "2028-02-29" {
		t.Fatalf("%v %v", d, err)
	}
	if n := (Day{2026, 1, 30}).DaysUntil(Day{2026, 3, 1}); n != 30 {
		t.Fatalf("DaysUntil = %d", n)
	}
}

// FuzzParseRange checks that any accepted window round-trips and yields a span of no negative
// length and no longer than a day plus an hour (DST), in a zone with changes.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"10:00-11:30", "22:00-02:00", "00:00-00:00", "10:00:00-11:30:00", "25:00-1:00", "-", "02:30-03:30"} {
		f.Add(s)
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseRange(s)
		if err != nil {
			return
		}
		again, err := ParseRange(w.String())
		if err != nil || again != w {
			t.Fatalf("%q parsed to %v, which re-parses to %v, %v", s, w, again, err)
		}
		for _, day := range []Day{{2026, 3, 29}, {2026, 10, 25}, {2026, 6, 1}} {
			sp := w.On(day, loc)
			if d := sp.Duration(); d < 0 || d > 25*time.Hour || (day.Month == 6 && d <= 0) {
				t.Fatalf("%v on %v: duration %v", w, day, d)
			}
		}
	})
}

func TestBetweenListsTheSpansOverlappingTheRange(t *testing.T) {
	utc := time.UTC
	sh := mustLoad(t, "Asia/Shanghai")
	berlin := mustLoad(t, "Europe/Berlin")
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name     string
		w        string
		loc      *time.Location
		from, to string
		want     []string // start/end in RFC 3339, UTC
	}{
		{"two days of the default window", "10:00-11:30", utc, "2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z",
			[]string{"2026-03-01T10:00:00Z/2026-03-01T11:30:00Z", "2026-03-02T10:00:00Z/2026-03-02T11:30:00Z"}},
		{"a window the range cuts is listed whole", "10:00-11:30", utc, "2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z",
			[]string{"2026-03-01T10:00:00Z/2026-03-01T11:30:00Z"}},
		{"a range ending inside a window keeps it", "10:00-11:30", utc, "2026-03-01T11:00:00Z", "2026-03-02T10:30:00Z",
			[]string{"2026-03-01T10:00:00Z/2026-03-01T11:30:00Z", "2026-03-02T10:00:00Z/2026-03-02T11:30:00Z"}},
		{"a range between windows has none", "10:00-11:30", utc, "2026-03-01T12:00:00Z", "2026-03-02T09:00:00Z", nil},
		{"the range end is exclusive", "10:00-11:30", utc, "2026-03-01T12:00:00Z", "2026-03-02T10:00:00Z", nil},
		{"the range start is exclusive of a window ending then", "10:00-11:30", utc, "2026-03-01T11:30:00Z", "2026-03-01T12:00:00Z", nil},
		{"a window crossing midnight started the day before the range", "22:00-02:00", utc, "2026-03-02T01:00:00Z", "2026-03-02T03:00:00Z",
			[]string{"2026-03-01T22:00:00Z/2026-03-02T02:00:00Z"}},
		{"a window crossing midnight on each day of the range", "22:00-02:00", utc, "2026-03-01T00:00:00Z", "2026-03-02T23:00:00Z",
			[]string{"2026-02-28T22:00:00Z/2026-03-01T02:00:00Z", "2026-03-01T22:00:00Z/2026-03-02T02:00:00Z", "2026-03-02T22:00:00Z/2026-03-03T02:00:00Z"}},
		{"the cluster's zone places the window", "10:00-11:30", sh, "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z",
			[]string{"2026-03-01T02:00:00Z/2026-03-01T03:30:00Z"}},
		{"a zone ahead of UTC puts a late window on the previous UTC day", "01:00-03:00", sh, "2026-03-01T16:00:00Z", "2026-03-01T20:00:00Z",
			[]string{"2026-03-01T17:00:00Z/2026-03-01T19:00:00Z"}},
		{"a spring-forward day keeps the wall clock", "01:00-04:00", berlin, "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z",
			// 29 March: 01:00 CET to 04:00 CEST, 2 h; 30 March: both ends CEST.
			[]string{"2026-03-29T00:00:00Z/2026-03-29T02:00:00Z", "2026-03-29T23:00:00Z/2026-03-30T02:00:00Z"}},
		{"a window wholly in the skipped hour is empty that day", "02:10-02:50", berlin, "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z",
			[]string{"2026-03-30T00:10:00Z/2026-03-30T00:50:00Z"}},
		{"equal ends are a full day", "06:00-06:00", utc, "2026-03-01T12:00:00Z", "2026-03-01T13:00:00Z",
			[]string{"2026-03-01T06:00:00Z/2026-03-02T06:00:00Z"}},
		{"an empty range has none", "10:00-11:30", utc, "2026-03-02T00:00:00Z", "2026-03-01T00:00:00Z", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := ParseRange(tt.w)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range w.Between(at(tt.from), at(tt.to), tt.loc) {
				got = append(got, s.Start.UTC().Format(time.RFC3339)+"/"+s.End.UTC().Format(time.RFC3339))
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("Between(%s, %s) in %s:\n got %v\nwant %v", tt.from, tt.to, tt.loc, got, tt.want)
			}
		})
	}
}
