// Package nodes is the node capacity view: per node what is allocatable, what the pods on it
// request now, what they would request under the control table, what they used at their stored
// peak, and, for the cluster, where free capacity is stranded and which nodes the table would
// let drain. Compute is pure; Reader lists nodes and pods from a cluster and Service joins them
// with the store's control rows and peak samples.
package nodes

import "github.com/kubedoor/kubedoor-grafana/pkg/workload"

// Resources is an amount of CPU (millicores) and memory (bytes).
type Resources struct {
	CPUMillis int64 `json:"cpuMillis"`
	MemBytes  int64 `json:"memBytes"`
}

func (r Resources) add(o Resources) Resources {
	return Resources{r.CPUMillis + o.CPUMillis, r.MemBytes + o.MemBytes}
}

func (r Resources) sub(o Resources) Resources {
	return Resources{r.CPUMillis - o.CPUMillis, r.MemBytes - o.MemBytes}
}

// atLeastZero clamps each amount at 0: an overcommitted node has no free room, not negative room.
func (r Resources) atLeastZero() Resources {
	return Resources{max(r.CPUMillis, 0), max(r.MemBytes, 0)}
}

// fits says whether r fits into room in both resources.
func (r Resources) fits(room Resources) bool {
	return r.CPUMillis <= room.CPUMillis && r.MemBytes <= room.MemBytes
}

// Node is one node as the view needs it.
type Node struct {
	Name string
	// Allocatable is status.allocatable; zero when the node reports none (then nothing can be
	// said about its share, and it is neither drained nor a destination).
	Allocatable Resources
	// Unschedulable is spec.unschedulable (cordoned): such a node takes no drained pods.
	Unschedulable bool
}

// Pod is one scheduled pod.
type Pod struct {
	Namespace, Name string
	Node            string
	// Owner is the workload the pod belongs to; zero (Kind "") for a pod of no controlled kind
	// (a bare pod, a Job's pod). OwnerKind is the owner's kind as read ("Job"), for display.
	Owner      workload.Ref
	OwnerKind  string
	Containers []Container
}

// Container is one container's current requests (zero: not set).
type Container struct {
	Name    string
	Request Resources
}

// DaemonSet says whether the pod is a DaemonSet's: it runs on every eligible node, so
// draining a node neither moves it nor needs room for it elsewhere.
func (p Pod) DaemonSet() bool { return p.Owner.Kind == workload.DaemonSet }

// TableRequests are the control table's requests of one workload, by container; a value < 0
// is unset (the pod keeps its own). Only current, not deleted, rows belong here.
type TableRequests map[string]TableContainer

// TableContainer is one container's row values (millicores and MiB as the table stores them;
// -1 = unset).
type TableContainer struct {
	CPURequestMillis int64
	MemRequestMiB    int64
}

// Peak is one container's stored peak usage: the worst pod's quantile in the workload's
// highest-load day of the range (peaks.WorstDays).
type Peak = Resources

// Input is everything Compute needs.
type Input struct {
	Nodes []Node
	Pods  []Pod
	// Table holds the control table's rows by workload.
	Table map[workload.Ref]TableRequests
	// Peaks holds stored peaks by workload, then container name.
	Peaks map[workload.Ref]map[string]Peak
}

// NodeReport is one node's line of the view.
type NodeReport struct {
	Name           string    `json:"name"`
	Unschedulable  bool      `json:"unschedulable"`
	HasAllocatable bool      `json:"hasAllocatable"`
	Allocatable    Resources `json:"allocatable"`
	// Requested is the sum of the pods' current requests.
	Requested Resources `json:"requested"`
	// Table is the same sum with the control table's values for controlled workloads.
	Table Resources `json:"table"`
	// Peak is the sum of the pods' stored peak usage (pods without peak data add nothing).
	Peak Resources `json:"peak"`
	// UnusedAtPeak is what containers with peak data request above their peak, summed per
	// container (one container over its request does not cancel another's slack).
	UnusedAtPeak Resources `json:"unusedAtPeak"`

	Pods            int `json:"pods"`
	DaemonSetPods   int `json:"daemonSetPods"`
	ControlledPods  int `json:"controlledPods"`
	PodsWithoutPeak int `json:"podsWithoutPeak"`

	// Shares of allocatable (0..1 and above when overcommitted); nil without allocatable.
	RequestedShare *Share `json:"requestedShare"`
	PeakShare      *Share `json:"peakShare"`
	// RankRequested and RankPeak order nodes by the larger of the CPU and memory share, 1 being
	// the fullest; 0 for a node without allocatable.
	RankRequested int `json:"rankRequested"`
	RankPeak      int `json:"rankPeak"`

	// Drain is the first-fit estimate for this node alone.
	Drain Drain `json:"drain"`
}

// Share is a fraction of allocatable per resource.
type Share struct {
	CPU float64 `json:"cpu"`
	Mem float64 `json:"mem"`
	Max float64 `json:"max"` // the larger of the two: what ranks use
}

// Drain says whether the node's movable pods (every pod but DaemonSets') would fit into the
// other schedulable nodes' free allocatable, placed first-fit by decreasing CPU request: with
// today's requests (Now) and with the control table's (UnderTable). Unplaced counts the pods
// that found no room under the table.
type Drain struct {
	Possible       bool `json:"possible"` // the node has allocatable, pods to move and is judged
	Now            bool `json:"now"`
	UnderTable     bool `json:"underTable"`
	MovablePods    int  `json:"movablePods"`
	UnplacedNow    int  `json:"unplacedNow"`
	UnplacedTable  int  `json:"unplacedTable"`
	TableFreesNode bool `json:"tableFreesNode"` // drainable under the table but not now
}

// Fragmentation is the free allocatable no pod of the typical size fits into: per node, what is
// left after placing as many typical pods as fit, summed over nodes.
type Fragmentation struct {
	Free     Resources `json:"free"`     // free allocatable over schedulable nodes with allocatable
	Stranded Resources `json:"stranded"` // the part no typical pod fits into
	// TypicalPodsFit is how many typical pods the free room takes.
	TypicalPodsFit int64 `json:"typicalPodsFit"`
}

// Report is the whole view.
type Report struct {
	Nodes  []NodeReport `json:"nodes"`
	Totals Totals       `json:"totals"`
	// TypicalPod is the size fragmentation is measured against: per resource the median of the
	// table requests of the scheduled pods that are not DaemonSets' (the lower middle value for
	// an even count); zero when there are none.
	TypicalPod     Resources `json:"typicalPod"`
	TypicalPodFrom int       `json:"typicalPodFrom"` // how many pods the median is over
	// Fragmentation with today's requests and with the table's.
	Fragmentation      Fragmentation `json:"fragmentation"`
	FragmentationTable Fragmentation `json:"fragmentationTable"`
	// Drainable names the nodes the first-fit estimate can drain under the table, by name.
	Drainable []string `json:"drainable"`
}

// Totals sum the nodes' lines.
type Totals struct {
	Allocatable  Resources `json:"allocatable"`
	Requested    Resources `json:"requested"`
	Table        Resources `json:"table"`
	Peak         Resources `json:"peak"`
	UnusedAtPeak Resources `json:"unusedAtPeak"`
	Pods         int       `json:"pods"`
}
