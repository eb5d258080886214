//go:build parts

package backend_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/pkg/pods"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Pod operations run as the shipped ServiceAccount: listing a Deployment's pods, isolating one
// (a pod patch) and deleting pods need exactly pods get/list/patch/delete beside reading the
// Deployment. No controller runs in this cluster, so the ReplicaSet's pods are made by hand as
// the Deployment controller names them ("<deployment>-<pod-template-hash>").
func TestTheShippedRoleListsIsolatesAndDeletesPods(t *testing.T) {
	ctx := t.Context()
	adminNamespace(t, "podops")
	adminDeployment(t, "podops", "api")
	// Without a controller-manager nobody creates the namespace's default ServiceAccount, which
	// admitting a pod needs.
	_, err := cluster.Clientset().CoreV1().ServiceAccounts("podops").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	yes := true
	for _, name := range []string{"api-abc-1", "api-abc-2"} {
		_, err := cluster.Clientset().CoreV1().Pods("podops").Create(ctx, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "api", "pod-template-hash": "abc"},
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "api-abc", UID: "rs-uid", Controller: &yes}}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "example/app:1"}}},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	op := pods.NewService(pods.Options{}).On(pods.Cluster{Name: "prod", Kube: backendClient.Kubernetes, KubedoorNamespace: "kubedoor"}, discardAudit{})
	ref := workload.Ref{Namespace: "podops", Kind: workload.Deployment, Name: "api"}
	by := pods.Actor{User: "ed", Role: "Editor"}

	l, err := op.List(ctx, ref)
	if err != nil || len(l.Pods) != 2 {
		t.Fatalf("list: %+v %v", l, err)
	}
	if res, err := op.Isolate(ctx, ref, "api-abc-1", by); err != nil || !res.OK {
		t.Fatalf("isolate: %+v %v", res, err)
	}
	if iso, err := op.ListIsolated(ctx, ""); err != nil || len(iso) != 1 || iso[0].Name != "api-abc-1" {
		t.Fatalf("isolated pods across namespaces: %+v %v", iso, err)
	}
	results, err := op.Delete(ctx, pods.DeleteRequest{Ref: ref, Pods: []string{"api-abc-1", "api-abc-2"}}, by)
	if err != nil || len(results) != 2 || !results[0].OK || !results[1].OK {
		t.Fatalf("delete: %+v %v", results, err)
	}
	for _, name := range []string{"api-abc-1", "api-abc-2"} {
		// Unscheduled pods have no kubelet to wait for: a graceful delete removes them at once.
		if _, err := cluster.Clientset().CoreV1().Pods("podops").Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Fatalf("pod %s: want NotFound, got %v", name, err)
		}
	}
}
