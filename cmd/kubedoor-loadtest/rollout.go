package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/webhook/registration"
)

const revisionAnnotation = "deployment.kubernetes.io/revision"

// rolloutPhase creates n registered Deployments, rolls each out once (a pod template change, as
// kubectl rollout restart makes) and edits a label on each, with kube-controller-manager running,
// once with the registration as it is and once without its match conditions, and prints how many
// UPDATE reviews reached the webhook each time.
func rolloutPhase(ctx context.Context, cs kubernetes.Interface, dyn dynamic.Interface, wh *webhook, ns string, n int, log *slog.Logger) error {
	if err := createPolicies(ctx, dyn, ns, n, false); err != nil {
		return err
	}
	if err := wh.waitCached(ctx, "capacitypolicies", n); err != nil {
		return err
	}
	updates := func() (float64, error) {
		return wh.Metric("kubedoor_webhook_reviews_total", map[string]string{"operation": "UPDATE", "resource": "deployments", "subresource": ""})
	}
	var got [2]float64
	for i, conditions := range []bool{false, true} {
		reg := registration.Mutating(registration.Options{URL: wh.MutateURL(), CABundle: wh.CAPEM, Timeout: 3})
		if !conditions {
			for j := range reg.Webhooks {
				reg.Webhooks[j].MatchConditions = nil
			}
		}
		if err := register(ctx, cs, hook{name: hookOurs, reg: reg}, wh, nil, ns); err != nil {
			return err
		}
		before, err := updates()
		if err != nil {
			return err
		}
		r, err := measure(ctx, 16, n, func(i int) error { return createOne(ctx, cs, objDeployments, ns, "", i) })
		if err != nil {
			return err
		}
		if r.errors > 0 {
			return fmt.Errorf("creating Deployments: %w", r.firstErr)
		}
		if err := waitRevision(ctx, cs, ns, n, "1"); err != nil {
			return err
		}
		restart, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
			"annotations": map[string]string{"kubectl.kubernetes.io/restartedAt": time.Now().UTC().Format(time.RFC3339Nano)}}}}})
		label, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]string{"team": "checkout"}}})
		for _, body := range [][]byte{restart, label} {
			r, err := measure(ctx, 16, n, func(i int) error {
				_, err := cs.AppsV1().Deployments(ns).Patch(ctx, workload(i), types.StrategicMergePatchType, body, metav1.PatchOptions{})
				return err
			})
			if err != nil {
				return err
			}
			if r.errors > 0 {
				return fmt.Errorf("patching Deployments: %w", r.firstErr)
			}
		}
		if err := waitRevision(ctx, cs, ns, n, "2"); err != nil {
			return err
		}
		time.Sleep(2 * time.Second) // let the controller's last writes land
		after, err := updates()
		if err != nil {
			return err
		}
		got[i] = after - before
		log.Info("rollout measured", "deployments", n, "matchConditions", conditions, "updateReviews", got[i])
		if err := deleteAll(ctx, cs, ns); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stdout, "\nRollout of %d Deployments (create, wait for revision 1, pod template change, label edit, wait for revision 2; kube-controller-manager running):\n\n", n)
	fmt.Fprintf(os.Stdout, "| registration | UPDATE reviews of Deployments | per Deployment |\n|---|---|---|\n")
	fmt.Fprintf(os.Stdout, "| without matchConditions | %.0f | %.2f |\n| with matchConditions | %.0f | %.2f |\n", got[0], got[0]/float64(n), got[1], got[1]/float64(n))
	fmt.Fprintf(os.Stdout, "\nCalls avoided: %.0f of %.0f (%.0f %%).\n", got[0]-got[1], got[0], 100*(got[0]-got[1])/max(got[0], 1))
	return nil
}

// waitRevision waits until the deployment controller has stamped revision on n Deployments.
func waitRevision(ctx context.Context, cs kubernetes.Interface, ns string, n int, revision string) error {
	for {
		l, err := cs.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		done := 0
		for _, d := range l.Items {
			if d.Annotations[revisionAnnotation] == revision {
				done++
			}
		}
		if done >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d of %d Deployments at revision %s: %w", done, n, revision, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
