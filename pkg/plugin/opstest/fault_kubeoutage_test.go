//go:build parts

package opstest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/faulthost"
)

// The fault suite (docs/reliability.md): the kube-apiserver stops while the backend runs and comes back on the
// same etcd. Meanwhile cluster health says the API does not answer, a write that needs the
// cluster (the enforcement switch) is a 503 naming the cluster and audited as failed, and a
// control-table write is stored but its publish fails; after the restart health, the switch and
// publishing work again in the same backend process.
func TestAKubeAPIServerStoppedAndRestartedIsReportedAndTheBackendRecoversWithoutARestart(t *testing.T) {
	ctx := t.Context()
	// A cluster of its own: stopping the package's would disturb its shared host.
	kube := faulthost.StartCluster(t, "kubedoor", "shop")
	dir := t.TempDir()
	logPath := filepath.Join(dir, "plugin.log")
	h := faultHost(t, filepath.Join(dir, "data"), "", "kubedoor", kube.Kubeconfig, logPath)

	// healthUntil polls the cluster's health until ok says it is as wanted.
	healthUntil := func(what string, ok func(health) bool) health {
		t.Helper()
		var hl health
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(300 * time.Millisecond) {
			hl = health{}
			if s := callOn(t, h, viewer, "GET", "v1/clusters/prod-a/health", nil, &hl); s == 200 && ok(hl) {
				return hl
			}
			if time.Now().After(deadline) {
				b, _ := os.ReadFile(logPath)
				t.Fatalf("health never showed %s within 60 s: %+v\n%s", what, hl, faulthost.Tail(b, 8000))
			}
		}
	}
	// addAndPublish adds shop/<workload> to the control table and waits for the publish the
	// write triggers (a run after runs).
	addAndPublish := func(workload string, runs int) health {
		t.Helper()
		if s := callOn(t, h, editor, "POST", "v1/control", map[string]any{"cluster": "prod-a", "namespace": "shop", "workload": workload,
			"replicas": map[string]any{"manual": 3}}, nil); s != 201 && s != 200 {
			t.Fatalf("adding shop/%s to the control table: %d", workload, s)
		}
		return healthUntil("a publish after the write of "+workload, func(hl health) bool { return hl.LastPublish != nil && hl.LastPublish.Runs > runs })
	}
	enforce := func(control string) (int, apiErr) {
		var e apiErr
		return callOn(t, h, admin, "PUT", "v1/clusters/prod-a/namespaces/shop/enforcement", map[string]any{"control": control}, &e), e
	}

	up := healthUntil("the cluster answering and published", func(hl health) bool { return hl.Kubernetes.OK && hl.LastPublish != nil })
	hl := addAndPublish("api", up.LastPublish.Runs)
	if hl.LastPublish.Error != "" {
		t.Fatalf("publishing before the outage: %+v", hl.LastPublish)
	}

	if err := kube.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	down := healthUntil("the cluster unreachable", func(hl health) bool { return !hl.Kubernetes.OK })
	if !strings.Contains(down.Kubernetes.Message, "the Kubernetes API d") {
		t.Fatalf("health while the API is down says %q, want that the Kubernetes API does not answer", down.Kubernetes.Message)
	}
	if s, e := enforce("observe"); s != 503 || e.Code != "unavailable" || !strings.Contains(e.Error, "cluster prod-a") {
		t.Fatalf("switching enforcement while the API is down: %d %+v, want 503 unavailable naming the cluster", s, e)
	}
	var log faultAudit
	callOn(t, h, viewer, "GET", "v1/audit?action=switch+namespace+enforcement&target=namespaces/shop", nil, &log)
	if log.Total != 1 || log.Items[0].Result != "failed" || log.Items[0].User != "ada" {
		t.Fatalf("audit of the refused switch: %+v, want one failed entry by ada", log)
	}
	failed := addAndPublish("web", down.LastPublish.Runs)
	if failed.LastPublish.Error == "" {
		t.Fatalf("a publish while the API is down reports no error: %+v", failed.LastPublish)
	}

	if err := kube.StartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	healthUntil("the cluster answering again", func(hl health) bool { return hl.Kubernetes.OK })
	if s, e := enforce("observe"); s != 200 {
		t.Fatalf("switching enforcement after the API came back: %d %+v", s, e)
	}
	if again := addAndPublish("cart", failed.LastPublish.Runs); again.LastPublish.Error != "" {
		t.Fatalf("publishing after the API came back: %+v", again.LastPublish)
	}
	list, err := kube.Dynamic.Resource(v1alpha1.GroupVersionResource).Namespace("shop").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(list.Items); n != 3 {
		t.Fatalf("%d CapacityPolicies in shop after the API came back, want the 3 rows' (the one written during the outage included)", n)
	}
}
