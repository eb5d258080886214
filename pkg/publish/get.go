package publish

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

// ErrNotPublished means the cluster holds no CapacityPolicy for the workload.
var ErrNotPublished = refusal.Kind(refusal.ErrNotFound, "no CapacityPolicy for this workload in the cluster")

// Get reads a workload's CapacityPolicy as the cluster holds it: the spec the webhook enforces
// and the status (what the publisher wrote, and the webhook's last decision).
func Get(ctx context.Context, client dynamic.Interface, namespace, name string) (*v1alpha1.CapacityPolicy, error) {
	u, err := client.Resource(v1alpha1.GroupVersionResource).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		var st apierrors.APIStatus
		if errors.As(err, &st) && st.Status().Details != nil && st.Status().Details.Name == name {
			return nil, fmt.Errorf("%s/%s: %w (not published yet, or removed from control)", namespace, name, ErrNotPublished)
		}
		return nil, fmt.Errorf("%w: install it with `kubectl apply -f %s`", ErrCRDMissing, CRDFile)
	}
	if err != nil {
		return nil, fmt.Errorf("reading CapacityPolicy %s/%s: %w", namespace, name, err)
	}
	var p v1alpha1.CapacityPolicy
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &p); err != nil {
		return nil, fmt.Errorf("CapacityPolicy %s/%s has a shape this backend cannot read: %w", namespace, name, err)
	}
	return &p, nil
}
