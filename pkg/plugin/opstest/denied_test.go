//go:build parts

package opstest

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/webhook/denials"
)

// A refusal the webhook records in the cluster reaches the channels subscribed to "denied"
// through the backend: webhook Event → the backend's watch → notification.
func TestAWebhookDenialIsNotified(t *testing.T) {
	// Grafana hands the settings (and the kubeconfig) over with the first call.
	if s := call(t, viewer, "GET", "v1/status", nil, nil); s != 200 {
		t.Fatalf("status %d", s)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cs := env.kube.Clientset()
	ns := "denied-" + time.Now().Format("150405")
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rec := denials.New(ctx, cs, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer rec.Stop()
	// The backend's watch may still be listing when the first refusal lands (an Event that
	// already exists is not news); each repeat raises the Event's count, which is.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		rec.Denied(ns, "stranger", "CREATE", "kubedoor: Deployment prod-a/"+ns+"/stranger is not in the KubeDoor control table")
		for wait := time.Now().Add(time.Second); time.Now().Before(wait); time.Sleep(100 * time.Millisecond) {
			if body, ok := env.hook.find(`"kind":"denied"`, ns+"/stranger"); ok {
				if !strings.Contains(body, "CREATE refused") || !strings.Contains(body, `"cluster":"prod-a"`) {
					t.Fatalf("denied notification %s", body)
				}
				return
			}
		}
	}
	t.Fatal("no denied notification arrived within 30s")
}
