package deploy_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy"
)

func TestOptionsAreValidated(t *testing.T) {
	tests := []struct {
		name    string
		o       deploy.Options
		wantErr string
	}{
		{"an install without an image is refused", deploy.Options{}, "--image"},
		{"kube-system is refused", deploy.Options{Image: "x", Namespace: "kube-system"}, "kube-system"},
		{"an invalid namespace name is refused", deploy.Options{Image: "x", Namespace: "Kube Door"}, "--namespace"},
		{"a timeout over 5s is refused", deploy.Options{Image: "x", TimeoutSeconds: 10}, "--timeout-seconds"},
		{"a timeout too short for the webhook's deadline is refused", deploy.Options{Image: "x", TimeoutSeconds: 1}, "--timeout-seconds"},
		{"an unknown replicas-only mode is refused", deploy.Options{Image: "x", ReplicasOnlyUpdate: "revert"}, "--replicas-only-update"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := deploy.Write(io.Discard, tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func manifests(t *testing.T, o deploy.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := deploy.Write(&buf, o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func verifyServing(t *testing.T, caPEM, certPEM []byte, host string) {
	t.Helper()
	if err := testenv.VerifyServing(caPEM, certPEM, host); err != nil {
		t.Fatal(err)
	}
}
