// Package synth describes synthetic Kubernetes clusters and writes the Prometheus series the peak
// pipeline reads (cAdvisor + kube-state-metrics names and labels) as OpenMetrics text for
// `promtool tsdb create-blocks-from openmetrics`. Every number the pipeline must produce is known
// from the generator's own arithmetic (Scenario.Expected), never from PromQL.
//
// # Time
//
// All times are whole multiples of Scenario.Interval (default 30s) since the Unix epoch, and the
// interval divides a minute, so peak windows ([Cluster.Windows]) start and end on sample
// instants. Data is written for every day's window widened by Scenario.Margin (default 15m) on
// both sides; nothing between days. A window that ends at or before its start clock crosses
// midnight: the window of Date D runs from D's start clock to D+1's end clock, in the cluster's
// IANA zone.
//
// # Curves
//
// Each (pod, container) has, per day, Levels for CPU (cores) and working-set memory (bytes).
// Inside the day's window, let A = [a0, a1] be the part of the window in which the container
// runs and L = a1-a0 (L is 0 or at least MinActive; Validate enforces it). Then, with every
// boundary truncated to the interval grid:
//
//	[a0, a0+L/4)          Base
//	[a0+L/4, a0+3L/4)     Plateau  (half of A)
//	[a0+3L/4, a1]         Base, except
//	[a0+0.85L, +2×Interval) Spike  (only when L ≥ SpikeMinActive)
//
// Outside windows the level is the day's Base (switching to the next day's Base halfway between
// windows). CPU is a counter (container_cpu_usage_seconds_total) rising at exactly the level per
// second inside each segment, so rate() over a range lying inside one segment is exactly the level;
// memory is a gauge equal to the level.
//
// # Expected answers and their exact definitions
//
// For a (pod, container), "P95" is the q-quantile over the window of the per-(pod, container)
// series — rate(container_cpu_usage_seconds_total[r]) for CPU, container_memory_working_set_bytes
// for memory — evaluated every step at instants inside [start, end] where the series has a value,
// with the several series a container restart leaves (one per container id) combined by max.
// The curves make that quantile exactly Plateau (within 1e-9 relative) whether it is computed
// as Prometheus' interpolating quantile_over_time, as nearest rank, or as ClickHouse's
// quantileExact (element floor(q·n)), for every
//
//	q in [MinQuantile, MaxQuantile] = [0.70, 0.95], step ≤ 1m (any alignment),
//	rate range r with 2×Interval ≤ r ≤ 2m, range selectors left-closed (Prometheus 2) or left-open (3),
//
// because Plateau holds for half of A minus one range (the rest of the values below it) and
// Spike plus the ranges that see it fill less than 4% of A. Tests check this by replaying the
// generated samples through Prometheus' rate and quantile arithmetic over that grid, and against
// a real Prometheus (internal/testenv). Pods running less than SpikeMinActive of a window have no
// spike: their max over time is their plateau.
//
// Expected rows are per (cluster, namespace, workload kind and name, container name, day). A
// workload is a Deployment (its pods owned by its ReplicaSets, kube_replicaset_owner), a
// StatefulSet or a DaemonSet (pods owned by the workload itself in kube_pod_owner, a DaemonSet's
// one per node); below, "Deployment" stands for any of them unless said otherwise.
//
//   - Pods: pods of the Deployment (all its ReplicaSets) whose container ran inside the window.
//   - CPUWorst / MemoryWorst: max over those pods of the pod's P95 (= its Plateau).
//   - CPUPodAvg / MemoryPodAvg: arithmetic mean over those pods of the pod's P95.
//   - PodsMin / PodsMax: min / max over every sample instant in [start, end] of the number of the
//     Deployment's pods with kube_pod_status_phase{phase="Running"}=1 and
//     kube_pod_status_ready{condition="true"}=1. Ready-made scenarios keep every level for at least
//     5 minutes, so any step ≤ 5m sees all of them. PodsReadyMedian is the median of those
//     counts over the same instants (the middle two's mean rounded up), or, when that is 0
//     while some instant had a Ready pod, the median over those instants. A pod's Unready
//     stretches (a crash loop) count as not Ready.
//   - ReplicasDesired: the most kube_deployment_spec_replicas, kube_statefulset_replicas or
//     kube_daemonset_status_desired_number_scheduled (Deployment.Spec) at the window's instants;
//     none without a Spec. Scenario.ScaledToZero lists the Deployments and StatefulSets at 0 the
//     whole window with no pod in it: the pipeline stores them with 0 and no usage (a DaemonSet
//     without pods has nothing to store).
//   - A Brief pod (running at most BriefActive of a window) is left out of Pods, PerPod and
//     every usage answer, though it counts in the Ready pods.
//   - CPURequest / CPULimit (cores), MemoryRequest / MemoryLimit (bytes): the container's
//     kube_pod_container_resource_{requests,limits}; 0 when not set (no series). Validate makes them
//     equal in every ReplicaSet of a Deployment, so "latest", "max" and "any" agree.
//   - ThrottleRatio: increase(container_cpu_cfs_throttled_periods_total) /
//     increase(container_cpu_cfs_periods_total) of that container over any range: the throttled
//     counter is ThrottleRatio × the periods counter at every sample, so every aggregation across
//     pods and every range gives it exactly. 0 without a CPU limit (then no CFS series exist).
//   - OOMKills: OOM kills of that container in any of the Deployment's pods at instants in
//     [start, end). Each one bumps kube_pod_container_status_restarts_total by 1 and makes
//     kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} 1 from then on.
//
// # Things real clusters have that the product must cope with
//
// The pod cgroup series (container="", image="", name="", id=/kubepods/.../pod<uid>) carries the
// pod's total and a pause series container="POD"; pod-cgroup CFS series carry half the largest
// container's throttle ratio, a value no container has. cAdvisor series carry job="kubelet",
// instance, node and metrics_path; kube-state-metrics series carry job="kube-state-metrics" and a
// different instance, so joins need on(...). An OOM kill starts a new container id whose counters
// start at 0. Backfilled blocks have no staleness markers: a series' last value stays visible to
// instant lookups for 5 minutes (LookbackDelta), so pods are not ready in their last two samples
// and Validate rejects pods ending just before a window.
package synth
