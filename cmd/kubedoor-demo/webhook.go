package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/kubedoor/kubedoor-grafana/webhook/certs"
)

type webhookProcess struct {
	cmd       *exec.Cmd
	mutateURL string
	caPEM     []byte
}

// startWebhook generates a fresh CA and serving certificate for 127.0.0.1, starts the webhook
// executable on free loopback ports, watching the demo cluster, and waits until it is ready.
func startWebhook(ctx context.Context, exe, dir, kubeconfig string) (*webhookProcess, error) {
	b, err := certs.Generate(certs.Request{IPs: []net.IP{net.ParseIP("127.0.0.1")}})
	if err != nil {
		return nil, err
	}
	if err := b.WriteFiles(dir); err != nil {
		return nil, err
	}
	adm, health := freeAddr(), freeAddr()
	logFile, err := os.Create(filepath.Join(dir, "webhook.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "serve", "--listen", adm, "--health-listen", health,
		"--tls-cert-file", filepath.Join(dir, "tls.crt"), "--tls-key-file", filepath.Join(dir, "tls.key"),
		"--kubeconfig", kubeconfig, "--cluster-name", "demo")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w (build it with `go tool mage webhook`)", exe, err)
	}
	w := &webhookProcess{cmd: cmd, mutateURL: "https://" + adm + "/mutate", caPEM: b.CACert}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + health + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return w, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			w.stop()
			return nil, fmt.Errorf("webhook not ready; see %s", logFile.Name())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (w *webhookProcess) stop() {
	if w.cmd.Process != nil {
		_ = w.cmd.Process.Kill()
		_, _ = w.cmd.Process.Wait()
	}
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:0"
	}
	defer ln.Close()
	return ln.Addr().String()
}
