//go:build parts

package clusterhealth

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/prom"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

// The checks run against a real kube-apiserver and a real Prometheus.
var (
	kubeEnv    *testenv.Kube
	promURL    string
	kubeconfig string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var err error
	if kubeEnv, err = testenv.StartKube(ctx, testenv.KubeOptions{Logger: log}); err != nil {
		fmt.Fprintln(os.Stderr, "clusterhealth tests cannot start:", err)
		return 1
	}
	defer kubeEnv.Stop()
	p, err := testenv.StartPrometheus(ctx, testenv.PromOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "clusterhealth tests cannot start:", err)
		return 1
	}
	defer p.Stop()
	promURL = p.URL
	b, err := os.ReadFile(kubeEnv.Kubeconfig)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	kubeconfig = string(b)
	return m.Run()
}

func closedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// webhookServer answers like kubedoor-webhook: HTTPS with a certificate from the cluster CA.
func webhookServer(t *testing.T) string {
	certPEM, keyPEM, err := kubeEnv.IssueServingCert("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "malformed AdmissionReview", http.StatusBadRequest)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL + "/mutate"
}

// webhookConfig is what the check reads of the webhook's configuration: its name, one webhook and
// that webhook's clientConfig. It is built here rather than with webhook/registration because
// nothing under pkg may import webhook (.golangci.yml's depguard).
type webhookConfig struct {
	URL      string
	Service  *admissionregistrationv1.ServiceReference
	CABundle []byte
}

func install(t *testing.T, o webhookConfig) {
	ctx := t.Context()
	api := kubeEnv.Clientset().AdmissionregistrationV1().MutatingWebhookConfigurations()
	client := admissionregistrationv1.WebhookClientConfig{CABundle: o.CABundle, Service: o.Service}
	if o.Service == nil {
		client.URL = &o.URL
	}
	none := admissionregistrationv1.SideEffectClassNone
	cfg := &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: v1alpha1.WebhookConfigurationName},
		Webhooks: []admissionregistrationv1.MutatingWebhook{{
			Name: "deployments.kubedoor.io", ClientConfig: client, SideEffects: &none,
			AdmissionReviewVersions: []string{"v1"},
		}},
	}
	if _, err := api.Create(ctx, cfg, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = api.Delete(context.WithoutCancel(ctx), v1alpha1.WebhookConfigurationName, metav1.DeleteOptions{})
	})
}

func webhookDeployment(t *testing.T, ns string, ready int32) {
	ctx := t.Context()
	cs := kubeEnv.Clientset()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	two := int32(2)
	labels := map[string]string{"app": "kubedoor-webhook"}
	d, err := cs.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "kubedoor-webhook"},
		Spec: appsv1.DeploymentSpec{Replicas: &two, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "webhook", Image: "kubedoor-webhook:dev"}}}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// No controllers run here: set the status the deployment controller would.
	d.Status.Replicas, d.Status.ReadyReplicas = 2, ready
	if _, err := cs.AppsV1().Deployments(ns).UpdateStatus(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func target(t *testing.T, promAt string) Target {
	pc, err := prom.New(prom.Config{URL: promAt, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return Target{Cluster: "prod-a", Kube: kubeEnv.Clientset(), Prom: pc}
}

type lastJob struct{}

func (lastJob) LastCollection(_ context.Context, cluster string) (any, error) {
	return map[string]string{"cluster": cluster, "state": "succeeded"}, nil
}

func TestClusterHealth(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) Target
		check func(t *testing.T, h Health)
	}{
		{
			name:  "a cluster without the webhook answers but is not enforced",
			setup: func(t *testing.T) Target { return target(t, promURL) },
			check: func(t *testing.T, h Health) {
				if !h.Kubernetes.OK || !strings.HasPrefix(h.Kubernetes.Version, "v1.34") || !h.Prometheus.OK || h.Prometheus.Version == "" {
					t.Fatalf("%+v", h)
				}
				if h.Webhook.Installed || h.Webhook.Ready || !strings.Contains(h.Webhook.Message, "not installed") {
					t.Fatalf("webhook %+v", h.Webhook)
				}
				if h.LastCollection.(map[string]string)["cluster"] != "prod-a" {
					t.Fatalf("last collection %v", h.LastCollection)
				}
			},
		},
		{
			name: "a webhook registered by URL that answers is ready",
			setup: func(t *testing.T) Target {
				install(t, webhookConfig{URL: webhookServer(t), CABundle: kubeEnv.CACertPEM})
				return target(t, promURL)
			},
			check: func(t *testing.T, h Health) {
				if !h.Webhook.Installed || !h.Webhook.Ready || !strings.Contains(h.Webhook.Message, "answers") {
					t.Fatalf("webhook %+v", h.Webhook)
				}
			},
		},
		{
			name: "a webhook registered by URL whose certificate the caBundle does not trust is not ready",
			setup: func(t *testing.T) Target {
				other, err := testenv.NewCA("other")
				if err != nil {
					t.Fatal(err)
				}
				install(t, webhookConfig{URL: webhookServer(t), CABundle: other.CertPEM})
				return target(t, promURL)
			},
			check: func(t *testing.T, h Health) {
				if !h.Webhook.Installed || h.Webhook.Ready || !strings.Contains(h.Webhook.Message, "certificate") {
					t.Fatalf("webhook %+v", h.Webhook)
				}
			},
		},
		{
			name: "a webhook registered by URL that is down is installed but not ready",
			setup: func(t *testing.T) Target {
				install(t, webhookConfig{URL: strings.Replace(closedURL(t), "http:", "https:", 1) + "/mutate", CABundle: kubeEnv.CACertPEM})
				return target(t, promURL)
			},
			check: func(t *testing.T, h Health) {
				if !h.Webhook.Installed || h.Webhook.Ready || !strings.Contains(h.Webhook.Message, "does not answer") {
					t.Fatalf("webhook %+v", h.Webhook)
				}
			},
		},
		{
			name: "a webhook Service is ready when its Deployment has ready replicas",
			setup: func(t *testing.T) Target {
				ns := fmt.Sprintf("kd-%d", time.Now().UnixNano()%100000)
				webhookDeployment(t, ns, 1)
				install(t, webhookConfig{Service: &admissionregistrationv1.ServiceReference{Namespace: ns, Name: "kubedoor-webhook"}, CABundle: kubeEnv.CACertPEM})
				return target(t, promURL)
			},
			check: func(t *testing.T, h Health) {
				if !h.Webhook.Installed || !h.Webhook.Ready || !strings.Contains(h.Webhook.Message, "1 of 2 replicas") {
					t.Fatalf("webhook %+v", h.Webhook)
				}
			},
		},
		{
			name: "a webhook Service without ready replicas is not ready",
			setup: func(t *testing.T) Target {
				ns := fmt.Sprintf("kd-%d", time.Now().UnixNano()%100000)
				webhookDeployment(t, ns, 0)
				install(t, webhookConfig{Service: &admissionregistrationv1.ServiceReference{Namespace: ns, Name: "kubedoor-webhook"}, CABundle: kubeEnv.CACertPEM})
				return target(t, promURL)
			},
			check: func(t *testing.T, h Health) {
				if !h.Webhook.Installed || h.Webhook.Ready || !strings.Contains(h.Webhook.Message, "0 of 2 replicas") {
					t.Fatalf("webhook %+v", h.Webhook)
				}
			},
		},
		{
			name: "a cluster without Kubernetes access and a Prometheus that is down say so",
			setup: func(t *testing.T) Target {
				tg := target(t, closedURL(t))
				tg.Kube, tg.KubeErr = nil, errors.New("cluster prod-a: no Kubernetes access configured for this cluster")
				return tg
			},
			check: func(t *testing.T, h Health) {
				if h.Kubernetes.OK || !strings.Contains(h.Kubernetes.Message, "no Kubernetes access") || h.Prometheus.OK ||
					h.Webhook.Installed || !strings.HasPrefix(h.Webhook.Message, "not checked") {
					t.Fatalf("%+v", h)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, Check(t.Context(), tt.setup(t), lastJob{}))
		})
	}
}

func TestConnections(t *testing.T) {
	tests := []struct {
		name      string
		conn      Connection
		wantField string
		check     func(t *testing.T, r TestResult)
	}{
		{name: "a working connection passes every check", conn: Connection{Name: "prod-a", PrometheusURL: promURL, KubeAccess: "kubeconfig", Kubeconfig: kubeconfig},
			check: func(t *testing.T, r TestResult) {
				if !r.Prometheus.OK || !r.Kubernetes.OK || r.Kubernetes.Version == "" || r.Webhook.OK {
					t.Fatalf("%+v", r)
				}
			}},
		{name: "a kubeconfig that does not parse is reported, not an error", conn: Connection{PrometheusURL: promURL, KubeAccess: "kubeconfig", Kubeconfig: "not: [yaml"},
			check: func(t *testing.T, r TestResult) {
				if !r.Prometheus.OK || r.Kubernetes.OK || !strings.Contains(r.Kubernetes.Message, "kubeconfig") {
					t.Fatalf("%+v", r)
				}
			}},
		{name: "a bad Prometheus URL names the field", conn: Connection{PrometheusURL: "ftp://x"}, wantField: "prometheusUrl"},
		{name: "kubeconfig access without a kubeconfig names the field", conn: Connection{PrometheusURL: promURL, KubeAccess: "kubeconfig"}, wantField: "kubeconfig"},
		{name: "a bad zone names the field", conn: Connection{PrometheusURL: promURL, TimeZone: "Nowhere/City"}, wantField: "timeZone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl, err := tt.conn.Cluster()
			if tt.wantField != "" {
				if fe, ok := refusal.AsFieldError(err); !ok || fe.Field != tt.wantField {
					t.Fatalf("got %v, want a field error on %s", err, tt.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, Test(t.Context(), cl))
		})
	}
}
