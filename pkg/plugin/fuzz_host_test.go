package plugin_test

import (
	"context"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

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
		seeds := [][]byte{nil, []byte("{}"), []byte("null"), []byte("[]"), []byte(`{"a":`), []byte(`"x"`)}
		if wt, ok := wrongTypes[routeKey(rt)]; ok {
			seeds = append(seeds, []byte(wt.body))
		}
		for _, b := range seeds {
			f.Add(rt.Method, path, b)
		}
	}
	admin := pluginhost.User{Login: "fuzz", Role: "Admin"}
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		if !reachesHandler(method, path) {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
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

// reachesHandler reports whether the SDK's HTTP adapter would build a request from this method
// and path (as pluginhost sends them); the ones it refuses never reach a handler, and Grafana
// only forwards requests it parsed itself.
func reachesHandler(method, path string) bool {
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

// fuzzTarget is the host TestMain started or, in a fuzz worker (where TestMain starts nothing),
// one plugin executable started here, once per worker process, with the embedded store and a
// real, empty Prometheus behind cluster c0.
func fuzzTarget(f *testing.F) *pluginhost.Host {
	if host != nil {
		return host
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	lib, err := testenv.LibCHDB()
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	exe := filepath.Join(dir, "gpx_kubedoor")
	if err := testenv.GoBuild(ctx, "./pkg", exe); err != nil {
		f.Fatal(err)
	}
	prom, err := testenv.StartPrometheus(ctx, testenv.PromOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = prom.Stop() })
	logFile, err := os.Create(filepath.Join(dir, "plugin.log"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = logFile.Close() })
	h, err := pluginhost.Start(pluginhost.Options{
		Executable: exe,
		PluginID:   plugin.ID,
		Env:        []string{"KUBEDOOR_LIBCHDB=" + lib, "KUBEDOOR_DATA_DIR=" + filepath.Join(dir, "data")},
		JSONData:   settingsJSON(prom.URL),
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
	value := func(name string) string {
		if fl := flag.Lookup(name); fl != nil {
			return fl.Value.String()
		}
		return ""
	}
	if value("test.fuzzworker") == "true" {
		return true
	}
	return value("test.fuzz") != "" && value("test.run") == "^$"
}
