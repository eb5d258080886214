// Package prom is the product's narrow view of a Prometheus-compatible HTTP API (Prometheus,
// Thanos, Mimir, VictoriaMetrics). It wraps client_golang's api/v1 so the rest of the code depends
// on the few calls it makes, not on the library's wide interface.
package prom

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Config says how to reach one Prometheus.
type Config struct {
	URL                string
	BearerToken        string
	Username, Password string
	InsecureSkipVerify bool
	// Timeout bounds every request; zero means 30 s.
	Timeout time.Duration
}

// Client is the set of calls the product makes.
type Client interface {
	// Ready returns nil when the server answers its build-info endpoint.
	Ready(ctx context.Context) (version string, err error)
	Query(ctx context.Context, query string, at time.Time) (model.Value, error)
	QueryRange(ctx context.Context, query string, r v1.Range) (model.Value, error)
}

type client struct {
	api     v1.API
	url     string
	timeout time.Duration
}

// New builds a Client; it does not contact the server.
func New(cfg Config) (Client, error) {
	if cfg.URL == "" {
		return nil, fmt.Errorf("prometheus URL is empty")
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if cfg.InsecureSkipVerify {
		transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // explicit opt-in setting
	}
	var rt http.RoundTripper = transport
	if cfg.BearerToken != "" || cfg.Username != "" {
		rt = authRoundTripper{next: transport, cfg: cfg}
	}
	c, err := api.NewClient(api.Config{Address: cfg.URL, RoundTripper: rt})
	if err != nil {
		return nil, fmt.Errorf("prometheus client for %s: %w", cfg.URL, err)
	}
	return &client{api: v1.NewAPI(c), url: cfg.URL, timeout: timeout}, nil
}

func (c *client) Ready(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	bi, err := c.api.Buildinfo(ctx)
	if err != nil {
		return "", fmt.Errorf("prometheus %s: %w", c.url, err)
	}
	return bi.Version, nil
}

func (c *client) Query(ctx context.Context, query string, at time.Time) (model.Value, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	v, _, _, err := c.api.Query(ctx, query, at)
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: query %q: %w", c.url, query, err)
	}
	return v, nil
}

func (c *client) QueryRange(ctx context.Context, query string, r v1.Range) (model.Value, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	v, _, _, err := c.api.QueryRange(ctx, query, r)
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: range query %q: %w", c.url, query, err)
	}
	return v, nil
}

type authRoundTripper struct {
	next http.RoundTripper
	cfg  Config
}

func (a authRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if a.cfg.BearerToken != "" {
		r.Header.Set("Authorization", "Bearer "+a.cfg.BearerToken)
	} else {
		r.SetBasicAuth(a.cfg.Username, a.cfg.Password)
	}
	return a.next.RoundTrip(r)
}
