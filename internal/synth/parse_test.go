package synth

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// A deliberately small OpenMetrics reader for this generator's own output: it checks the
// structure promtool relies on (TYPE before samples, families contiguous, "# EOF" last) and
// returns the samples. promtool itself is the full parser (promtool_test.go).

type sample struct {
	t int64
	v float64
}

type series struct {
	name    string
	labels  map[string]string
	samples []sample
}

type parsed struct {
	series   []*series
	byFamily map[string][]*series // sample name → series
	types    map[string]string    // family → type
}

func parseOpenMetrics(r io.Reader) (*parsed, error) {
	p := &parsed{byFamily: map[string][]*series{}, types: map[string]string{}}
	index := map[string]*series{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var family string
	done := map[string]bool{}
	eof := false
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if eof {
			return nil, fmt.Errorf("line %d: content after # EOF", n)
		}
		switch {
		case line == "# EOF":
			eof = true
		case strings.HasPrefix(line, "# HELP "):
		case strings.HasPrefix(line, "# TYPE "):
			f := strings.Fields(line)
			if len(f) != 4 || done[f[2]] {
				return nil, fmt.Errorf("line %d: bad or repeated TYPE %q", n, line)
			}
			if family != "" {
				done[family] = true
			}
			family = f[2]
			p.types[family] = f[3]
		default:
			s, key, smp, err := parseSample(line)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			want := family
			if p.types[family] == "counter" {
				want += "_total"
			}
			if s.name != want {
				return nil, fmt.Errorf("line %d: sample %s outside its family (current %s)", n, s.name, family)
			}
			old := index[key]
			if old == nil {
				old = s
				index[key] = s
				p.series = append(p.series, s)
				p.byFamily[s.name] = append(p.byFamily[s.name], s)
			} else if last := old.samples[len(old.samples)-1]; smp.t <= last.t {
				return nil, fmt.Errorf("line %d: timestamp %d not after %d", n, smp.t, last.t)
			}
			old.samples = append(old.samples, smp)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !eof {
		return nil, fmt.Errorf("no # EOF at the end")
	}
	return p, nil
}

func parseSample(line string) (*series, string, sample, error) {
	open, close := strings.IndexByte(line, '{'), strings.LastIndexByte(line, '}')
	if open < 0 || close < open {
		return nil, "", sample{}, fmt.Errorf("no labels in %q", line)
	}
	s := &series{name: line[:open], labels: map[string]string{}}
	for _, kv := range strings.Split(line[open+1:close], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, "", sample{}, fmt.Errorf("bad label %q", kv)
		}
		s.labels[k] = v[1 : len(v)-1]
	}
	f := strings.Fields(line[close+1:])
	if len(f) != 2 {
		return nil, "", sample{}, fmt.Errorf("want value and timestamp in %q", line)
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return nil, "", sample{}, err
	}
	t, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return nil, "", sample{}, err
	}
	return s, line[:close+1], sample{t, v}, nil
}

func (s *series) label(k string) string { return s.labels[k] }
