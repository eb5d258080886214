package synth

import (
	"testing"
	"time"
)

// The trap scenario's answers, worked out by hand from its description, agree with Expected.
func TestReplicaTrapsAnswers(t *testing.T) {
	day := Date{2026, time.November, 20}
	s := ScenarioReplicaTraps(day)
	rows, err := s.Expected(0.95)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		desired               int // -1 = no series
		podsMin, podsMax, med int
		pods                  int
		cpuWorst, memWorstMiB float64
	}
	wants := map[string]want{
		// 181 instants: 3 Ready until 39m, 0 at 39m..40m30s (4 instants), 3 from 41m.
		"recreate": {3, 0, 3, 3, 6, 0.40, 350},
		// pod 2 is Ready at 0..4m30s, 25m, 50m and 85m..90m: 21 instants of 3, 160 of 2.
		"crashloop": {3, 2, 3, 2, 3, 0.22, 220},
		// the burst pod is Ready 21m..21m30s: 2 instants of 3; its 3 cores do not count.
		"worker": {2, 2, 3, 2, 2, 0.60, 500},
		// 3 Ready until 44m (89 instants), then 2 (92 instants): median 2.
		"nospec": {-1, 2, 3, 2, 3, 0.14, 140},
		// spec 4 at the first instant only, then 2: the window's most is 4.
		"scaledown": {4, 2, 2, 2, 2, 0.28, 270},
	}
	seen := 0
	for _, r := range rows {
		w, ok := wants[r.Deployment]
		if !ok {
			t.Fatalf("unexpected row %+v", r.Key)
		}
		seen++
		gotDesired := -1
		if r.ReplicasDesired != nil {
			gotDesired = *r.ReplicasDesired
		}
		if gotDesired != w.desired || r.PodsMin != w.podsMin || r.PodsMax != w.podsMax || r.PodsReadyMedian != w.med ||
			r.Pods != w.pods || r.CPUWorst != w.cpuWorst || r.MemoryWorst != w.memWorstMiB*mi {
			t.Errorf("%s: desired %d pods %d..%d median %d, %d pods, worst %g cores %g MiB; want %+v", r.Deployment,
				gotDesired, r.PodsMin, r.PodsMax, r.PodsReadyMedian, r.Pods, r.CPUWorst, r.MemoryWorst/mi, w)
		}
	}
	if seen != len(wants) {
		t.Errorf("%d rows, want %d", seen, len(wants))
	}
	zero := s.ScaledToZero()
	if len(zero) != 1 || zero[0].Deployment != "off" || *zero[0].ReplicasDesired != 0 {
		t.Errorf("scaled to zero: %+v", zero)
	}
}

func TestMedianUpRoundsTheMiddleUp(t *testing.T) {
	for _, tt := range []struct {
		in   []int
		want int
	}{{nil, 0}, {[]int{2}, 2}, {[]int{3, 1, 2}, 2}, {[]int{1, 2}, 2}, {[]int{0, 0, 3, 3}, 2}} {
		if got := medianUp(tt.in); got != tt.want {
			t.Errorf("medianUp(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
