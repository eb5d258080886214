// Package clusterhealth answers "does KubeDoor work in this cluster?": the Kubernetes API
// answers (and its version), Prometheus answers, the admission webhook is registered and its
// endpoint is up, and when peak data were last collected. It also tests a connection from the
// configuration page before it is saved.
package clusterhealth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/prom"
)

// Timeout bounds each check; the checks run in parallel.
const Timeout = 5 * time.Second

// KubeStatus is the Kubernetes part of a health answer.
type KubeStatus struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
	Version string `json:"version"`
}

// PromStatus is the Prometheus part.
type PromStatus struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
	Version string `json:"version,omitempty"`
}

// WebhookStatus is the admission webhook part: installed = its MutatingWebhookConfiguration
// exists; ready = its endpoint is up (see checkWebhook).
type WebhookStatus struct {
	Installed bool   `json:"installed"`
	Ready     bool   `json:"ready"`
	Message   string `json:"message"`
}

// Health is GET v1/clusters/{cluster}/health.
type Health struct {
	Kubernetes     KubeStatus    `json:"kubernetes"`
	Prometheus     PromStatus    `json:"prometheus"`
	Webhook        WebhookStatus `json:"webhook"`
	LastCollection any           `json:"lastCollection"`
	// LastPublish is the outcome of the last reconcile of the cluster's CapacityPolicies in this
	// backend process (nil before the first, or without Kubernetes access); filled by the caller.
	LastPublish any `json:"lastPublish"`
	// Schedules is this backend's schedule runner for the cluster (who holds the schedule lease,
	// or why nobody can); filled by the caller, nil when it does not run schedules.
	Schedules any `json:"schedules"`
}

// LastCollection reports a cluster's most recent collection job (nil when none); the
// collection-jobs package implements it.
type LastCollection interface {
	LastCollection(ctx context.Context, cluster string) (any, error)
}

// Target is what to check: clients built from a cluster's settings. KubeErr explains a nil Kube
// (no access configured, a kubeconfig that does not load); PromErr a nil Prom.
type Target struct {
	Cluster string
	Kube    kubernetes.Interface
	KubeErr error
	Prom    prom.Client
	PromErr error
}

// Check checks t's parts in parallel, each bounded by Timeout.
func Check(ctx context.Context, t Target, lc LastCollection) Health {
	var h Health
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); h.Kubernetes = checkKube(ctx, t) }()
	go func() { defer wg.Done(); h.Prometheus = checkProm(ctx, t) }()
	go func() {
		defer wg.Done()
		if lc == nil {
			return
		}
		job, err := lc.LastCollection(ctx, t.Cluster)
		if err == nil {
			h.LastCollection = job
		}
	}()
	wg.Wait()
	// The webhook checks need the API; skip their timeouts when it is known to be down.
	switch {
	case t.Kube == nil:
		h.Webhook.Message = "not checked: " + h.Kubernetes.Message
	case !h.Kubernetes.OK:
		h.Webhook.Message = "not checked: the Kubernetes API does not answer"
	default:
		h.Webhook = checkWebhook(ctx, t.Kube)
	}
	return h
}

func checkKube(ctx context.Context, t Target) KubeStatus {
	if t.Kube == nil {
		msg := "no Kubernetes access configured"
		if t.KubeErr != nil {
			msg = t.KubeErr.Error()
		}
		return KubeStatus{Message: msg}
	}
	// Discovery calls take no context; bound them with the client's timeout and ours.
	type answer struct {
		v   string
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		v, err := t.Kube.Discovery().ServerVersion()
		if err != nil {
			ch <- answer{err: err}
			return
		}
		ch <- answer{v: v.GitVersion}
	}()
	select {
	case a := <-ch:
		if a.err != nil {
			return KubeStatus{Message: fmt.Sprintf("the Kubernetes API does not answer: %v", a.err)}
		}
		return KubeStatus{OK: true, Version: a.v, Message: "Kubernetes " + a.v + " answers"}
	case <-time.After(Timeout):
		return KubeStatus{Message: fmt.Sprintf("the Kubernetes API did not answer within %v", Timeout)}
	case <-ctx.Done():
		return KubeStatus{Message: ctx.Err().Error()}
	}
}

func checkProm(ctx context.Context, t Target) PromStatus {
	if t.Prom == nil {
		msg := "no Prometheus configured"
		if t.PromErr != nil {
			msg = t.PromErr.Error()
		}
		return PromStatus{Message: msg}
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	v, err := t.Prom.Ready(ctx)
	if err != nil {
		return PromStatus{Message: err.Error()}
	}
	return PromStatus{OK: true, Version: v, Message: "Prometheus " + v + " answers"}
}

// checkWebhook: installed when the MutatingWebhookConfiguration exists. Ready, for an in-cluster
// Service, when the Deployment of the same name behind it has a ready replica (the webhook's
// readiness probe follows its caches); for a URL (out-of-cluster webhooks, the demo), when the
// URL answers HTTPS with a certificate the configuration's caBundle trusts — what the apiserver
// itself needs.
func checkWebhook(ctx context.Context, kc kubernetes.Interface) WebhookStatus {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	cfg, err := kc.AdmissionregistrationV1().MutatingWebhookConfigurations().Get(ctx, v1alpha1.WebhookConfigurationName, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return WebhookStatus{Message: fmt.Sprintf("MutatingWebhookConfiguration %s is not installed: nothing is enforced in this cluster", v1alpha1.WebhookConfigurationName)}
	case apierrors.IsForbidden(err):
		return WebhookStatus{Message: fmt.Sprintf("cannot read MutatingWebhookConfiguration %s: the backend's role lacks get on mutatingwebhookconfigurations", v1alpha1.WebhookConfigurationName)}
	case err != nil:
		return WebhookStatus{Message: fmt.Sprintf("reading MutatingWebhookConfiguration %s: %v", v1alpha1.WebhookConfigurationName, err)}
	}
	st := WebhookStatus{Installed: true}
	if len(cfg.Webhooks) == 0 {
		st.Message = "the configuration has no webhooks"
		return st
	}
	cc := cfg.Webhooks[0].ClientConfig
	policy := "Ignore"
	if p := cfg.Webhooks[0].FailurePolicy; p != nil {
		policy = string(*p)
	}
	if svc := cc.Service; svc != nil {
		dep, err := kc.AppsV1().Deployments(svc.Namespace).Get(ctx, svc.Name, metav1.GetOptions{})
		if err != nil {
			st.Message = fmt.Sprintf("installed (failurePolicy %s), but its Deployment %s/%s cannot be read: %v", policy, svc.Namespace, svc.Name, err)
			return st
		}
		want := int32(1)
		if dep.Spec.Replicas != nil {
			want = *dep.Spec.Replicas
		}
		st.Ready = dep.Status.ReadyReplicas > 0
		st.Message = fmt.Sprintf("installed (failurePolicy %s); %d of %d replicas of %s/%s ready", policy, dep.Status.ReadyReplicas, want, svc.Namespace, svc.Name)
		return st
	}
	if cc.URL == nil {
		st.Message = "installed, but its clientConfig has neither a service nor a URL"
		return st
	}
	if err := probe(ctx, *cc.URL, cc.CABundle); err != nil {
		st.Message = fmt.Sprintf("installed (failurePolicy %s), but %s does not answer: %v", policy, *cc.URL, err)
		return st
	}
	st.Ready = true
	st.Message = fmt.Sprintf("installed (failurePolicy %s); %s answers", policy, *cc.URL)
	return st
}

// probe posts an empty body to the webhook URL: any HTTP answer (a 400 for the empty review)
// over TLS verified by caBundle shows the endpoint is up with the right certificate.
func probe(ctx context.Context, url string, caBundle []byte) error {
	pool := x509.NewCertPool()
	if len(caBundle) > 0 && !pool.AppendCertsFromPEM(caBundle) {
		return fmt.Errorf("its caBundle holds no PEM certificate")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(""))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}
