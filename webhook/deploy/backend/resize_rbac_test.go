//go:build parts

package backend_test

import (
	"context"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/resize"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// The store-side parts of a resize, which this test does not exercise.
type oneRow struct{ row control.Row }

func (o oneRow) Get(context.Context, control.Key) (control.Row, error) { return o.row, nil }

type noPeaks struct{}

func (noPeaks) MemoryPeaks(context.Context, string, workload.Ref) (map[string]float64, error) {
	return nil, nil
}

// An in-place resize runs as the shipped ServiceAccount: it reads the server version and the
// workload, lists its pods and PodDisruptionBudgets, patches pods/resize and reads the pod back.
func TestTheShippedRoleIsEnoughForAnInPlaceResize(t *testing.T) {
	ctx := t.Context()
	adminNamespace(t, "resize")
	adminDeployment(t, "resize", "api")
	// Pods need the namespace's default ServiceAccount, which no controller creates here.
	if _, err := cluster.Clientset().CoreV1().ServiceAccounts("resize").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "api-1", Labels: map[string]string{"app": "api", appsv1.DefaultDeploymentUniqueLabelKey: "h"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "api-h", UID: types.UID("00000000-0000-0000-0000-000000000002"), Controller: ptr(true)}}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "example/app:1",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}}}}},
	}
	if _, err := cluster.Clientset().CoreV1().Pods("resize").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c := control.NewContainer("app")
	c.CPURequestMillis = 200
	r := resize.New(resize.Deps{
		Kube: func(string) (kubernetes.Interface, error) { return backendClient.Kubernetes, nil },
		Rows: oneRow{control.Row{Containers: []control.Container{c}}}, Peaks: noPeaks{}, Audit: discardAudit{},
		Settle: -1,
	})
	got := r.Resize(ctx, resize.Request{Items: []actions.Workload{{Cluster: "prod", Namespace: "resize", Name: "api"}}}, actions.Actor{User: "t"})
	if !got[0].OK {
		t.Fatalf("resize as the backend: %+v", got[0])
	}
	p, err := cluster.Clientset().CoreV1().Pods("resize").Get(ctx, "api-1", metav1.GetOptions{})
	if err != nil || p.Spec.Containers[0].Resources.Requests.Cpu().String() != "200m" {
		t.Fatalf("pod after resize: %v %v", p.Spec.Containers[0].Resources.Requests, err)
	}
}
