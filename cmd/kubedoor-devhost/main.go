// Command kubedoor-devhost serves the app's built frontend in a browser without Grafana: a host
// page that mounts dist/module.js with Grafana's runtime services, backed by the REAL plugin
// backend (started as Grafana starts it, through internal/pluginhost) on the embedded ClickHouse
// engine, a Prometheus loaded with peak history and a local Kubernetes cluster. The browser run
// (tests/browser/run.mjs, `npm run test:browser`) starts it and drives Chromium through the pages.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/devhost"
	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

type options struct {
	addr, plugin, dist, host, dashboards, dir, readyFile string
	days, nodes                                          int
	prometheus, kube                                     bool
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var o options
	flag.StringVar(&o.addr, "addr", "127.0.0.1:3001", "listen address (127.0.0.1 only: there is no login)")
	flag.StringVar(&o.plugin, "plugin", "", "built backend plugin executable (required)")
	flag.StringVar(&o.dist, "dist", "dist", "the frontend build (npm run build)")
	flag.StringVar(&o.host, "host", ".cache/browser-host", "the host bundle (npm run build:host)")
	flag.StringVar(&o.dashboards, "dashboards", "provisioning/dashboards", "provisioned dashboards to preview")
	flag.StringVar(&o.dir, "dir", ".run/devhost", "state folder (embedded ClickHouse data, logs)")
	flag.StringVar(&o.readyFile, "ready-file", "", "write the base URL here once serving")
	flag.IntVar(&o.days, "days", 14, "days of peak history loaded into Prometheus")
	flag.IntVar(&o.nodes, "nodes", 2, "fake kwok nodes")
	flag.BoolVar(&o.prometheus, "prometheus", true, "start a Prometheus with the peak history")
	flag.BoolVar(&o.kube, "kube", true, "start a local Kubernetes cluster with the workloads")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, log); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("devhost failed", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, log *slog.Logger) error {
	if o.plugin == "" {
		return errors.New("--plugin is required (go build -o <file> ./pkg)")
	}
	dist, err := devhost.MustDir(o.dist, "frontend build")
	if err != nil {
		return err
	}
	hostDir, err := devhost.MustDir(o.host, "host bundle")
	if err != nil {
		return err
	}
	dashDir, err := devhost.MustDir(o.dashboards, "dashboards")
	if err != nil {
		return err
	}
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	// A fresh store each run: the browser run's assertions start from a known state.
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clearing %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	lib, err := testenv.LibCHDB()
	if err != nil {
		return err
	}

	var testKubeconfig []byte
	promURL := "" // the live dashboard's Prometheus datasource, when one runs
	cluster := map[string]any{"name": clusterName, "timeZone": "UTC", "prometheusUrl": "http://127.0.0.1:9/"}
	secure := map[string]string{}
	if o.prometheus {
		log.Info("starting Prometheus with the peak history", "days", o.days)
		prom, err := startPrometheus(ctx, o.days, log)
		if err != nil {
			return err
		}
		defer prom.Stop()
		cluster["prometheusUrl"] = prom.URL
		promURL = prom.URL
	}
	if o.kube {
		log.Info("starting the local Kubernetes cluster", "nodes", o.nodes)
		opts := testenv.FullCluster(o.nodes)
		opts.Logger = log
		kube, err := testenv.StartKube(ctx, opts)
		if err != nil {
			return err
		}
		defer kube.Stop()
		if err := deploy(ctx, kube.RESTConfig(), kube.Clientset()); err != nil {
			return err
		}
		kubeconfig, err := os.ReadFile(kube.Kubeconfig)
		if err != nil {
			return fmt.Errorf("reading the kubeconfig: %w", err)
		}
		cluster["kubeAccess"] = "kubeconfig"
		secure["clusters."+clusterName+".kubeconfig"] = string(kubeconfig)
		testKubeconfig = kubeconfig
	}
	jsonData, err := json.Marshal(map[string]any{"storage": map[string]string{"mode": "embedded"}, "clusters": []any{cluster}})
	if err != nil {
		return err
	}

	pluginLog, err := os.Create(filepath.Join(dir, "plugin.log"))
	if err != nil {
		return err
	}
	defer pluginLog.Close()
	host, err := pluginhost.Start(pluginhost.Options{
		Executable: o.plugin, PluginID: devhost.PluginID, JSONData: jsonData, Secure: secure, Log: pluginLog,
		Env: []string{"KUBEDOOR_LIBCHDB=" + lib, "KUBEDOOR_DATA_DIR=" + filepath.Join(dir, "clickhouse")},
	})
	if err != nil {
		return err
	}
	defer host.Stop()

	handler := devhost.Handler(devhost.Options{
		Host: host, Dist: dist, HostBundle: hostDir, Dashboards: dashDir,
		JSONData: jsonData, Secure: secure, Kubeconfig: testKubeconfig, Log: log,
		Prometheus: promURL,
	})

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.addr, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	url := "http://" + ln.Addr().String()
	if o.readyFile != "" {
		if err := os.WriteFile(o.readyFile, []byte(url), 0o644); err != nil {
			return err
		}
	}
	log.Info("serving", "url", url, "state", dir)
	fmt.Printf("KubeDoor browser test host on %s (app: %s/a/%s/overview). Ctrl-C stops it.\n", url, url, devhost.PluginID)
	<-ctx.Done()
	log.Info("stopping")
	return nil
}
