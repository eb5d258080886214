package devhost

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestThePrometheusDatasourceProxiesOnlyTheReadAPI: the host's Prometheus datasource forwards
// queries (path, query string, POST form) to the test's Prometheus without Grafana's cookies, and
// refuses every other path. The upstream here stands in for Prometheus; the browser run's live
// dashboard step reads the real one through the same handler.
func TestThePrometheusDatasourceProxiesOnlyTheReadAPI(t *testing.T) {
	type seen struct{ method, path, query, body, cookie string }
	var got []seen
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, seen{r.Method, r.URL.Path, r.URL.RawQuery, string(b), r.Header.Get("Cookie")})
		_, _ = w.Write([]byte(`{"status":"success"}`))
	}))
	defer upstream.Close()
	target, err := url.Parse(upstream.URL)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/datasources", datasourceList)
	mux.Handle(promProxyPrefix+"/", prometheusProxy(target))
	host := httptest.NewServer(mux)
	defer host.Close()

	do := func(method, path, body string) int {
		t.Helper()
		req, err := http.NewRequest(method, host.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Cookie", "kd_role=Admin")
		if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := do("GET", promProxyPrefix+"/api/v1/query_range?query=up&start=1&end=2&step=15", ""); s != 200 {
		t.Fatalf("query_range: %d", s)
	}
	if s := do("POST", promProxyPrefix+"/api/v1/query", "query=up"); s != 200 {
		t.Fatalf("query: %d", s)
	}
	for _, p := range []string{"/api/v1/admin/tsdb/snapshot", "/graph", "/-/quit", "/api/v1/query_rangex"} {
		if s := do("POST", promProxyPrefix+p, ""); s != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", p, s)
		}
	}
	want := []seen{
		{"GET", "/api/v1/query_range", "query=up&start=1&end=2&step=15", "", ""},
		{"POST", "/api/v1/query", "", "query=up", ""},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("Prometheus saw %+v, want %+v", got, want)
	}

	res, err := http.Get(host.URL + "/api/datasources")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var list []struct{ UID, Type string }
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil || len(list) != 1 || list[0].UID != PrometheusUID || list[0].Type != "prometheus" {
		t.Fatalf("datasources %+v %v", list, err)
	}
}
