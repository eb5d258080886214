package collect

import (
	"testing"
	"time"
)

func TestStepKeepsEveryQueryWithin11000Points(t *testing.T) {
	tests := []struct {
		name       string
		resolution time.Duration
		window     time.Duration
		want       time.Duration
	}{
		{"the default window keeps the resolution", 30 * time.Second, 90 * time.Minute, 30 * time.Second},
		{"a day at 30s keeps the resolution", 30 * time.Second, 24 * time.Hour, 30 * time.Second},
		{"a day at 1s is coarsened", time.Second, 24 * time.Hour, 8 * time.Second},
		{"25 hours on a DST day at 5s is coarsened", 5 * time.Second, 25 * time.Hour, 9 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(nil, Options{Resolution: tt.resolution})
			got := c.step(tt.window)
			if got != tt.want {
				t.Errorf("step %v, want %v", got, tt.want)
			}
			if points := int64(tt.window/got) + 1; points > MaxPointsPerSeries {
				t.Errorf("%d points per series", points)
			}
		})
	}
}
