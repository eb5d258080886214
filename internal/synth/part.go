package synth

import (
	"fmt"
	"io"
)

// Part is a piece of a scenario's output that promtool can load on its own: one day's data (or
// all days) of every Shards-th namespace. Parts bound the disk a big backfill needs, can be loaded
// in parallel, and — one day per part — spare promtool from re-reading the whole file for every
// 2h block between days. Values come from the whole timeline, so the parts together hold exactly
// what WriteOpenMetrics writes.
type Part struct {
	s      Scenario
	Day    int // index into each cluster's Days; -1 = all days
	Shard  int // this part holds the namespaces whose running index % Shards == Shard
	Shards int
}

// Parts splits the output into shards × (days or 1) parts.
func (s Scenario) Parts(shards int, byDay bool) []Part {
	shards = max(shards, 1)
	days := []int{-1}
	if byDay {
		days = days[:0]
		n := 0
		for _, c := range s.Clusters {
			n = max(n, len(c.Days))
		}
		for d := range n {
			days = append(days, d)
		}
	}
	var out []Part
	for _, d := range days {
		for sh := range shards {
			out = append(out, Part{s: s, Day: d, Shard: sh, Shards: shards})
		}
	}
	return out
}

// WriteOpenMetrics writes the part as a complete OpenMetrics file.
func (p Part) WriteOpenMetrics(w io.Writer) (Stats, error) {
	if p.Shards < 1 || p.Shard < 0 || p.Shard >= p.Shards {
		return Stats{}, fmt.Errorf("synth: part shard %d of %d", p.Shard, p.Shards)
	}
	return p.s.write(w, p)
}

// WriteTo is WriteOpenMetrics as an io.WriterTo.
func (p Part) WriteTo(w io.Writer) (int64, error) {
	st, err := p.WriteOpenMetrics(w)
	return st.Bytes, err
}

func (p Part) String() string { return fmt.Sprintf("day %d shard %d/%d", p.Day, p.Shard, p.Shards) }
