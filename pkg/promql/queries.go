package promql

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Scope selects the series one query covers: the cluster (a label filter, for a Prometheus that
// holds several clusters), optionally one namespace, and optionally the pods of a batch of
// workloads.
type Scope struct {
	ClusterKey, ClusterValue string   // no filter when ClusterKey is ""
	Namespace                string   // "" = every namespace
	Pods                     []string // nil = every pod of the namespace
}

func (s Scope) cluster() []Matcher {
	if s.ClusterKey == "" {
		return nil
	}
	return []Matcher{Eq(s.ClusterKey, s.ClusterValue)}
}

// matchers are the scope's matchers plus extra.
func (s Scope) matchers(withPods bool, extra ...Matcher) []Matcher {
	ms := s.cluster()
	if s.Namespace != "" {
		ms = append(ms, Eq("namespace", s.Namespace))
	}
	if withPods && len(s.Pods) > 0 {
		ms = append(ms, Re("pod", Alternation(s.Pods)))
	}
	return append(ms, extra...)
}

// Window is the evaluation shape shared by one day's queries: instant queries are evaluated at
// End and look back Range; subqueries sample every Step; rates use RateRange.
type Window struct {
	Range     time.Duration // window length
	Step      time.Duration // subquery resolution
	RateRange time.Duration // rate() range
	Quantile  float64
	// LeftOpen says the server's range selectors leave out a sample at exactly their lower bound
	// (Prometheus 3; 2.x includes it), as LeftOpenProbe finds out.
	LeftOpen bool
}

// over is the range selector "[…]" an instant query at the window end uses to see every sample
// in [start, end], the instants the range queries step over. Prometheus 2 reads [Range] as
// exactly that; Prometheus 3 leaves out start, so the range grows by 1 ms, the resolution of
// Prometheus timestamps: (start-1ms, end] holds the same samples as [start, end].
func (w Window) over(extra time.Duration) string { return "[" + w.length(extra) + "]" }

func (w Window) length(extra time.Duration) string {
	d := w.Range + extra
	if w.LeftOpen {
		return strconv.FormatInt((d+time.Millisecond).Milliseconds(), 10) + "ms"
	}
	return Duration(d)
}

// LeftOpenProbe tells a server's range semantics without reading any series: evaluated at a
// multiple of 30 s, its subquery steps are start, start+30s and the end when ranges are closed
// (answer 3, Prometheus 2) and leave out start when they are left-open (answer 2, Prometheus 3,
// where subqueries follow range selectors).
const LeftOpenProbe = "count_over_time(vector(1)[60s:30s])"

// LeftOpenAnswer is LeftOpenProbe's value on a server whose ranges are left-open.
const LeftOpenAnswer = 2

// Tags the usage query puts on its series.
const (
	TagCPU       = "cpu"
	TagMem       = "mem"
	TagPodCPU    = "pod_cpu"
	TagPodMem    = "pod_mem"
	TagRequest   = "request"
	TagLimit     = "limit"
	TagThrottled = "throttled"
	TagPeriods   = "periods"
	TagRestarts  = "restarts"
	TagOOM       = "oom"
)

var (
	podContainer = []string{"namespace", "pod", "container"}
	podOnly      = []string{"namespace", "pod"}
)

// containers excludes the pod-cgroup series (container="") and the pause container.
func containers() []Matcher { return []Matcher{Ne("container", ""), Ne("container", "POD")} }

func num(f float64) string { return fmt.Sprintf("%g", f) }

// Labels of the answers that name a workload: PodOwners and ReadyPods keep kube_pod_owner's
// owner_kind and owner_name; DesiredReplicas and HPAMinReplicas answer (namespace, kind, workload).
const (
	LabelKind     = "kind"
	LabelWorkload = "workload"
)

// podOwner selects kube_pod_owner's series that lead to a workload: a pod's ReplicaSet (which
// ReplicaSetOwners leads to its Deployment), or the StatefulSet or DaemonSet controlling it. Two
// selectors joined with "or" (their series are disjoint): the ReplicaSet one is what the
// collector always read, and only a controller owner makes a pod part of a StatefulSet or
// DaemonSet. inner wraps each selector (a range function, or nothing).
func podOwner(s Scope, withPods bool, inner func(sel string) string) string {
	rs := Selector("kube_pod_owner", s.matchers(withPods, Eq("owner_kind", "ReplicaSet"))...)
	direct := Selector("kube_pod_owner", s.matchers(withPods,
		Re("owner_kind", workload.StatefulSet+"|"+workload.DaemonSet), Eq("owner_is_controller", "true"))...)
	return inner(rs) + " or " + inner(direct)
}

// PodOwners lists each pod's owner seen in the window (instant query at the window end): its
// ReplicaSet, or the StatefulSet or DaemonSet controlling it (labels owner_kind, owner_name).
func PodOwners(s Scope, w Window) string {
	r := w.over(0)
	return By("max", []string{"namespace", "pod", "owner_kind", "owner_name"},
		podOwner(s, false, func(sel string) string { return "max_over_time(" + sel + r + ")" }))
}

// ReplicaSetOwners lists each ReplicaSet's Deployment seen in the window.
func ReplicaSetOwners(s Scope, w Window) string {
	sel := Selector("kube_replicaset_owner", s.matchers(false, Eq("owner_kind", "Deployment"))...)
	return By("max", []string{"namespace", "replicaset", "owner_name"}, "max_over_time("+sel+w.over(0)+")")
}

// cpuRate is each (pod, container)'s CPU in cores; max folds the series a restart leaves (one
// per container id).
func cpuRate(s Scope, w Window) string {
	sel := Selector("container_cpu_usage_seconds_total", s.matchers(true, containers()...)...)
	return By("max", podContainer, "rate("+sel+"["+Duration(w.RateRange)+"])")
}

func memWorkingSet(s Scope) string {
	return By("max", podContainer, Selector("container_memory_working_set_bytes", s.matchers(true, containers()...)...))
}

// UsageSeries is each (pod, container)'s CPU (cores) and working set (bytes), tagged cpu and mem,
// for a range query over the window; the collector takes the quantiles and the pod totals.
func UsageSeries(s Scope, w Window) string {
	return Or(Tag(cpuRate(s, w), TagCPU), Tag(memWorkingSet(s), TagMem))
}

// Usage is the same answer computed by Prometheus: the quantile over the window of each (pod,
// container)'s CPU and working set, and of each pod's total, as instant subqueries tagged cpu,
// mem, pod_cpu and pod_mem. The collector does not use it: BenchmarkUsageShapes measured it ~4×
// slower than UsageSeries plus the arithmetic in Go (see pkg/collect's doc).
func Usage(s Scope, w Window) string {
	q := func(expr string) string {
		return "quantile_over_time(" + num(w.Quantile) + ", (" + expr + ")[" + w.length(0) + ":" + Duration(w.Step) + "])"
	}
	return Or(
		Tag(q(cpuRate(s, w)), TagCPU),
		Tag(q(memWorkingSet(s)), TagMem),
		Tag(q(By("sum", podOnly, cpuRate(s, w))), TagPodCPU),
		Tag(q(By("sum", podOnly, memWorkingSet(s))), TagPodMem),
	)
}

// Resources is each (pod, container)'s CPU (cores) and memory (bytes) requests and limits, the
// highest seen in the window, tagged request and limit.
func Resources(s Scope, w Window) string {
	one := func(metric string) string {
		sel := Selector(metric, s.matchers(true, Re("resource", "cpu|memory"), Re("unit", "core|byte"))...)
		return By("max", []string{"namespace", "pod", "container", "resource"}, "max_over_time("+sel+w.over(0)+")")
	}
	return Or(Tag(one("kube_pod_container_resource_requests"), TagRequest), Tag(one("kube_pod_container_resource_limits"), TagLimit))
}

// CFS is each (pod, container)'s increase of throttled and total CFS periods over the window,
// tagged throttled and periods. The pod-cgroup series (container="") is excluded.
func CFS(s Scope, w Window) string {
	one := func(metric string) string {
		sel := Selector(metric, s.matchers(true, containers()...)...)
		return By("sum", podContainer, "increase("+sel+w.over(0)+")")
	}
	return Or(Tag(one("container_cpu_cfs_throttled_periods_total"), TagThrottled), Tag(one("container_cpu_cfs_periods_total"), TagPeriods))
}

// restartLook widens the restart look-back by Prometheus' default lookback, so a restart at the
// window's first instant is never missed; RestartSteps does the exact counting.
const restartLook = 5 * time.Minute

// Restarted lists the (pod, container)s that restarted around the window and whose last
// termination was an OOM kill at some point in it: the candidates RestartSteps examines.
func Restarted(s Scope, w Window) string {
	rng := w.over(restartLook)
	restarts := Selector("kube_pod_container_status_restarts_total", s.matchers(true)...)
	oom := Selector("kube_pod_container_status_last_terminated_reason", s.matchers(true, Eq("reason", "OOMKilled"))...)
	return "(" + By("max", podContainer, "changes("+restarts+rng+")") + " > 0)\nand on (namespace, pod, container)\n(" +
		By("max", podContainer, "max_over_time("+oom+rng+")") + " == 1)"
}

// RestartSteps is the restart counter and the OOMKilled flag of the scope's pods, for a range
// query at the collector's resolution, tagged restarts and oom.
func RestartSteps(s Scope) string {
	restarts := Selector("kube_pod_container_status_restarts_total", s.matchers(true)...)
	oom := Selector("kube_pod_container_status_last_terminated_reason", s.matchers(true, Eq("reason", "OOMKilled"))...)
	return Or(Tag(By("max", podContainer, restarts), TagRestarts), Tag(By("max", podContainer, oom), TagOOM))
}

// ReadyPods is, per owner (owner_kind, owner_name: a ReplicaSet, StatefulSet or DaemonSet), the
// number of Running and Ready pods, for a range query over the window; the collector adds a
// Deployment's ReplicaSets up at each step (so a rollout's two ReplicaSets count as one
// workload), using the owner chain it already read. "and" keeps the owner series and joins
// nothing at each step, which makes this the cheap form.
func ReadyPods(s Scope) string {
	owner := By("max", []string{"namespace", "pod", "owner_kind", "owner_name"}, podOwner(s, true, func(sel string) string { return sel }))
	phase := Selector("kube_pod_status_phase", s.matchers(true, Eq("phase", "Running"))...)
	ready := Selector("kube_pod_status_ready", s.matchers(true, Eq("condition", "true"))...)
	return By("count", []string{"namespace", "owner_kind", "owner_name"},
		owner+"\nand on (namespace, pod) ("+phase+" == 1)\nand on (namespace, pod) ("+ready+" == 1)")
}

// desiredSeries are, per kind, kube-state-metrics' desired pod count and the label naming the
// workload. A DaemonSet's is the nodes that should run its pod.
var desiredSeries = []struct{ kind, metric, label string }{
	{workload.Deployment, "kube_deployment_spec_replicas", "deployment"},
	{workload.StatefulSet, "kube_statefulset_replicas", "statefulset"},
	{workload.DaemonSet, "kube_daemonset_status_desired_number_scheduled", "daemonset"},
}

// DesiredReplicas is, per workload (labels kind and workload), the most pods its spec asked for
// at any instant of the window: kube_deployment_spec_replicas, kube_statefulset_replicas, and
// for a DaemonSet kube_daemonset_status_desired_number_scheduled; one instant query at the
// window end. The maximum is what the workload was sized to run at its peak; a rollout or a
// crash loop never lowers it (they change Ready pods, not the spec), and it is 0 only when the
// spec was 0 at every sample of the window. A workload without the series (kube-state-metrics
// not exporting it) is absent from the answer.
func DesiredReplicas(s Scope, w Window) string {
	exprs := make([]string, 0, len(desiredSeries))
	for _, d := range desiredSeries {
		sel := Selector(d.metric, s.matchers(false)...)
		named := `label_replace(max_over_time(` + sel + w.over(0) + `), "` + LabelWorkload + `", "$1", "` + d.label + `", "(.+)")`
		exprs = append(exprs, setLabel(By("max", []string{"namespace", LabelWorkload}, named), LabelKind, d.kind))
	}
	return Or(exprs...)
}

// setLabel sets label to value on every series of expr.
func setLabel(expr, label, value string) string {
	return "label_replace(" + expr + ", " + Quote(label) + ", " + Quote(value) + `, "", "")`
}

// HPAMinReplicas is, per Deployment or StatefulSet (labels kind and workload), the minReplicas
// of the HorizontalPodAutoscaler that scales it, as last seen in the window: kube-state-metrics'
// kube_horizontalpodautoscaler_spec_min_replicas joined on (namespace, horizontalpodautoscaler)
// with kube_horizontalpodautoscaler_info's scale target, an instant query at the window end. A
// workload no HPA targets is absent from the answer. Two HPAs on one workload (a
// misconfiguration) answer the larger minReplicas.
func HPAMinReplicas(s Scope, w Window) string {
	r := w.over(0)
	minRep := Selector("kube_horizontalpodautoscaler_spec_min_replicas", s.matchers(false)...)
	info := Selector("kube_horizontalpodautoscaler_info", s.matchers(false,
		Re("scaletargetref_kind", workload.Deployment+"|"+workload.StatefulSet))...)
	target := []string{"scaletargetref_kind", "scaletargetref_name"}
	joined := "last_over_time(" + minRep + r + ")\n* on (namespace, horizontalpodautoscaler) group_left (" + strings.Join(target, ", ") + ")\n" +
		By("max", append([]string{"namespace", "horizontalpodautoscaler"}, target...), "last_over_time("+info+r+")")
	named := `label_replace(label_replace(` + joined + `, "` + LabelWorkload + `", "$1", "scaletargetref_name", "(.+)"), "` +
		LabelKind + `", "$1", "scaletargetref_kind", "(.+)")`
	return By("max", []string{"namespace", LabelKind, LabelWorkload}, named)
}
