package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/pause"
)

// RestartedAtAnnotation is what `kubectl rollout restart` sets on the pod template.
const RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"

// Audit actions.
const (
	ActionScale          = "scale"
	ActionScaleTemporary = "temporary scale"
	ActionRestart        = "restart"
	ActionRecordManual   = "record manual replicas"
)

func (r *Runner) client(w Workload) (kubernetes.Interface, error) {
	kc, err := r.d.Kube(w.Cluster)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", w.Cluster, err)
	}
	return kc, nil
}

// scale records the manual value, publishes, then scales through the scale subresource (what
// `kubectl scale` does), so the webhook sees a table that already says n.
func (r *Runner) scale(ctx context.Context, it ScaleItem, by Actor) Result {
	return r.act(ctx, by, ActionScale, it.Workload, scalable, func(ctx context.Context, kc kubernetes.Interface, s *step) (any, error) {
		it.Workload = s.res.Workload
		obj, err := getObject(ctx, kc, it.Workload)
		if err != nil {
			return nil, err
		}
		if r.d.Manual == nil {
			s.res.Before = ReplicasState{Replicas: obj.replicas}
			return nil, errors.New("the control table is unavailable, so the manual replicas cannot be recorded and the webhook would undo the scale; use a temporary scale")
		}
		if err := s.begin(ReplicasState{Replicas: obj.replicas}); err != nil {
			return nil, err
		}
		mc, err := r.d.Manual.SetManualReplicas(ctx, it.Workload, it.Replicas, by)
		if err != nil {
			return nil, fmt.Errorf("recording manual replicas %d: %w", it.Replicas, err)
		}
		if mc.Found {
			// The version's own entry: should the process die before this line, the backend's
			// start writes it from the version (control.ReconcileAudit) under the same ID.
			r.auditAs(ctx, audit.ControlVersionID(it.Cluster, it.Namespace, it.Ref().QualifiedName(), mc.Version), by, ActionRecordManual,
				Result{Workload: it.Workload, OK: true,
					Before: map[string]int32{"replicasManual": mc.Previous}, After: map[string]int32{"replicasManual": it.Replicas}})
			if r.d.Publisher == nil {
				r.d.Log.Warn("no publisher wired: the webhook keeps its previous policy until the next reconcile", "workload", it.String())
			} else if err := r.d.Publisher.Publish(ctx, it.Workload); err != nil {
				return nil, fmt.Errorf("manual replicas %d recorded, but publishing cluster %s's policies failed, so the scale was not attempted: %w", it.Replicas, it.Cluster, err)
			}
		} else {
			r.d.Log.Info("workload not in the control table; scaling without recording manual replicas", "workload", it.String())
		}
		got, err := r.clearAndScale(ctx, kc, obj, it)
		if err != nil {
			if mc.Found {
				err = fmt.Errorf("manual replicas %d are recorded in the control table (the webhook applies them at the next rollout), but scaling now failed: %w", it.Replicas, err)
			}
			return nil, err
		}
		r.d.Log.Info("scaled", "workload", it.String(), "kind", it.Kind, "from", obj.replicas, "to", got, "by", by.User, "recorded", mc.Found)
		return ReplicasState{Replicas: got}, nil
	})
}

func (r *Runner) clearAndScale(ctx context.Context, kc kubernetes.Interface, obj object, it ScaleItem) (int32, error) {
	if err := r.clearTemporary(ctx, kc, obj, it.Workload); err != nil {
		return 0, err
	}
	return r.updateScale(ctx, kc, it)
}

// clearTemporary ends a temporary scale: a deliberate scale replaces it, and leaving the
// annotation would let other replica changes through the webhook for its remaining minutes.
func (r *Runner) clearTemporary(ctx context.Context, kc kubernetes.Interface, obj object, w Workload) error {
	if _, ok := obj.annotations[v1alpha1.AnnotationScaleTemp]; !ok {
		return nil
	}
	patch := []byte(`{"metadata":{"annotations":{"` + v1alpha1.AnnotationScaleTemp + `":null}}}`)
	if _, err := patchObject(ctx, kc, w, types.MergePatchType, patch); err != nil {
		return fmt.Errorf("removing the temporary-scale annotation: %w", err)
	}
	return nil
}

const fieldManager = "kubedoor"

// updateScale sets the scale subresource, retrying on 409 conflicts, and checks the replicas the
// API stored: the webhook may still enforce the previous policy for a moment after publishing
// (its informer cache lags), so a different answer is retried until VerifyWait has passed.
func (r *Runner) updateScale(ctx context.Context, kc kubernetes.Interface, it ScaleItem) (int32, error) {
	scales, err := scaleOf(kc, it.Workload)
	if err != nil {
		return 0, err
	}
	deadline := time.Now().Add(r.d.VerifyWait)
	for {
		var got int32
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			sc, err := scales.GetScale(ctx, it.Name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			sc.Spec.Replicas = it.Replicas
			out, err := scales.UpdateScale(ctx, it.Name, sc, metav1.UpdateOptions{FieldManager: fieldManager})
			if err != nil {
				return err
			}
			got = out.Spec.Replicas
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("scaling to %d: %w", it.Replicas, err)
		}
		if got == it.Replicas {
			return got, nil
		}
		if time.Now().After(deadline) {
			return got, fmt.Errorf("the admission webhook kept replicas at %d instead of %d: its policy does not have the new value (is the workload's published policy current?)", got, it.Replicas)
		}
		if err := pause.Wait(ctx, 250*time.Millisecond); err != nil {
			return got, fmt.Errorf("scaling to %d: %w", it.Replicas, err)
		}
	}
}

// scaleTemporary sets the replicas and the scale-temp annotation in one update of the workload
// (a Deployment or StatefulSet: the webhook honours the annotation on both), so the webhook sees
// both together and lets the change through; the table is not touched.
func (r *Runner) scaleTemporary(ctx context.Context, it ScaleItem, by Actor) Result {
	return r.act(ctx, by, ActionScaleTemporary, it.Workload, scalable, func(ctx context.Context, kc kubernetes.Interface, s *step) (any, error) {
		it.Workload = s.res.Workload
		var before int32
		var stamp string
		var out object
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			obj, err := getObject(ctx, kc, it.Workload)
			if err != nil {
				return err
			}
			before = obj.replicas
			if s.id == uuid.Nil {
				if err := s.begin(ReplicasState{Replicas: before}); err != nil {
					return err
				}
			}
			s.res.Before = ReplicasState{Replicas: before}
			stamp = v1alpha1.ScaleTemp{At: r.d.Now(), From: before, To: it.Replicas}.String() // the value the webhook parses
			// resourceVersion makes the patch conditional: a concurrent change is a 409, retried.
			patch, err := json.Marshal(map[string]any{
				"metadata": map[string]any{"resourceVersion": obj.resourceVersion, "annotations": map[string]string{v1alpha1.AnnotationScaleTemp: stamp}},
				"spec":     map[string]any{"replicas": it.Replicas},
			})
			if err != nil {
				return err
			}
			out, err = patchObject(ctx, kc, it.Workload, types.MergePatchType, patch)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("temporary scale to %d: %w", it.Replicas, err)
		}
		if got := out.replicas; got != it.Replicas {
			return nil, fmt.Errorf("the admission webhook changed replicas to %d instead of %d despite the temporary-scale annotation", got, it.Replicas)
		}
		r.d.Log.Info("scaled temporarily", "workload", it.String(), "kind", it.Kind, "from", before, "to", it.Replicas, "by", by.User)
		return map[string]any{"replicas": it.Replicas, "annotation": stamp}, nil
	})
}

// restart does what `kubectl rollout restart` does, for every kind: a new restartedAt on the pod
// template.
func (r *Runner) restart(ctx context.Context, w Workload, by Actor) Result {
	return r.act(ctx, by, ActionRestart, w, normalized, func(ctx context.Context, kc kubernetes.Interface, s *step) (any, error) {
		w := s.res.Workload
		obj, err := getObject(ctx, kc, w)
		if err != nil {
			return nil, err
		}
		before := obj.templateAnnotations[RestartedAtAnnotation]
		at := r.d.Now().UTC().Format(time.RFC3339)
		if at == before {
			// Two restarts within one second would be one change; make the second a real one.
			at = r.d.Now().UTC().Add(time.Second).Format(time.RFC3339)
		}
		patch, err := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{
			"metadata": map[string]any{"annotations": map[string]string{RestartedAtAnnotation: at}}}}})
		if err != nil {
			return nil, err
		}
		if err := s.begin(RestartState{RestartedAt: before}); err != nil {
			return nil, err
		}
		if _, err := patchObject(ctx, kc, w, types.StrategicMergePatchType, patch); err != nil {
			return nil, fmt.Errorf("patching restartedAt: %w", err)
		}
		r.d.Log.Info("restarted", "workload", w.String(), "kind", w.Kind, "restartedAt", at, "by", by.User)
		return RestartState{RestartedAt: at}, nil
	})
}
