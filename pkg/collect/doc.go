// Package collect reads one cluster's daily peak-window usage from Prometheus and turns it into
// peak samples (pkg/peaks): per workload (Deployment, StatefulSet or DaemonSet; Sample.Kind) and
// container name, the configured quantile over the window of each pod's CPU (rate of
// container_cpu_usage_seconds_total, cores) and working-set memory (bytes), the worst pod (max)
// and the pod average; the pod totals; Running+Ready pods (min, max); requests and limits; % of
// limit; CFS throttling; OOM kills.
//
// # What is stored, exactly
//
// For day D (the day the window starts on, in the cluster's zone) and window [start, end]:
//   - Per (pod, container name), series are folded by max (a restart leaves one series per
//     container id); container="" (the pod cgroup) and "POD" (pause) are never read. The value
//     is the q-quantile (Prometheus' quantile_over_time arithmetic) of the values at the
//     collector's steps in [start, end] — only steps where the pod had a value count, so a pod
//     that lived half the window is not diluted by the half it did not exist.
//   - A workload's pods: a Deployment's through its ReplicaSets (kube_pod_owner with
//     owner_kind="ReplicaSet" → kube_replicaset_owner), a StatefulSet's or DaemonSet's straight
//     from kube_pod_owner (owner_kind="StatefulSet" or "DaemonSet", owner_is_controller="true").
//     The kind is part of the workload's identity: a StatefulSet and a Deployment of one name in
//     one namespace are two workloads. Below, "Deployment" stands for any kind unless said.
//   - CPUMax/MemMax = max over the Deployment's pods (all its ReplicaSets) of the pod's value;
//     CPUAvg/MemAvg = their arithmetic mean. A pod
//     whose value rests on less than 15 minutes of steps (or half the window, if shorter) — a
//     surge pod, a crash-looping container, a pod that finished or was drained — is left out of
//     both unless no pod of the Deployment ran that long: its quantile is a start-up or
//     shut-down burst, not the load the requests are sized for.
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
//     PodsReadyMedian: the median of those counts (the middle two's mean rounded up); when that
//     is 0 but some step had a Ready pod, the median over the steps that had one.
//   - ReplicasDesired: max_over_time over the window of kube_deployment_spec_replicas,
//     kube_statefulset_replicas or, for a DaemonSet, kube_daemonset_status_desired_number_scheduled
//     (one instant query per cluster and window for all three): the most pods the workload was
//     sized to run at the peak (the derivation ignores a DaemonSet's). Absent (NULL) when
//     kube-state-metrics exports no such series for it. A Deployment or StatefulSet whose spec
//     was 0 for the whole window and that had no pod in it gets a pod-total row of its own (zero
//     usage, ReplicasDesired 0), so that the derivation can observe the one case of 0 replicas;
//     a DaemonSet without pods has nothing to store.
//   - HPAMinReplicas: the minReplicas of the HorizontalPodAutoscaler whose scale target is the
//     Deployment or StatefulSet, last value in the window (promql.HPAMinReplicas: spec_min_replicas joined
//     with kube_horizontalpodautoscaler_info's scaletargetref, one instant query per cluster and
//     window). NULL when no HPA targets it; the derivation then recommends the replicas, and
//     otherwise advice for the HPA's minReplicas.
//
// # Why range queries with the quantiles computed here, not instant subqueries
//
// Both give the exact per-pod quantile: a subquery evaluates the same inner expression at the
// same steps a range query does, and quantile() below is Prometheus' interpolating
// quantile_over_time, to which the generator's answers are pinned. Subqueries send one number per
// series instead of every step, so they looked cheaper; measured on the same TSDB
// (BenchmarkUsageShapes, one namespace of 100 workloads / 200 pods, Prometheus 2.42), they are
// about 4× slower: each pod total needs its own subquery that evaluates rate() again, and
// subquery evaluation costs more than a range query's. So per (pod, container) CPU and working
// set are range queries over [start, end] at the step, and the container quantiles and pod totals
// are computed here from the same points. Ready pods are a range query too (one short series per
// owner — ReplicaSet, StatefulSet or DaemonSet — added up per Deployment here — twice as fast as joining the Deployment in PromQL
// and taking min/max over subqueries). Requests, limits, CFS counters and the restart check are
// plain instant queries at the window end over [start, end]; OOM kills need a range query only
// for the few containers that restarted. The step is the configured resolution (default 30 s),
// raised when needed so no query returns more than 11,000 points per series.
//
// # Prometheus 2 and 3
//
// Prometheus 3 reads a range [r] evaluated at t as (t-r, t], 2.x as [t-r, t]. The window's instant
// queries at its end must see the sample at exactly its start (the range queries' first step: a
// scale-down as the window opens would otherwise lose the larger spec), so each Day first asks
// which kind the server is (promql.LeftOpenProbe, one query that reads no series) and on a
// left-open one reaches 1 ms further back: (start-1ms, end] is [start, end] at Prometheus'
// millisecond timestamps. Range-query steps and rate()'s own short range are left as the server
// reads them; the generator's answers hold on both (internal/synth), and the tests run on both.
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
