package resize

import (
	"testing"
	"time"
)

func TestMaintenanceWindow(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	sat := func(h, m int) time.Time { return time.Date(2026, 12, 5, h, m, 0, 0, berlin) } // a Saturday
	cases := []struct {
		name   string
		window string
		at     time.Time
		open   bool
		bad    bool
	}{
		{"inside: an hour after the start", "0 2 * * 6; 3h; Europe/Berlin", sat(3, 0), true, false},
		{"at the start", "0 2 * * 6; 3h; Europe/Berlin", sat(2, 0), true, false},
		{"at the end it is closed", "0 2 * * 6; 3h; Europe/Berlin", sat(5, 0), false, false},
		{"before the start", "0 2 * * 6; 3h; Europe/Berlin", sat(1, 59), false, false},
		{"another day", "0 2 * * 6; 3h; Europe/Berlin", sat(3, 0).AddDate(0, 0, 1), false, false},
		{"the zone counts: 02:00 UTC is 03:00 in Berlin", "0 2 * * 6; 30m", sat(3, 10), true, false},
		{"a window crossing midnight", "0 23 * * *; 2h; Europe/Berlin", sat(0, 30), true, false},
		{"a cron that never fires is never open", "0 0 30 2 *; 24h", sat(3, 0), false, false},
		{"a descriptor is refused", "@daily; 1h", sat(0, 0), false, true},
		{"six fields are refused", "0 0 2 * * 6; 1h", sat(0, 0), false, true},
		{"a day-long duration is the most", "0 2 * * *; 25h", sat(0, 0), false, true},
		{"an unknown zone is refused", "0 2 * * *; 1h; Mars/Olympus", sat(0, 0), false, true},
		{"missing parts are refused", "0 2 * * *", sat(0, 0), false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := ParseWindow(tc.window)
			if tc.bad {
				if err == nil {
					t.Fatalf("ParseWindow(%q) accepted", tc.window)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := w.Open(tc.at); got != tc.open {
				t.Fatalf("Open(%s) = %v; want %v", tc.at, got, tc.open)
			}
		})
	}
}
