// Package plugin is the Grafana adapter: it turns Grafana's app-instance lifecycle, resource calls
// and health checks into calls on the product's service. Product logic does not live here.
package plugin

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/app"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/engine"
	"github.com/kubedoor/kubedoor-grafana/pkg/jobs"
	"github.com/kubedoor/kubedoor-grafana/pkg/nodes"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/pods"
	"github.com/kubedoor/kubedoor-grafana/pkg/preview"
	"github.com/kubedoor/kubedoor-grafana/pkg/savings"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

// ID is the plugin id from plugin.json.
const ID = "kubedoor-capacity-app"

// App is one Grafana app instance (one per org and settings version). Grafana disposes it and
// builds a new one whenever the settings are saved.
type App struct {
	backend.CallResourceHandler

	svc         *service.Service
	log         *slog.Logger
	settingsErr error // settings Grafana handed us that do not validate
	ops         Operations
	jobs        *jobs.Manager
	published   control.Published // nil: control-table writes reach clusters with the next reconcile
	notifier    notify.Notifier   // nil: enforcement switches are only logged and audited
	previews    *preview.Cache    // live listings behind enforcement previews, per instance
	replays     *savings.Cache    // the recommendations' replays (Deps.Replays)
	fetcher     *engine.Fetcher
	nodes       *nodes.Service
	pods        *pods.Service
	missing     func(cluster string) map[string]string // nil: rows show no missing namespace
}

var (
	_ backend.CallResourceHandler   = (*App)(nil)
	_ backend.CheckHealthHandler    = (*App)(nil)
	_ instancemgmt.InstanceDisposer = (*App)(nil)
)

// NewFactory returns the instance factory for app.Manage, or an error naming the required parts d
// lacks. Each new instance applies its settings to the process-wide service, so saving the
// config page takes effect without a restart.
func NewFactory(d Deps) (app.InstanceFactoryFunc, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	svc, log := d.Service, d.Log
	return func(ctx context.Context, s backend.AppInstanceSettings) (instancemgmt.Instance, error) {
		a := &App{
			svc: svc, log: log, ops: d.Operations, jobs: d.Collections, published: d.Published,
			notifier: d.Notifier, fetcher: d.Engine, previews: preview.NewCache(), replays: d.Replays,
			pods: d.Pods, nodes: d.Nodes, missing: d.MissingNamespaces,
		}
		if a.replays == nil {
			a.replays = savings.NewCache(savings.DefaultCacheEntries)
		}
		cfg, err := settings.Parse(s.JSONData, s.DecryptedSecureJSONData)
		if err != nil {
			// Keep serving: health and status explain what is wrong instead of every call failing.
			a.settingsErr = err
			log.Error("invalid app settings", "error", err)
		} else if err := svc.Apply(ctx, cfg); err != nil {
			log.Warn("settings applied with problems", "error", err)
		}
		a.CallResourceHandler = httpadapter.New(a.routes())
		return a, nil
	}, nil
}

// Dispose is called by Grafana before the instance is replaced; the service outlives instances.
func (a *App) Dispose() {}

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range a.routeTable() {
		mux.Handle(rt.pattern, a.authorize(rt))
	}
	return typedMisses(mux)
}

// typedMisses answers requests no route matches with the API's typed errors (404, or 405 with
// Allow when the path exists for other methods) instead of net/http's plain-text ones.
func typedMisses(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &statusProbe{header: http.Header{}}
		mux.ServeHTTP(probe, r)
		if probe.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", probe.header.Get("Allow"))
			writeError(w, http.StatusMethodNotAllowed, codeMethodNotAllowed, "%s is not allowed on %s (allowed: %s)",
				r.Method, r.URL.Path, probe.header.Get("Allow"))
			return
		}
		writeError(w, http.StatusNotFound, codeNotFound, "no route %s %s", r.Method, r.URL.Path)
	})
}

// statusProbe records what net/http would answer, discarding the body.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(code int)        { p.status = code }
