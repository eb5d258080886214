package audit

import (
	"testing"
	"time"
)

func TestTheSettleAgeIsFifteenMinutesUnlessTheEnvironmentGivesAPositiveDuration(t *testing.T) {
	for _, tt := range []struct {
		name, value string
		want        time.Duration
		wantErr     bool
	}{
		{"unset keeps the default", "", PendingSettle, false},
		{"a duration is taken", "3s", 3 * time.Second, false},
		{"minutes are taken", "20m", 20 * time.Minute, false},
		{"a bare number is refused", "30", PendingSettle, true},
		{"zero is refused", "0s", PendingSettle, true},
		{"a negative duration is refused", "-1m", PendingSettle, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PendingSettleFrom(tt.value)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Fatalf("PendingSettleFrom(%q) = %v, %v; want %v, error %v", tt.value, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
