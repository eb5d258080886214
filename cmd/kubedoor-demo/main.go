// Command kubedoor-demo runs KubeDoor on its embedded default without Docker or Grafana: a local
// Kubernetes cluster (etcd, kube-apiserver, controller-manager, scheduler, kwok) with demo
// workloads, Prometheus loaded with their peak history, the backend plugin started the way
// Grafana starts it (with the embedded ClickHouse engine) behind a local stand-in for Grafana's
// plugin API, and kubedoor-webhook registered with the cluster. Ctrl-C stops everything.
//
// Run it with `go tool mage demo`, which builds the plugin and the webhook first.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"

	"github.com/kubedoor/kubedoor-grafana/internal/demofleet"
	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
	"github.com/kubedoor/kubedoor-grafana/webhook/registration"
)

type options struct {
	plugin, webhook, addr, dir string
	days                       int
	nodes                      int
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var o options
	flag.StringVar(&o.plugin, "plugin", "dist/gpx_kubedoor_linux_amd64", "built backend plugin executable")
	flag.StringVar(&o.webhook, "webhook", "bin/kubedoor-webhook", "built webhook executable")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:3000", "address of the local plugin API")
	flag.StringVar(&o.dir, "dir", ".run/demo", "state folder (embedded ClickHouse data, logs)")
	flag.IntVar(&o.days, "days", 14, "days of peak history to load into Prometheus")
	flag.IntVar(&o.nodes, "nodes", 3, "fake kwok nodes")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, log); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("demo failed", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, log *slog.Logger) error {
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	lib, err := testenv.LibCHDB()
	if err != nil {
		return err
	}

	log.Info("starting the local Kubernetes cluster", "nodes", o.nodes)
	opts := testenv.FullCluster(o.nodes)
	opts.Logger = log
	kube, err := testenv.StartKube(ctx, opts)
	if err != nil {
		return err
	}
	defer kube.Stop()
	if err := demofleet.Deploy(ctx, kube.Clientset()); err != nil {
		return err
	}

	log.Info("loading peak history into Prometheus", "days", o.days)
	// One part per day: promtool re-reads a file once per 2-hour block it spans.
	var parts []io.WriterTo
	for _, p := range demofleet.Scenario("demo", time.Now(), o.days).Parts(1, true) {
		parts = append(parts, p)
	}
	prom, err := testenv.StartPrometheus(ctx, testenv.PromOptions{Parts: parts, Logger: log})
	if err != nil {
		return err
	}
	defer prom.Stop()

	log.Info("starting kubedoor-webhook")
	// The webhook is ready only once its CapacityPolicy informer has listed, so the CRD comes first.
	if err := crd.Install(ctx, dynamic.NewForConfigOrDie(kube.RESTConfig())); err != nil {
		return err
	}
	wh, err := startWebhook(ctx, o.webhook, filepath.Join(dir, "webhook"), kube.Kubeconfig)
	if err != nil {
		return err
	}
	defer wh.stop()
	cfg := registration.Mutating(registration.Options{URL: wh.mutateURL, CABundle: wh.caPEM})
	if _, err := kube.Clientset().AdmissionregistrationV1().MutatingWebhookConfigurations().Create(ctx, cfg, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("registering the webhook: %w", err)
	}

	log.Info("starting the backend plugin", "executable", o.plugin)
	settings, _ := json.Marshal(map[string]any{
		"storage":  map[string]string{"mode": "embedded"},
		"clusters": []map[string]string{{"name": "demo", "prometheusUrl": prom.URL, "timeZone": "UTC", "kubeAccess": "kubeconfig"}},
	})
	kubeconfig, err := os.ReadFile(kube.Kubeconfig)
	if err != nil {
		return err
	}
	pluginLog, err := os.Create(filepath.Join(dir, "plugin.log"))
	if err != nil {
		return err
	}
	defer pluginLog.Close()
	host, err := pluginhost.Start(pluginhost.Options{
		Executable: o.plugin, PluginID: plugin.ID, JSONData: settings, Log: pluginLog,
		Secure: map[string]string{"clusters.demo.kubeconfig": string(kubeconfig)},
		Env:    []string{"KUBEDOOR_LIBCHDB=" + lib, "KUBEDOOR_DATA_DIR=" + filepath.Join(dir, "clickhouse")},
	})
	if err != nil {
		return err
	}
	defer host.Stop()

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", host.Gateway(pluginhost.User{Login: "admin", Role: "Admin"}))
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, summary("http://"+ln.Addr().String(), kube.Kubeconfig, prom.URL, dir))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	fmt.Fprint(os.Stdout, summary("http://"+ln.Addr().String(), kube.Kubeconfig, prom.URL, dir))
	res, err := host.CheckHealth(ctx, pluginhost.User{Login: "admin", Role: "Admin"})
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	fmt.Printf("\nbackend health: %s — %s\n", res.Status, res.Message)
	if err := backfill(ctx, host, o.days, log); err != nil {
		log.Warn("the demo backfill did not finish; the control table may be empty", "error", err)
	}
	fmt.Print("\nPress Ctrl-C to stop.\n")
	<-ctx.Done()
	log.Info("stopping")
	return nil
}

func summary(api, kubeconfig, promURL, dir string) string {
	p := api + "/api/plugins/" + plugin.ID
	return fmt.Sprintf(`KubeDoor demo is running.

  Backend health   curl -s %[1]s/health
  Backend status   curl -s %[1]s/resources/v1/status
  As another role  curl -s -H 'X-Grafana-Role: Viewer' %[1]s/resources/v1/me
  Kubernetes       export KUBECONFIG=%[2]s; kubectl get deploy -A
  Prometheus       %[3]s
  State and logs   %[4]s
`, p, kubeconfig, promURL, dir)
}
