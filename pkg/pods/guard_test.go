package pods

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestABatchDeleteNeverTakesTheWorkloadsLastReadyPod(t *testing.T) {
	now := metav1.Now()
	pod := func(name string, ready bool, deleting bool) corev1.Pod {
		p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}}
		st := corev1.ConditionFalse
		if ready {
			st = corev1.ConditionTrue
		}
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue}, {Type: corev1.PodReady, Status: st}}
		if deleting {
			p.DeletionTimestamp = &now
		}
		return p
	}
	tests := []struct {
		name   string
		own    []corev1.Pod
		victim corev1.Pod
		held   bool
	}{
		{"another ready pod lets it go", []corev1.Pod{pod("a", true, false), pod("b", true, false)}, pod("b", true, false), false},
		{"the only ready pod is held", []corev1.Pod{pod("a", true, false)}, pod("a", true, false), true},
		{"a replacement not ready yet does not count", []corev1.Pod{pod("b", true, false), pod("c", false, false)}, pod("b", true, false), true},
		{"a pod being deleted does not count", []corev1.Pod{pod("a", true, true), pod("b", true, false)}, pod("b", true, false), true},
		{"a pod without conditions does not count", []corev1.Pod{{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, pod("b", true, false)}, pod("b", true, false), true},
		{"a victim that is not ready serves nothing and is never held", []corev1.Pod{pod("b", false, false)}, pod("b", false, false), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LastReady(tt.own, &tt.victim); got != tt.held {
				t.Fatalf("LastReady(%s) = %v, want %v", tt.victim.Name, got, tt.held)
			}
		})
	}
}
