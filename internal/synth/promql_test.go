package synth

import (
	"math"
	"sort"
)

// Prometheus' arithmetic, replayed in Go so tests can check the curves' claims over a grid of
// steps, ranges and alignments without a Prometheus (prometheus_test.go in testenv checks a real
// one).

// inRange returns the samples a range selector [t-r, t] sees; leftOpen drops t-r (Prometheus 3).
func inRange(ss []sample, t, r int64, leftOpen bool) []sample {
	lo := sort.Search(len(ss), func(i int) bool {
		if leftOpen {
			return ss[i].t > t-r
		}
		return ss[i].t >= t-r
	})
	hi := sort.Search(len(ss), func(i int) bool { return ss[i].t > t })
	return ss[lo:hi]
}

// extrapolated is Prometheus' extrapolatedRate for counters: rate when isRate, else increase.
func extrapolated(ss []sample, t, r int64, leftOpen, isRate bool) (float64, bool) {
	pts := inRange(ss, t, r, leftOpen)
	if len(pts) < 2 {
		return 0, false
	}
	first, last := pts[0], pts[len(pts)-1]
	result := last.v - first.v
	prev := 0.0
	for _, p := range pts {
		if p.v < prev {
			result += prev
		}
		prev = p.v
	}
	toStart := float64(first.t - (t - r))
	toEnd := float64(t - last.t)
	sampled := float64(last.t - first.t)
	avg := sampled / float64(len(pts)-1)
	if result > 0 && first.v >= 0 {
		if toZero := sampled * (first.v / result); toZero < toStart {
			toStart = toZero
		}
	}
	threshold := avg * 1.1
	interval := sampled
	if toStart < threshold {
		interval += toStart
	} else {
		interval += avg / 2
	}
	if toEnd < threshold {
		interval += toEnd
	} else {
		interval += avg / 2
	}
	result *= interval / sampled
	if isRate {
		result /= float64(r)
	}
	return result, true
}

// instant is an instant-vector lookup with the default 5m lookback.
func instant(ss []sample, t int64) (float64, bool) {
	i := sort.Search(len(ss), func(i int) bool { return ss[i].t > t }) - 1
	if i < 0 || ss[i].t < t-int64(LookbackDelta.Seconds()) {
		return 0, false
	}
	return ss[i].v, true
}

// changes is PromQL changes() over [t-r, t].
func changes(ss []sample, t, r int64) int {
	pts := inRange(ss, t, r, false)
	n := 0
	for i := 1; i < len(pts); i++ {
		if pts[i].v != pts[i-1].v {
			n++
		}
	}
	return n
}

// quantileKinds are the definitions a product might use; the curves pin all of them.
var quantileKinds = map[string]func(q float64, sorted []float64) float64{
	// Prometheus quantile_over_time: linear interpolation at rank q·(n-1).
	"prometheus": func(q float64, v []float64) float64 {
		rank := q * float64(len(v)-1)
		lo := math.Max(0, math.Floor(rank))
		hi := math.Min(float64(len(v)-1), lo+1)
		w := rank - math.Floor(rank)
		return v[int(lo)]*(1-w) + v[int(hi)]*w
	},
	// Nearest rank: the smallest value with at least q of the values at or below it.
	"nearest-rank": func(q float64, v []float64) float64 {
		return v[max(0, int(math.Ceil(q*float64(len(v))))-1)]
	},
	// ClickHouse quantileExact: the value at index floor(q·n).
	"clickhouse-exact": func(q float64, v []float64) float64 {
		return v[min(len(v)-1, int(q*float64(len(v))))]
	},
}

func relEqual(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}
