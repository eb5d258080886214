package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// With -mixed, workload i is a Deployment, StatefulSet or DaemonSet in turn, and its policy is
// named and targeted as the backend publishes it (v1alpha1.PolicyName, spec.targetKind).

var mixedKinds = []string{v1alpha1.KindDeployment, v1alpha1.KindStatefulSet, v1alpha1.KindDaemonSet}

// kindOf is workload i's kind: always Deployment unless mixed.
func kindOf(i int, mixed bool) string {
	if !mixed {
		return v1alpha1.KindDeployment
	}
	return mixedKinds[i%len(mixedKinds)]
}

// countOf is how many of the first n workloads are of kind.
func countOf(kind string, n int, mixed bool) int {
	c := 0
	for i := range n {
		if kindOf(i, mixed) == kind {
			c++
		}
	}
	return c
}

// createWorkload creates workload i (of its kind) through the API server, hence the webhook.
func createWorkload(ctx context.Context, cs kubernetes.Interface, ns string, i int, mixed bool) error {
	d := newDeployment(workload(i))
	var err error
	switch kindOf(i, mixed) {
	case v1alpha1.KindStatefulSet:
		_, err = cs.AppsV1().StatefulSets(ns).Create(ctx, &appsv1.StatefulSet{ObjectMeta: d.ObjectMeta, Spec: appsv1.StatefulSetSpec{
			Replicas: d.Spec.Replicas, ServiceName: d.Name, Selector: d.Spec.Selector, Template: d.Spec.Template}}, metav1.CreateOptions{})
	case v1alpha1.KindDaemonSet:
		_, err = cs.AppsV1().DaemonSets(ns).Create(ctx, &appsv1.DaemonSet{ObjectMeta: d.ObjectMeta, Spec: appsv1.DaemonSetSpec{
			Selector: d.Spec.Selector, Template: d.Spec.Template}}, metav1.CreateOptions{})
	default:
		_, err = cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{})
	}
	return err
}

// populate creates n workloads (mixed kinds or Deployments) with c concurrent clients.
func populate(ctx context.Context, cs kubernetes.Interface, ns string, c, n int, mixed bool) error {
	if !mixed {
		r, err := measure(ctx, c, n, func(i int) error { return createOne(ctx, cs, objDeployments, ns, "", i) })
		if err == nil && r.firstErr != nil {
			err = r.firstErr
		}
		return err
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				if err := createWorkload(ctx, cs, ns, i, mixed); err != nil {
					err = fmt.Errorf("%s %s: %w", kindOf(i, mixed), workload(i), err)
					failed.CompareAndSwap(nil, &err)
				}
			}
		}()
	}
	wg.Wait()
	if p := failed.Load(); p != nil {
		return *p
	}
	return ctx.Err()
}
