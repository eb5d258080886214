// Package preview answers "what would enforcing the control table change in this namespace,
// compared with what runs now?": per live Deployment, StatefulSet and DaemonSet the replicas
// (not for DaemonSets, which have none) and the requests × pods the webhook would set, which
// scale down or up, which are unknown to the table (and what the namespace's unknown-workload
// rule for that kind does with them), and totals. Compute is a pure function over the live
// objects and the table's rows; Reader lists the live objects, one paged List per kind.
package preview

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Statuses of a workload in a preview.
const (
	StatusChange     = "change"      // enforcing changes replicas or resources
	StatusUnchanged  = "unchanged"   // it already runs what the table says
	StatusUnknown    = "unknown"     // a live workload the table does not hold
	StatusNotRunning = "not-running" // a table row without a live workload of its kind
)

// Directions of a change.
const (
	DirectionScaleDown = "scale-down" // fewer replicas
	DirectionScaleUp   = "scale-up"   // more replicas
	DirectionResize    = "resize"     // same replicas, other requests/limits
	DirectionNone      = ""
)

// Outcomes of an unknown workload's next create or pod-template change under enforce.
const (
	OutcomeDenied  = "denied"
	OutcomeWarned  = "warned"
	OutcomeAllowed = "allowed"
)

// Amount is a live value, the value enforcing gives it, and the difference (target − live).
type Amount struct {
	Live   float64 `json:"live"`
	Target float64 `json:"target"`
	Delta  float64 `json:"delta"`
}

func amount(live, target float64) Amount {
	return Amount{Live: live, Target: target, Delta: target - live}
}

func (a *Amount) add(b Amount) {
	a.Live, a.Target, a.Delta = a.Live+b.Live, a.Target+b.Target, a.Delta+b.Delta
}

// Workload is one live workload (or table row) in the preview. CPU in millicores and memory in
// MiB, both requests × pods over every container of the pod. A DaemonSet's Replicas are zero
// (it has none; its CPU and memory count the pods it runs now).
type Workload struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Status    string `json:"status"`
	Direction string `json:"direction"`
	// HPA names a HorizontalPodAutoscaler that owns the replicas (not forced), "" if none.
	HPA              string `json:"hpa"`
	Replicas         Amount `json:"replicas"`
	CPURequestMillis Amount `json:"cpuRequestMillis"`
	MemRequestMiB    Amount `json:"memRequestMiB"`
	// Changes say in words what enforcing sets, e.g. "replicas 6 -> 4", "app requests.cpu 500m -> 350m".
	Changes []string `json:"changes"`
	// Outcome is, for an unknown workload, what its next create or rollout gets (denied, warned, allowed).
	Outcome string `json:"outcome,omitempty"`
	// TableVersion is the control-table row version compared with (0 for unknown workloads).
	TableVersion uint64 `json:"tableVersion"`
	// LastDecision is the webhook's last reported decision on it (observe mode reports too).
	LastDecision *v1alpha1.Decision `json:"lastDecision,omitempty"`
	Notes        []string           `json:"notes"`
}

// Totals add up a namespace's (or cluster's) running workloads; not-running rows are counted only.
type Totals struct {
	Workloads        int    `json:"workloads"`
	Changed          int    `json:"changed"`
	ScaleDown        int    `json:"scaleDown"`
	ScaleUp          int    `json:"scaleUp"`
	Resize           int    `json:"resize"`
	Unknown          int    `json:"unknown"`
	WouldDeny        int    `json:"wouldDeny"`
	NotRunning       int    `json:"notRunning"`
	Replicas         Amount `json:"replicas"`
	CPURequestMillis Amount `json:"cpuRequestMillis"`
	MemRequestMiB    Amount `json:"memRequestMiB"`
}

func (t *Totals) add(o Totals) {
	t.Workloads += o.Workloads
	t.Changed += o.Changed
	t.ScaleDown += o.ScaleDown
	t.ScaleUp += o.ScaleUp
	t.Resize += o.Resize
	t.Unknown += o.Unknown
	t.WouldDeny += o.WouldDeny
	t.NotRunning += o.NotRunning
	t.Replicas.add(o.Replicas)
	t.CPURequestMillis.add(o.CPURequestMillis)
	t.MemRequestMiB.add(o.MemRequestMiB)
}

// Namespace is one namespace's preview.
type Namespace struct {
	Name string `json:"name"`
	// Control and UnknownWorkloads are the namespace's switch and rule as they are now.
	Control          string     `json:"control"`
	UnknownWorkloads string     `json:"unknownWorkloads"`
	Workloads        []Workload `json:"workloads"`
	Totals           Totals     `json:"totals"`
}

// Live is what a namespace runs now, as listed from the cluster.
type Live struct {
	Namespace string
	// Annotations are the namespace's, where the webhook reads the unknown-workload rule of
	// each kind (v1alpha1.UnknownMode; none = deny).
	Annotations map[string]string
	Control     string
	Workloads   []Object
	HPAs        map[workload.Ref]string             // workload → the HPA scaling it
	Decisions   map[workload.Ref]*v1alpha1.Decision // workload → its policy's last reported decision
}

// Compute compares what runs in a namespace with its control-table rows (current versions;
// removed rows are ignored) the way the webhook would enforce them on a create or rollout:
// replicas unless an HPA owns them, and each named container's requests and limits, a field
// the policy leaves unset kept as it runs and a request above its limit clamped to the limit.
func Compute(live Live, rows []control.Row) Namespace {
	out := Namespace{Name: live.Namespace, Control: live.Control, UnknownWorkloads: live.Annotations[v1alpha1.AnnotationUnknownWorkloads], Workloads: []Workload{}}
	if out.UnknownWorkloads == "" {
		out.UnknownWorkloads = v1alpha1.UnknownDeny
	}
	byRef := map[workload.Ref]control.Row{}
	for _, r := range rows {
		if r.Namespace == live.Namespace && !r.Deleted {
			byRef[workload.Ref{Namespace: r.Namespace, Kind: workload.Kind(r.Kind), Name: r.Workload}] = r
		}
	}
	running := map[workload.Ref]bool{}
	for i := range live.Workloads {
		o := &live.Workloads[i]
		running[o.Ref] = true
		var w Workload
		if row, ok := byRef[o.Ref]; ok {
			w = enforced(o, row, live.HPAs[o.Ref])
		} else {
			w = unknown(o, v1alpha1.UnknownMode(live.Annotations, o.Kind))
		}
		w.LastDecision = live.Decisions[o.Ref]
		out.Workloads = append(out.Workloads, w)
	}
	for ref, row := range byRef {
		if !running[ref] {
			rep := row.Replicas
			rep.Resolve()
			target := 0.0
			if workload.HasReplicas(ref.Kind) {
				target = float64(max(rep.Effective, 0))
			}
			out.Workloads = append(out.Workloads, Workload{Name: ref.Name, Kind: ref.Kind, Status: StatusNotRunning, TableVersion: row.Version,
				Replicas: Amount{Target: target}, Changes: []string{},
				Notes: []string{fmt.Sprintf("in the control table but no %s of this name runs: its policy applies when one is created", ref.Kind)}})
		}
	}
	slices.SortFunc(out.Workloads, func(a, b Workload) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), slices.Index(workload.Kinds, a.Kind)-slices.Index(workload.Kinds, b.Kind))
	})
	for _, w := range out.Workloads {
		out.Totals.count(w)
	}
	return out
}

func (t *Totals) count(w Workload) {
	if w.Status == StatusNotRunning {
		t.NotRunning++
		return
	}
	t.Workloads++
	switch w.Status {
	case StatusChange:
		t.Changed++
	case StatusUnknown:
		t.Unknown++
		if w.Outcome == OutcomeDenied {
			t.WouldDeny++
		}
	}
	switch w.Direction {
	case DirectionScaleDown:
		t.ScaleDown++
	case DirectionScaleUp:
		t.ScaleUp++
	case DirectionResize:
		t.Resize++
	}
	t.Replicas.add(w.Replicas)
	t.CPURequestMillis.add(w.CPURequestMillis)
	t.MemRequestMiB.add(w.MemRequestMiB)
}

// replicaAmount is what a workload's replica count adds to the totals: nothing for a DaemonSet,
// whose pods follow its nodes.
func replicaAmount(o *Object, from, to int32) Amount {
	if !workload.HasReplicas(o.Kind) {
		return Amount{}
	}
	return amount(float64(from), float64(to))
}

// daemonSetNote says how a DaemonSet is counted.
func daemonSetNote(o *Object) string {
	return fmt.Sprintf("a DaemonSet has no replicas: it runs one pod per eligible node (%d now), and requests count those pods", o.Replicas)
}

func unknown(o *Object, rule string) Workload {
	n := o.Replicas
	cpu, mem := podRequests(o.Containers)
	w := Workload{Name: o.Name, Kind: o.Kind, Status: StatusUnknown, Changes: []string{}, Notes: []string{},
		Replicas: replicaAmount(o, n, n), CPURequestMillis: amount(cpu*float64(n), cpu*float64(n)),
		MemRequestMiB: amount(mem*float64(n), mem*float64(n))}
	switch rule {
	case v1alpha1.UnknownAllow:
		w.Outcome = OutcomeAllowed
		w.Notes = append(w.Notes, "not in the control table: admitted unmanaged (namespace allows unknown workloads)")
	case v1alpha1.UnknownWarn:
		w.Outcome = OutcomeWarned
		w.Notes = append(w.Notes, "not in the control table: admitted unmanaged with a warning")
	default:
		what := "create, rollout or scale"
		if !workload.HasReplicas(o.Kind) {
			what = "create or rollout"
		}
		w.Outcome = OutcomeDenied
		w.Notes = append(w.Notes, fmt.Sprintf("not in the control table: its next %s is denied; add it to the table or set the namespace's unknown-workload rule for %ss to warn or allow", what, o.Kind))
	}
	if !workload.HasReplicas(o.Kind) {
		w.Notes = append(w.Notes, daemonSetNote(o))
	}
	return w
}

func enforced(o *Object, row control.Row, hpa string) Workload {
	policy := row.Policy()
	w := Workload{Name: o.Name, Kind: o.Kind, HPA: hpa, TableVersion: row.Version, Changes: []string{}, Notes: []string{}}
	from := o.Replicas
	to := from
	switch {
	case !workload.HasReplicas(o.Kind):
		w.Notes = append(w.Notes, daemonSetNote(o))
	case policy.Spec.Replicas == nil:
		w.Notes = append(w.Notes, "the table sets no replicas; they stay as they run")
	case hpa != "":
		w.Notes = append(w.Notes, fmt.Sprintf("HorizontalPodAutoscaler %s owns the replicas; the table's %d are not forced", hpa, *policy.Spec.Replicas))
	default:
		to = *policy.Spec.Replicas
	}
	if to != from {
		w.Changes = append(w.Changes, fmt.Sprintf("replicas %d -> %d", from, to))
	}
	liveContainers := o.Containers
	target := make([]corev1.Container, len(liveContainers))
	for i := range liveContainers {
		target[i] = *liveContainers[i].DeepCopy()
	}
	for _, cp := range policy.Spec.Containers {
		i := slices.IndexFunc(target, func(c corev1.Container) bool { return c.Name == cp.Name })
		if i < 0 {
			w.Notes = append(w.Notes, fmt.Sprintf("the table names container %q, which the %s does not have", cp.Name, o.Kind))
			continue
		}
		w.Changes = append(w.Changes, apply(&target[i], cp)...)
	}
	liveCPU, liveMem := podRequests(liveContainers)
	cpu, mem := podRequests(target)
	w.Replicas = replicaAmount(o, from, to)
	w.CPURequestMillis = amount(liveCPU*float64(from), cpu*float64(to))
	w.MemRequestMiB = amount(liveMem*float64(from), mem*float64(to))
	w.Status, w.Direction = StatusUnchanged, DirectionNone
	if len(w.Changes) > 0 {
		w.Status = StatusChange
		switch {
		case to < from:
			w.Direction = DirectionScaleDown
		case to > from:
			w.Direction = DirectionScaleUp
		default:
			w.Direction = DirectionResize
		}
	}
	return w
}

// apply sets a container's governed values as the webhook does (see webhook/decision's
// patcher): a nil or non-positive quantity keeps what runs, a request above its limit is clamped.
func apply(c *corev1.Container, cp v1alpha1.ContainerPolicy) []string {
	before := c.Resources.DeepCopy()
	set := func(list *corev1.ResourceList, name corev1.ResourceName, q *resource.Quantity) {
		if q == nil || q.Sign() <= 0 {
			return
		}
		if *list == nil {
			*list = corev1.ResourceList{}
		}
		if cur, ok := (*list)[name]; ok && cur.Cmp(*q) == 0 {
			return
		}
		(*list)[name] = q.DeepCopy()
	}
	r := &c.Resources
	set(&r.Requests, corev1.ResourceCPU, cp.CPURequest)
	set(&r.Requests, corev1.ResourceMemory, cp.MemoryRequest)
	set(&r.Limits, corev1.ResourceCPU, cp.CPULimit)
	set(&r.Limits, corev1.ResourceMemory, cp.MemoryLimit)
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := r.Requests[name]
		lim, hasLim := r.Limits[name]
		if hasReq && hasLim && req.Cmp(lim) > 0 {
			r.Requests[name] = lim.DeepCopy()
		}
	}
	var changes []string
	for _, f := range []struct {
		kind     string
		from, to corev1.ResourceList
		name     corev1.ResourceName
	}{
		{"requests", before.Requests, r.Requests, corev1.ResourceCPU}, {"requests", before.Requests, r.Requests, corev1.ResourceMemory},
		{"limits", before.Limits, r.Limits, corev1.ResourceCPU}, {"limits", before.Limits, r.Limits, corev1.ResourceMemory},
	} {
		a, hadA := f.from[f.name]
		b, hasB := f.to[f.name]
		if hadA == hasB && (!hasB || a.Cmp(b) == 0) {
			continue
		}
		was := "unset"
		if hadA {
			was = a.String()
		}
		changes = append(changes, fmt.Sprintf("%s %s.%s %s -> %s", c.Name, f.kind, f.name, was, b.String()))
	}
	return changes
}

// podRequests sums the containers' CPU (millicores) and memory (MiB) requests; a container with
// a limit but no request is scheduled at its limit, as Kubernetes defaults the request to it.
func podRequests(cs []corev1.Container) (cpuMillis, memMiB float64) {
	for _, c := range cs {
		cpuMillis += float64(requestOf(c.Resources, corev1.ResourceCPU).MilliValue())
		memMiB += float64(requestOf(c.Resources, corev1.ResourceMemory).Value()) / (1 << 20)
	}
	return cpuMillis, memMiB
}

func requestOf(r corev1.ResourceRequirements, name corev1.ResourceName) *resource.Quantity {
	if q, ok := r.Requests[name]; ok {
		return &q
	}
	if q, ok := r.Limits[name]; ok {
		return &q
	}
	return resource.NewQuantity(0, resource.DecimalSI)
}

// Cluster adds namespaces' previews into one.
type Cluster struct {
	Cluster    string      `json:"cluster"`
	Namespaces []Namespace `json:"namespaces"`
	Totals     Totals      `json:"totals"`
	Warnings   []string    `json:"warnings"`
}

// Sum fills c.Totals from its namespaces.
func (c *Cluster) Sum() {
	c.Totals = Totals{}
	for _, n := range c.Namespaces {
		c.Totals.add(n.Totals)
	}
}

// PodRequests is podRequests for other packages (pkg/savings prices what runs with it).
func PodRequests(cs []corev1.Container) (cpuMillis, memMiB float64) { return podRequests(cs) }
