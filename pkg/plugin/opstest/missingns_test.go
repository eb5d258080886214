//go:build parts

package opstest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/faulthost"
)

// A control-table row whose namespace does not exist in the cluster shows it on the
// row (its notes, in the list and the row's own answer), not only in the cluster's publish
// status; a row in a namespace that exists does not.
func TestARowWhoseNamespaceIsMissingSaysSoOnTheRow(t *testing.T) {
	// A cluster of its own with the CapacityPolicy CRD, so publishing gets as far as the namespace.
	kube := faulthost.StartCluster(t, "kubedoor", "shop")
	dir := t.TempDir()
	h := faultHost(t, filepath.Join(dir, "data"), "", "kubedoor", kube.Kubeconfig, filepath.Join(dir, "plugin.log"))
	for _, ns := range []string{"shop", "gone"} {
		if s := callOn(t, h, editor, "POST", "v1/control", map[string]any{"cluster": "prod-a", "namespace": ns, "workload": "api",
			"replicas": map[string]any{"manual": 2}}, nil); s != 201 {
			t.Fatalf("adding %s/api: %d", ns, s)
		}
	}
	type row struct {
		Namespace string
		Notes     []string
	}
	// says reports whether r's last note is the missing namespace's.
	says := func(r row) bool {
		return len(r.Notes) > 0 && strings.Contains(r.Notes[len(r.Notes)-1], "does not exist in the cluster")
	}
	var got row
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		if s := callOn(t, h, viewer, "GET", "v1/control/prod-a/gone/api", nil, &got); s != 200 {
			t.Fatalf("reading gone/api: %d", s)
		}
		if says(got) {
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "plugin.log"))
			t.Fatalf("gone/api shows no note 60 s after its write: %+v\n%s", got, faulthost.Tail(b, 8000))
		}
	}
	if last := got.Notes[len(got.Notes)-1]; !strings.HasPrefix(last, "namespace gone does not exist in the cluster (since ") ||
		!strings.Contains(last, "this row's policy is not published; tried again at") {
		t.Fatalf("gone/api notes %q, want the missing namespace with when it is tried again", got.Notes)
	}
	var list struct{ Items []row }
	if s := callOn(t, h, viewer, "GET", "v1/control?cluster=prod-a", nil, &list); s != 200 || len(list.Items) != 2 {
		t.Fatalf("list: %d %+v", s, list)
	}
	for _, r := range list.Items {
		if says(r) != (r.Namespace == "gone") {
			t.Fatalf("listed row %+v: only gone/api should show the missing namespace", r)
		}
	}
}
