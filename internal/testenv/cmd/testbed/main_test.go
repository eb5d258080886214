//go:build parts

package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUpWritesEnvServesTheClusterAndCleansUp(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout bytes.Buffer
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { done <- run(ctx, []string{"up", "-dir", dir, "-nodes", "1"}, &stdout, log) }()

	envFile := filepath.Join(dir, "env")
	env := waitForEnv(t, envFile, done)
	for _, key := range []string{"KUBECONFIG", "APISERVER", "CA_CERT", "TOKEN", "KWOK", "KUBE_BIN"} {
		if env[key] == "" {
			t.Errorf("env file lacks %s", key)
		}
	}
	if _, err := os.Stat(env["KUBECONFIG"]); err != nil {
		t.Errorf("kubeconfig named in env: %v", err)
	}
	if err := getReadyz(env); err != nil {
		t.Errorf("apiserver from env file: %v", err)
	}
	if err := run(t.Context(), []string{"up", "-dir", dir}, io.Discard, log); err == nil ||
		!strings.Contains(err.Error(), "already running") {
		t.Errorf("second up on the same dir: err = %v, want 'already running'", err)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if got := strings.TrimSpace(stdout.String()); got != env["KUBECONFIG"] {
		t.Errorf("stdout = %q, want the kubeconfig path %q", got, env["KUBECONFIG"])
	}
	for _, name := range []string{"env", "pid", "run"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s still in %s after stop", name, dir)
		}
	}
}

func waitForEnv(t *testing.T, path string, done <-chan error) map[string]string {
	t.Helper()
	deadline := time.After(3 * time.Minute)
	for {
		if data, err := os.ReadFile(path); err == nil { // written atomically
			env := map[string]string{}
			for line := range strings.Lines(string(data)) {
				if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
					env[k] = v
				}
			}
			return env
		}
		select {
		case err := <-done:
			t.Fatalf("run ended before writing %s: %v", path, err)
		case <-deadline:
			t.Fatalf("no %s after 3 minutes", path)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// getReadyz checks the env file is enough for a client: CA file, URL and token.
func getReadyz(env map[string]string) error {
	caPEM, err := os.ReadFile(env["CA_CERT"])
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, err := http.NewRequest(http.MethodGet, env["APISERVER"]+"/readyz", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+env["TOKEN"])
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("readyz: %s", resp.Status)
	}
	return nil
}
