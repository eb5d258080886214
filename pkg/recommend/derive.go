package recommend

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	wkind "github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

const (
	mib = 1 << 20
	// nearWhole absorbs float noise before rounding up: 0.35 cores × 1000 is 350.00000000000006.
	nearWhole = 1e-6
	// OOM bump: memory × oomFactor or + oomAddMiB, whichever is larger.
	oomFactor = 1.2
	oomAddMiB = 100
)

// Report is what one derivation decided, for logs, the API and notifications.
type Report struct {
	Cluster  string `json:"cluster"`
	Mode     string `json:"mode"`
	FirstDay string `json:"firstDay"` // the window, YYYY-MM-DD
	LastDay  string `json:"lastDay"`
	// ClusterPeakDay is the day mode kubedoor chose ("" in mode per-workload or without data).
	ClusterPeakDay string `json:"clusterPeakDay,omitempty"`
	// Workloads is how many workloads had samples in the window.
	Workloads int `json:"workloads"`
	// New lists workloads added to the table for the first time (notify these, once).
	New []control.Key `json:"new"`
	// Changed counts existing rows that got a new version; Unchanged rows derived to what
	// they already held.
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	// Kept counts rows with no samples to derive from (not seen in the window, or in mode
	// kubedoor not on the chosen day), left as they were.
	Kept int `json:"kept"`
	// NotOnPeakDay counts workloads not in the table yet that mode kubedoor could not add
	// because they have no samples on the chosen day.
	NotOnPeakDay int `json:"notOnPeakDay"`
	// Removed counts workloads with samples whose row a person removed from control; they are
	// not brought back.
	Removed int `json:"removed"`
	// Clamped and Bumped list the values the rules moved in the versions written.
	Clamped []Adjustment `json:"clamped"`
	Bumped  []Adjustment `json:"bumped"`
}

// Written is how many versions the derivation writes.
func (r Report) Written() int { return len(r.New) + r.Changed }

// Adjustment is one value the rules moved: a request clamped to its limit, or a memory request
// raised after OOM kills.
type Adjustment struct {
	Namespace string `json:"namespace"`
	Kind      string `json:"kind"`
	Workload  string `json:"workload"`
	Container string `json:"container"`
	Field     string `json:"field"` // cpuRequest | memRequest
	From      int64  `json:"from"`
	To        int64  `json:"to"`
	Reason    string `json:"reason"`
}

// wkey is a workload of the cluster; kind is canonical (wkind.Kind).
type wkey struct{ ns, kind, wl string }

// dayData is one workload's samples on one day (pod totals excluded, but for the pod-total row
// of a Deployment at 0 desired replicas the whole window, kept in totals).
type dayData struct {
	day        time.Time
	pods       uint32  // the pods figure at the peak, see podsAtPeak
	podsFrom   string  // which statistic pods is (control.Observed*)
	cpuAvgSum  float64 // Σ containers' pod-average CPU quantile, cores
	containers []int   // indexes into the history, sorted by container name
	totals     []int   // pod-total rows read for their replica counts only
}

func (d *dayData) load() float64 { return float64(d.pods) * d.cpuAvgSum }

// podsAtPeak is the number of replicas a workload ran at a day's peak, by the first statistic
// the sample has: the most replicas its spec asked for in the window; else the median of its
// Ready pods over the window's steps; else (a row collected before those were stored) the most
// Ready pods. Never the fewest Ready pods: a rollout, a crash loop or a drain dips that for a
// moment, down to 0. peaks.PodsAtPeak is the same rule in SQL.
func podsAtPeak(s *peaks.Sample) (uint32, string) {
	switch {
	case s.ReplicasDesired != nil:
		return *s.ReplicasDesired, control.ObservedDesired
	case s.PodsReadyMedian != nil:
		return *s.PodsReadyMedian, control.ObservedReadyMedian
	default:
		return s.PodsMax, control.ObservedReadyMax
	}
}

// derivedRow reports whether the derivation reads s: container rows, and the pod-total row of
// a Deployment at 0 desired replicas the whole window (it had no pods, so no other row).
func derivedRow(s *peaks.Sample) bool {
	return s.Container != peaks.PodTotal || (s.ReplicasDesired != nil && *s.ReplicasDesired == 0)
}

type workload struct {
	key  wkey
	days []*dayData // sorted by day
}

func (w *workload) on(day time.Time) *dayData {
	i, found := slices.BinarySearchFunc(w.days, day, func(d *dayData, t time.Time) int { return d.day.Compare(t) })
	if !found {
		return nil
	}
	return w.days[i]
}

// worst is the day with the highest load, the later one on a tie.
func (w *workload) worst() *dayData {
	var best *dayData
	for _, d := range w.days {
		if best == nil || d.load() >= best.load() {
			best = d
		}
	}
	return best
}

// Chosen is the derivation's input once the days are chosen: per workload, the container
// samples of the day its values come from. In mode kubedoor it also names the cluster day and
// the workloads with samples in the window but none that day (they cannot be derived).
type Chosen struct {
	Samples    []peaks.Sample
	ClusterDay time.Time     // mode kubedoor; zero without data
	Absent     []control.Key // mode kubedoor
}

// Choose picks the days from a history (samples of one cluster; days outside p's window and
// pod-total rows are ignored) by p.Mode's rule. The Deriver makes the same choice in SQL.
func Choose(p Params, history []peaks.Sample, now time.Time) (Chosen, error) {
	if err := p.Validate(); err != nil {
		return Chosen{}, err
	}
	first, last := p.Window(now)
	var cluster string
	workloads, err := group(history, first, last, &cluster)
	if err != nil {
		return Chosen{}, err
	}
	var c Chosen
	if p.Mode == ModeKubeDoor {
		c.ClusterDay = peakClusterDay(workloads)
	}
	for _, w := range workloads {
		day := w.worst()
		if p.Mode == ModeKubeDoor {
			day = w.on(c.ClusterDay)
		}
		if day == nil {
			c.Absent = append(c.Absent, control.Key{Cluster: cluster, Namespace: w.key.ns, Kind: w.key.kind, Workload: w.key.wl})
			continue
		}
		for _, i := range day.containers {
			c.Samples = append(c.Samples, history[i])
		}
		for _, i := range day.totals {
			c.Samples = append(c.Samples, history[i])
		}
	}
	return c, nil
}

// Derive computes the control table's next versions from history (samples of one cluster; days
// outside p's window and pod-total rows are ignored) and the cluster's current rows (deleted
// ones included). It returns only rows whose content changes, each as the version after the
// current one (1 for a new workload), in namespace/workload order.
func Derive(p Params, history []peaks.Sample, current []control.Row, now time.Time) ([]control.Row, Report, error) {
	c, err := Choose(p, history, now)
	if err != nil {
		return nil, Report{}, err
	}
	return DeriveChosen(p, c, current, now)
}

// DeriveChosen is Derive after the day choice (see Choose).
func DeriveChosen(p Params, in Chosen, current []control.Row, now time.Time) ([]control.Row, Report, error) {
	if err := p.Validate(); err != nil {
		return nil, Report{}, err
	}
	first, last := p.Window(now)
	rep := Report{Mode: p.Mode, FirstDay: control.FormatDay(first), LastDay: control.FormatDay(last), New: []control.Key{}, Clamped: []Adjustment{}, Bumped: []Adjustment{}}
	if p.Mode == ModeKubeDoor && !in.ClusterDay.IsZero() {
		rep.ClusterPeakDay = control.FormatDay(in.ClusterDay)
	}

	workloads, err := group(in.Samples, first, last, &rep.Cluster)
	if err != nil {
		return nil, rep, err
	}
	rep.Workloads = len(workloads) + len(in.Absent)
	cur := make(map[wkey]*control.Row, len(current))
	for i := range current {
		r := &current[i]
		if rep.Cluster == "" {
			rep.Cluster = r.Cluster
		}
		if r.Cluster != rep.Cluster {
			return nil, rep, fmt.Errorf("current rows of clusters %q and %q given together", rep.Cluster, r.Cluster)
		}
		cur[wkey{r.Namespace, wkind.Kind(r.Kind), r.Workload}] = r
	}

	var out []control.Row
	// keep leaves a row without samples to derive from as it is — but for the recommend
	// switch, which applies to every row: a stale recommendation is never left active after the
	// switch went off (nor inactive after it went on).
	keep := func(c *control.Row) {
		want := p.Recommend.Enabled && c.Replicas.RecommendedFor == control.RecommendedForReplicas
		if c.Replicas.RecommendedActive == want {
			rep.Kept++
			return
		}
		next := c.Clone()
		next.Replicas.RecommendedActive = want
		next.Replicas.Resolve()
		next.Version, next.UpdatedBy = c.Version+1, control.UpdatedByCollector
		out = append(out, next)
		rep.Changed++
	}
	seen := make(map[wkey]bool, len(workloads)+len(in.Absent))
	for _, k := range in.Absent {
		key := wkey{k.Namespace, wkind.Kind(k.Kind), k.Workload}
		seen[key] = true
		switch c := cur[key]; {
		case c == nil:
			rep.NotOnPeakDay++
		case c.Deleted:
			rep.Removed++
		default:
			keep(c)
		}
	}
	for _, w := range workloads {
		seen[w.key] = true
		c := cur[w.key]
		if c != nil && c.Deleted {
			rep.Removed++
			continue
		}
		day := w.worst()
		if p.Mode == ModeKubeDoor {
			day = w.on(in.ClusterDay)
		}
		if day == nil {
			if c == nil {
				rep.NotOnPeakDay++
			} else {
				keep(c)
			}
			continue
		}
		next, adj := deriveRow(p, rep.Cluster, w.key, c, day, in.Samples)
		switch {
		case c == nil:
			next.Version = 1
			rep.New = append(rep.New, next.Key())
		case control.SameContent(next, *c):
			rep.Unchanged++
			continue
		default:
			next.Version = c.Version + 1
			rep.Changed++
		}
		next.UpdatedBy = control.UpdatedByCollector
		out = append(out, next)
		rep.Bumped = append(rep.Bumped, adj.bumped...)
		rep.Clamped = append(rep.Clamped, adj.clamped...)
	}
	for k, c := range cur {
		if !seen[k] && !c.Deleted {
			keep(c)
		}
	}
	slices.SortFunc(out, func(a, b control.Row) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Workload, b.Workload), cmp.Compare(a.Kind, b.Kind))
	})
	return out, rep, nil
}

// group sorts the window's container samples by workload and day, checking they are all of one
// cluster (reported through cluster).
func group(history []peaks.Sample, first, last time.Time, cluster *string) ([]*workload, error) {
	byKey := map[wkey]*workload{}
	for i := range history {
		s := &history[i]
		if !derivedRow(s) {
			continue
		}
		day := dateOf(s.Day)
		if day.Before(first) || day.After(last) {
			continue
		}
		if *cluster == "" {
			*cluster = s.Cluster
		}
		if s.Cluster != *cluster {
			return nil, fmt.Errorf("samples of clusters %q and %q given together", *cluster, s.Cluster)
		}
		k := wkey{s.Namespace, wkind.Kind(s.Kind), s.Workload}
		w := byKey[k]
		if w == nil {
			w = &workload{key: k}
			byKey[k] = w
		}
		d := w.on(day)
		if d == nil {
			d = &dayData{day: day}
			at, _ := slices.BinarySearchFunc(w.days, day, func(d *dayData, t time.Time) int { return d.day.Compare(t) })
			w.days = slices.Insert(w.days, at, d)
		}
		list := &d.containers
		if s.Container == peaks.PodTotal {
			list = &d.totals
		}
		if j := slices.IndexFunc(*list, func(j int) bool { return history[j].Container == s.Container }); j >= 0 {
			// The same container twice (a re-collection read without FINAL): the later wins.
			if !s.CollectedAt.After(history[(*list)[j]].CollectedAt) {
				continue
			}
			*list = slices.Delete(*list, j, j+1)
		}
		*list = append(*list, i)
	}
	out := make([]*workload, 0, len(byKey))
	for _, w := range byKey {
		for _, d := range w.days {
			slices.SortFunc(d.containers, func(a, b int) int { return cmp.Compare(history[a].Container, history[b].Container) })
			// Every row of a workload-day carries the same counts; the largest wins should a
			// re-collection have mixed two.
			for _, i := range slices.Concat(d.containers, d.totals) {
				if n, from := podsAtPeak(&history[i]); d.podsFrom == "" || n > d.pods {
					d.pods, d.podsFrom = n, from
				}
			}
			for _, i := range d.containers {
				d.cpuAvgSum += clean(history[i].CPUAvg)
			}
		}
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b *workload) int {
		return cmp.Or(cmp.Compare(a.key.ns, b.key.ns), cmp.Compare(a.key.wl, b.key.wl), cmp.Compare(a.key.kind, b.key.kind))
	})
	return out, nil
}

// peakClusterDay is mode kubedoor's day: the highest Σ over workloads of load, later on a tie.
func peakClusterDay(workloads []*workload) time.Time {
	totals := map[time.Time]float64{}
	for _, w := range workloads {
		for _, d := range w.days {
			totals[d.day] += d.load()
		}
	}
	var best time.Time
	bestLoad := math.Inf(-1)
	for day, l := range totals {
		if l > bestLoad || (l == bestLoad && day.After(best)) {
			best, bestLoad = day, l
		}
	}
	return best
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// clean turns values no measurement can have (NaN, negative) into 0.
func clean(v float64) float64 {
	if math.IsNaN(v) || v < 0 {
		return 0
	}
	return v
}

// roundUp rounds up to a whole number, treating values within nearWhole of one as that number,
// and caps at hi so a wild sample cannot produce a value a person could not type.
func roundUp(v float64, hi int64) int64 {
	v = math.Ceil(clean(v) - nearWhole)
	if v > float64(hi) {
		return hi
	}
	return max(int64(v), 0)
}
