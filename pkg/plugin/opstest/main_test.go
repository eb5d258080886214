//go:build parts

// Package opstest drives the operations routes (actions, schedules, notifications, cluster
// health) through the built plugin executable started the way Grafana starts it, with the
// embedded ClickHouse engine, a real kube-apiserver, a real Prometheus and local HTTP receivers
// standing in for the chat robots. It is its own package so its TestMain can start those parts.
package opstest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/internal/faulthost"
	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
)

var (
	env struct {
		exe, lib, dataDir, logPath string
		kube                       *testenv.Kube
		kubeconfig                 string
		promURL                    string
		hook, slack                *receiver
	}
	hostMu sync.Mutex
	host   *pluginhost.Host
)

var (
	viewer = pluginhost.User{Login: "vera", Role: "Viewer"}
	editor = pluginhost.User{Login: "ed", Role: "Editor"}
	admin  = pluginhost.User{Login: "ada", Role: "Admin"}
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "operations host tests cannot start: "+format+"\n", args...)
		return 1
	}
	var err error
	if env.lib, err = testenv.LibCHDB(); err != nil {
		return fail("%v", err)
	}
	dir, err := os.MkdirTemp("", "kubedoor-opstest-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(dir)
	env.exe, env.dataDir, env.logPath = filepath.Join(dir, "gpx_kubedoor"), filepath.Join(dir, "data"), filepath.Join(dir, "plugin.log")
	if err := testenv.GoBuild(ctx, "./pkg", env.exe); err != nil {
		return fail("%v", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if env.kube, err = testenv.StartKube(ctx, testenv.KubeOptions{Logger: log}); err != nil {
		return fail("%v", err)
	}
	defer env.kube.Stop()
	b, err := os.ReadFile(env.kube.Kubeconfig)
	if err != nil {
		return fail("%v", err)
	}
	env.kubeconfig = string(b)
	// The schedule lease lives in the kubedoor namespace, which the webhook's install creates.
	if _, err := env.kube.Clientset().CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kubedoor"}}, metav1.CreateOptions{}); err != nil {
		return fail("%v", err)
	}
	p, err := testenv.StartPrometheus(ctx, testenv.PromOptions{})
	if err != nil {
		return fail("%v", err)
	}
	defer p.Stop()
	env.promURL = p.URL
	env.hook, env.slack = newReceiver(""), newReceiver("ok")
	defer env.hook.Close()
	defer env.slack.Close()

	if err := startHost(); err != nil {
		return fail("%v", err)
	}
	defer func() { currentHost().Stop() }()
	code := m.Run()
	if code != 0 {
		if b, err := os.ReadFile(env.logPath); err == nil {
			fmt.Fprintf(os.Stderr, "--- plugin log (last 30000 bytes) ---\n%s\n", faulthost.Tail(b, 30000))
		}
	}
	return code
}

// startHost starts (or restarts) the plugin on the same data directory.
func startHost() error {
	logFile, err := os.OpenFile(env.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	h, err := pluginhost.Start(pluginhost.Options{
		Executable: env.exe,
		PluginID:   plugin.ID,
		Env:        []string{"KUBEDOOR_LIBCHDB=" + env.lib, "KUBEDOOR_DATA_DIR=" + env.dataDir},
		JSONData:   settingsJSON(),
		Secure: map[string]string{
			"clusters.prod-a.kubeconfig": env.kubeconfig,
			"notifications.ops-hook":     env.hook.URL + "/hook",
			"notifications.ops-slack":    env.slack.URL + "/services/T0/B0/X",
			"notifications.dead":         "http://127.0.0.1:1/unreachable",
		},
		Log: logFile,
	})
	if err != nil {
		return err
	}
	hostMu.Lock()
	host = h
	hostMu.Unlock()
	return nil
}

func currentHost() *pluginhost.Host {
	hostMu.Lock()
	defer hostMu.Unlock()
	return host
}

func settingsJSON() []byte {
	b, _ := json.Marshal(map[string]any{
		"storage": map[string]string{"mode": "embedded"},
		"clusters": []map[string]string{
			{"name": "prod-a", "prometheusUrl": env.promURL, "kubeAccess": "kubeconfig", "timeZone": "Europe/Berlin"},
			{"name": "peaks-only", "prometheusUrl": env.promURL},
		},
		"notifications": []map[string]any{
			{"id": "ops-hook", "kind": "webhook", "name": "Ops hook", "enabled": true, "events": []string{"actionDone", "actionFailed", "scheduleFailed", "denied"}},
			{"id": "ops-slack", "kind": "slack", "name": "Ops Slack", "cluster": "prod-a", "enabled": true, "events": []string{"actionFailed"}},
			{"id": "dead", "kind": "webhook", "name": "Nobody listens", "enabled": false, "events": []string{"actionDone"}},
		},
	})
	return b
}

// receiver stands in for a chat robot: it records each message body.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
}

func newReceiver(answer string) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, string(b))
		r.mu.Unlock()
		_, _ = io.WriteString(w, answer)
	}))
	return r
}

// waitFor returns the first recorded body containing all of parts.
func (r *receiver) waitFor(t *testing.T, parts ...string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, ok := r.find(parts...); ok {
			return b
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no message containing %q arrived", parts)
	return ""
}

// find returns the first recorded body containing all of parts, if one arrived.
func (r *receiver) find(parts ...string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.bodies {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(b, p)
		}
		if all {
			return b, true
		}
	}
	return "", false
}

// call makes a resource call and decodes the JSON answer into out (when not nil).
func call(t *testing.T, u pluginhost.User, method, path string, body any, out any) int {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	res, err := currentHost().Call(t.Context(), u, method, path, raw)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(res.Body) > 0 {
		if err := json.Unmarshal(res.Body, out); err != nil {
			t.Fatalf("%s %s: answer %d is not JSON: %s", method, path, res.Status, res.Body)
		}
	}
	return res.Status
}

type apiErr struct {
	Error, Code, Field string
	Current            *schedule `json:"current"`
}

func wantFieldError(t *testing.T, status int, e apiErr, field string) {
	t.Helper()
	if status != 400 || e.Code != "bad_request" || e.Field != field {
		t.Fatalf("want 400 naming %q, got %d %+v", field, status, e)
	}
}
