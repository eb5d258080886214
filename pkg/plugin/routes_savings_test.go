//go:build parts

package plugin_test

// The recommendations route in process, on the embedded engine and the testbed kube-apiserver:
// "now" read live from a Deployment, prices edited by an Admin, parameters refused by name.

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/savings"
)

func TestRecommendationsRoute(t *testing.T) {
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
	// Live: api runs 3 pods of 400m / 256 MiB.
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
	// Ten days up to today: 3 pods of app at 0.1 cores and 64 MiB against 0.4 cores, 256 MiB.
	today := time.Now().UTC().Truncate(24 * time.Hour)
	for i := range 10 {
		d := today.AddDate(0, 0, -i)
		s := peaks.Sample{Cluster: "prod-a", Namespace: "shop", Workload: "api", Container: "app", Day: d,
			PodsMin: 3, PodsMax: 3, CPUMax: 0.1, MemMax: 64 << 20, CPURequest: 0.4, MemRequest: 256 << 20, Quantile: 0.95}
		if err := peaks.WriteDay(ctx, conn, "prod-a", d, []peaks.Sample{s}, d.Add(26*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	app := decideApp(t, ctx, conn, kubeconfig)
	viewer, editor := pluginhost.User{Login: "vic", Role: "Viewer"}, pluginhost.User{Login: "eddie", Role: "Editor"}
	admin := pluginhost.User{Login: "ada", Role: "Admin"}
	// The table runs api at 2 × 500m / 256 MiB; no recommendation yet.
	if status, body := app.call(t, editor, "POST", "v1/control",
		`{"cluster":"prod-a","namespace":"shop","workload":"api","replicas":{"manual":2},"containers":[{"name":"app","cpuRequestMillis":500,"cpuLimitMillis":-1,"memRequestMiB":256,"memLimitMiB":-1}]}`); status != 201 {
		t.Fatalf("adding the row: %d %s", status, body)
	}
	get := func(t *testing.T, path string) savings.Answer {
		t.Helper()
		status, body := app.call(t, viewer, "GET", path, "")
		var a savings.Answer
		if status != 200 || json.Unmarshal(body, &a) != nil {
			t.Fatalf("status %d: %s", status, body)
		}
		return a
	}
	t.Run("a viewer reads live now, the table's and the recommended cost at the default prices", func(t *testing.T) {
		a := get(t, "v1/clusters/prod-a/recommendations")
		if a.NowFrom != savings.NowLive || a.Currency != "USD" || a.Days != 30 || len(a.Items) != 1 {
			t.Fatalf("answer %+v", a)
		}
		it := a.Items[0]
		// now 3 × (0.4 core, 0.25 GiB); table and recommended 2 × (0.5 core, 0.25 GiB).
		now := (1.2*0.0316 + 0.75*0.0042) * 730
		table := (1.0*0.0316 + 0.5*0.0042) * 730
		// A row added by hand has no recommendation, and says why.
		if it.Replicas != (savings.Replicas{Now: 3, Table: 2, Recommended: 2, Reason: control.ReasonNoHistory}) || !money(it.Now.Monthly, now) ||
			!money(it.Table.Monthly, table) || !money(it.Recommended.Monthly, table) || !money(a.Totals.SavingsTable, now-table) {
			t.Errorf("item %+v totals %+v", it, a.Totals)
		}
		// At 2 replicas the worst pod's CPU is 0.1 × 3/2 = 0.15 of 0.5 cores; memory 64 of 256 MiB.
		if it.Score == nil || it.HistoryDays != 10 || it.Risk.Level != savings.RiskLow {
			t.Errorf("score %v days %d risk %+v: %s", it.Score, it.HistoryDays, it.Risk, it.ScoreReason)
		}
	})
	t.Run("prices an Admin saves price the answer", func(t *testing.T) {
		if status, body := app.call(t, admin, "PUT", "v1/clusters/prod-a/settings",
			`{"expectedVersion":0,"prices":{"currency":"EUR","cpuCoreHour":0.05,"memGiBHour":0}}`); status != 200 {
			t.Fatalf("saving prices: %d %s", status, body)
		}
		a := get(t, "v1/clusters/prod-a/recommendations?days=7&sort=score&limit=5&namespace=shop")
		if a.Currency != "EUR" || a.Days != 7 || len(a.Items) != 1 || !money(a.Items[0].Table.Monthly, 0.05*730) || a.Items[0].HistoryDays != 7 {
			t.Errorf("answer %+v", a)
		}
	})
	for _, tc := range []struct {
		name, user, path, body string
		status                 int
		field                  string
	}{
		{"negative prices are refused naming the field", "a", "v1/clusters/prod-a/settings",
			`{"expectedVersion":1,"prices":{"currency":"EUR","cpuCoreHour":-1,"memGiBHour":0}}`, 400, "prices.cpuCoreHour"},
		{"an editor may not change prices", "e", "v1/clusters/prod-a/settings",
			`{"expectedVersion":1,"prices":{"currency":"EUR","cpuCoreHour":1,"memGiBHour":0}}`, 403, ""},
		{"an unknown sort is refused naming it", "v", "v1/clusters/prod-a/recommendations?sort=cost", "", 400, "sort"},
		{"a zero limit is refused naming it", "v", "v1/clusters/prod-a/recommendations?limit=0", "", 400, "limit"},
		{"days that are no number are refused naming them", "v", "v1/clusters/prod-a/recommendations?days=a", "", 400, "days"},
		{"401 days are refused naming them", "v", "v1/clusters/prod-a/recommendations?days=401", "", 400, "days"},
		{"a namespace that is no DNS label is refused", "v", "v1/clusters/prod-a/recommendations?namespace=Shop", "", 400, "namespace"},
		{"an unknown cluster is 404", "v", "v1/clusters/nowhere/recommendations", "", 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, method := viewer, "GET"
			switch tc.user {
			case "a":
				u, method = admin, "PUT"
			case "e":
				u, method = editor, "PUT"
			}
			status, body := app.call(t, u, method, tc.path, tc.body)
			var e struct{ Field string }
			_ = json.Unmarshal(body, &e)
			if status != tc.status || e.Field != tc.field {
				t.Errorf("status %d field %q, want %d %q: %s", status, e.Field, tc.status, tc.field, body)
			}
		})
	}
}

func money(got, want float64) bool { return math.Abs(got-want) < 0.006 }
