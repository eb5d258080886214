//go:build parts

package devhost

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

// TestHandlerServesTheAppOverTheRealBackend is what the demo and the browser run rely on,
// checked without a browser: the page shell for app URLs, the plugin's files, the dashboards, and
// API calls proxied to the real backend executable as the cookie's role.
func TestHandlerServesTheAppOverTheRealBackend(t *testing.T) {
	lib, err := testenv.LibCHDB()
	if err != nil {
		t.Fatal(err)
	}
	root, err := testenv.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	exe := filepath.Join(tmp, "gpx_kubedoor")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	if err := testenv.GoBuild(ctx, "./pkg", exe); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(tmp, "plugin.log"))
	if err != nil {
		t.Fatal(err)
	}
	// Prometheus is unreachable on purpose: status must still answer.
	jsonData := json.RawMessage(`{"storage":{"mode":"embedded"},"clusters":[{"name":"demo","prometheusUrl":"http://127.0.0.1:9/","timeZone":"UTC"}]}`)
	host, err := pluginhost.Start(pluginhost.Options{
		Executable: exe, PluginID: PluginID, JSONData: jsonData, Log: logFile,
		Env: []string{"KUBEDOOR_LIBCHDB=" + lib, "KUBEDOOR_DATA_DIR=" + filepath.Join(tmp, "data")},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		host.Stop()
		if t.Failed() {
			if b, err := os.ReadFile(logFile.Name()); err == nil {
				t.Logf("--- plugin log ---\n%s", b)
			}
		}
	})

	// Stand-ins for the two webpack builds: the handler serves whatever the folders hold.
	dist, bundle := filepath.Join(tmp, "dist"), filepath.Join(tmp, "host")
	for f, body := range map[string]string{
		filepath.Join(dist, "module.js"):   "define([], function () {});",
		filepath.Join(bundle, "host.js"):   "console.log('host');",
		filepath.Join(dist, "plugin.json"): `{"id":"` + PluginID + `"}`,
	} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(Handler(Options{
		Host: host, Dist: dist, HostBundle: bundle, Dashboards: filepath.Join(root, "provisioning", "dashboards"),
		JSONData: jsonData, Edition: "demo",
	}))
	defer srv.Close()

	get := func(path, role string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if role != "" {
			req.AddCookie(&http.Cookie{Name: "kd_role", Value: role})
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	for _, path := range []string{"/", "/a/" + PluginID + "/overview"} {
		code, body := get(path, "Editor")
		for _, want := range []string{`<div id="reactRoot">`, `/public/host/host.js`, `"orgRole":"Editor"`, `<title>KubeDoor · demo</title>`} {
			if code != http.StatusOK || !strings.Contains(body, want) {
				t.Fatalf("GET %s: %d, want 200 with %q:\n%s", path, code, want, body)
			}
		}
	}
	if code, body := get("/public/plugins/"+PluginID+"/module.js", ""); code != http.StatusOK || !strings.Contains(body, "define") {
		t.Fatalf("module.js: %d %s", code, body)
	}
	if code, body := get("/public/fonts/inter.woff2", ""); code != http.StatusNotFound {
		t.Fatalf("a missing /public file must be 404, not the shell: %d %s", code, body)
	}
	if code, body := get("/provisioning/dashboards/index.json", ""); code != http.StatusOK || !strings.Contains(body, ".json") {
		t.Fatalf("dashboard index: %d %s", code, body)
	}

	api := "/api/plugins/" + PluginID + "/resources/v1/"
	if code, body := get(api+"status", "Viewer"); code != http.StatusOK {
		t.Fatalf("v1/status through the host: %d %s", code, body)
	}
	for _, role := range []string{"Viewer", "Editor", "Admin"} {
		code, body := get(api+"me", role)
		var me struct{ Role string }
		if code != http.StatusOK || json.Unmarshal([]byte(body), &me) != nil || me.Role != role {
			t.Fatalf("v1/me as %s: %d %s", role, code, body)
		}
	}
}
