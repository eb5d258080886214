package main

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
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/webhook/certs"
)

// webhook is the built kubedoor-webhook running on loopback ports.
type webhook struct {
	cmd       *exec.Cmd
	mutateURL string
	healthURL string
	caPEM     []byte
	logPath   string
}

// probes numbers the probe Deployments of every webhook of the run.
var probes atomic.Int64

func startWebhook(ctx context.Context, dir, kubeconfig string, extra ...string) (*webhook, error) {
	bin := filepath.Join(dir, "kubedoor-webhook")
	if err := testenv.GoBuild(ctx, "./webhook", bin); err != nil {
		return nil, err
	}
	return startBinary(ctx, dir, bin, "webhook", kubeconfig, nil, extra...)
}

// startBinary runs a built kubedoor-webhook with the serving certificate in dir (made on first
// use, shared by every webhook of the run), extra environment and flags; its log goes to
// dir/<name>.log.
func startBinary(ctx context.Context, dir, bin, name, kubeconfig string, env []string, extra ...string) (*webhook, error) {
	caPEM, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if errors.Is(err, os.ErrNotExist) {
		b, err := certs.Generate(certs.Request{IPs: []net.IP{net.ParseIP("127.0.0.1")}})
		if err != nil {
			return nil, err
		}
		if err := b.WriteFiles(dir); err != nil {
			return nil, err
		}
		caPEM = b.CACert
	} else if err != nil {
		return nil, err
	}
	adm, health := freeAddr(), freeAddr()
	w := &webhook{mutateURL: "https://" + adm + "/mutate", healthURL: "http://" + health, caPEM: caPEM,
		logPath: filepath.Join(dir, name+".log")}
	logFile, err := os.Create(w.logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	args := append([]string{"serve", "--listen", adm, "--health-listen", health,
		"--tls-cert-file", filepath.Join(dir, "tls.crt"), "--tls-key-file", filepath.Join(dir, "tls.key"),
		"--kubeconfig", kubeconfig, "--cluster-name", "load"}, extra...)
	w.cmd = exec.Command(bin, args...)
	w.cmd.Env = append(os.Environ(), env...)
	w.cmd.Stdout, w.cmd.Stderr = logFile, logFile
	if err := w.cmd.Start(); err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(time.Minute); ; {
		if resp, err := http.Get(w.healthURL + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return w, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			w.stop()
			return nil, fmt.Errorf("webhook not ready; see %s", w.logPath)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (w *webhook) stop() {
	_ = w.cmd.Process.Kill()
	_, _ = w.cmd.Process.Wait()
}

// rss is the webhook process's resident set size in bytes.
func (w *webhook) rss() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", w.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", w.cmd.Process.Pid)
}

// metric sums the series of name whose labels include want.
func (w *webhook) metric(name string, want map[string]string) (float64, error) {
	resp, err := http.Get(w.healthURL + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bufio.NewReader(resp.Body))
	if err != nil {
		return 0, err
	}
	total := 0.0
	for _, m := range fams[name].GetMetric() {
		ok := true
		for _, p := range m.GetLabel() {
			if v, in := want[p.GetName()]; in && v != p.GetValue() {
				ok = false
			}
		}
		if ok {
			total += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return total, nil
}

// patchedCreates counts the Deployment and Pod creates the webhook patched.
func (w *webhook) patchedCreates() (float64, error) {
	d, err := w.metric("kubedoor_webhook_decisions_total", map[string]string{"result": "patched", "reason": "create"})
	if err != nil {
		return 0, err
	}
	p, err := w.metric("kubedoor_webhook_decisions_total", map[string]string{"result": "patched", "reason": "pod-create"})
	return d + p, err
}

func (w *webhook) waitCached(ctx context.Context, kind string, n int) error {
	for {
		got, err := w.metric("kubedoor_webhook_cache_objects", map[string]string{"kind": kind})
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
			return fmt.Errorf("registration change not seen (last probe: %v): %w", err, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// cpuTime is a process's user+system CPU time from /proc/<pid>/stat.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces) start after the last ')'.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("parsing /proc/%d/stat", pid)
	}
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks, nil
}

// reviewQuantile estimates a quantile of the webhook's own review duration histogram (time from
// request received to response written), as PromQL's histogram_quantile does.
func (w *webhook) reviewQuantile(q float64) (time.Duration, error) {
	resp, err := http.Get(w.healthURL + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bufio.NewReader(resp.Body))
	if err != nil {
		return 0, err
	}
	type bucket struct{ le, count float64 }
	var buckets []bucket
	for _, m := range fams["kubedoor_webhook_review_duration_seconds"].GetMetric() {
		for i, b := range m.GetHistogram().GetBucket() {
			if i >= len(buckets) {
				buckets = append(buckets, bucket{le: b.GetUpperBound()})
			}
			buckets[i].count += float64(b.GetCumulativeCount())
		}
	}
	if len(buckets) == 0 || buckets[len(buckets)-1].count == 0 {
		return 0, nil
	}
	rank := q * buckets[len(buckets)-1].count
	lower, below := 0.0, 0.0
	for _, b := range buckets {
		if b.count >= rank {
			frac := (rank - below) / max(b.count-below, 1)
			return time.Duration((lower + (b.le-lower)*frac) * float64(time.Second)), nil
		}
		lower, below = b.le, b.count
	}
	return time.Duration(lower * float64(time.Second)), nil
}
