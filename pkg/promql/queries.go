package promql

import (
	"fmt"
	"time"
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
}

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

// PodOwners lists each pod's ReplicaSet seen in the window (instant query at the window end).
func PodOwners(s Scope, w Window) string {
	sel := Selector("kube_pod_owner", s.matchers(false, Eq("owner_kind", "ReplicaSet"))...)
	return By("max", []string{"namespace", "pod", "owner_name"}, "max_over_time("+sel+"["+Duration(w.Range)+"])")
}

// ReplicaSetOwners lists each ReplicaSet's Deployment seen in the window.
func ReplicaSetOwners(s Scope, w Window) string {
	sel := Selector("kube_replicaset_owner", s.matchers(false, Eq("owner_kind", "Deployment"))...)
	return By("max", []string{"namespace", "replicaset", "owner_name"}, "max_over_time("+sel+"["+Duration(w.Range)+"])")
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
		return "quantile_over_time(" + num(w.Quantile) + ", " + Subquery(expr, w.Range, w.Step) + ")"
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
		return By("max", []string{"namespace", "pod", "container", "resource"}, "max_over_time("+sel+"["+Duration(w.Range)+"])")
	}
	return Or(Tag(one("kube_pod_container_resource_requests"), TagRequest), Tag(one("kube_pod_container_resource_limits"), TagLimit))
}

// CFS is each (pod, container)'s increase of throttled and total CFS periods over the window,
// tagged throttled and periods. The pod-cgroup series (container="") is excluded.
func CFS(s Scope, w Window) string {
	one := func(metric string) string {
		sel := Selector(metric, s.matchers(true, containers()...)...)
		return By("sum", podContainer, "increase("+sel+"["+Duration(w.Range)+"])")
	}
	return Or(Tag(one("container_cpu_cfs_throttled_periods_total"), TagThrottled), Tag(one("container_cpu_cfs_periods_total"), TagPeriods))
}

// restartLook widens the restart look-back by Prometheus' default lookback, so a restart at the
// window's first instant is never missed; RestartSteps does the exact counting.
const restartLook = 5 * time.Minute

// Restarted lists the (pod, container)s that restarted around the window and whose last
// termination was an OOM kill at some point in it: the candidates RestartSteps examines.
func Restarted(s Scope, w Window) string {
	rng := Duration(w.Range + restartLook)
	restarts := Selector("kube_pod_container_status_restarts_total", s.matchers(true)...)
	oom := Selector("kube_pod_container_status_last_terminated_reason", s.matchers(true, Eq("reason", "OOMKilled"))...)
	return "(" + By("max", podContainer, "changes("+restarts+"["+rng+"])") + " > 0)\nand on (namespace, pod, container)\n(" +
		By("max", podContainer, "max_over_time("+oom+"["+rng+"])") + " == 1)"
}

// RestartSteps is the restart counter and the OOMKilled flag of the scope's pods, for a range
// query at the collector's resolution, tagged restarts and oom.
func RestartSteps(s Scope) string {
	restarts := Selector("kube_pod_container_status_restarts_total", s.matchers(true)...)
	oom := Selector("kube_pod_container_status_last_terminated_reason", s.matchers(true, Eq("reason", "OOMKilled"))...)
	return Or(Tag(By("max", podContainer, restarts), TagRestarts), Tag(By("max", podContainer, oom), TagOOM))
}

// ReadyPods is, per ReplicaSet (owner_name), the number of Running and Ready pods, for a range
// query over the window; the collector adds a Deployment's ReplicaSets up at each step (so a
// rollout's two ReplicaSets count as one workload), using the owner chain it already read. "and"
// keeps the owner series and joins nothing at each step, which makes this the cheap form.
func ReadyPods(s Scope) string {
	owner := By("max", []string{"namespace", "pod", "owner_name"}, Selector("kube_pod_owner", s.matchers(true, Eq("owner_kind", "ReplicaSet"))...))
	phase := Selector("kube_pod_status_phase", s.matchers(true, Eq("phase", "Running"))...)
	ready := Selector("kube_pod_status_ready", s.matchers(true, Eq("condition", "true"))...)
	return By("count", []string{"namespace", "owner_name"},
		owner+"\nand on (namespace, pod) ("+phase+" == 1)\nand on (namespace, pod) ("+ready+" == 1)")
}

// DesiredReplicas is, per Deployment (label deployment), the most replicas its spec asked for
// at any instant of the window: kube-state-metrics' kube_deployment_spec_replicas, an instant
// query at the window end. The maximum is what the Deployment was sized to run at its peak; a
// rollout or a crash loop never lowers it (they change Ready pods, not the spec), and it is 0
// only when the spec was 0 at every sample of the window. A Deployment without the series
// (kube-state-metrics not exporting it) is absent from the answer.
func DesiredReplicas(s Scope, w Window) string {
	sel := Selector("kube_deployment_spec_replicas", s.matchers(false)...)
	return By("max", []string{"namespace", "deployment"}, "max_over_time("+sel+"["+Duration(w.Range)+"])")
}

// HPAMinReplicas is, per Deployment (label deployment), the minReplicas of the
// HorizontalPodAutoscaler that scales it, as last seen in the window: kube-state-metrics'
// kube_horizontalpodautoscaler_spec_min_replicas joined on (namespace, horizontalpodautoscaler)
// with kube_horizontalpodautoscaler_info's scale target (kind Deployment), an instant query at
// the window end. A Deployment no HPA targets is absent from the answer. Two HPAs on one
// Deployment (a misconfiguration) answer the larger minReplicas.
func HPAMinReplicas(s Scope, w Window) string {
	r := "[" + Duration(w.Range) + "]"
	minRep := Selector("kube_horizontalpodautoscaler_spec_min_replicas", s.matchers(false)...)
	info := Selector("kube_horizontalpodautoscaler_info", s.matchers(false, Eq("scaletargetref_kind", "Deployment"))...)
	joined := "last_over_time(" + minRep + r + ")\n* on (namespace, horizontalpodautoscaler) group_left (scaletargetref_name)\n" +
		By("max", []string{"namespace", "horizontalpodautoscaler", "scaletargetref_name"}, "last_over_time("+info+r+")")
	return By("max", []string{"namespace", "deployment"},
		`label_replace(`+joined+`, "deployment", "$1", "scaletargetref_name", "(.+)")`)
}
