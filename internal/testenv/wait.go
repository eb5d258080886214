package testenv

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// pollInterval is short because kwok makes pods Running within about a second; waiting longer
// would dominate test time.
const pollInterval = 100 * time.Millisecond

// poll calls cond until it reports done or ctx ends. Errors from cond are kept as the state and
// polling goes on, since apiserver hiccups are transient; on ctx end the error names the last
// state, which is what a failing test needs to show.
func poll(ctx context.Context, what string, cond func(context.Context) (done bool, state string, err error)) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var state string
	for {
		done, s, err := cond(ctx)
		if err != nil {
			s = "error: " + err.Error()
		} else if done {
			return nil
		}
		if s != "" {
			state = s
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last state: %s)", what, ctx.Err(), state)
		case <-tick.C:
		}
	}
}

// WaitDeploymentReady waits until the Deployment's controller has observed its latest spec and
// all desired replicas are updated, ready and available, with no old pods left.
func WaitDeploymentReady(ctx context.Context, cs kubernetes.Interface, ns, name string) error {
	return poll(ctx, "deployment "+ns+"/"+name+" ready", func(ctx context.Context) (bool, string, error) {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, "", err
		}
		return DeploymentReady(d), fmt.Sprintf("generation %d observed %d, want %d replicas: %d total, %d updated, %d ready, %d available",
			d.Generation, d.Status.ObservedGeneration, desiredReplicas(d), d.Status.Replicas,
			d.Status.UpdatedReplicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas), nil
	})
}

// WaitDaemonSetReady waits until the DaemonSet's controller has observed its latest spec and
// scheduled a pod to at least one node, and every scheduled pod is updated and Ready.
func WaitDaemonSetReady(ctx context.Context, cs kubernetes.Interface, ns, name string) error {
	return poll(ctx, "daemonset "+ns+"/"+name+" ready", func(ctx context.Context) (bool, string, error) {
		d, err := cs.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, "", err
		}
		s := d.Status
		return s.ObservedGeneration >= d.Generation && s.DesiredNumberScheduled > 0 &&
				s.UpdatedNumberScheduled == s.DesiredNumberScheduled && s.NumberReady == s.DesiredNumberScheduled,
			fmt.Sprintf("generation %d observed %d: %d desired, %d updated, %d ready", d.Generation, s.ObservedGeneration,
				s.DesiredNumberScheduled, s.UpdatedNumberScheduled, s.NumberReady), nil
	})
}

// DeploymentReady reports whether d's status shows its current spec fully rolled out.
func DeploymentReady(d *appsv1.Deployment) bool {
	want := desiredReplicas(d)
	s := d.Status
	return s.ObservedGeneration >= d.Generation && s.Replicas == want &&
		s.UpdatedReplicas == want && s.ReadyReplicas == want && s.AvailableReplicas == want
}

func desiredReplicas(d *appsv1.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1 // the API default
	}
	return *d.Spec.Replicas
}

// WaitPodsReady waits until exactly want pods matching selector in ns are Running and Ready and
// none is terminating, and returns them.
func WaitPodsReady(ctx context.Context, cs kubernetes.Interface, ns, selector string, want int) ([]corev1.Pod, error) {
	var ready []corev1.Pod
	err := poll(ctx, fmt.Sprintf("%d ready pods %q in %s", want, selector, ns), func(ctx context.Context) (bool, string, error) {
		list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return false, "", err
		}
		ready = ready[:0]
		for _, p := range list.Items {
			if PodReady(&p) {
				ready = append(ready, p)
			}
		}
		return len(ready) == want && len(list.Items) == want,
			fmt.Sprintf("%d pods, %d running and ready", len(list.Items), len(ready)), nil
	})
	return ready, err
}

// PodReady reports whether p is Running, Ready and not being deleted.
func PodReady(p *corev1.Pod) bool {
	if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// WaitNodesReady waits until at least want nodes report Ready.
func WaitNodesReady(ctx context.Context, cs kubernetes.Interface, want int) error {
	return poll(ctx, fmt.Sprintf("%d ready nodes", want), func(ctx context.Context) (bool, string, error) {
		list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, "", err
		}
		n := 0
		for _, node := range list.Items {
			for _, c := range node.Status.Conditions {
				if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
					n++
				}
			}
		}
		return n >= want, fmt.Sprintf("%d of %d nodes ready", n, len(list.Items)), nil
	})
}

// WaitServiceAccount waits until the controller-manager has created a namespace's service
// account; pods naming it are refused by admission until then.
func WaitServiceAccount(ctx context.Context, cs kubernetes.Interface, ns, name string) error {
	return poll(ctx, "service account "+ns+"/"+name, func(ctx context.Context) (bool, string, error) {
		_, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, name, metav1.GetOptions{})
		return err == nil, "", err
	})
}
