package savings

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Compute builds the answer from a cluster's current rows, their replays over the stored days
// (by namespace and workload; a workload without samples is absent) and, when live is not nil,
// what runs. Every row is priced and scored; q.Namespace and q.Kind narrow items and totals only.
func Compute(cluster string, p clustersettings.Prices, q Query, rows []control.Row, stored map[workload.Ref]Stored, live Live, warnings []string) Answer {
	q = q.withDefaults()
	ans := Answer{Cluster: cluster, Currency: p.Currency, Prices: p, Days: q.Days, NowFrom: NowStored,
		Namespaces: []NamespaceTotals{}, Items: []Item{}, Warnings: append([]string{}, warnings...)}
	if live != nil {
		ans.NowFrom = NowLive
	}
	items := make([]Item, 0, len(rows))
	results := make([]Replayed, 0, len(rows))
	var costs []float64
	for _, row := range rows {
		k := refOf(row)
		it := Item{Namespace: row.Namespace, Kind: k.Kind, Workload: row.Workload, Version: row.Version, Notes: []string{}}
		pod, unset := TablePod(row.Containers)
		if unset > 0 {
			it.Notes = append(it.Notes, fmt.Sprintf("%d unset request %s counted as 0", unset, plural(unset, "value", "values")))
		}
		st, ok := stored[k]
		if !ok {
			st.Days = q.Days
		}
		var nowNote string
		it.Replicas.Now, it.Now, nowNote = nowOf(p, live, k, st)
		if nowNote != "" {
			it.Notes = append(it.Notes, nowNote)
		}
		rep := row.Replicas
		rep.Resolve()
		it.Replicas.Table = max(rep.Effective, 0)
		switch {
		case !workload.HasReplicas(k.Kind):
			// One pod per eligible node, under the table as now: the table changes the pod only.
			it.Replicas.Table = it.Replicas.Now
			it.Notes = append(it.Notes, "a DaemonSet runs one pod per eligible node: the table counts the pods running now")
		case rep.Effective < 0:
			it.Notes = append(it.Notes, "the row sets no replica count: the table counts 0 replicas")
		}
		// Only a recommendation for the workload's own replicas changes what it would cost; an
		// HPA's minReplicas advice leaves the table's count (the HPA decides above it).
		it.Replicas.Recommended = it.Replicas.Table
		it.Replicas.RecommendedFor, it.Replicas.Reason = rep.RecommendedFor, rep.RecommendedReason
		if rep.Recommended >= 0 && rep.RecommendedFor == control.RecommendedForReplicas {
			it.Replicas.Recommended = rep.Recommended
		}
		it.Table = Price(p, it.Replicas.Table, pod)
		it.Recommended = Price(p, it.Replicas.Recommended, pod)
		it.Savings = it.Now.Monthly - it.Recommended.Monthly
		items = append(items, it)
		results = append(results, st.Replayed)
		if it.Table.Monthly > 0 {
			costs = append(costs, it.Table.Monthly)
		}
	}
	median := medianOf(costs)
	byNS := map[string]*NamespaceTotals{}
	for i := range items {
		it := &items[i]
		sc := ScoreOf(results[i], it.Table, p, median)
		it.Score, it.ScoreReason, it.Risk, it.HistoryDays = sc.Score, sc.Reason, sc.Risk, sc.HistoryDays
		if (q.Namespace != "" && it.Namespace != q.Namespace) || (q.Kind != "" && it.Kind != q.Kind) {
			continue
		}
		ans.Totals.Now.add(it.Now)
		ans.Totals.Table.add(it.Table)
		ans.Totals.Recommended.add(it.Recommended)
		nt := byNS[it.Namespace]
		if nt == nil {
			nt = &NamespaceTotals{Namespace: it.Namespace}
			byNS[it.Namespace] = nt
		}
		nt.Now.add(it.Now)
		nt.Table.add(it.Table)
		nt.Recommended.add(it.Recommended)
		ans.Items = append(ans.Items, *it)
	}
	t := &ans.Totals
	t.SavingsTable = round(t.Now.Monthly-t.Table.Monthly, 2)
	t.SavingsRecommended = round(t.Now.Monthly-t.Recommended.Monthly, 2)
	t.Now, t.Table, t.Recommended = t.Now.rounded(), t.Table.rounded(), t.Recommended.rounded()
	for _, nt := range byNS {
		ans.Namespaces = append(ans.Namespaces, NamespaceTotals{Namespace: nt.Namespace,
			Now: nt.Now.rounded(), Table: nt.Table.rounded(), Recommended: nt.Recommended.rounded()})
	}
	slices.SortFunc(ans.Namespaces, func(a, b NamespaceTotals) int { return cmp.Compare(a.Namespace, b.Namespace) })
	sortItems(ans.Items, q.Sort)
	ans.Total = len(ans.Items)
	ans.Items = ans.Items[:min(len(ans.Items), q.Limit)]
	for i := range ans.Items {
		it := &ans.Items[i]
		it.Now, it.Table, it.Recommended = it.Now.rounded(), it.Table.rounded(), it.Recommended.rounded()
		it.Savings = round(it.Savings, 2)
	}
	return ans
}

// nowOf is what a workload runs: live, or else its latest stored day's most Ready pods × that
// day's stored requests (a container's unset request, stored as 0, counts 0). The live view
// holds Deployments only; other kinds are priced from stored samples.
func nowOf(p clustersettings.Prices, live Live, k workload.Ref, st Stored) (int32, Cost, string) {
	if live != nil {
		r, ok := live[k]
		if !ok {
			return 0, Cost{}, fmt.Sprintf("no %s of this name runs in the cluster: now counts 0", k.Kind)
		}
		return r.Replicas, Price(p, r.Replicas, r.Pod), ""
	}
	if st.HistoryDays == 0 {
		return 0, Cost{}, "no stored peak sample in these days: now counts 0"
	}
	n := int32(min(st.LatestPods, uint32(control.MaxReplicas)))
	return n, Price(p, n, Pod{CPUCores: st.LatestCPU, MemGiB: st.LatestMem / (1 << 30)}), ""
}

func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	if n := len(v); n%2 == 1 {
		return v[n/2]
	} else {
		return (v[n/2-1] + v[n/2]) / 2
	}
}

// sortItems orders by the asked key, largest first; ties by namespace and workload.
func sortItems(items []Item, by string) {
	key := func(it Item) []float64 {
		switch by {
		case SortScore:
			if it.Score == nil {
				return []float64{-1, it.Savings}
			}
			return []float64{float64(*it.Score), it.Savings}
		case SortRisk:
			r := it.Risk
			return []float64{float64(r.rank()), float64(r.OOMKills), float64(r.DaysOverRequest + r.DaysNearCPULimit + r.DaysNearMemLimit), it.Savings}
		default:
			return []float64{it.Savings}
		}
	}
	slices.SortStableFunc(items, func(a, b Item) int {
		if c := slices.Compare(key(b), key(a)); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Workload, b.Workload))
	})
}

// refOf is the workload a control row names, as savings keys it.
func refOf(row control.Row) workload.Ref { return row.Key().Ref() }
