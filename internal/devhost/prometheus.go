package devhost

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
)

// The test's Prometheus as a Grafana datasource: the list a datasource variable reads, and
// Grafana's datasource proxy path, so the host can run a dashboard's PromQL against the REAL
// Prometheus the devhost started (Grafana's own Prometheus datasource plugin is not on npm).

// PrometheusUID is the uid the host's Prometheus datasource has.
const PrometheusUID = "prometheus"

const promProxyPrefix = "/api/datasources/proxy/uid/" + PrometheusUID

// datasourceList answers GET /api/datasources with the one Prometheus datasource.
func datasourceList(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	writeJSON(w, http.StatusOK, []map[string]any{{
		"id": 2, "uid": PrometheusUID, "name": "Prometheus (test)", "type": "prometheus",
		"access": "proxy", "url": promProxyPrefix, "isDefault": false, "readOnly": true,
	}})
}

// readPaths are the Prometheus API paths the proxy forwards: queries and label lookups.
var readPaths = []string{"/api/v1/query", "/api/v1/query_range", "/api/v1/series", "/api/v1/labels", "/api/v1/label/", "/api/v1/status/buildinfo"}

func isReadPath(p string) bool {
	for _, r := range readPaths {
		if p == r || (strings.HasSuffix(r, "/") && strings.HasPrefix(p, r)) {
			return true
		}
	}
	return false
}

// prometheusProxy forwards Prometheus' read API (GET, or POST as Grafana sends queries) to
// target; anything else (admin endpoints, the UI) is refused.
func prometheusProxy(target *url.URL) http.Handler {
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		// Grafana's session cookies and the role are not Prometheus' business.
		pr.Out.Header.Del("Cookie")
		pr.Out.Header.Del("X-Grafana-User")
		pr.Out.Header.Del("X-Grafana-Role")
	}}
	return http.StripPrefix(promProxyPrefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodGet && r.Method != http.MethodPost) || !isReadPath(r.URL.Path) {
			writeJSON(w, http.StatusForbidden, map[string]string{"message": "only Prometheus' query and label API is proxied"})
			return
		}
		proxy.ServeHTTP(w, r)
	}))
}
