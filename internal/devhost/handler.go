// Package devhost serves the app's built frontend in a browser without Grafana: a host page that
// mounts dist/module.js with Grafana's runtime services (the bundle tests/browser/host builds),
// over the REAL plugin backend started through internal/pluginhost. The browser run
// (cmd/kubedoor-devhost) and the demo (cmd/kubedoor-demo) both serve it, so what the demo shows
// is what the browser run tests.
package devhost

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
)

// Options are what the host serves. The folders must exist (see MustDir).
type Options struct {
	Host *pluginhost.Host
	// Dist is the frontend build (npm run build), HostBundle the host bundle (npm run
	// build:host), Dashboards the provisioned dashboards the host previews.
	Dist, HostBundle, Dashboards string
	// JSONData and Secure are the app settings the plugin was started with; the config page
	// reads and saves them through /api/plugins/<id>/settings.
	JSONData json.RawMessage
	Secure   map[string]string
	// Kubeconfig, when set, is served at /devhost/kubeconfig for the browser run's connection
	// test (Grafana never gives a stored secret back). Test-only, 127.0.0.1.
	Kubeconfig []byte
	// Prometheus, when set, is the test's Prometheus, offered as a Grafana datasource (uid
	// PrometheusUID) through Grafana's list and proxy paths, for dashboards that read it.
	Prometheus string
	// Edition names the host on its pages ("browser test host" unless set, "demo").
	Edition string
	Log     *slog.Logger
}

// Handler is the host: Grafana's plugin API and settings, the plugin's files, the host bundle,
// the dashboards, and the page shell for every other URL.
func Handler(o Options) http.Handler {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Secure == nil {
		o.Secure = map[string]string{}
	}
	settings := &pluginSettings{jsonData: o.JSONData, secure: o.Secure, apply: o.Host.SetSettings, log: o.Log}
	mux := http.NewServeMux()
	mux.Handle("/api/plugins/"+PluginID+"/settings", settings)
	mux.Handle("/api/", withCaller(o.Host.Gateway(pluginhost.User{Login: "admin", Role: "Admin"})))
	if target, err := url.Parse(o.Prometheus); err == nil && o.Prometheus != "" {
		mux.HandleFunc("/api/datasources", datasourceList)
		mux.Handle(promProxyPrefix+"/", prometheusProxy(target))
	}
	mux.Handle("/public/plugins/"+PluginID+"/", static("/public/plugins/"+PluginID+"/", o.Dist))
	mux.Handle("/public/host/", static("/public/host/", o.HostBundle))
	// Grafana UI's icons, copied into the host bundle: @grafana/ui fetches them from here.
	mux.Handle("/public/build/", static("/public/build/", o.HostBundle))
	mux.HandleFunc("/provisioning/dashboards/index.json", dashboardIndex(o.Dashboards))
	mux.HandleFunc("/devhost/kubeconfig", func(w http.ResponseWriter, r *http.Request) {
		if o.Kubeconfig == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write(o.Kubeconfig)
	})
	mux.Handle("/provisioning/dashboards/", static("/provisioning/dashboards/", o.Dashboards))
	// Anything else under /public/ (Grafana's fonts, say) is not here: 404, not the page shell.
	mux.Handle("/public/", http.NotFoundHandler())
	edition := o.Edition
	if edition == "" {
		edition = "browser test host"
	}
	mux.HandleFunc("/", serveShell(edition))
	return mux
}
