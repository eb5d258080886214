package promql

import (
	"strings"
	"time"
)

// KubeDoorQueries are the reference KubeDoor's (1.3.6–1.7) nine collection queries, rebuilt
// here only so benchmarks can run them side by side with ours on the same data. They are instant queries at the window end with
// subqueries at the server's default resolution; the product never uses them.
func KubeDoorQueries(clusterKey, clusterValue string, window time.Duration) map[string]string {
	env, envKey := "", ""
	if clusterKey != "" {
		env = clusterKey + "=" + Quote(clusterValue) + ","
		envKey = clusterKey + ", "
	}
	d := Duration(window)
	owner := `kube_pod_owner{` + env + `owner_is_controller="true",owner_kind="ReplicaSet"}`
	join := ` * on (` + envKey + `namespace,pod) group_left (owner_name) ` + owner
	byOwner := func(agg, expr string) string {
		return agg + ` by (` + envKey + `namespace, owner_name) (` + expr + `)`
	}
	byPod := func(expr string) string { return `max by (` + envKey + `namespace, pod) (` + expr + `)` }
	cpu := `irate(container_cpu_usage_seconds_total{` + env + `container!="",container!="POD"}[3m])`
	wss := `container_memory_working_set_bytes{` + env + `container!="",container!="POD"}`
	res := func(metric, resource, unit string) string {
		return `max_over_time(` + byOwner("max", byPod(metric+`{`+env+`container!="",container!="POD",resource="`+resource+`",unit="`+unit+`"}`)+join) + `[` + d + `:])`
	}
	ready := `(kube_pod_status_phase{` + env + `phase="Running"} == 1 and on (` + envKey + `namespace,pod) kube_pod_status_ready{` + env + `condition="true"} == 1)`
	q := map[string]string{
		"pod_num": `min_over_time(label_replace(` + byOwner("count", ready+` * on (`+envKey+`namespace,pod) group_left (owner_name) kube_pod_owner{`+env+`owner_kind="ReplicaSet", owner_is_controller="true"}`) +
			`, "workload", "$1", "owner_name", "^(.*)-[a-z0-9]+$")[` + d + `:])`,
		"core_usage":         `quantile_over_time(0.80, ` + byOwner("avg", cpu+join) + `[` + d + `:])`,
		"core_usage_percent": `quantile_over_time(0.80, ` + byOwner("avg", byPod(cpu)+` / `+byPod(`container_spec_cpu_quota{`+env+`container!="",container!="POD"}`)+join) + `[` + d + `:])*10000000`,
		"wss_usage_MB":       `quantile_over_time(0.80, ` + byOwner("avg", wss+join) + `[` + d + `:])/1024/1024`,
		"wss_usage_percent": `quantile_over_time(0.80, ` + byOwner("avg", byPod(wss)+` / `+
			byPod(`kube_pod_container_resource_limits{`+env+`container!="",container!="POD",resource="memory",unit="byte"}`)+join) + `[` + d + `:])*100`,
		"limit_core":     res("kube_pod_container_resource_limits", "cpu", "core") + `*1000`,
		"limit_mem_MB":   res("kube_pod_container_resource_limits", "memory", "byte") + `/1024/1024`,
		"request_core":   res("kube_pod_container_resource_requests", "cpu", "core") + `*1000`,
		"request_mem_MB": res("kube_pod_container_resource_requests", "memory", "byte") + `/1024/1024`,
	}
	for k, v := range q {
		q[k] = strings.TrimSpace(v)
	}
	return q
}
