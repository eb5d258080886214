package testenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/webhook/registration"
)

// WebhookOptions says how StartWebhook runs the admission webhook.
type WebhookOptions struct {
	// Dir holds the built binary, its certificates (certs/) and its log (webhook.log).
	Dir string
	// Kubeconfig is the cluster the webhook watches (Kube.Kubeconfig).
	Kubeconfig string
	// Cluster is its --cluster-name, the cluster its CapacityPolicies name.
	Cluster string
	// Args are further `serve` flags, e.g. "--report-interval", "200ms".
	Args []string
	// Env is further environment (NAME=value), e.g. GOGC=100.
	Env []string
	// Bin, when set, is a built kubedoor-webhook to run (another revision's, or one already
	// built into Dir) instead of building ./webhook.
	Bin string
	// Name names its log, Dir/<Name>.log, so webhooks sharing Dir keep theirs apart; "" is
	// "webhook".
	Name string
}

// Webhook is the kubedoor-webhook binary built from this checkout, serving on loopback ports
// with a CA and serving certificate its own `certs` subcommand generated.
type Webhook struct {
	Bin, CertDir, LogPath string
	// CAPEM is the CA a registration's caBundle carries.
	CAPEM []byte

	admAddr, healthAddr string
	args, env           []string
	cmd                 *exec.Cmd
}

// StartWebhook builds ./webhook into opts.Dir (unless opts.Bin is given), generates its
// certificates for 127.0.0.1 in Dir/certs (or reuses those an earlier webhook in Dir generated),
// starts `serve` and waits until /readyz answers. Stop ends it.
func StartWebhook(ctx context.Context, opts WebhookOptions) (*Webhook, error) {
	name := opts.Name
	if name == "" {
		name = "webhook"
	}
	w := &Webhook{Bin: opts.Bin, CertDir: filepath.Join(opts.Dir, "certs"), LogPath: filepath.Join(opts.Dir, name+".log"), env: opts.Env}
	if w.Bin == "" {
		w.Bin = filepath.Join(opts.Dir, "kubedoor-webhook")
		if err := GoBuild(ctx, "./webhook", w.Bin); err != nil {
			return nil, err
		}
	}
	caPath := filepath.Join(w.CertDir, "ca.crt")
	if _, err := os.Stat(caPath); errors.Is(err, os.ErrNotExist) {
		if out, err := exec.CommandContext(ctx, w.Bin, "certs", "--ip", "127.0.0.1", "--out", w.CertDir).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("kubedoor-webhook certs: %w\n%s", err, out)
		}
	}
	var err error
	if w.CAPEM, err = os.ReadFile(caPath); err != nil {
		return nil, err
	}
	if w.admAddr, err = FreeAddr(); err != nil {
		return nil, err
	}
	if w.healthAddr, err = FreeAddr(); err != nil {
		return nil, err
	}
	w.args = append([]string{"serve", "--listen", w.admAddr, "--health-listen", w.healthAddr,
		"--tls-cert-file", filepath.Join(w.CertDir, "tls.crt"), "--tls-key-file", filepath.Join(w.CertDir, "tls.key"),
		"--kubeconfig", opts.Kubeconfig, "--cluster-name", opts.Cluster}, opts.Args...)
	if err := w.Start(ctx); err != nil {
		w.Stop()
		return nil, fmt.Errorf("%w\n%s", err, w.Log())
	}
	return w, nil
}

// MutateURL is the admission endpoint a registration points at.
func (w *Webhook) MutateURL() string { return "https://" + w.admAddr + registration.Path }

// HealthURL serves /readyz, /healthz and /metrics.
func (w *Webhook) HealthURL() string { return "http://" + w.healthAddr }

// Process is the running webhook (a test may stop it with SIGSTOP to make it hang).
func (w *Webhook) Process() *os.Process { return w.cmd.Process }

// Start starts the webhook (again, after Stop) on the same ports and waits until it is ready;
// its log is appended to.
func (w *Webhook) Start(ctx context.Context) error {
	logFile, err := os.OpenFile(w.LogPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	w.cmd = exec.Command(w.Bin, w.args...)
	w.cmd.Env = append(os.Environ(), w.env...)
	w.cmd.Stdout, w.cmd.Stderr = logFile, logFile
	if err := w.cmd.Start(); err != nil {
		return fmt.Errorf("starting webhook: %w", err)
	}
	return WaitHTTP(ctx, w.HealthURL()+"/readyz")
}

// Stop kills the webhook and waits for it to exit.
func (w *Webhook) Stop() {
	if w.cmd != nil && w.cmd.Process != nil {
		_ = w.cmd.Process.Kill()
		_, _ = w.cmd.Process.Wait()
	}
}

// Log is everything the webhook has logged.
func (w *Webhook) Log() string {
	b, _ := os.ReadFile(w.LogPath)
	return string(b)
}

// Register creates the MutatingWebhookConfiguration (registration.Mutating) pointing at the
// webhook; timeoutSeconds 0 keeps the registration's default. The API server picks it up
// asynchronously, so a test sends probes until one reaches the webhook (Metric counts them).
func (w *Webhook) Register(ctx context.Context, cs kubernetes.Interface, timeoutSeconds int32) error {
	cfg := registration.Mutating(registration.Options{URL: w.MutateURL(), CABundle: w.CAPEM, Timeout: timeoutSeconds})
	if _, err := cs.AdmissionregistrationV1().MutatingWebhookConfigurations().Create(ctx, cfg, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("registering webhook: %w", err)
	}
	return nil
}

// Metric sums the counter or gauge name over the webhook's series whose labels include every
// label of want.
func (w *Webhook) Metric(name string, want map[string]string) (float64, error) {
	return ScrapeMetric(w.HealthURL()+"/metrics", name, want)
}

// ScrapeMetric reads the Prometheus text exposition at url and sums the counter or gauge name
// over the series whose labels include every label of want.
func ScrapeMetric(url, name string, want map[string]string) (float64, error) {
	all, err := scrapeFamily(url, name)
	if err != nil {
		return 0, err
	}
	total := 0.0
	for _, s := range all {
		match := true
		for k, v := range want {
			match = match && s.labels[k] == v
		}
		if match {
			total += s.value
		}
	}
	return total, nil
}

// Bucket is a histogram bucket: how many observations were at most UpperBound.
type Bucket struct{ UpperBound, Count float64 }

// ScrapeBuckets reads the Prometheus text exposition at url and sums the histogram name's
// cumulative buckets over its series, in order of their bounds.
func ScrapeBuckets(url, name string) ([]Bucket, error) {
	all, err := scrapeFamily(url, name)
	if err != nil {
		return nil, err
	}
	var out []Bucket
	for _, s := range all {
		for i, b := range s.buckets {
			if i >= len(out) {
				out = append(out, Bucket{UpperBound: b.UpperBound})
			}
			out[i].Count += b.Count
		}
	}
	return out, nil
}

// series is one series of a scraped metric family.
type series struct {
	labels  map[string]string
	value   float64 // a counter's or gauge's
	buckets []Bucket
}

func scrapeFamily(url, name string) ([]series, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bufio.NewReader(resp.Body))
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", url, err)
	}
	var out []series
	for _, m := range families[name].GetMetric() {
		s := series{labels: map[string]string{}, value: m.GetCounter().GetValue() + m.GetGauge().GetValue()}
		for _, p := range m.GetLabel() {
			s.labels[p.GetName()] = p.GetValue()
		}
		for _, b := range m.GetHistogram().GetBucket() {
			s.buckets = append(s.buckets, Bucket{UpperBound: b.GetUpperBound(), Count: float64(b.GetCumulativeCount())})
		}
		out = append(out, s)
	}
	return out, nil
}

// WaitHTTP waits up to a minute until url answers 200.
func WaitHTTP(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
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
			if err != nil {
				return fmt.Errorf("%s: %w (last error: %w)", url, ctx.Err(), err)
			}
			return fmt.Errorf("%s: %w", url, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// FreeAddr is a loopback address no one listens on now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
