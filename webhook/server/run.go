package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kubedoor/kubedoor-grafana/webhook/certs"
)

// Options configure Run.
type Options struct {
	ListenAddr, HealthAddr  string
	TLSCertFile, TLSKeyFile string
	Handler                 *AdmissionHandler
	Registry                *prometheus.Registry
	// Ready reports whether decisions can be made (caches synced); /readyz follows it.
	Ready func() bool
	Log   *slog.Logger
	// Started, if set, receives the bound addresses (useful when ports are ":0").
	Started func(admission, health net.Addr)
	// Pprof adds /debug/pprof/ to the health listener.
	Pprof bool
}

// Run serves the admission endpoint over TLS and health/metrics over plain HTTP until ctx ends,
// then shuts both down gracefully.
func Run(ctx context.Context, o Options) error {
	reloader, err := certs.NewReloader(o.TLSCertFile, o.TLSKeyFile)
	if err != nil {
		return err
	}
	admMux := http.NewServeMux()
	admMux.Handle("/mutate", o.Handler)
	admSrv := &http.Server{
		Handler:           admMux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: reloader.GetCertificate},
		ErrorLog:          slog.NewLogLogger(o.Log.Handler(), slog.LevelWarn),
	}
	var ready atomic.Bool
	healthMux := http.NewServeMux()
	healthMux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	healthMux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !ready.Load() || (o.Ready != nil && !o.Ready()) {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	healthMux.Handle("/metrics", promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{}))
	if o.Pprof {
		healthMux.HandleFunc("/debug/pprof/", pprof.Index)
		healthMux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	}
	healthSrv := &http.Server{Handler: healthMux, ReadHeaderTimeout: 5 * time.Second}

	admLn, err := net.Listen("tcp", o.ListenAddr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.ListenAddr, err)
	}
	healthLn, err := net.Listen("tcp", o.HealthAddr)
	if err != nil {
		_ = admLn.Close()
		return fmt.Errorf("listening on %s: %w", o.HealthAddr, err)
	}
	if o.Started != nil {
		o.Started(admLn.Addr(), healthLn.Addr())
	}
	o.Log.Info("serving", "admission", admLn.Addr().String(), "health", healthLn.Addr().String())

	errc := make(chan error, 2)
	go func() { errc <- admSrv.ServeTLS(admLn, "", "") }()
	go func() { errc <- healthSrv.Serve(healthLn) }()
	ready.Store(true)

	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			_ = admSrv.Close()
			_ = healthSrv.Close()
			return fmt.Errorf("server stopped: %w", err)
		}
	}
	ready.Store(false)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(admSrv.Shutdown(shutdownCtx), healthSrv.Shutdown(shutdownCtx))
}
