package pods

import (
	corev1 "k8s.io/api/core/v1"
)

// OtherReadyPod reports whether own (a workload's own pods, isolated ones left out) holds a ready
// pod, not being deleted, other than the one named victim. A batch delete checks it before each
// pod after the first: a request naming every pod of a workload, with no pause for replacements
// to start, would otherwise leave the workload serving nothing. A single pod's delete is the
// operator's explicit choice and is not held.
func OtherReadyPod(own []corev1.Pod, victim string) bool {
	for i := range own {
		p := &own[i]
		if p.Name == victim || p.DeletionTimestamp != nil {
			continue
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				return true
			}
		}
	}
	return false
}
