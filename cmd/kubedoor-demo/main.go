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
	"github.com/kubedoor/kubedoor-grafana/internal/devhost"
	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
	"github.com/kubedoor/kubedoor-grafana/webhook/registration"
)

type options struct {
	plugin, webhook, addr, dir string
	dist, host, dashboards     string
	days                       int
	nodes                      int
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var o options
	flag.StringVar(&o.plugin, "plugin", "dist/gpx_kubedoor_linux_amd64", "built backend plugin executable")
	flag.StringVar(&o.webhook, "webhook", "bin/kubedoor-webhook", "built webhook executable")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:3000", "address of the app's pages and plugin API (127.0.0.1 only: there is no login)")
	flag.StringVar(&o.dist, "dist", "dist", "the frontend build (npm run build)")
	flag.StringVar(&o.host, "host", ".cache/browser-host", "the host bundle (npm run build:host)")
	flag.StringVar(&o.dashboards, "dashboards", "provisioning/dashboards", "provisioned dashboards to preview")
	flag.StringVar(&o.dir, "dir", ".run/demo", "state folder (embedded ClickHouse data, logs)")
	flag.IntVar(&o.days, "days", 14, "days of peak history to load into Prometheus")
	flag.IntVar(&o.nodes, "nodes", 3, "fake kwok nodes")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout, log); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(os.Stderr, "\nkubedoor-demo: %v\n", err)
		os.Exit(exitCode(err))
	}
}

func run(ctx context.Context, o options, out io.Writer, log *slog.Logger) error {
	// The address first: when it is taken, say so before minutes of starting parts.
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return &portTaken{addr: o.addr, err: err}
	}
	url := "http://" + ln.Addr().String()
	p := newProgress(out)
	page := &startingPage{p: p}
	srv := &http.Server{Handler: page, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	p.printf("KubeDoor demo: the app will be at %s once its parts are up", url)

	// What the build made; missing ones are named now rather than after the cluster started.
	dist, err := devhost.MustDir(o.dist, "frontend build")
	if err != nil {
		return err
	}
	hostDir, err := devhost.MustDir(o.host, "host bundle (npm run build:host)")
	if err != nil {
		return err
	}
	dashDir, err := devhost.MustDir(o.dashboards, "dashboards")
	if err != nil {
		return err
	}
	for _, exe := range []string{o.plugin, o.webhook} {
		if _, err := os.Stat(exe); err != nil {
			return fmt.Errorf("%s not found: build it with `go tool mage demo` (or `go tool mage`)", exe)
		}
	}
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

	var kube *testenv.Kube
	opts := testenv.FullCluster(o.nodes)
	// Kept in the state folder, so a failed start leaves its logs where the error says.
	opts.Logger, opts.RunDir, opts.Keep = log, filepath.Join(dir, "kube"), true
	err = p.step(ctx, fmt.Sprintf("the local Kubernetes cluster (%d kwok nodes) and the demo workloads", o.nodes),
		filepath.Join(opts.RunDir, "logs"), func() error {
			var err error
			if kube, err = testenv.StartKube(ctx, opts); err != nil {
				return err
			}
			return demofleet.Deploy(ctx, kube.Clientset())
		})
	if kube != nil {
		defer kube.Stop()
	}
	if err != nil {
		return err
	}

	var prom *testenv.PromServer
	err = p.step(ctx, fmt.Sprintf("Prometheus with %d days of peak history", o.days), "", func() error {
		// One part per day: promtool re-reads a file once per 2-hour block it spans.
		var parts []io.WriterTo
		for _, part := range demofleet.Scenario("demo", time.Now(), o.days).Parts(1, true) {
			parts = append(parts, part)
		}
		var err error
		prom, err = testenv.StartPrometheus(ctx, testenv.PromOptions{Parts: parts, Logger: log})
		return err
	})
	if prom != nil {
		defer prom.Stop()
	}
	if err != nil {
		return err
	}

	var wh *webhookProcess
	err = p.step(ctx, "kubedoor-webhook", filepath.Join(dir, "webhook", "webhook.log"), func() error {
		// The webhook is ready only once its CapacityPolicy informer has listed, so the CRD comes first.
		if err := crd.Install(ctx, dynamic.NewForConfigOrDie(kube.RESTConfig())); err != nil {
			return err
		}
		var err error
		if wh, err = startWebhook(ctx, o.webhook, filepath.Join(dir, "webhook"), kube.Kubeconfig); err != nil {
			return err
		}
		cfg := registration.Mutating(registration.Options{URL: wh.mutateURL, CABundle: wh.caPEM})
		if _, err := kube.Clientset().AdmissionregistrationV1().MutatingWebhookConfigurations().Create(ctx, cfg, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("registering the webhook: %w", err)
		}
		return nil
	})
	if wh != nil {
		defer wh.stop()
	}
	if err != nil {
		return err
	}

	jsonData, _ := json.Marshal(map[string]any{
		"storage":  map[string]string{"mode": "embedded"},
		"clusters": []map[string]string{{"name": "demo", "prometheusUrl": prom.URL, "timeZone": "UTC", "kubeAccess": "kubeconfig"}},
	})
	kubeconfig, err := os.ReadFile(kube.Kubeconfig)
	if err != nil {
		return err
	}
	secure := map[string]string{"clusters.demo.kubeconfig": string(kubeconfig)}
	pluginLogPath := filepath.Join(dir, "plugin.log")
	pluginLog, err := os.Create(pluginLogPath)
	if err != nil {
		return err
	}
	defer pluginLog.Close()
	var host *pluginhost.Host
	err = p.step(ctx, "the backend plugin on the embedded ClickHouse engine", pluginLogPath, func() error {
		var err error
		host, err = pluginhost.Start(pluginhost.Options{
			Executable: o.plugin, PluginID: plugin.ID, JSONData: jsonData, Log: pluginLog, Secure: secure,
			Env: []string{"KUBEDOOR_LIBCHDB=" + lib, "KUBEDOOR_DATA_DIR=" + filepath.Join(dir, "clickhouse")},
		})
		if err != nil {
			return err
		}
		res, err := host.CheckHealth(ctx, pluginhost.User{Login: "admin", Role: "Admin"})
		if err != nil {
			return fmt.Errorf("health check: %w", err)
		}
		p.printf("  backend health: %s — %s", res.Status, res.Message)
		return nil
	})
	if host != nil {
		defer host.Stop()
	}
	if err != nil {
		return err
	}
	// The pages are usable from here on (Clusters & settings shows the collection running).
	page.ready(devhost.Handler(devhost.Options{
		Host: host, Dist: dist, HostBundle: hostDir, Dashboards: dashDir,
		JSONData: jsonData, Secure: secure, Edition: "demo", Log: log, Prometheus: prom.URL,
	}))
	p.printf("the app is up at %s; collecting the peak history next", url)

	if err := backfill(ctx, host, o.days, p); err != nil {
		if ctx.Err() != nil {
			return context.Canceled
		}
		p.printf("the history collection did not finish (%v); the control table may be empty — see %s", err, pluginLogPath)
	}
	ex, published := enforcedExample(ctx, kube)
	fmt.Fprint(out, "\n"+summary(url, kube.Kubeconfig, ex, published, prom.URL, dir))
	<-ctx.Done()
	p.printf("stopping")
	return nil
}
