// Package collect reads one cluster's daily peak-window usage from Prometheus and turns it into
// peak samples (pkg/peaks): per Deployment and container name, the configured quantile over the
// window of each pod's CPU (rate of container_cpu_usage_seconds_total, cores) and working-set
// memory (bytes), the worst pod (max) and the pod average; the pod totals; Running+Ready pods
// (min, max); requests and limits; % of limit; CFS throttling; OOM kills.
//
// # What is stored, exactly
//
// For day D (the day the window starts on, in the cluster's zone) and window [start, end]:
//   - Per (pod, container name), series are folded by max (a restart leaves one series per
//     container id); container="" (the pod cgroup) and "POD" (pause) are never read. The value
//     is quantile_over_time(q) over the subquery samples in the window at the collector's step —
//     only instants where the pod had a value count, so a pod that lived half the window is not
//     diluted by the half it did not exist.
//   - CPUMax/MemMax = max over the Deployment's pods (all its ReplicaSets, via kube_pod_owner →
//     kube_replicaset_owner) of the pod's value; CPUAvg/MemAvg = their arithmetic mean.
//   - The pod-total row (container "") applies the same max/mean to each pod's total, where the
//     total at an instant is the sum of its containers' values (not the pod cgroup series, which
//     also holds the pause container). Its requests are the sum of the containers' requests; its
//     limit is the sum of the limits when every container has one, else 0 (no pod limit). Its
//     throttling is Σ throttled / Σ periods over all containers, its OOM kills the sum.
//   - Requests/limits: the highest kube_pod_container_resource_{requests,limits} of the container
//     among the Deployment's pods in the window (cores, bytes; 0 = not set).
//   - % of limit = the worst pod's value / limit × 100 (0 without a limit).
//   - Throttling = Σ increase(throttled periods) / Σ increase(periods) over the Deployment's pods'
//     container series in the window (0 without CFS series, i.e. without a CPU limit).
//   - OOM kills: the increments of kube_pod_container_status_restarts_total seen at steps t with
//     start ≤ t < end, counted when last_terminated_reason{reason="OOMKilled"} is 1 at t (the
//     restart was an OOM kill). A pod first seen inside the window counts its restarts since it
//     appeared.
//   - PodsMin/PodsMax: the fewest/most Running+Ready pods of the Deployment (its ReplicaSets
//     added up) over the window's steps [start, end]; a step where none were ready counts as 0.
//
// # Why instant subqueries, not range queries computed in Go
//
// Both give the exact per-pod quantile: the subquery evaluates the same inner expression at the
// same steps a range query would, and Prometheus' quantile_over_time is the interpolating
// quantile the generator's answers are pinned to. What differs is the volume on the wire: a range
// query returns every step of every (pod, container) series (20,000 pods × 181 steps ≈ 3.6 M
// points per metric for 10,000 workloads), which this process must decode and sort; the subquery
// returns one number per series. So the per-pod values and pod totals are instant queries at the
// window end with subqueries. Two things need every step and are range queries: ready pods per
// ReplicaSet (one short series per ReplicaSet, added up per Deployment in Go — measured twice as
// fast as joining the Deployment in PromQL and taking min/max/count over subqueries), and OOM
// kills, only for the few containers that restarted (found by a cheap instant query first). The step is the configured resolution (default 30 s), raised when needed so no
// query sees more than 11,000 points per series. BENCHMARKS.md ("Collection") has the figures.
//
// # Load on Prometheus
//
// Owners are read once per window for the whole cluster; everything else per namespace, and per
// batch of whole workloads (Options.BatchPods) in big namespaces. Related results travel in one
// query joined with "or" and told apart by a kd_value label. Queries run with bounded
// concurrency and a per-query timeout; transient failures (unreachable, 5xx, 429, timeouts) are
// retried with exponential backoff. Any failure that remains fails the whole day: the caller
// writes nothing for it, so a day is never stored half-collected.
package collect
