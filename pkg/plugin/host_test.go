//go:build parts

package plugin_test

// These tests start the built plugin executable the way Grafana does (go-plugin handshake over
// gRPC) and talk to it through CheckHealth and CallResource, with the embedded ClickHouse engine
// and a real Prometheus loaded with synthetic metrics behind it.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/synth"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
)

var (
	host    *pluginhost.Host
	promURL string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if onlyFuzzing() {
		return runFuzzProcess(m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "plugin host tests cannot start: "+format+"\n", args...)
		return 1
	}
	lib, err := testenv.LibCHDB()
	if err != nil {
		return fail("%v", err)
	}
	dir, err := os.MkdirTemp("", "kubedoor-plugin-test-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(dir)
	exe := filepath.Join(dir, "gpx_kubedoor")
	if err := testenv.GoBuild(ctx, "./pkg", exe); err != nil {
		return fail("%v", err)
	}

	yesterday := synth.DateOf(time.Now().UTC()).AddDays(-1)
	var om strings.Builder
	if _, err := synth.ScenarioSidecar(yesterday).WriteTo(&om); err != nil {
		return fail("generating metrics: %v", err)
	}
	prom, err := testenv.StartPrometheus(ctx, testenv.PromOptions{Backfill: strings.NewReader(om.String())})
	if err != nil {
		return fail("%v", err)
	}
	defer prom.Stop()
	promURL = prom.URL

	logFile, err := os.Create(filepath.Join(dir, "plugin.log"))
	if err != nil {
		return fail("%v", err)
	}
	defer logFile.Close()
	host, err = pluginhost.Start(pluginhost.Options{
		Executable: exe,
		PluginID:   plugin.ID,
		Env:        []string{"KUBEDOOR_LIBCHDB=" + lib, "KUBEDOOR_DATA_DIR=" + filepath.Join(dir, "data")},
		JSONData:   settingsJSON(promURL),
		Log:        logFile,
	})
	if err != nil {
		return fail("%v", err)
	}
	defer host.Stop()
	// Fuzz workers of a `go test -fuzz` run that also ran the tests start their own plugin from these.
	os.Setenv(envFuzzExe, exe)
	os.Setenv(envFuzzProm, promURL)
	code := m.Run()
	if code != 0 {
		if b, err := os.ReadFile(logFile.Name()); err == nil {
			fmt.Fprintf(os.Stderr, "--- plugin log ---\n%s\n", b)
		}
	}
	return code
}

func settingsJSON(urls ...string) []byte {
	type cluster struct {
		Name          string `json:"name"`
		PrometheusURL string `json:"prometheusUrl"`
	}
	var cs []cluster
	for i, u := range urls {
		cs = append(cs, cluster{Name: fmt.Sprintf("c%d", i), PrometheusURL: u})
	}
	b, _ := json.Marshal(map[string]any{"storage": map[string]string{"mode": "embedded"}, "clusters": cs})
	return b
}

type status struct {
	Store struct {
		OK            bool   `json:"ok"`
		Mode          string `json:"mode"`
		Message       string `json:"message"`
		SchemaVersion int    `json:"schemaVersion"`
	} `json:"store"`
	Prometheus []struct {
		Cluster string `json:"cluster"`
		OK      bool   `json:"ok"`
		Message string `json:"message"`
	} `json:"prometheus"`
}

var viewer = pluginhost.User{Login: "vera", Role: "Viewer"}

func TestHealthReportsTheEmbeddedStoreAndPrometheus(t *testing.T) {
	res, err := host.CheckHealth(t.Context(), viewer)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != pluginv2.CheckHealthResponse_OK {
		t.Fatalf("health %v: %s", res.Status, res.Message)
	}
	var st status
	if err := json.Unmarshal(res.JsonDetails, &st); err != nil {
		t.Fatal(err)
	}
	if !st.Store.OK || st.Store.Mode != "embedded" || st.Store.SchemaVersion < 1 {
		t.Fatalf("store: %+v", st.Store)
	}
	if len(st.Prometheus) != 1 || !st.Prometheus[0].OK || !strings.Contains(st.Prometheus[0].Message, "Prometheus") {
		t.Fatalf("prometheus: %+v", st.Prometheus)
	}
}

func TestRoutesAnswerByRole(t *testing.T) {
	tests := []struct {
		name       string
		user       pluginhost.User
		method     string
		path       string
		wantStatus int
		check      func(t *testing.T, body []byte)
	}{
		{
			name: "a viewer reads the status", user: viewer, method: "GET", path: "v1/status", wantStatus: 200,
			check: func(t *testing.T, body []byte) {
				var st status
				if err := json.Unmarshal(body, &st); err != nil || !st.Store.OK {
					t.Fatalf("status %s (%v)", body, err)
				}
			},
		},
		{
			name: "a viewer may read but not write or administer", user: viewer, method: "GET", path: "v1/me", wantStatus: 200,
			check: wantMe("vera", "Viewer", true, false, false),
		},
		{
			name: "an editor may write but not administer", user: pluginhost.User{Login: "ed", Role: "Editor"}, method: "GET", path: "v1/me", wantStatus: 200,
			check: wantMe("ed", "Editor", true, true, false),
		},
		{
			name: "an admin may do everything", user: pluginhost.User{Login: "ada", Role: "Admin"}, method: "GET", path: "v1/me", wantStatus: 200,
			check: wantMe("ada", "Admin", true, true, true),
		},
		{
			// Other host tests may have derived rows for c0 (no Kubernetes access): then the
			// first note says why Flux's block has no container rules.
			name: "a viewer reads the GitOps blocks through the executable", user: viewer, method: "GET", path: "v1/clusters/c0/gitops", wantStatus: 200,
			check: func(t *testing.T, body []byte) {
				var g struct {
					Cluster   string
					Workloads int
					ArgoCD    struct{ YAML string }
					Flux      struct{ YAML string }
					Notes     []string
				}
				if err := json.Unmarshal(body, &g); err != nil || g.Cluster != "c0" || g.Notes == nil ||
					!strings.HasSuffix(g.ArgoCD.YAML, "  syncPolicy:\n    syncOptions:\n    - RespectIgnoreDifferences=true\n") ||
					!strings.HasPrefix(g.Flux.YAML, "spec:\n  driftIgnoreRules:") {
					t.Fatalf("gitops %s (%v)", body, err)
				}
				if g.Workloads > 0 && !strings.Contains(g.Notes[0], "cluster c0 has no Kubernetes access configured") {
					t.Fatalf("gitops of %d workloads without the no-access note: %s", g.Workloads, body)
				}
			},
		},
		{
			name: "the GitOps blocks of a cluster not configured are a typed 404", user: viewer, method: "GET", path: "v1/clusters/nowhere/gitops", wantStatus: 404,
			check: wantError("not_found", `no cluster named "nowhere"`),
		},
		{
			name: "a user without an org role is refused with the action named", user: pluginhost.User{Login: "nobody", Role: "None"}, method: "GET", path: "v1/status", wantStatus: 403,
			check: wantError("forbidden", "read status requires the Viewer role"),
		},
		{
			name: "an unknown route is a typed 404", user: viewer, method: "GET", path: "v1/nope", wantStatus: 404,
			check: wantError("not_found", "no route GET /v1/nope"),
		},
		{
			name: "a known path with the wrong method is refused", user: viewer, method: "DELETE", path: "v1/status", wantStatus: 405,
			check: wantError("method_not_allowed", "DELETE is not allowed on /v1/status (allowed: GET, HEAD)"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := host.Call(t.Context(), tt.user, tt.method, tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", res.Status, tt.wantStatus, res.Body)
			}
			tt.check(t, res.Body)
		})
	}
}

func wantMe(login, role string, read, write, admin bool) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		var m struct {
			Login              string
			Role               string
			CanRead            bool
			CanWrite, CanAdmin bool
		}
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		if m.Login != login || m.Role != role || m.CanRead != read || m.CanWrite != write || m.CanAdmin != admin {
			t.Fatalf("got %+v", m)
		}
	}
}

func wantError(code, msg string) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		var e struct{ Error, Code string }
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("not a typed error: %s", body)
		}
		if e.Code != code || !strings.Contains(e.Error, msg) {
			t.Fatalf("got %+v, want code %s and %q", e, code, msg)
		}
	}
}

// Saving the config page makes Grafana build a new instance with the new settings; the backend
// must pick them up without a restart, and report what is wrong with them.
func TestSavedSettingsTakeEffectWithoutARestart(t *testing.T) {
	t.Cleanup(func() { host.SetSettings(settingsJSON(promURL), nil) })

	down := closedPortURL(t)
	host.SetSettings(settingsJSON(promURL, down), nil)
	res, err := host.CheckHealth(t.Context(), viewer)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != pluginv2.CheckHealthResponse_ERROR || !strings.Contains(res.Message, "prometheus (c1)") {
		t.Fatalf("want an error naming the unreachable cluster c1, got %v: %s", res.Status, res.Message)
	}
	if strings.Contains(res.Message, "prometheus (c0)") {
		t.Fatalf("the reachable cluster must not be reported: %s", res.Message)
	}

	host.SetSettings([]byte(`{"clusters":[{"name":"Bad Name","prometheusUrl":"http://x"}]}`), nil)
	res, err = host.CheckHealth(t.Context(), viewer)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != pluginv2.CheckHealthResponse_ERROR || !strings.Contains(res.Message, "clusters[0].name") {
		t.Fatalf("want invalid settings naming clusters[0].name, got %v: %s", res.Status, res.Message)
	}
}

func closedPortURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr
}

// The demo and the browser tests reach the plugin through the gateway that stands in for
// Grafana's HTTP API; it must pass the caller's role through.
func TestTheGatewayForwardsResourceCallsWithTheCallersRole(t *testing.T) {
	srv := httptest.NewServer(host.Gateway(pluginhost.User{Login: "demo", Role: "Admin"}))
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/api/plugins/"+plugin.ID+"/resources/v1/me", nil)
	req.Header.Set("X-Grafana-Role", "Editor")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	wantMe("demo", "Editor", true, true, false)(t, body)

	resp, err = http.Get(srv.URL + "/api/plugins/" + plugin.ID + "/health")
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Status, Message string }
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if h.Status != "OK" {
		t.Fatalf("health through the gateway: %+v", h)
	}
}

func TestRefusedCallsAreAuditedAndTheLogIsReadable(t *testing.T) {
	ctx := t.Context()
	intruder := pluginhost.User{Login: "intruder-" + fmt.Sprint(time.Now().UnixNano()), Role: "None"}
	res, err := host.Call(ctx, intruder, "GET", "v1/status", nil)
	if err != nil || res.Status != 403 {
		t.Fatalf("want 403, got %v %v", res, err)
	}
	res, err = host.Call(ctx, viewer, "GET", "v1/audit?result=denied&user="+intruder.Login, nil)
	if err != nil || res.Status != 200 {
		t.Fatalf("audit list: %v %s", err, res.Body)
	}
	var list struct {
		Items []struct {
			User, Role, Action, Target, Result, Error string
		}
		Total int
	}
	if err := json.Unmarshal(res.Body, &list); err != nil {
		t.Fatal(err)
	}
	if list.Total != 1 || list.Items[0].Action != "read status" || list.Items[0].Role != "None" ||
		list.Items[0].Target != "/v1/status" || !strings.Contains(list.Items[0].Error, "requires the Viewer role") {
		t.Fatalf("audit entry: %+v", list)
	}

	res, err = host.Call(ctx, viewer, "GET", "v1/audit?from=yesterday", nil)
	if err != nil || res.Status != 400 {
		t.Fatalf("a malformed time must be 400, got %v %s", err, res.Body)
	}
	var e struct{ Field string }
	_ = json.Unmarshal(res.Body, &e)
	if e.Field != "from" {
		t.Fatalf("400 must name the field: %s", res.Body)
	}
}
