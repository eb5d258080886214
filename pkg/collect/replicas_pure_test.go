package collect

import (
	"testing"
	"time"
)

func TestABriefPodCountsOnlyWhenNoPodRanLonger(t *testing.T) {
	if n := minSteps(90*time.Minute, 30*time.Second); n != 30 {
		t.Errorf("minSteps of a 90-minute window at 30s: %d, want 30 (15 minutes)", n)
	}
	if n := minSteps(20*time.Minute, 30*time.Second); n != 20 {
		t.Errorf("minSteps of a 20-minute window at 30s: %d, want 20 (half the window)", n)
	}
	g := agg{minSteps: 30}
	g.add(0.5, 181)
	g.add(0.3, 100)
	g.add(4, 9) // a 3-minute burst
	g.add(9, 0) // no values: ignored
	if g.max() != 0.5 || g.avg() != 0.4 || g.n() != 3 {
		t.Errorf("max %g avg %g n %d, want 0.5, 0.4, 3", g.max(), g.avg(), g.n())
	}
	only := agg{minSteps: 30}
	only.add(2, 5)
	only.add(1, 3)
	if only.max() != 2 || only.avg() != 1.5 {
		t.Errorf("only brief pods: max %g avg %g, want 2 and 1.5", only.max(), only.avg())
	}
}

func TestReadyMedianNeverFollowsAMomentaryDip(t *testing.T) {
	tests := []struct {
		counts []uint32
		want   uint32
	}{
		{nil, 0},
		{[]uint32{3, 3, 0, 0, 3}, 3},
		{[]uint32{2, 3}, 3},                // the middle two's mean, rounded up
		{[]uint32{0, 0, 0, 2, 2}, 2},       // ran for part of the window: the median of its Ready steps
		{[]uint32{0, 0, 0}, 0},             // never Ready
		{[]uint32{1, 4, 4, 4, 0, 0, 0}, 1}, // median of all steps is 1, not 0: kept
	}
	for _, tt := range tests {
		if got := readyMedian(tt.counts); got != tt.want {
			t.Errorf("readyMedian(%v) = %d, want %d", tt.counts, got, tt.want)
		}
	}
}
