// Command kubedoor-webhook is KubeDoor's mutating admission webhook. main only wires the
// configuration to the server; decisions and transport live in their own packages.
//
//	kubedoor-webhook serve --tls-cert-file … --tls-key-file …
//	kubedoor-webhook certs --service kubedoor-webhook --namespace kubedoor --out ./certs
//	kubedoor-webhook --version
//
// The installation's manifests come from the Helm chart or from the separate command
// kubedoor-manifests, which keeps the Helm SDK out of this binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"github.com/kubedoor/kubedoor-grafana/internal/version"
	"github.com/kubedoor/kubedoor-grafana/webhook/admission"
	"github.com/kubedoor/kubedoor-grafana/webhook/cache"
	"github.com/kubedoor/kubedoor-grafana/webhook/certs"
	"github.com/kubedoor/kubedoor-grafana/webhook/config"
	"github.com/kubedoor/kubedoor-grafana/webhook/decision"
	"github.com/kubedoor/kubedoor-grafana/webhook/denials"
	"github.com/kubedoor/kubedoor-grafana/webhook/report"
	"github.com/kubedoor/kubedoor-grafana/webhook/server"
)

func main() {
	level := new(slog.LevelVar) // serve's --log-level sets it
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cmd, args := "serve", os.Args[1:]
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-version" || args[0] == "version") {
		fmt.Println(version.String())
		return
	}
	if len(args) > 0 && (args[0] == "serve" || args[0] == "certs" || args[0] == "manifests") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "certs":
		err = runCerts(args)
	case "manifests":
		err = errManifestsMoved
	default:
		err = runServe(log, level, args)
	}
	if err != nil {
		log.Error("kubedoor-webhook failed", "command", cmd, "error", err)
		os.Exit(1)
	}
}

// errManifestsMoved answers the subcommand earlier versions had.
var errManifestsMoved = errors.New("the manifests subcommand moved to its own command, so webhook pods do not carry the Helm SDK: " +
	"run `kubedoor-manifests --image … | kubectl apply --server-side -f -` " +
	"(go run github.com/kubedoor/kubedoor-grafana/cmd/kubedoor-manifests@<version>), or install the Helm chart deploy/helm/kubedoor")

func runServe(log *slog.Logger, level *slog.LevelVar, args []string) error {
	cfg := config.Defaults()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.Bind(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	level.Set(cfg.LogLevel)
	applyGCDefault()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	klog.SetSlogLogger(log) // client-go's own logs, structured like ours
	log.Info("kubedoor-webhook starting", "version", version.String(), "cluster", cfg.ClusterName)
	restCfg, err := clientcmd.BuildConfigFromFlags("", cfg.Kubeconfig)
	if err != nil {
		return fmt.Errorf("kubernetes credentials (--kubeconfig %q): %w", cfg.Kubeconfig, err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	state, err := cache.New(restCfg, log)
	if err != nil {
		return err
	}
	if err := state.Register(reg); err != nil {
		return err
	}
	state.Start(ctx)
	opts := admission.Options{
		Settings: decision.Settings{
			ReplicasOnlyUpdate: cfg.ReplicasOnlyUpdate, TempScaleWindow: cfg.TempScaleWindow, Cluster: cfg.ClusterName,
		},
		ObserveWarnings: cfg.ObserveWarnings,
	}
	if cfg.ReportInterval > 0 {
		rep, err := newReporter(restCfg, cfg, reg, log)
		if err != nil {
			return err
		}
		go rep.Run(ctx)
		opts.Report = rep.Record
	}
	cs, err := kubernetes.NewForConfig(restCfg)
	if err != nil {
		return fmt.Errorf("client for denial events: %w", err)
	}
	events := denials.New(ctx, cs, log)
	defer events.Stop()
	opts.Denied = events.DeniedKind
	decider, err := admission.New(state, opts, reg, log)
	if err != nil {
		return err
	}
	handler := &server.AdmissionHandler{
		Decider:      decider,
		Deadline:     cfg.Deadline,
		MaxBodyBytes: cfg.MaxBodyBytes,
		Metrics:      server.NewMetrics(reg),
		Log:          log,
	}
	return server.Run(ctx, server.Options{
		ListenAddr: cfg.ListenAddr, HealthAddr: cfg.HealthAddr,
		TLSCertFile: cfg.TLSCertFile, TLSKeyFile: cfg.TLSKeyFile,
		Handler: handler, Registry: reg, Log: log, Ready: state.Synced, Pprof: cfg.Pprof,
	})
}

// newReporter writes decisions into CapacityPolicies' status through its own client, so its
// rate limit never competes with the informers'.
func newReporter(restCfg *rest.Config, cfg config.Config, reg prometheus.Registerer, log *slog.Logger) (*report.Reporter, error) {
	rc := rest.CopyConfig(restCfg)
	rc.QPS, rc.Burst = float32(cfg.ReportQPS), int(2*cfg.ReportQPS)+1
	dyn, err := dynamic.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("client for decision reports: %w", err)
	}
	return report.New(dyn, reg, report.Options{Interval: cfg.ReportInterval, Log: log.With("part", "report")})
}

func runCerts(args []string) error {
	fs := flag.NewFlagSet("certs", flag.ContinueOnError)
	service := fs.String("service", "kubedoor-webhook", "Service name the API server calls")
	namespace := fs.String("namespace", "kubedoor", "namespace of the Service")
	ip := fs.String("ip", "", "also valid for this IP (for a URL-registered webhook, e.g. 127.0.0.1)")
	out := fs.String("out", "certs", "folder for ca.crt, tls.crt, tls.key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	req := certs.Request{DNSNames: certs.ServiceDNSNames(*service, *namespace)}
	if *ip != "" {
		parsed := net.ParseIP(*ip)
		if parsed == nil {
			return fmt.Errorf("--ip %q is not an IP address", *ip)
		}
		req.IPs = append(req.IPs, parsed)
	}
	b, err := certs.Generate(req)
	if err != nil {
		return err
	}
	if err := b.WriteFiles(*out); err != nil {
		return err
	}
	fmt.Printf("wrote %s/{ca.crt,tls.crt,tls.key}; put ca.crt (base64) in the webhook configuration's caBundle\n", *out)
	return nil
}
