package main_test

// These tests run the built kubedoor-webhook binary, register it with a real kube-apiserver
// (MutatingWebhookConfiguration with a CA the binary generated) and drive it with the API calls
// kubectl makes.

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/webhook/registration"
)

var (
	cs        *kubernetes.Clientset
	healthURL string
	mutateURL string
	caPEM     []byte
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "webhook tests cannot start: "+format+"\n", args...)
		return 1
	}
	kube, err := testenv.StartKube(ctx, testenv.KubeOptions{})
	if err != nil {
		return fail("%v", err)
	}
	defer kube.Stop()
	cs = kube.Clientset()

	dir, err := os.MkdirTemp("", "kubedoor-webhook-test-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "kubedoor-webhook")
	if err := testenv.GoBuild(ctx, "./webhook", bin); err != nil {
		return fail("%v", err)
	}
	certDir := filepath.Join(dir, "certs")
	if out, err := exec.CommandContext(ctx, bin, "certs", "--ip", "127.0.0.1", "--out", certDir).CombinedOutput(); err != nil {
		return fail("certs: %v\n%s", err, out)
	}
	admAddr, healthAddr := freeAddr(), freeAddr()
	logPath := filepath.Join(dir, "webhook.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return fail("%v", err)
	}
	wh := exec.Command(bin, "serve", "--listen", admAddr, "--health-listen", healthAddr,
		"--tls-cert-file", filepath.Join(certDir, "tls.crt"), "--tls-key-file", filepath.Join(certDir, "tls.key"))
	wh.Stdout, wh.Stderr = logFile, logFile
	if err := wh.Start(); err != nil {
		return fail("starting webhook: %v", err)
	}
	defer func() { _ = wh.Process.Kill(); _, _ = wh.Process.Wait() }()
	healthURL = "http://" + healthAddr
	if err := waitHTTP(ctx, healthURL+"/readyz"); err != nil {
		b, _ := os.ReadFile(logPath)
		return fail("webhook not ready: %v\n%s", err, b)
	}
	ca, err := os.ReadFile(filepath.Join(certDir, "ca.crt"))
	if err != nil {
		return fail("%v", err)
	}
	mutateURL, caPEM = "https://"+admAddr+"/mutate", ca
	if err := register(ctx, mutateURL, ca); err != nil {
		return fail("registering webhook: %v", err)
	}
	if err := waitRegistered(ctx); err != nil {
		b, _ := os.ReadFile(logPath)
		return fail("%v\n%s", err, b)
	}
	code := m.Run()
	if code != 0 {
		b, _ := os.ReadFile(logPath)
		fmt.Fprintf(os.Stderr, "--- webhook log ---\n%s\n", b)
	}
	return code
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHTTP(ctx context.Context, url string) error {
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (last error %v)", url, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

const controlLabel = registration.ControlLabel

func register(ctx context.Context, url string, caBundle []byte) error {
	cfg := registration.Mutating(registration.Options{URL: url, CABundle: caBundle, Timeout: 5})
	_, err := cs.AdmissionregistrationV1().MutatingWebhookConfigurations().Create(ctx, cfg, metav1.CreateOptions{})
	return err
}

// waitRegistered creates probe Deployments until one reaches the webhook: the API server picks
// up a new webhook configuration asynchronously.
func waitRegistered(ctx context.Context) error {
	ns := namespace(ctx, "probe", "enforce")
	for i := 0; ; i++ {
		before := reviews("CREATE", "deployments", "")
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment(fmt.Sprintf("probe-%d", i), 1), metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("probe deployment: %w", err)
		}
		if reviews("CREATE", "deployments", "") > before {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the API server never called the webhook: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func namespace(ctx context.Context, name, control string) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: name + "-"}}
	if control != "" {
		ns.Labels = map[string]string{controlLabel: control}
	}
	got, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if err != nil {
		panic(err)
	}
	return got.Name
}

func deployment(name string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example.com/" + name + ":1"}}},
			},
		},
	}
}

// reviews reads kubedoor_webhook_reviews_total for one operation/resource/subresource.
func reviews(op, resource, sub string) float64 {
	resp, err := http.Get(healthURL + "/metrics")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bufio.NewReader(resp.Body))
	if err != nil {
		panic(err)
	}
	total := 0.0
	fam := families["kubedoor_webhook_reviews_total"]
	if fam == nil {
		return 0
	}
	for _, m := range fam.GetMetric() {
		l := map[string]string{}
		for _, p := range m.GetLabel() {
			l[p.GetName()] = p.GetValue()
		}
		if l["operation"] == op && l["resource"] == resource && l["subresource"] == sub {
			total += m.GetCounter().GetValue()
		}
	}
	return total
}

func TestTheAPIServerSendsReviewsOnlyForLabelledNamespaces(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		control     string
		wantReviews float64
	}{
		{name: "an enforced namespace sends create and scale", control: "enforce", wantReviews: 1},
		{name: "an observed namespace sends create and scale", control: "observe", wantReviews: 1},
		{name: "an unlabelled namespace never waits on the webhook", control: "", wantReviews: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := namespace(ctx, "ns", tt.control)
			createsBefore, scalesBefore := reviews("CREATE", "deployments", ""), reviews("UPDATE", "deployments", "scale")

			if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("api", 2), metav1.CreateOptions{}); err != nil {
				t.Fatalf("create: %v", err)
			}
			// kubectl scale deployment/api --replicas=3 updates the scale subresource.
			scale := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: ns}, Spec: autoscalingv1.ScaleSpec{Replicas: 3}}
			if _, err := cs.AppsV1().Deployments(ns).UpdateScale(ctx, "api", scale, metav1.UpdateOptions{}); err != nil {
				t.Fatalf("scale: %v", err)
			}
			got, err := cs.AppsV1().Deployments(ns).Get(ctx, "api", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if *got.Spec.Replicas != 3 {
				t.Fatalf("replicas %d, want 3: the webhook admits unchanged until policies exist", *got.Spec.Replicas)
			}
			if d := reviews("CREATE", "deployments", "") - createsBefore; d != tt.wantReviews {
				t.Errorf("create reviews %v, want %v", d, tt.wantReviews)
			}
			if d := reviews("UPDATE", "deployments", "scale") - scalesBefore; d != tt.wantReviews {
				t.Errorf("scale reviews %v, want %v", d, tt.wantReviews)
			}
		})
	}
}

func TestMalformedReviewsAreRejectedOverTLS(t *testing.T) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
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
			resp, err := client.Post(mutateURL, "application/json", strings.NewReader(tt.body))
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
	if err := waitHTTP(context.Background(), healthURL+"/readyz"); err != nil {
		t.Fatal(err)
	}
}
