package promql

// The live workload dashboard (provisioning/dashboards/kubedoor-live.json) queries the user's
// Prometheus directly through Grafana. Its expressions are built here, with Grafana template
// variables as parameters, from the same selectors the collector reads; a test keeps the
// dashboard's JSON equal to these functions' output.

// Grafana template variables the live dashboard's queries use.
const (
	VarNamespace    = "$namespace"
	VarWorkloadRe   = "${workload:regex}" // the workload name, regex-escaped by Grafana
	VarRateInterval = "$__rate_interval"
)

// LivePodRegex matches the pods of one workload by name: <workload>-<hash>-<hash> (a
// Deployment's pod: ReplicaSet hash, pod suffix), <workload>-<suffix> (a DaemonSet's) or
// <workload>-<ordinal> (a StatefulSet's). Segments have no "-", so Deployment "api" does not
// take Deployment "api-gateway"'s pods. Names alone cannot tell Deployment "api" from a
// DaemonSet or StatefulSet named "api-<one segment>"; the dashboard says so.
func LivePodRegex(workloadRe string) string { return workloadRe + "-([a-z0-9]+-)?[a-z0-9]+" }

// liveScope selects the workload's containers: pod-cgroup (container="") and pause series out.
func liveScope(namespace, podRegex string, extra ...Matcher) []Matcher {
	ms := append([]Matcher{Eq("namespace", namespace), Re("pod", podRegex)}, containers()...)
	return append(ms, extra...)
}

// perPod sums a (pod, container) answer per pod, after max folds a restart's duplicate series
// (one per container id), as the collector does.
func perPod(sel string) string { return By("sum", []string{"pod"}, By("max", podContainer, sel)) }

// LiveCPU is each pod's CPU in cores now: the rate of container_cpu_usage_seconds_total over
// rateRange, summed over the pod's containers.
func LiveCPU(namespace, podRegex, rateRange string) string {
	return perPod("rate(" + Selector("container_cpu_usage_seconds_total", liveScope(namespace, podRegex)...) + "[" + rateRange + "])")
}

// LiveMemory is each pod's working set in bytes now, summed over its containers.
func LiveMemory(namespace, podRegex string) string {
	return perPod(Selector("container_memory_working_set_bytes", liveScope(namespace, podRegex)...))
}

// Resource names for LiveRequest and LiveLimit, with kube-state-metrics' unit for each.
const (
	ResourceCPU    = "cpu"
	ResourceMemory = "memory"
)

func unitOf(resource string) string {
	if resource == ResourceCPU {
		return "core"
	}
	return "byte"
}

// LiveRequest is each pod's request of resource (cores or bytes) as kube-state-metrics reports
// it now, summed over the pod's containers: the per-pod reference line drawn with LiveCPU or
// LiveMemory.
func LiveRequest(namespace, podRegex, resource string) string {
	return perPod(Selector("kube_pod_container_resource_requests",
		liveScope(namespace, podRegex, Eq("resource", resource), Eq("unit", unitOf(resource)))...))
}

// LiveLimit is LiveRequest for limits.
func LiveLimit(namespace, podRegex, resource string) string {
	return perPod(Selector("kube_pod_container_resource_limits",
		liveScope(namespace, podRegex, Eq("resource", resource), Eq("unit", unitOf(resource)))...))
}

// LiveTarget is one query of the live dashboard: its legend and expression.
type LiveTarget struct{ Legend, Expr string }

// LivePanels are the live dashboard's panels by title, each with its targets in order, built
// from the Grafana variables. The dashboard generator (src/dashboards) writes the same text and
// TestLiveDashboardMatchesTheBuilders compares them.
func LivePanels() map[string][]LiveTarget {
	pods := LivePodRegex(VarWorkloadRe)
	return map[string][]LiveTarget{
		"CPU per pod (cores) vs request and limit": {
			{"{{pod}}", LiveCPU(VarNamespace, pods, VarRateInterval)},
			{"request {{pod}}", LiveRequest(VarNamespace, pods, ResourceCPU)},
			{"limit {{pod}}", LiveLimit(VarNamespace, pods, ResourceCPU)},
		},
		"Working set per pod vs request and limit": {
			{"{{pod}}", LiveMemory(VarNamespace, pods)},
			{"request {{pod}}", LiveRequest(VarNamespace, pods, ResourceMemory)},
			{"limit {{pod}}", LiveLimit(VarNamespace, pods, ResourceMemory)},
		},
	}
}
