//go:build parts

package plugin_test

// The backtest and preview routes in process, on the embedded engine and a real
// kube-apiserver reached through a kubeconfig in secure data, as Grafana hands it over.

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	kdbackend "github.com/kubedoor/kubedoor-grafana/pkg/backend"
	"github.com/kubedoor/kubedoor-grafana/pkg/backtest"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/preview"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

func TestBacktestRoute(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	conn, err := storetest.OpenDir(ctx, filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	// Ten days of api up to today (UTC, the cluster's zone here): 3 pods at 0.3 cores with a
	// 0.5-core request, except 0.7 cores four days ago.
	today := time.Now().UTC().Truncate(24 * time.Hour)
	for i := range 10 {
		d := today.AddDate(0, 0, -i)
		s := peaks.Sample{Cluster: "prod-a", Namespace: "shop", Workload: "api", Container: "app", Day: d,
			PodsMin: 3, PodsMax: 3, CPUMax: 0.3, MemMax: 200 << 20, CPURequest: 0.5, CPULimit: 1, MemRequest: 256 << 20, MemLimit: 512 << 20, Quantile: 0.95}
		if i == 4 {
			s.CPUMax = 0.7
		}
		if err := peaks.WriteDay(ctx, conn, "prod-a", d, []peaks.Sample{s}, d.Add(26*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}

	app := decideApp(t, ctx, conn, nil)
	viewer, editor := pluginhost.User{Login: "vic", Role: "Viewer"}, pluginhost.User{Login: "eddie", Role: "Editor"}
	nobody := pluginhost.User{Login: "anon", Role: ""}

	if status, body := app.call(t, editor, "POST", "v1/control",
		`{"cluster":"prod-a","namespace":"shop","workload":"api","replicas":{"manual":2},"containers":[{"name":"app","cpuRequestMillis":500,"cpuLimitMillis":-1,"memRequestMiB":256,"memLimitMiB":-1}]}`); status != 201 {
		t.Fatalf("adding the row: %d %s", status, body)
	}

	t.Run("a viewer backtests the current row over the default 30 days", func(t *testing.T) {
		status, body := app.call(t, viewer, "POST", "v1/control/prod-a/shop/api/backtest", "")
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		var r backtest.Result
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		// The row runs 2 replicas: per pod 0.3 × 3/2 = 0.45 (under 0.5) and 0.7 × 3/2 = 1.05 on
		// the spike day (over the request and the stored 1-core limit).
		if r.Days != 30 || r.DaysWithData != 10 || r.OverRequestDays != 1 || r.ThrottleRiskDays != 1 || r.Proposal.Replicas != 2 {
			t.Errorf("got days %d/%d over %d throttle %d replicas %d: %s", r.Days, r.DaysWithData, r.OverRequestDays, r.ThrottleRiskDays, r.Proposal.Replicas, r.Summary)
		}
	})
	t.Run("a proposed row with more replicas is under the request every day", func(t *testing.T) {
		status, body := app.call(t, viewer, "POST", "v1/control/prod-a/shop/api/backtest",
			`{"days":7,"proposed":{"replicas":6,"containers":[{"name":"app","cpuRequestMillis":400,"cpuLimitMillis":-1,"memRequestMiB":-1,"memLimitMiB":-1}]}}`)
		var r backtest.Result
		if status != 200 || json.Unmarshal(body, &r) != nil {
			t.Fatalf("status %d: %s", status, body)
		}
		if r.Days != 7 || r.DaysWithData != 7 || r.OverRequestDays != 0 {
			t.Errorf("got days %d/%d over %d: %s", r.Days, r.DaysWithData, r.OverRequestDays, r.Summary)
		}
	})
	for _, tc := range []struct {
		name, user, path, body string
		status                 int
		field                  string
	}{
		{"zero days are refused naming the field", "v", "v1/control/prod-a/shop/api/backtest", `{"days":0}`, 400, "days"},
		{"401 days are refused naming the field", "v", "v1/control/prod-a/shop/api/backtest", `{"days":401}`, 400, "days"},
		{"zero proposed replicas are refused naming the field", "v", "v1/control/prod-a/shop/api/backtest", `{"proposed":{"replicas":0,"containers":[]}}`, 400, "proposed.replicas"},
		{"an unknown cluster is 404", "v", "v1/control/nowhere/shop/api/backtest", ``, 404, ""},
		{"a workload outside the table without a proposal is 404", "v", "v1/control/prod-a/shop/web/backtest", ``, 404, ""},
		{"a caller without a role is refused", "n", "v1/control/prod-a/shop/api/backtest", ``, 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := viewer
			if tc.user == "n" {
				u = nobody
			}
			status, body := app.call(t, u, "POST", tc.path, tc.body)
			var e struct{ Field string }
			_ = json.Unmarshal(body, &e)
			if status != tc.status || e.Field != tc.field {
				t.Errorf("status %d field %q, want %d %q: %s", status, e.Field, tc.status, tc.field, body)
			}
		})
	}
	t.Run("a preview of a cluster without Kubernetes access is refused and says why", func(t *testing.T) {
		status, body := app.call(t, viewer, "GET", "v1/clusters/prod-a/preview?namespace=shop", "")
		if status != 400 || !strings.Contains(string(body), "no Kubernetes access") {
			t.Errorf("status %d: %s", status, body)
		}
	})
}

// decideApp builds the app in process on conn, with cluster prod-a reached through kubeconfig
// (nil: no Kubernetes access).
func decideApp(t *testing.T, ctx context.Context, conn store.Conn, kubeconfig []byte) inProcess {
	t.Helper()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := service.New(log, func(context.Context, settings.App) (store.Conn, int, error) { return conn, 2, nil }, "test")
	cluster := `{"name":"prod-a","prometheusUrl":"http://127.0.0.1:1"}`
	secure := map[string]string{}
	if kubeconfig != nil {
		cluster = `{"name":"prod-a","prometheusUrl":"http://127.0.0.1:1","kubeAccess":"kubeconfig"}`
		secure["clusters.prod-a.kubeconfig"] = string(kubeconfig)
	}
	factory, err := kdbackend.Assemble(svc, log, time.Now()).InstanceFactory()
	if err != nil {
		t.Fatal(err)
	}
	inst, err := factory(ctx, backend.AppInstanceSettings{
		JSONData:                []byte(`{"storage":{"mode":"embedded"},"clusters":[` + cluster + `]}`),
		DecryptedSecureJSONData: secure,
	})
	if err != nil {
		t.Fatal(err)
	}
	return inProcess{inst.(backend.CallResourceHandler)}
}

func TestPreviewRoute(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	k, err := testenv.StartKube(ctx, testenv.KubeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Stop() })
	cs := k.Clientset()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	three := int32(3)
	dep := appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop"}, Spec: appsv1.DeploymentSpec{
		Replicas: &three, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "api"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "img", Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("400m"), corev1.ResourceMemory: resource.MustParse("256Mi")}}}}}}}}
	if _, err := cs.AppsV1().Deployments("shop").Create(ctx, &dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kubeconfig, err := os.ReadFile(k.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}

	conn, err := storetest.OpenDir(ctx, filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	app := decideApp(t, ctx, conn, kubeconfig)
	viewer, editor := pluginhost.User{Login: "vic", Role: "Viewer"}, pluginhost.User{Login: "eddie", Role: "Editor"}
	if status, body := app.call(t, editor, "POST", "v1/control",
		`{"cluster":"prod-a","namespace":"shop","workload":"api","replicas":{"manual":2},"containers":[{"name":"app","cpuRequestMillis":500,"cpuLimitMillis":-1,"memRequestMiB":256,"memLimitMiB":-1}]}`); status != 201 {
		t.Fatalf("adding the row: %d %s", status, body)
	}
	t.Run("a viewer previews enforcing shop: api scales down from 3 to 2", func(t *testing.T) {
		status, body := app.call(t, viewer, "GET", "v1/clusters/prod-a/preview?namespace=shop", "")
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		var p preview.Cluster
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Namespaces) != 1 || len(p.Namespaces[0].Workloads) != 1 {
			t.Fatalf("got %s", body)
		}
		w := p.Namespaces[0].Workloads[0]
		// 3 × 400m → 2 × 500m; 3 × 256 MiB → 2 × 256 MiB.
		if w.Direction != preview.DirectionScaleDown || w.Replicas != (preview.Amount{Live: 3, Target: 2, Delta: -1}) ||
			w.CPURequestMillis != (preview.Amount{Live: 1200, Target: 1000, Delta: -200}) || w.MemRequestMiB != (preview.Amount{Live: 768, Target: 512, Delta: -256}) {
			t.Errorf("api %+v", w)
		}
		if p.Totals.ScaleDown != 1 || p.Totals.Workloads != 1 {
			t.Errorf("totals %+v", p.Totals)
		}
	})
	for _, tc := range []struct {
		name, path string
		status     int
	}{
		{"a namespace that is no DNS label is refused", "v1/clusters/prod-a/preview?namespace=Bad_Name", 400},
		{"a namespace the cluster lacks is 404", "v1/clusters/prod-a/preview?namespace=nowhere", 404},
		{"an unknown cluster is 404", "v1/clusters/nowhere/preview", 404},
		{"the whole cluster is previewed without a namespace", "v1/clusters/prod-a/preview", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := app.call(t, viewer, "GET", tc.path, "")
			if status != tc.status {
				t.Errorf("status %d, want %d: %s", status, tc.status, body)
			}
			if tc.status == 200 {
				var p preview.Cluster
				if err := json.Unmarshal(body, &p); err != nil || fmt.Sprint(len(p.Namespaces)) != "1" || p.Namespaces[0].Name != "shop" {
					t.Errorf("cluster preview %s, want shop only (default runs nothing, kube-system is protected)", body)
				}
			}
		})
	}
}
