//go:build parts

package plugin_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
)

// FuzzRoutes drives the whole route table through the plugin executable, as Grafana calls it:
// whatever method, path and body a caller sends, the call completes (a panic in a handler makes
// it fail) and the answer is never a 5xx other than 503, which means a part cannot be reached.
// The caller is an Admin, so every route's handler runs rather than the role check.
func FuzzRoutes(f *testing.F) {
	h := fuzzTarget(f)
	for _, rt := range plugin.RouteTable() {
		path, err := concretePath(rt.Path)
		if err != nil {
			f.Fatal(err)
		}
		// One seed a route keeps the baseline short enough for a 10 s run; body routes get a
		// body of their own shape for the mutator to work from.
		var seed []byte
		if wt, ok := wrongTypes[routeKey(rt)]; ok {
			seed = []byte(wt.body)
		}
		f.Add(rt.Method, path, seed)
	}
	f.Add("POST", "v1/control", []byte(nil)) // Grafana's request without a body
	f.Add("POST", "v1/control", []byte("null"))
	f.Add("PUT", "v1/clusters/c0/settings", []byte(`{"peakWindow":{"start":"25:00"}}`))
	// Workload kinds: a DaemonSet scale, a StatefulSet restart, a kind schedule item, an unknown kind.
	f.Add("POST", "v1/actions/scale", []byte(`{"items":[{"cluster":"c0","namespace":"shop","kind":"DaemonSet","workload":"api","replicas":2}]}`))
	f.Add("POST", "v1/actions/restart", []byte(`{"items":[{"cluster":"c0","namespace":"shop","kind":"StatefulSet","workload":"db"}]}`))
	f.Add("POST", "v1/schedules", []byte(`{"cluster":"c0","action":"scale","kind":"cron","cron":"0 1 * * *","items":[{"namespace":"shop","kind":"statefulset","workload":"db","replicas":1}]}`))
	f.Add("POST", "v1/actions/restart", []byte(`{"items":[{"cluster":"c0","namespace":"shop","kind":"CronJob","workload":"x"}]}`))
	admin := pluginhost.User{Login: "fuzz", Role: "Admin"}
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		if !reachesHandler(method, path) {
			return
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		res, err := h.Call(ctx, admin, method, path, body)
		if err != nil {
			t.Fatalf("%s %q with %d body bytes: the call failed: %v", method, path, len(body), err)
		}
		if res.Status >= 500 && res.Status != http.StatusServiceUnavailable {
			t.Fatalf("%s %q with body %q: %d %s", method, path, truncate(body), res.Status, res.Body)
		}
	})
}

// reachesHandler reports whether Grafana could send this method and path (protobuf strings are
// UTF-8) and the SDK's HTTP adapter would build a request from them (as pluginhost sends them);
// the ones it refuses never reach a handler.
func reachesHandler(method, path string) bool {
	if !utf8.ValidString(method) || !utf8.ValidString(path) {
		return false
	}
	u, err := url.Parse("/api/plugins/" + plugin.ID + "/resources/" + path)
	if err != nil {
		return false
	}
	pathOnly, _, _ := cutAt(path, '?')
	target := "/" + pathOnly
	if u.RawQuery != "" {
		target += "?" + u.RawQuery
	}
	_, err = http.NewRequest(method, target, nil)
	return err == nil
}

func cutAt(s string, c byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func truncate(b []byte) []byte {
	if len(b) > 200 {
		return b[:200]
	}
	return b
}

// The coordinator of a fuzz run builds the executable and starts one real, empty Prometheus
// once, and hands both to its workers through the environment they inherit, so a worker starts
// only the plugin process (linking the executable in every worker took longer than the run).
const (
	envFuzzExe  = "KUBEDOOR_FUZZ_PLUGIN_EXE"
	envFuzzProm = "KUBEDOOR_FUZZ_PROM_URL"
)

// runFuzzProcess is TestMain's body in a process that only fuzzes.
func runFuzzProcess(m *testing.M) int {
	if flagValue("test.fuzzworker") == "true" {
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "kubedoor-fuzz-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "fuzz setup: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	exe := filepath.Join(dir, "gpx_kubedoor")
	if err := testenv.GoBuild(ctx, "./pkg", exe); err != nil {
		fmt.Fprintf(os.Stderr, "fuzz setup: %v\n", err)
		return 1
	}
	prom, err := testenv.StartPrometheus(ctx, testenv.PromOptions{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "fuzz setup: %v\n", err)
		return 1
	}
	defer prom.Stop()
	os.Setenv(envFuzzExe, exe)
	os.Setenv(envFuzzProm, prom.URL)
	return m.Run()
}

// fuzzTarget is the host TestMain started or, in a fuzz worker, one plugin executable started
// here, once per worker process, with the embedded store and the coordinator's Prometheus
// behind cluster c0.
func fuzzTarget(f *testing.F) *pluginhost.Host {
	if host != nil {
		return host
	}
	exe, promURL := os.Getenv(envFuzzExe), os.Getenv(envFuzzProm)
	if exe == "" || promURL == "" {
		f.Fatalf("no plugin host: %s and %s are set by the fuzz coordinator's TestMain", envFuzzExe, envFuzzProm)
	}
	lib, err := testenv.LibCHDB()
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	logFile, err := os.Create(filepath.Join(dir, "plugin.log"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = logFile.Close() })
	h, err := pluginhost.Start(pluginhost.Options{
		Executable: exe,
		PluginID:   plugin.ID,
		Env:        []string{"KUBEDOOR_LIBCHDB=" + lib, "KUBEDOOR_DATA_DIR=" + filepath.Join(dir, "data")},
		JSONData:   settingsJSON(promURL),
		Log:        logFile,
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(h.Stop)
	return h
}

// onlyFuzzing reports whether this process will run nothing but fuzzing: a fuzz worker, or the
// coordinator of `go test -fuzz … -run '^$'`. TestMain then starts no shared host; the fuzz
// target starts its own in each worker.
func onlyFuzzing() bool {
	flag.Parse()
	return flagValue("test.fuzzworker") == "true" || (flagValue("test.fuzz") != "" && flagValue("test.run") == "^$")
}

func flagValue(name string) string {
	if fl := flag.Lookup(name); fl != nil {
		return fl.Value.String()
	}
	return ""
}
