// Package prom is the product's narrow view of a Prometheus-compatible HTTP API (Prometheus,
// Thanos, Mimir, VictoriaMetrics). It wraps client_golang's api/v1 so the rest of the code depends
// on the few calls it makes, not on the library's wide interface.
package prom

import (
	"context"
	"crypto/tls"
	"errors"
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
	// Timeout bounds every request whose context has no deadline of its own; zero means 30 s.
	// Callers that set a deadline (the collector's per-query timeout) get exactly theirs.
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

// bound applies the client's timeout unless ctx already has a deadline.
func (c *client) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, c.timeout)
}

func (c *client) Query(ctx context.Context, query string, at time.Time) (model.Value, error) {
	ctx, cancel := c.bound(ctx)
	defer cancel()
	v, _, _, err := c.api.Query(ctx, query, at)
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: query %q: %w", c.url, query, err)
	}
	return v, nil
}

func (c *client) QueryRange(ctx context.Context, query string, r v1.Range) (model.Value, error) {
	ctx, cancel := c.bound(ctx)
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

// Transient reports whether err is worth retrying: the server could not be reached, answered
// 5xx or 429, timed out, or sent a broken answer. A query Prometheus refuses (bad data, an
// execution error) or a cancelled context is not.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var apiErr *v1.Error
	if errors.As(err, &apiErr) {
		switch apiErr.Type {
		case v1.ErrServer, v1.ErrTimeout, v1.ErrBadResponse:
			return true
		case v1.ErrClient:
			return apiErr.Msg == "client error: 429"
		}
		return false
	}
	// Anything else came from the transport (refused, reset, DNS, a per-attempt deadline).
	return true
}
