// Package config is the webhook's configuration: one struct, filled from flags, validated with
// explicit safety defaults (fail open, short deadline, small bodies).
package config

import (
	"errors"
	"flag"
	"fmt"
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
}

// Defaults are the safe values used when a flag is not given.
func Defaults() Config {
	return Config{
		ListenAddr:   ":8443",
		HealthAddr:   ":8080",
		Deadline:     2 * time.Second,
		MaxBodyBytes: 3 << 20,
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
	if c.MaxBodyBytes < 64<<10 {
		errs = append(errs, fmt.Errorf("--max-body-bytes %d is too small for a Deployment", c.MaxBodyBytes))
	}
	return errors.Join(errs...)
}
