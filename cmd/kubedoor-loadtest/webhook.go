package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

// webhook is the built kubedoor-webhook running on loopback ports (testenv.StartWebhook).
type webhook struct{ *testenv.Webhook }

// probes numbers the probe Deployments of every webhook of the run.
var probes atomic.Int64

// startWebhook starts a kubedoor-webhook with the serving certificate in dir/certs (made on
// first use, shared by every webhook of the run); its log goes to dir/<name>.log. bin "" builds
// ./webhook.
func startWebhook(ctx context.Context, dir, bin, name, kubeconfig string, env []string, extra ...string) (*webhook, error) {
	w, err := testenv.StartWebhook(ctx, testenv.WebhookOptions{Dir: dir, Bin: bin, Name: name, Kubeconfig: kubeconfig,
		Cluster: "load", Env: env, Args: extra})
	if err != nil {
		return nil, err
	}
	return &webhook{w}, nil
}

// rss is the webhook process's resident set size in bytes.
func (w *webhook) rss() (int64, error) { return testenv.RSS(w.Process().Pid) }

// patchedCreates counts the Deployment and Pod creates the webhook patched.
func (w *webhook) patchedCreates() (float64, error) {
	d, err := w.Metric("kubedoor_webhook_decisions_total", map[string]string{"result": "patched", "reason": "create"})
	if err != nil {
		return 0, err
	}
	p, err := w.Metric("kubedoor_webhook_decisions_total", map[string]string{"result": "patched", "reason": "pod-create"})
	return d + p, err
}

func (w *webhook) waitCached(ctx context.Context, kind string, n int) error {
	for {
		got, err := w.Metric("kubedoor_webhook_cache_objects", map[string]string{"kind": kind})
		if err != nil {
			return err
		}
		if int(got) == n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("webhook caches %v %s, want %d: %w", got, kind, n, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitRegistered probes with an unregistered Deployment until the webhook denies it.
func (w *webhook) waitRegistered(ctx context.Context, cs kubernetes.Interface, ns string) error {
	return w.probe(ctx, cs, ns, func(err error) bool { return apierrors.IsForbidden(err) })
}

// waitUnregistered probes until the API server admits the unregistered Deployment again.
func (w *webhook) waitUnregistered(ctx context.Context, cs kubernetes.Interface, ns string) error {
	return w.probe(ctx, cs, ns, func(err error) bool { return err == nil })
}

func (w *webhook) probe(ctx context.Context, cs kubernetes.Interface, ns string, done func(error) bool) error {
	for {
		name := fmt.Sprintf("probe-%d", probes.Add(1))
		_, err := cs.AppsV1().Deployments(ns).Create(ctx, newDeployment(name), metav1.CreateOptions{})
		if err == nil {
			_ = cs.AppsV1().Deployments(ns).Delete(ctx, name, metav1.DeleteOptions{})
		}
		if done(err) {
			return nil
		}
		select {
		case <-ctx.Done():
			last := "allowed" // the last probe's create went through
			if err != nil {
				last = err.Error()
			}
			return fmt.Errorf("registration change not seen (last probe: %s): %w", last, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// reviewQuantile estimates a quantile of the webhook's own review duration histogram (time from
// request received to response written), as PromQL's histogram_quantile does.
func (w *webhook) reviewQuantile(q float64) (time.Duration, error) {
	buckets, err := testenv.ScrapeBuckets(w.HealthURL()+"/metrics", "kubedoor_webhook_review_duration_seconds")
	if err != nil {
		return 0, err
	}
	if len(buckets) == 0 || buckets[len(buckets)-1].Count == 0 {
		return 0, nil
	}
	rank := q * buckets[len(buckets)-1].Count
	lower, below := 0.0, 0.0
	for _, b := range buckets {
		if b.Count >= rank {
			frac := (rank - below) / max(b.Count-below, 1)
			return time.Duration((lower + (b.UpperBound-lower)*frac) * float64(time.Second)), nil
		}
		lower, below = b.UpperBound, b.Count
	}
	return time.Duration(lower * float64(time.Second)), nil
}
