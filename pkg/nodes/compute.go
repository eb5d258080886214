package nodes

import (
	"cmp"
	"slices"
)

const mib = 1 << 20

// podFigures are one pod's sums.
type podFigures struct {
	pod            *Pod
	requested      Resources
	table          Resources
	peak           Resources
	unused         Resources
	controlled     bool
	hasPeak        bool
	daemonSet      bool
	nodeIndex      int
	tableOrCurrent [2]Resources // [0] now, [1] under the table: what a move needs
}

// Compute builds the view from in. It never fails: missing data shows as zeros and counts
// (a node without allocatable, a pod without peak data).
func Compute(in Input) Report {
	out := Report{Nodes: make([]NodeReport, len(in.Nodes)), Drainable: []string{}}
	byName := make(map[string]int, len(in.Nodes))
	for i, n := range in.Nodes {
		byName[n.Name] = i
		out.Nodes[i] = NodeReport{
			Name: n.Name, Unschedulable: n.Unschedulable, Allocatable: n.Allocatable,
			HasAllocatable: n.Allocatable.CPUMillis > 0 && n.Allocatable.MemBytes > 0,
		}
	}
	pods := make([]podFigures, 0, len(in.Pods))
	for i := range in.Pods {
		idx, ok := byName[in.Pods[i].Node]
		if !ok {
			continue // its node went away between the two lists
		}
		f := figures(&in.Pods[i], in)
		f.nodeIndex = idx
		pods = append(pods, f)
		nr := &out.Nodes[idx]
		nr.Pods++
		nr.Requested = nr.Requested.add(f.requested)
		nr.Table = nr.Table.add(f.table)
		nr.Peak = nr.Peak.add(f.peak)
		nr.UnusedAtPeak = nr.UnusedAtPeak.add(f.unused)
		if f.daemonSet {
			nr.DaemonSetPods++
		}
		if f.controlled {
			nr.ControlledPods++
		}
		if !f.hasPeak {
			nr.PodsWithoutPeak++
		}
	}
	for i := range out.Nodes {
		nr := &out.Nodes[i]
		if nr.HasAllocatable {
			nr.RequestedShare = share(nr.Requested, nr.Allocatable)
			nr.PeakShare = share(nr.Peak, nr.Allocatable)
		}
		out.Totals.Allocatable = out.Totals.Allocatable.add(nr.Allocatable)
		out.Totals.Requested = out.Totals.Requested.add(nr.Requested)
		out.Totals.Table = out.Totals.Table.add(nr.Table)
		out.Totals.Peak = out.Totals.Peak.add(nr.Peak)
		out.Totals.UnusedAtPeak = out.Totals.UnusedAtPeak.add(nr.UnusedAtPeak)
		out.Totals.Pods += nr.Pods
	}
	rank(out.Nodes, func(n NodeReport) *Share { return n.RequestedShare }, func(n *NodeReport, r int) { n.RankRequested = r })
	rank(out.Nodes, func(n NodeReport) *Share { return n.PeakShare }, func(n *NodeReport, r int) { n.RankPeak = r })

	out.TypicalPod, out.TypicalPodFrom = typicalPod(pods)
	out.Fragmentation = fragmentation(out.Nodes, func(n NodeReport) Resources { return n.Requested }, out.TypicalPod)
	out.FragmentationTable = fragmentation(out.Nodes, func(n NodeReport) Resources { return n.Table }, out.TypicalPod)

	onNode := make([][]*podFigures, len(out.Nodes))
	for k := range pods {
		onNode[pods[k].nodeIndex] = append(onNode[pods[k].nodeIndex], &pods[k])
	}
	for i := range out.Nodes {
		out.Nodes[i].Drain = drain(i, out.Nodes, onNode[i])
		if out.Nodes[i].Drain.UnderTable {
			out.Drainable = append(out.Drainable, out.Nodes[i].Name)
		}
	}
	slices.Sort(out.Drainable)
	return out
}

// figures sums one pod: its current requests, the table's in their place for a controlled
// workload (per field, a value the row leaves unset keeps the pod's), and its stored peak.
func figures(p *Pod, in Input) podFigures {
	f := podFigures{pod: p, daemonSet: p.DaemonSet()}
	var row TableRequests
	if p.Owner.Kind != "" {
		row, f.controlled = in.Table[p.Owner]
	}
	peaks := in.Peaks[p.Owner]
	for _, c := range p.Containers {
		f.requested = f.requested.add(c.Request)
		t := c.Request
		if tc, ok := row[c.Name]; ok {
			if tc.CPURequestMillis >= 0 {
				t.CPUMillis = tc.CPURequestMillis
			}
			if tc.MemRequestMiB >= 0 {
				t.MemBytes = tc.MemRequestMiB * mib
			}
		}
		f.table = f.table.add(t)
		if pk, ok := peaks[c.Name]; ok && p.Owner.Kind != "" {
			f.hasPeak = true
			f.peak = f.peak.add(pk)
			f.unused = f.unused.add(c.Request.sub(pk).atLeastZero())
		}
	}
	f.tableOrCurrent = [2]Resources{f.requested, f.table}
	return f
}

func share(used, alloc Resources) *Share {
	s := &Share{CPU: float64(used.CPUMillis) / float64(alloc.CPUMillis), Mem: float64(used.MemBytes) / float64(alloc.MemBytes)}
	s.Max = max(s.CPU, s.Mem)
	return s
}

// rank numbers the nodes with a share from 1 (the largest Max) on; ties go by name.
func rank(nodes []NodeReport, of func(NodeReport) *Share, set func(*NodeReport, int)) {
	var idx []int
	for i, n := range nodes {
		if of(n) != nil {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := cmp.Compare(of(nodes[b]).Max, of(nodes[a]).Max); c != 0 {
			return c
		}
		return cmp.Compare(nodes[a].Name, nodes[b].Name)
	})
	for r, i := range idx {
		set(&nodes[i], r+1)
	}
}

// typicalPod is, per resource, the median table request of the pods that would ever need
// placing (not DaemonSets'): the lower middle value for an even count, so it is a real pod's.
func typicalPod(pods []podFigures) (Resources, int) {
	var cpu, mem []int64
	for _, f := range pods {
		if f.daemonSet {
			continue
		}
		cpu = append(cpu, f.table.CPUMillis)
		mem = append(mem, f.table.MemBytes)
	}
	if len(cpu) == 0 {
		return Resources{}, 0
	}
	slices.Sort(cpu)
	slices.Sort(mem)
	mid := (len(cpu) - 1) / 2
	return Resources{cpu[mid], mem[mid]}, len(cpu)
}

// fragmentation places as many typical pods as fit into each schedulable node's free
// allocatable and sums what is left. A resource the typical pod does not request does not
// limit how many fit; with no typical size at all nothing is called stranded.
func fragmentation(nodes []NodeReport, used func(NodeReport) Resources, typical Resources) Fragmentation {
	var out Fragmentation
	for _, n := range nodes {
		if !n.HasAllocatable || n.Unschedulable {
			continue
		}
		free := n.Allocatable.sub(used(n)).atLeastZero()
		out.Free = out.Free.add(free)
		if typical.CPUMillis <= 0 && typical.MemBytes <= 0 {
			continue
		}
		fit := int64(-1)
		if typical.CPUMillis > 0 {
			fit = free.CPUMillis / typical.CPUMillis
		}
		if typical.MemBytes > 0 {
			if m := free.MemBytes / typical.MemBytes; fit < 0 || m < fit {
				fit = m
			}
		}
		out.TypicalPodsFit += fit
		out.Stranded = out.Stranded.add(free.sub(Resources{fit * typical.CPUMillis, fit * typical.MemBytes}))
	}
	return out
}

// drain estimates node i alone from its own pods: the movable ones (all but DaemonSets', which
// stay on every node) placed first-fit, largest CPU request first, into the other schedulable
// nodes' free allocatable, taken in name order. It is an estimate: the scheduler also weighs
// affinity, taints, ports, pod counts and volumes, which the view does not read.
func drain(i int, nodes []NodeReport, pods []*podFigures) Drain {
	n := nodes[i]
	var moving []*podFigures
	for _, f := range pods {
		if !f.daemonSet {
			moving = append(moving, f)
		}
	}
	d := Drain{MovablePods: len(moving)}
	if !n.HasAllocatable {
		return d
	}
	d.Possible = true
	var dests []int
	for j, o := range nodes {
		if j != i && o.HasAllocatable && !o.Unschedulable {
			dests = append(dests, j)
		}
	}
	slices.SortFunc(dests, func(a, b int) int { return cmp.Compare(nodes[a].Name, nodes[b].Name) })
	for which := range 2 {
		room := make([]Resources, len(dests))
		for k, j := range dests {
			used := nodes[j].Requested
			if which == 1 {
				used = nodes[j].Table
			}
			room[k] = nodes[j].Allocatable.sub(used).atLeastZero()
		}
		order := slices.Clone(moving)
		slices.SortStableFunc(order, func(a, b *podFigures) int {
			ra, rb := a.tableOrCurrent[which], b.tableOrCurrent[which]
			if c := cmp.Compare(rb.CPUMillis, ra.CPUMillis); c != 0 {
				return c
			}
			if c := cmp.Compare(rb.MemBytes, ra.MemBytes); c != 0 {
				return c
			}
			return cmp.Compare(a.pod.Namespace+"/"+a.pod.Name, b.pod.Namespace+"/"+b.pod.Name)
		})
		unplaced := 0
		for _, f := range order {
			need := f.tableOrCurrent[which]
			placed := false
			for k := range room {
				if need.fits(room[k]) {
					room[k] = room[k].sub(need)
					placed = true
					break
				}
			}
			if !placed {
				unplaced++
			}
		}
		if which == 0 {
			d.UnplacedNow, d.Now = unplaced, unplaced == 0
		} else {
			d.UnplacedTable, d.UnderTable = unplaced, unplaced == 0
		}
	}
	d.TableFreesNode = d.UnderTable && !d.Now
	return d
}
