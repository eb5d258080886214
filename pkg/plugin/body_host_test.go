//go:build parts

package plugin_test

// Every route that reads a JSON body, called through the plugin executable as Grafana calls it,
// answers a missing or malformed body with a typed 4xx and writes nothing. The routes come from
// the route table itself, so a new route is covered without being listed here.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
)

// bodylessWrites are the write routes that read no body; every other POST, PUT and PATCH route
// must read a JSON object.
var bodylessWrites = map[string]bool{
	"POST /v1/schedules/{id}/pause":  true,
	"POST /v1/schedules/{id}/resume": true,
}

// optionalBodies are the routes whose body may be left out (no body means "use what is stored");
// every other malformed body is refused as on any body route.
var optionalBodies = map[string]bool{
	"POST /v1/control/{cluster}/{namespace}/{workload}/backtest": true,
}

// wrongTypes gives each body route a body with one field of the wrong type and the field the
// answer must name. A new body route fails the test until it has an entry here.
var wrongTypes = map[string]struct{ body, field string }{
	"POST /v1/actions/scale":                                        {`{"items":"api"}`, "items"},
	"POST /v1/actions/restart":                                      {`{"intervalSeconds":"5"}`, "intervalSeconds"},
	"PUT /v1/clusters/{cluster}/settings":                           {`{"days":"7"}`, "days"},
	"POST /v1/clusters/{cluster}/collections":                       {`{"days":"7"}`, "days"},
	"POST /v1/control":                                              {`{"replicas":{"manual":"3"}}`, "replicas.manual"},
	"PUT /v1/control/{cluster}/{namespace}/{workload}":              {`{"expectedVersion":"1"}`, "expectedVersion"},
	"PUT /v1/clusters/{cluster}/namespaces/{namespace}/enforcement": {`{"control":true}`, "control"},
	"POST /v1/clusters/test":                                        {`{"prometheusTlsSkipVerify":"yes"}`, "prometheusTlsSkipVerify"},
	"POST /v1/notifications/test":                                   {`{"id":7}`, "id"},
	"POST /v1/schedules":                                            {`{"days":"7"}`, "days"},
	"PUT /v1/schedules/{id}":                                        {`{"intervalSeconds":"5"}`, "intervalSeconds"},
	"POST /v1/control/{cluster}/{namespace}/{workload}/backtest":    {`{"days":"30"}`, "days"},
	"POST /v1/control/{cluster}/recommendations/accept":             {`{"rows":"web"}`, "rows"},
	"POST /v1/engine/fetch":                                         {`{"version":26}`, "version"},
	"POST /v1/actions/resize":                                       {`{"intervalSeconds":"5"}`, "intervalSeconds"},
	"POST /v1/control/{cluster}/{namespace}/{workload}/resize":      {`{"pauseSeconds":"5"}`, "pauseSeconds"},
	"POST /v1/clusters/{cluster}/pods/isolate":                      {`{"pod":7}`, "pod"},
	"POST /v1/clusters/{cluster}/pods/delete":                       {`{"pods":"web-1"}`, "pods"},
}

func routeKey(r plugin.RouteInfo) string { return r.Method + " " + r.Path }

// bodyRoutes are the routes of the table that read a JSON body.
func bodyRoutes() []plugin.RouteInfo {
	var out []plugin.RouteInfo
	for _, r := range plugin.RouteTable() {
		switch r.Method {
		case "POST", "PUT", "PATCH":
			if !bodylessWrites[routeKey(r)] {
				out = append(out, r)
			}
		}
	}
	return out
}

// concretePath fills a route's wildcards with names the test settings configure, so handlers
// that look the cluster up before reading the body reach the body. It returns the path relative
// to the resources root, as Grafana passes it.
func concretePath(p string) (string, error) {
	filled := strings.NewReplacer("{cluster}", "c0", "{namespace}", "shop", "{workload}", "api", "{id}", "no-such-id").Replace(p)
	if strings.ContainsAny(filled, "{}") {
		return "", fmt.Errorf("route %s has a wildcard concretePath does not know", p)
	}
	return strings.TrimPrefix(filled, "/"), nil
}

// malformedBodies are what any body route must refuse, with the status and message expected.
func malformedBodies() []struct {
	name   string
	body   []byte
	status int
	msg    string
} {
	oversize := `{"name":"` + strings.Repeat("a", 1<<20-10) + `"}` // 1 MiB + 1 bytes
	return []struct {
		name   string
		body   []byte
		status int
		msg    string
	}{
		{"no body", nil, 400, "request body is empty: expected a JSON object"},
		{"null", []byte("null"), 400, "expected a JSON object, got null"},
		{"an array", []byte("[]"), 400, "expected a JSON object, got a JSON array"},
		{"a bare string", []byte(`"api"`), 400, "expected a JSON object, got a JSON string"},
		{"a bare number", []byte("42"), 400, "expected a JSON object, got a JSON number"},
		{"truncated JSON", []byte(`{"items":[{"cluster":"c0"`), 400, "ends before a JSON object is complete"},
		{"an unknown field", []byte(`{"noSuchField":1}`), 400, `unknown field "noSuchField"`},
		{"1 MiB + 1 bytes", []byte(oversize), 413, "request body larger than 1048576 bytes"},
	}
}

func TestEveryBodyRouteRefusesMissingAndMalformedBodies(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	admin := pluginhost.User{Login: fmt.Sprintf("body-%d", time.Now().UnixNano()), Role: "Admin"}
	routes := bodyRoutes()
	if len(routes) < len(wrongTypes) {
		t.Fatalf("the route table yields %d body routes, fewer than the %d known: %v", len(routes), len(wrongTypes), routes)
	}

	for _, rt := range routes {
		key := routeKey(rt)
		t.Run(key, func(t *testing.T) {
			path, err := concretePath(rt.Path)
			if err != nil {
				t.Fatal(err)
			}
			wt, ok := wrongTypes[key]
			if !ok {
				t.Errorf("%s reads a body but wrongTypes has no example for it; add one", key)
			}
			for _, bc := range malformedBodies() {
				if bc.body == nil && optionalBodies[key] {
					continue
				}
				wantRefusal(t, ctx, admin, rt.Method, path, bc.name, bc.body, bc.status, bc.msg, "")
			}
			if ok {
				wantRefusal(t, ctx, admin, rt.Method, path, "a wrong type", []byte(wt.body), 400, wt.field+" must be", wt.field)
			}
		})
	}

	// Every body route audits what it does, done or failed, so a body that slipped past decoding
	// would leave an entry under this caller.
	if n := auditTotal(t, ctx, admin.Login); n != 0 {
		t.Fatalf("refused bodies left %d audit entries for %s", n, admin.Login)
	}
	if n := controlBy(t, ctx, admin.Login); n != 0 {
		t.Fatalf("refused bodies left %d control rows written by %s", n, admin.Login)
	}
	// The audit check can fail: a well-formed connection test by the same caller is recorded.
	res, err := host.Call(ctx, admin, "POST", "v1/clusters/test", []byte(`{"name":"probe","prometheusUrl":"`+promURL+`"}`))
	if err != nil || res.Status != 200 {
		t.Fatalf("a well-formed connection test: %v %+v", err, res)
	}
	if n := auditTotal(t, ctx, admin.Login); n != 1 {
		t.Fatalf("a well-formed call left %d audit entries, want 1", n)
	}
}

func wantRefusal(t *testing.T, ctx context.Context, u pluginhost.User, method, path, name string, body []byte, status int, msg, field string) {
	t.Helper()
	res, err := host.Call(ctx, u, method, path, body)
	if err != nil {
		t.Errorf("%s: the call failed (a panic in the handler is reported this way): %v", name, err)
		return
	}
	var e struct{ Error, Code, Field string }
	if jerr := json.Unmarshal(res.Body, &e); jerr != nil || e.Error == "" || e.Code == "" {
		t.Errorf("%s: status %d, not a typed {error, code} answer: %s", name, res.Status, res.Body)
		return
	}
	if res.Status != status || e.Code != "bad_request" || !strings.Contains(e.Error, msg) || (field != "" && e.Field != field) {
		t.Errorf("%s: got %d %+v, want %d bad_request with %q (field %q)", name, res.Status, e, status, msg, field)
	}
}

func auditTotal(t *testing.T, ctx context.Context, login string) int {
	t.Helper()
	var list struct{ Total int }
	getJSON(t, ctx, "v1/audit?user="+login, &list)
	return list.Total
}

// controlBy counts the current control rows user wrote last. Not the table's total: the
// backend's own daily collection, caught up at start when the test runs after the day's
// collection time, may add rows of the synthetic clusters meanwhile.
func controlBy(t *testing.T, ctx context.Context, user string) int {
	t.Helper()
	var list struct{ Items []struct{ UpdatedBy string } }
	getJSON(t, ctx, "v1/control", &list)
	n := 0
	for _, it := range list.Items {
		if it.UpdatedBy == user {
			n++
		}
	}
	return n
}

func getJSON(t *testing.T, ctx context.Context, path string, v any) {
	t.Helper()
	res, err := host.Call(ctx, viewer, "GET", path, nil)
	if err != nil || res.Status != 200 {
		t.Fatalf("GET %s: %v %+v", path, err, res)
	}
	if err := json.Unmarshal(res.Body, v); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, res.Body)
	}
}
