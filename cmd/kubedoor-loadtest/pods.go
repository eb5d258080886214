package main

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// Pod CREATE in a namespace whose enforcement target is pods: the Pods name a ReplicaSet of a
// Deployment with a policy, as the ReplicaSet controller's Pods do, so every review walks the
// whole owner chain (pod → ReplicaSet → Deployment → policy) and is patched. No controller runs
// here: the load test makes the Deployment and ReplicaSet itself, and the Pods stay unscheduled
// (which also lets the API server delete them at once).

const (
	podsNamespace = "load-pods"
	podOwner      = "podload"
	podReplicaSet = podOwner + "-5c8d7f9b6"
)

// objects names what a measurement creates.
const (
	objDeployments = "Deployment"
	objPods        = "Pod"
)

// setUpPods makes the pods-target namespace, the Deployment, its ReplicaSet and its policy.
func setUpPods(ctx context.Context, cs kubernetes.Interface, dyn dynamic.Interface) (types.UID, error) {
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: podsNamespace, Labels: map[string]string{v1alpha1.LabelControl: v1alpha1.ControlEnforce, v1alpha1.LabelControlTarget: v1alpha1.ControlTargetPods},
	}}, metav1.CreateOptions{})
	if err != nil {
		return "", err
	}
	// Pods need their ServiceAccount, which kube-controller-manager would create (not run here).
	if _, err := cs.CoreV1().ServiceAccounts(podsNamespace).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}); err != nil {
		return "", err
	}
	d, err := cs.AppsV1().Deployments(podsNamespace).Create(ctx, newDeployment(podOwner), metav1.CreateOptions{})
	if err != nil {
		return "", err
	}
	yes := true
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: podReplicaSet, OwnerReferences: []metav1.OwnerReference{
			{APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name, UID: d.UID, Controller: &yes}}},
		Spec: appsv1.ReplicaSetSpec{Replicas: new(int32), Selector: d.Spec.Selector, Template: d.Spec.Template},
	}
	created, err := cs.AppsV1().ReplicaSets(podsNamespace).Create(ctx, rs, metav1.CreateOptions{})
	if err != nil {
		return "", err
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(policyFor(podsNamespace, v1alpha1.KindDeployment, podOwner))
	if err != nil {
		return "", err
	}
	_, err = dyn.Resource(v1alpha1.GroupVersionResource).Namespace(podsNamespace).Create(ctx, &unstructured.Unstructured{Object: m}, metav1.CreateOptions{})
	return created.UID, err
}

// newPod is what the ReplicaSet controller would create for podReplicaSet.
func newPod(name string, rsUID types.UID) *corev1.Pod {
	yes := true
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": podOwner},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: podReplicaSet, UID: rsUID, Controller: &yes}}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "app", Image: "registry.example.com/" + podOwner + ":1",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}},
		}}},
	}
}

// createOne creates object number i of the measured kind.
func createOne(ctx context.Context, cs kubernetes.Interface, object, ns string, rsUID types.UID, i int) error {
	if object == objPods {
		_, err := cs.CoreV1().Pods(podsNamespace).Create(ctx, newPod(fmt.Sprintf("p-%05d", i), rsUID), metav1.CreateOptions{})
		return err
	}
	_, err := cs.AppsV1().Deployments(ns).Create(ctx, newDeployment(workload(i)), metav1.CreateOptions{})
	return err
}

// deletePods removes every Pod of the pods namespace and waits until none is left.
func deletePods(ctx context.Context, cs kubernetes.Interface) error {
	pods := cs.CoreV1().Pods(podsNamespace)
	return emptied(ctx, func() error { return pods.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}) },
		func() (int, error) {
			l, err := pods.List(ctx, metav1.ListOptions{Limit: 1})
			if err != nil {
				return 0, err
			}
			return len(l.Items), nil
		})
}

// cacheReplicaSets creates o.replicaSets ReplicaSets in ns, each controlled by one of the
// Deployments (as a Deployment's rollout history leaves them), and returns the webhook's RSS
// twice: with ns's target the template, when the webhook must not cache them, and after ns's
// target became pods, once it caches them all.
func cacheReplicaSets(ctx context.Context, cs kubernetes.Interface, wh *webhook, ns string, o options) (template, pods int64, err error) {
	yes := true
	r, err := measure(ctx, 50, o.replicaSets, func(i int) error {
		d := newDeployment(workload(i % o.policies))
		rs := &appsv1.ReplicaSet{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%08x", d.Name, i), Labels: d.Spec.Template.Labels,
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name,
					UID: types.UID(fmt.Sprintf("00000000-0000-4000-8000-%012d", i%o.policies)), Controller: &yes}}},
			Spec: appsv1.ReplicaSetSpec{Replicas: new(int32), Selector: d.Spec.Selector, Template: d.Spec.Template},
		}
		_, err := cs.AppsV1().ReplicaSets(ns).Create(ctx, rs, metav1.CreateOptions{})
		return err
	})
	if err == nil && r.firstErr != nil {
		err = r.firstErr
	}
	if err != nil {
		return 0, 0, err
	}
	base := 0
	if o.pods {
		base = 1 // the pods namespace's own
	}
	// Give a wrong cache time to fill before reading it: it must still hold only the base.
	select {
	case <-ctx.Done():
		return 0, 0, ctx.Err()
	case <-time.After(5 * time.Second):
	}
	got, err := wh.Metric("kubedoor_webhook_cache_objects", map[string]string{"kind": "replicasets"})
	if err != nil {
		return 0, 0, err
	}
	if int(got) != base {
		return 0, 0, fmt.Errorf("the webhook caches %v ReplicaSets of a template namespace, want %d", got, base)
	}
	if template, err = wh.rss(); err != nil {
		return 0, 0, err
	}
	patch := []byte(`{"metadata":{"labels":{"` + v1alpha1.LabelControlTarget + `":"` + v1alpha1.ControlTargetPods + `"}}}`)
	if _, err := cs.CoreV1().Namespaces().Patch(ctx, ns, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return 0, 0, fmt.Errorf("setting namespace %s's target to pods: %w", ns, err)
	}
	if err := wh.waitCached(ctx, "replicasets", base+o.replicaSets); err != nil {
		return 0, 0, err
	}
	pods, err = wh.rss()
	return template, pods, err
}
