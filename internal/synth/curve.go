package synth

import (
	"math"
	"sort"
	"time"
)

// life is a pod's timeline in Unix seconds.
type life struct {
	start, end int64 // series exist for [start, end); end = math.MaxInt64 when alive
	run        int64 // containers run from here (one interval of Pending first)
	readyFrom  int64 // Ready for [readyFrom, readyTo)
	readyTo    int64
	unready    [][2]int64 // but not in these [from, to)
}

func podLife(p *Pod, interval int64) life {
	l := life{start: p.Start.Unix(), end: math.MaxInt64}
	if !p.End.IsZero() {
		l.end = p.End.Unix()
	}
	l.run = l.start + interval
	l.readyFrom = l.start + 2*interval
	l.readyTo = l.end
	if l.end != math.MaxInt64 {
		// Not ready while terminating, which also makes the value that lingers after the last
		// sample (no staleness markers in backfilled blocks) a not-ready one.
		l.readyTo = l.end - 2*interval
	}
	for _, u := range p.Unready {
		l.unready = append(l.unready, [2]int64{u[0].Unix(), u[1].Unix()})
	}
	return l
}

// ready reports whether the pod counts as Running and Ready at instant t.
func (l life) ready(t int64) bool {
	if t < l.readyFrom || t >= l.readyTo || t < l.run {
		return false
	}
	for _, u := range l.unready {
		if t >= u[0] && t < u[1] {
			return false
		}
	}
	return true
}

// active returns the part of w in which the pod's containers run, as [a0, a1]; a1 <= a0 when none.
func (l life) active(w Window) (a0, a1 int64) {
	return max(w.Start.Unix(), l.run), min(w.End.Unix(), l.end)
}

// curve is a piecewise-constant level: level[i] holds on [at[i], at[i+1]). Before at[0] the
// container does not run. cum[i] is the integral from at[0] to at[i], so counters are exact
// closed forms rather than running sums.
type curve struct {
	at    []int64
	level []float64
	cum   []float64
}

func (c *curve) set(t int64, level float64) {
	if n := len(c.at); n > 0 && t <= c.at[n-1] {
		c.level[n-1] = level
		return
	}
	c.at = append(c.at, t)
	c.level = append(c.level, level)
}

// buildCurve lays out one (pod, container) curve over all days (see the package doc).
func buildCurve(l life, windows []Window, usage []Usage, interval int64, pick func(Usage) Levels) *curve {
	c := &curve{}
	c.set(l.run, pick(usage[0]).Base)
	for d, w := range windows {
		lv := pick(usage[d])
		if d > 0 {
			mid := alignDown((windows[d-1].End.Unix()+w.Start.Unix())/2, interval)
			c.set(max(mid, l.run), lv.Base)
		}
		a0, a1 := l.active(w)
		span := a1 - a0
		if span < int64(MinActive/time.Second) {
			continue
		}
		c.set(alignDown(a0+span/4, interval), lv.Plateau)
		c.set(alignDown(a0+3*span/4, interval), lv.Base)
		if span >= int64(SpikeMinActive/time.Second) {
			s0 := alignDown(a0+span*85/100, interval)
			c.set(s0, lv.Spike)
			c.set(s0+2*interval, lv.Base)
		}
	}
	c.cum = make([]float64, len(c.at))
	for i := 1; i < len(c.at); i++ {
		c.cum[i] = c.cum[i-1] + c.level[i-1]*float64(c.at[i]-c.at[i-1])
	}
	return c
}

func (c *curve) index(t int64) int {
	return sort.Search(len(c.at), func(i int) bool { return c.at[i] > t }) - 1
}

// levelAt is the level holding at t; 0 before the container runs.
func (c *curve) levelAt(t int64) float64 {
	if i := c.index(t); i >= 0 {
		return c.level[i]
	}
	return 0
}

// cumAt is the integral of the level from the container's first start to t.
func (c *curve) cumAt(t int64) float64 {
	i := c.index(t)
	if i < 0 {
		return 0
	}
	return c.cum[i] + c.level[i]*float64(t-c.at[i])
}

// plateauSpan returns the plateau stretch of a day (for tests and scenario checks).
func plateauSpan(l life, w Window, interval int64) (from, to int64, ok bool) {
	a0, a1 := l.active(w)
	span := a1 - a0
	if span < int64(MinActive/time.Second) {
		return 0, 0, false
	}
	return alignDown(a0+span/4, interval), alignDown(a0+3*span/4, interval), true
}

// instances splits a container's run at its OOM kills: each piece has its own container id and
// counters from 0.
func instances(l life, kills []int64) []span {
	out := make([]span, 0, len(kills)+1)
	from := l.run
	for _, k := range kills {
		out = append(out, span{from, k})
		from = k
	}
	return append(out, span{from, l.end})
}
