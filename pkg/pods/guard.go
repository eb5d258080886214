package pods

import (
	corev1 "k8s.io/api/core/v1"
)

// LastReady reports whether victim is the last ready pod of own (a workload's own pods, isolated
// ones left out): it is ready, and no other pod of own is ready and not being deleted. A batch
// delete holds such a pod (checked before each pod after the first): a request naming every pod
// of a workload, with no pause for replacements to start, would otherwise leave it serving
// nothing. A pod that is not ready serves nothing and is never held; a single pod's delete is the
// operator's explicit choice and is not checked.
func LastReady(own []corev1.Pod, victim *corev1.Pod) bool {
	if !ready(victim) {
		return false
	}
	for i := range own {
		p := &own[i]
		if p.Name != victim.Name && p.DeletionTimestamp == nil && ready(p) {
			return false
		}
	}
	return true
}

func ready(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
