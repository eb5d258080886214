package promql

import "time"

// PodSeriesIn counts the pod-owner series (kube-state-metrics' kube_pod_owner, whatever owns the
// pod) that had a sample within rng before the evaluation time, for the scope's cluster. An
// instant query of it at a day's window end is the cheap check of whether Prometheus still holds
// that day at all: an empty answer (no series) means the day is beyond its retention, or the
// cluster label or the URL is wrong. It reads one metric's index and last samples, never usage.
func PodSeriesIn(s Scope, rng time.Duration) string {
	return "count(last_over_time(" + Selector("kube_pod_owner", s.cluster()...) + "[" + Duration(rng) + "]))"
}
