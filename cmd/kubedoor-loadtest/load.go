package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

func workload(i int) string { return fmt.Sprintf("w-%05d", i) }

func createNamespace(ctx context.Context, cs kubernetes.Interface, ns string) error {
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: ns, Labels: map[string]string{v1alpha1.LabelControl: v1alpha1.ControlEnforce},
	}}, metav1.CreateOptions{})
	return err
}

func newDeployment(name string) *appsv1.Deployment {
	replicas := int32(1)
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "app", Image: "registry.example.com/" + name + ":1",
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}},
				}}},
			},
		},
	}
}

// createPolicies publishes one policy per workload name with 32 concurrent writers; with mixed,
// workload i's policy is of kindOf(i).
// policyFor is the policy the load test publishes for workload kind/name.
func policyFor(ns, kind, name string) *v1alpha1.CapacityPolicy {
	replicas := int32(2)
	q := func(s string) *resource.Quantity { v := resource.MustParse(s); return &v }
	p := &v1alpha1.CapacityPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "CapacityPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: v1alpha1.PolicyName(kind, name), Namespace: ns},
		Spec: v1alpha1.CapacityPolicySpec{Cluster: "load", Replicas: &replicas, SourceVersion: 1, Containers: []v1alpha1.ContainerPolicy{{
			Name: "app", CPURequest: q("250m"), MemoryRequest: q("256Mi"), CPULimit: q("1"), MemoryLimit: q("512Mi"),
		}}},
	}
	if kind != v1alpha1.KindDeployment {
		p.Spec.TargetKind = kind
	}
	return p
}

func createPolicies(ctx context.Context, dyn dynamic.Interface, ns string, n int, mixed bool) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(policyFor(ns, kindOf(i, mixed), workload(i)))
				if err == nil {
					_, err = dyn.Resource(v1alpha1.GroupVersionResource).Namespace(ns).Create(ctx, &unstructured.Unstructured{Object: m}, metav1.CreateOptions{})
				}
				if err != nil {
					errs <- fmt.Errorf("policy %s: %w", workload(i), err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

type result struct {
	object        string // objDeployments or objPods
	clients, n    int
	webhook       bool
	hook          string // hookNone, hookAllow, hookPatch or hookOurs
	round         int
	p50, p90, p99 time.Duration
	max, mean     time.Duration
	rate          float64
	errors        int
	firstErr      error
	patched       float64       // cumulative patched creates counted by the webhook (sanity check)
	apiCPU        time.Duration // kube-apiserver CPU per create during the measurement
	hookCPU       time.Duration // webhook CPU per create during the measurement
	load          float64       // the host's 1-minute load average when the measurement began
}

// measure creates n objects with c concurrent clients and reports latency per create.
func measure(ctx context.Context, c, n int, create func(i int) error) (result, error) {
	lat := make([]time.Duration, n)
	failed := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				t0 := time.Now()
				err := create(i)
				lat[i], failed[i] = time.Since(t0), err
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		return result{}, ctx.Err()
	}
	r := result{clients: c, n: n, rate: float64(n) / elapsed.Seconds()}
	var sum time.Duration
	for i, err := range failed {
		if err != nil {
			r.errors++
			if r.firstErr == nil {
				r.firstErr = err
			}
		}
		sum += lat[i]
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(n-1, int(float64(n)*p))] }
	r.p50, r.p90, r.p99, r.max, r.mean = pct(0.50), pct(0.90), pct(0.99), lat[n-1], sum/time.Duration(n)
	return r, nil
}

// deleteAll removes every Deployment in ns and waits until none is left.
func deleteAll(ctx context.Context, cs kubernetes.Interface, ns string) error {
	deps := cs.AppsV1().Deployments(ns)
	return emptied(ctx, func() error { return deps.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}) },
		func() (int, error) {
			l, err := deps.List(ctx, metav1.ListOptions{Limit: 1})
			if err != nil {
				return 0, err
			}
			return len(l.Items), nil
		})
}

// emptied deletes a collection and polls until listing it finds nothing.
func emptied(ctx context.Context, deleteAll func() error, left func() (int, error)) error {
	if err := deleteAll(); err != nil {
		return err
	}
	for {
		n, err := left()
		if err != nil || n == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// memory is the webhook's RSS at each stage; settled and heapInuse are read after -settle
// (0 when skipped).
type memory struct {
	empty, policies, full, settled, heapInuse int64
	// replicaSets: RSS with the ReplicaSets in a namespace whose target is the template (not
	// cached); replicaSetsPods: after that namespace's target became pods (cached).
	replicaSets, replicaSetsPods int64
}

func report(w io.Writer, o options, rs []result, m memory, served [2]time.Duration, took time.Duration) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
	fmt.Fprintf(w, "\n| object | clients | webhook | round | creates | p50 ms | p90 ms | p99 ms | max ms | mean ms | creates/s | errors | apiserver CPU ms/create | webhook CPU ms/create |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		hook := r.hook
		fmt.Fprintf(w, "| %s | %d | %s | %d | %d | %s | %s | %s | %s | %s | %.0f | %d | %.2f | %.2f |\n",
			r.object, r.clients, hook, r.round, r.n, ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), ms(r.mean), r.rate, r.errors,
			float64(r.apiCPU.Microseconds())/1000, float64(r.hookCPU.Microseconds())/1000)
		if r.firstErr != nil {
			fmt.Fprintf(w, "|   first error: %v |\n", r.firstErr)
		}
	}
	fmt.Fprintf(w, "\nAdded latency (with − without, same round):\n\n| object | clients | round | webhook | Δp50 ms | Δp99 ms |\n|---|---|---|---|---|---|\n")
	for _, on := range rs {
		if off, ok := baseline(rs, on); ok && on.webhook {
			fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s |\n", on.object, on.clients, on.round, on.hook, ms(on.p50-off.p50), ms(on.p99-off.p99))
		}
	}
	mib := func(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
	workloads := fmt.Sprintf("%d Deployments", o.policies)
	if o.mixed {
		workloads = fmt.Sprintf("%d workloads (%d Deployments, %d StatefulSets, %d DaemonSets)", o.policies,
			countOf(v1alpha1.KindDeployment, o.policies, true), countOf(v1alpha1.KindStatefulSet, o.policies, true), countOf(v1alpha1.KindDaemonSet, o.policies, true))
	}
	if m.full > 0 {
		fmt.Fprintf(w, "\nWebhook RSS: %s at start, %s with %d policies cached, %s with %d policies + %s cached.\n",
			mib(m.empty), mib(m.policies), o.policies, mib(m.full), o.policies, workloads)
	} else {
		fmt.Fprintf(w, "\nWebhook RSS: %s at start, %s with %d policies cached (memory phase skipped).\n", mib(m.empty), mib(m.policies), o.policies)
	}
	if m.replicaSets > 0 {
		fmt.Fprintf(w, "With %d ReplicaSets besides in a namespace whose target is the template (not cached): RSS %s.\n", o.replicaSets, mib(m.replicaSets))
		fmt.Fprintf(w, "After that namespace's target became pods (cached: metadata, stripped to name and controller): RSS %s.\n", mib(m.replicaSetsPods))
	}
	if m.settled > 0 {
		fmt.Fprintf(w, "After %s idle: RSS %s, Go heap in use %s.\n", o.settle, mib(m.settled), mib(m.heapInuse))
	}
	if n := len(rs); n > 0 {
		fmt.Fprintf(w, "Creates the webhook patched (cumulative over both objects, sanity check): %.0f.\n", rs[n-1].patched)
	}
	fmt.Fprintf(w, "Webhook-side review duration over the whole run (request read to response written, from its histogram): p50 %s, p99 %s.\n",
		served[0].Round(time.Microsecond), served[1].Round(time.Microsecond))
	fmt.Fprintf(w, "Whole run: %s.\n", took.Round(time.Second))
}
