// Package config is the webhook's configuration: one struct, filled from flags, validated with
// explicit safety defaults (fail open, short deadline, small bodies).
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"
)

// Config is everything kubedoor-webhook needs to run.
type Config struct {
	ListenAddr  string // HTTPS admission endpoint
	HealthAddr  string // plain HTTP: /healthz, /readyz, /metrics
	TLSCertFile string
	TLSKeyFile  string
	Kubeconfig  string // empty = in-cluster

	// Deadline bounds each admission decision; it must stay well below the registration's
	// timeoutSeconds so the API server gets our answer instead of timing out.
	Deadline time.Duration
	// MaxBodyBytes caps an AdmissionReview body; a Deployment is far smaller.
	MaxBodyBytes int64

	// ClusterName names this cluster in denial messages (the control table's cluster name).
	ClusterName string
	// ReplicasOnlyUpdate is "enforce" (patch a replicas-only Deployment update back to the
	// policy) or "allow" (admit it as sent).
	ReplicasOnlyUpdate string
	// TempScaleWindow is how long a kubedoor.io/scale-temp annotation exempts replicas changes.
	TempScaleWindow time.Duration
	// ObserveWarnings returns observe mode's would-be patch to clients as a warning.
	ObserveWarnings bool
	// ReportInterval is how often decisions are written into CapacityPolicies'
	// status.lastDecision (off the request path); 0 turns the reports off.
	ReportInterval time.Duration
	// ReportQPS caps the status writes per second.
	ReportQPS float64
	// Pprof serves net/http/pprof on the health listener (off by default: profiling only).
	Pprof bool
	// LogLevel is the lowest level logged; at debug the webhook also logs every review it
	// admitted unchanged (INFO logs only the decisions that changed, refused or warned).
	LogLevel slog.Level
}

// Defaults are the safe values used when a flag is not given.
func Defaults() Config {
	return Config{
		ListenAddr:   ":8443",
		HealthAddr:   ":8080",
		Deadline:     2 * time.Second,
		MaxBodyBytes: 3 << 20,

		ReplicasOnlyUpdate: "enforce",
		TempScaleWindow:    5 * time.Minute,
		ObserveWarnings:    true,
		ReportInterval:     10 * time.Second,
		ReportQPS:          20,
	}
}

// Bind registers the flags on fs, writing into c.
func (c *Config) Bind(fs *flag.FlagSet) {
	fs.StringVar(&c.ListenAddr, "listen", c.ListenAddr, "address of the HTTPS admission endpoint")
	fs.StringVar(&c.HealthAddr, "health-listen", c.HealthAddr, "address of the plain-HTTP /healthz, /readyz and /metrics endpoint")
	fs.StringVar(&c.TLSCertFile, "tls-cert-file", c.TLSCertFile, "PEM serving certificate (reloaded when it changes)")
	fs.StringVar(&c.TLSKeyFile, "tls-key-file", c.TLSKeyFile, "PEM private key of the serving certificate")
	fs.StringVar(&c.Kubeconfig, "kubeconfig", c.Kubeconfig, "kubeconfig file; empty means in-cluster credentials")
	fs.DurationVar(&c.Deadline, "deadline", c.Deadline, "internal deadline per admission decision (keep below timeoutSeconds)")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "largest AdmissionReview body accepted")
	fs.StringVar(&c.ClusterName, "cluster-name", c.ClusterName, "this cluster's name in the control table (used in denial messages)")
	fs.StringVar(&c.ReplicasOnlyUpdate, "replicas-only-update", c.ReplicasOnlyUpdate, "a Deployment update changing only replicas: enforce (patch to the policy) or allow")
	fs.DurationVar(&c.TempScaleWindow, "temp-scale-window", c.TempScaleWindow, "how long a kubedoor.io/scale-temp annotation lets replicas changes through")
	fs.BoolVar(&c.ObserveWarnings, "observe-warnings", c.ObserveWarnings, "in observe-mode namespaces, return the would-be patch to clients as a warning")
	fs.DurationVar(&c.ReportInterval, "report-interval", c.ReportInterval, "how often the latest decision per Deployment is written into its CapacityPolicy's status.lastDecision (0 = never)")
	fs.Float64Var(&c.ReportQPS, "report-qps", c.ReportQPS, "most status writes per second for those reports")
	fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "lowest level logged: debug (also every review admitted unchanged), info, warn or error")
	fs.BoolVar(&c.Pprof, "pprof", c.Pprof, "also serve /debug/pprof/ on the health listener (for profiling; off by default)")
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if c.TLSCertFile == "" || c.TLSKeyFile == "" {
		errs = append(errs, errors.New("--tls-cert-file and --tls-key-file are required (generate them with `kubedoor-webhook certs`)"))
	}
	if c.Deadline <= 0 || c.Deadline > 4*time.Second {
		errs = append(errs, fmt.Errorf("--deadline %s must be > 0 and ≤ 4s (the webhook registration allows at most 5s)", c.Deadline))
	}
	if c.ReplicasOnlyUpdate != "enforce" && c.ReplicasOnlyUpdate != "allow" {
		errs = append(errs, fmt.Errorf("--replicas-only-update %q must be enforce or allow", c.ReplicasOnlyUpdate))
	}
	if c.TempScaleWindow <= 0 || c.TempScaleWindow > time.Hour {
		errs = append(errs, fmt.Errorf("--temp-scale-window %s must be > 0 and ≤ 1h", c.TempScaleWindow))
	}
	if c.ReportInterval < 0 || (c.ReportInterval > 0 && c.ReportInterval < 100*time.Millisecond) {
		errs = append(errs, fmt.Errorf("--report-interval %s must be 0 (off) or ≥ 100ms", c.ReportInterval))
	}
	if c.ReportQPS <= 0 || c.ReportQPS > 1000 {
		errs = append(errs, fmt.Errorf("--report-qps %g must be > 0 and ≤ 1000", c.ReportQPS))
	}
	if c.MaxBodyBytes < 64<<10 {
		errs = append(errs, fmt.Errorf("--max-body-bytes %d is too small for a Deployment", c.MaxBodyBytes))
	}
	return errors.Join(errs...)
}
