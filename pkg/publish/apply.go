package publish

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/util/retry"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// FieldManager names the backend in managedFields, so `kubectl get -o yaml --show-managed-fields`
// tells its writes from people's.
const FieldManager = "kubedoor-backend"

// apply performs one planned change and returns how many API writes it made.
func (p *Publisher) apply(ctx context.Context, o op) (int, error) {
	switch o.kind {
	case "create":
		return p.create(ctx, o.policy)
	case "update":
		return p.update(ctx, o.policy, o.existing)
	case "status":
		return p.writeStatus(ctx, o.existing, false)
	case "delete":
		return p.delete(ctx, o.existing)
	}
	return 0, fmt.Errorf("unknown operation %q", o.kind)
}

func (p *Publisher) create(ctx context.Context, d Policy) (int, error) {
	u, err := newObject(d)
	if err != nil {
		return 0, err
	}
	created, err := p.res.Namespace(d.Namespace).Create(ctx, u, metav1.CreateOptions{FieldManager: FieldManager})
	if err != nil {
		return 1, explain(err, d.Namespace, "creating")
	}
	n, err := p.writeStatus(ctx, created, true)
	return 1 + n, err
}

// update replaces the spec of a managed object, keeping everything else (other labels,
// annotations, fields a newer CRD may add), and retries on a conflicting write.
func (p *Publisher) update(ctx context.Context, d Policy, cur *unstructured.Unstructured) (int, error) {
	spec, err := runtime.DefaultUnstructuredConverter.ToUnstructured(ptr(normalize(d.Spec)))
	if err != nil {
		return 0, fmt.Errorf("encoding spec: %w", err)
	}
	writes := 0
	var updated *unstructured.Unstructured
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		u := cur.DeepCopy()
		u.Object["spec"] = spec
		setManagedLabel(u)
		writes++
		var err error
		updated, err = p.res.Namespace(d.Namespace).Update(ctx, u, metav1.UpdateOptions{FieldManager: FieldManager})
		if !apierrors.IsConflict(err) {
			return err
		}
		fresh, gerr := p.res.Namespace(d.Namespace).Get(ctx, d.Name, metav1.GetOptions{})
		if gerr != nil {
			return fmt.Errorf("re-reading after a conflict: %w", gerr)
		}
		if !managed(fresh) {
			return errors.New("the managed-by label was removed meanwhile; left alone")
		}
		cur = fresh
		return err // the conflict: try again on the fresh object
	})
	if err != nil {
		return writes, explain(err, d.Namespace, "updating")
	}
	n, err := p.writeStatus(ctx, updated, true)
	return writes + n, err
}

// writeStatus records that obj's generation was published; published also stamps publishedAt
// (set when missing in any case). Other status fields (the webhook's lastDecision) are kept.
func (p *Publisher) writeStatus(ctx context.Context, obj *unstructured.Unstructured, published bool) (int, error) {
	writes := 0
	cur := obj
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		u := cur.DeepCopy()
		status, _, _ := unstructured.NestedMap(u.Object, "status")
		if status == nil {
			status = map[string]any{}
		}
		status["observedGeneration"] = u.GetGeneration()
		if _, has := status["publishedAt"]; published || !has {
			status["publishedAt"] = p.opts.Now().UTC().Format(time.RFC3339)
		}
		u.Object["status"] = status
		writes++
		_, err := p.res.Namespace(u.GetNamespace()).UpdateStatus(ctx, u, metav1.UpdateOptions{FieldManager: FieldManager})
		if !apierrors.IsConflict(err) {
			return err
		}
		fresh, gerr := p.res.Namespace(u.GetNamespace()).Get(ctx, u.GetName(), metav1.GetOptions{})
		if gerr != nil {
			return fmt.Errorf("re-reading after a conflict: %w", gerr)
		}
		cur = fresh
		return err
	})
	if err != nil {
		return writes, fmt.Errorf("writing status: %w", err)
	}
	return writes, nil
}

// delete removes a policy the backend published; the UID precondition makes sure it is the
// object that was listed, not one recreated under the same name meanwhile.
func (p *Publisher) delete(ctx context.Context, cur *unstructured.Unstructured) (int, error) {
	uid := cur.GetUID()
	err := p.res.Namespace(cur.GetNamespace()).Delete(ctx, cur.GetName(), metav1.DeleteOptions{
		Preconditions: &metav1.Preconditions{UID: &uid},
	})
	if err != nil && !apierrors.IsNotFound(err) {
		return 1, explain(err, cur.GetNamespace(), "deleting")
	}
	return 1, nil
}

func newObject(d Policy) (*unstructured.Unstructured, error) {
	obj := &v1alpha1.CapacityPolicy{
		TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "CapacityPolicy"},
		ObjectMeta: metav1.ObjectMeta{
			Name: d.Name, Namespace: d.Namespace,
			Labels: map[string]string{v1alpha1.LabelManagedBy: v1alpha1.ManagedByValue},
		},
		Spec: normalize(d.Spec),
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding policy: %w", err)
	}
	delete(m, "status") // the status subresource ignores it on create; status is written after
	return &unstructured.Unstructured{Object: m}, nil
}

func setManagedLabel(u *unstructured.Unstructured) {
	labels := u.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[v1alpha1.LabelManagedBy] = v1alpha1.ManagedByValue
	u.SetLabels(labels)
}

// explain turns the API errors an operator can act on into sentences.
func explain(err error, namespace, doing string) error {
	var st apierrors.APIStatus
	switch {
	case apierrors.IsNotFound(err) && errors.As(err, &st) && st.Status().Details != nil && st.Status().Details.Kind == "namespaces":
		return &NamespaceMissingError{Namespace: namespace, Doing: doing}
	case apierrors.IsForbidden(err):
		return fmt.Errorf("%s is forbidden for the backend's identity (bind it to the ClusterRole in webhook/deploy/backend): %w", doing, err)
	case apierrors.IsInvalid(err):
		return fmt.Errorf("%s: rejected by the API server: %w", doing, err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}

func ptr[T any](v T) *T { return &v }
