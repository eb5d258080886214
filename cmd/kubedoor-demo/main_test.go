package main

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The port-taken test runs the real main in a child process, for its exit code and stderr.
func TestMain(m *testing.M) {
	if os.Getenv("KUBEDOOR_DEMO_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestPortTakenExitsAtOnceWithWhatToDo(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	cmd := exec.Command(os.Args[0], "-addr", addr, "-dir", t.TempDir())
	cmd.Env = append(os.Environ(), "KUBEDOOR_DEMO_RUN_MAIN=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	t0 := time.Now()
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitPortTaken {
		t.Fatalf("exit: %v, want code %d\nstderr: %s", err, exitPortTaken, &stderr)
	}
	// Nothing may have started: the check comes before the cluster's minutes.
	if d := time.Since(t0); d > 10*time.Second {
		t.Fatalf("took %s to report a taken port", d)
	}
	for _, want := range []string{"cannot serve the demo on " + addr, "the port is taken", "address already in use", "ss -ltnp", "--addr"} {
		if !strings.Contains(stderr.String(), want) {
			t.Fatalf("stderr lacks %q:\n%s", want, &stderr)
		}
	}
	if strings.Contains(stdout.String(), "starting") {
		t.Fatalf("started parts although the port is taken:\n%s", &stdout)
	}
}

func TestStepReportsProgressAndNamesTheFailingPartAndItsLog(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out)
	p.every = 20 * time.Millisecond
	if err := p.step(t.Context(), "Prometheus", "", func() error { time.Sleep(70 * time.Millisecond); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"] starting Prometheus …", "still starting Prometheus (", "Prometheus ready ("} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("progress lacks %q:\n%s", want, &out)
		}
	}
	err := p.step(t.Context(), "kubedoor-webhook", "/x/webhook.log", func() error { return errors.New("exec format error") })
	if err == nil || exitCode(err) != exitFailed {
		t.Fatalf("err %v, exit code %d", err, exitCode(err))
	}
	for _, want := range []string{"kubedoor-webhook could not start: exec format error", "see /x/webhook.log"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q lacks %q", err, want)
		}
	}
}

func TestStartingPageHandsOverToTheApp(t *testing.T) {
	p := newProgress(&bytes.Buffer{})
	p.now = "Prometheus with 14 days of peak history"
	page := &startingPage{p: p}
	w := httptest.NewRecorder()
	page.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "Prometheus with 14 days") {
		t.Fatalf("while starting: %d %s", w.Code, w.Body)
	}
	page.ready(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("app")) }))
	w = httptest.NewRecorder()
	page.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusOK || w.Body.String() != "app" {
		t.Fatalf("once ready: %d %s", w.Code, w.Body)
	}
}

func TestSummaryPutsTheURLFirstThenRealKubectlLines(t *testing.T) {
	s := summary("http://127.0.0.1:3000", "/r/kube/kubeconfig", example{"shop", "checkout", 2}, true, "http://127.0.0.1:9090", "/r")
	lines := strings.Split(s, "\n")
	if !strings.Contains(lines[2], "http://127.0.0.1:3000/a/kubedoor-capacity-app/overview") {
		t.Fatalf("the URL is not first:\n%s", s)
	}
	for _, want := range []string{
		"Kubeconfig  /r/kube/kubeconfig",
		"kubectl --kubeconfig /r/kube/kubeconfig label ns shop kubedoor.io/control=enforce --overwrite",
		"-n shop scale deploy/checkout --replicas=9",
		"-n shop get deploy checkout    # 2 replicas: the control table's, not 9",
		"Viewer", "Editor", "Admin", "Dashboards (preview)",
	} {
		if !strings.Contains(s, want) {
			t.Fatalf("summary lacks %q:\n%s", want, s)
		}
	}
	if strings.Index(s, "Kubeconfig") < strings.Index(s, "http://127.0.0.1:3000") {
		t.Fatalf("the kubeconfig comes before the URL:\n%s", s)
	}
}
