// Package faulthost is the fault suite's fixture (docs/reliability.md): the built plugin
// executable started the way Grafana starts it on a data directory of its own, killed at a fault
// point (KUBEDOOR_FAULT, SIGKILL) and started again on the same directory, a cluster of its own
// to stop and start, and the plugin log to wait on. Only tests import it (pkg/plugin and
// pkg/plugin/opstest), so that both packages' fault tests set up the same way.
package faulthost

import (
	"bytes"
	"log/slog"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/engine"
	"github.com/kubedoor/kubedoor-grafana/pkg/fault"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
)

// Plugin is what every start of one test's plugin processes shares: the executable, the embedded
// engine's library and the app settings Grafana would hand it.
type Plugin struct {
	Executable string
	Lib        string // libchdb (testenv.LibCHDB)
	JSONData   []byte
	Secure     map[string]string
}

// Start starts p on dataDir with KUBEDOOR_FAULT set to point ("" = none) and extra environment
// (NAME=value); its log goes to logPath (created afresh). It is stopped when t ends.
func (p Plugin) Start(t testing.TB, dataDir, point, logPath string, extra ...string) *pluginhost.Host {
	t.Helper()
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = logFile.Close() })
	vars := []string{engine.EnvLibrary + "=" + p.Lib, "KUBEDOOR_DATA_DIR=" + dataDir}
	if point != "" {
		vars = append(vars, fault.Env+"="+point)
	}
	h, err := pluginhost.Start(pluginhost.Options{Executable: p.Executable, PluginID: plugin.ID, Env: append(vars, extra...),
		JSONData: p.JSONData, Secure: p.Secure, Log: logFile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Stop)
	return h
}

// WaitKilled waits until h's process has died at its fault point, at most within, and releases
// it; it fails the test with the end of the log at logPath if the process still runs.
func WaitKilled(t testing.TB, h *pluginhost.Host, within time.Duration, logPath string) {
	t.Helper()
	for deadline := time.Now().Add(within); !h.Exited() && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if !h.Exited() {
		b, _ := os.ReadFile(logPath)
		t.Fatalf("the plugin process is still running %v after the fault point was due:\n%s", within, Tail(b, 8000))
	}
	h.Stop()
}

// CallKilled makes a call h must not answer, for its process dies at its fault point during it,
// then waits for that death as WaitKilled does.
func CallKilled(t testing.TB, h *pluginhost.Host, u pluginhost.User, method, path string, body []byte, within time.Duration, logPath string) {
	t.Helper()
	if res, err := h.Call(t.Context(), u, method, path, body); err == nil {
		t.Fatalf("%s %s was answered (%d %s); the process should have died at its fault point before answering", method, path, res.Status, res.Body)
	}
	WaitKilled(t, h, within, logPath)
}

// WaitLog waits, at most within, until a line of the plugin log at path contains every one of
// parts.
func WaitLog(t testing.TB, path string, within time.Duration, parts ...string) {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		b, _ := os.ReadFile(path)
		for _, line := range bytes.Split(b, []byte("\n")) {
			all := true
			for _, p := range parts {
				all = all && bytes.Contains(line, []byte(p))
			}
			if all {
				return
			}
		}
	}
	b, _ := os.ReadFile(path)
	t.Fatalf("no line with %q in the plugin log within %v:\n%s", parts, within, b)
}

// Tail is the last n bytes of b.
func Tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// Cluster is a kube-apiserver of the test's own (stopping a package's shared one would disturb
// its other tests), with the CapacityPolicy CRD installed.
type Cluster struct {
	*testenv.Kube
	Dynamic    dynamic.Interface
	Kubeconfig string // the file's content, as the plugin's secure settings carry it
}

// StartCluster starts a Cluster with namespaces created; it is stopped when t ends.
func StartCluster(t testing.TB, namespaces ...string) *Cluster {
	t.Helper()
	ctx := t.Context()
	kube, err := testenv.StartKube(ctx, testenv.KubeOptions{Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kube.Stop() })
	c := &Cluster{Kube: kube}
	if c.Dynamic, err = dynamic.NewForConfig(kube.RESTConfig()); err != nil {
		t.Fatal(err)
	}
	if err := crd.Install(ctx, c.Dynamic); err != nil {
		t.Fatal(err)
	}
	for _, ns := range namespaces {
		if _, err := kube.Clientset().CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(kube.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	c.Kubeconfig = string(b)
	return c
}
