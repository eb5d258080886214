//go:build parts

package main_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

func TestTheAPIServerSendsReviewsOnlyForLabelledNamespaces(t *testing.T) {
	ctx := t.Context()
	tests := []struct {
		name        string
		control     string
		wantReviews float64
	}{
		{name: "an enforced namespace sends create and scale", control: v1alpha1.ControlEnforce, wantReviews: 1},
		{name: "an observed namespace sends create and scale", control: v1alpha1.ControlObserve, wantReviews: 1},
		{name: "an unlabelled namespace never waits on the webhook", control: "", wantReviews: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Unregistered workloads are allowed here: this test is about routing, not rules.
			ns := mustNamespace(ctx, "ns", tt.control, v1alpha1.UnknownAllow)
			creates := map[string]string{"operation": "CREATE", "resource": "deployments"}
			scales := map[string]string{"operation": "UPDATE", "subresource": "scale"}
			createsBefore, scalesBefore := metric("kubedoor_webhook_reviews_total", creates), metric("kubedoor_webhook_reviews_total", scales)

			if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("api", 2), metav1.CreateOptions{}); err != nil {
				t.Fatalf("create: %v", err)
			}
			scale := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: ns}, Spec: autoscalingv1.ScaleSpec{Replicas: 3}}
			if _, err := cs.AppsV1().Deployments(ns).UpdateScale(ctx, "api", scale, metav1.UpdateOptions{}); err != nil {
				t.Fatalf("scale: %v", err)
			}
			got, err := cs.AppsV1().Deployments(ns).Get(ctx, "api", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if *got.Spec.Replicas != 3 {
				t.Fatalf("replicas %d, want 3: an unregistered workload in an allow namespace is left alone", *got.Spec.Replicas)
			}
			if d := metric("kubedoor_webhook_reviews_total", creates) - createsBefore; d != tt.wantReviews {
				t.Errorf("create reviews %v, want %v", d, tt.wantReviews)
			}
			if d := metric("kubedoor_webhook_reviews_total", scales) - scalesBefore; d != tt.wantReviews {
				t.Errorf("scale reviews %v, want %v", d, tt.wantReviews)
			}
		})
	}
}

func TestMalformedReviewsAreRejectedOverTLS(t *testing.T) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(hook.CAPEM) {
		t.Fatal("bad CA")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	tests := []struct {
		name, body string
	}{
		{"truncated JSON", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionRev`},
		{"a review without a request", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`},
		{"another kind", `{"apiVersion":"v1","kind":"Pod"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := client.Post(hook.MutateURL(), "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
		})
	}
	// The process is still serving after all of that.
	if err := testenv.WaitHTTP(t.Context(), hook.HealthURL()+"/readyz"); err != nil {
		t.Fatal(err)
	}
}
