//go:build parts

package plugin_test

// The GitOps route in process, on the embedded engine and a real kube-apiserver reached
// through a kubeconfig in secure data (decideApp), as Grafana hands it over.

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/gitops"
)

func TestGitopsRoute(t *testing.T) {
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
	// The app container comes second in the pod template: Flux must point at index 1.
	labels := map[string]string{"app": "api"}
	if _, err := cs.AppsV1().Deployments("shop").Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "api"},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "proxy", Image: "proxy:1"}, {Name: "app", Image: "app:1"}}},
		}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// An HPA scales api: the live read drops its replicas rule even though no collection saw it.
	if _, err := cs.AutoscalingV2().HorizontalPodAutoscalers("shop").Create(ctx, &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "api"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MaxReplicas: 5,
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "api"}},
	}, metav1.CreateOptions{}); err != nil {
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
	for _, row := range []string{
		`{"cluster":"prod-a","namespace":"shop","workload":"api","replicas":{"manual":2},"containers":[{"name":"app","cpuRequestMillis":500,"cpuLimitMillis":-1,"memRequestMiB":256,"memLimitMiB":-1}]}`,
		`{"cluster":"prod-a","namespace":"shop","workload":"web","replicas":{"manual":1},"containers":[{"name":"app","cpuRequestMillis":100,"cpuLimitMillis":-1,"memRequestMiB":-1,"memLimitMiB":-1}]}`,
	} {
		if status, body := app.call(t, editor, "POST", "v1/control", row); status != 201 {
			t.Fatalf("adding a row: %d %s", status, body)
		}
	}

	t.Run("a viewer reads both blocks; Flux points at the live container's position and the live HPA owns api's replicas", func(t *testing.T) {
		status, body := app.call(t, viewer, "GET", "v1/clusters/prod-a/gitops", "")
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		var res gitops.Result
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		wantArgo := []gitops.ArgoIgnore{
			{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api", JQPathExpressions: []string{`.spec.template.spec.containers[] | select(.name == "app") | .resources`}},
			{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "web", JQPathExpressions: []string{".spec.replicas", `.spec.template.spec.containers[] | select(.name == "app") | .resources`}},
		}
		if !reflect.DeepEqual(res.ArgoCD.IgnoreDifferences, wantArgo) || !reflect.DeepEqual(res.ArgoCD.SyncOptions, []string{"RespectIgnoreDifferences=true"}) {
			t.Errorf("Argo CD %+v", res.ArgoCD)
		}
		wantFlux := []gitops.FluxRule{
			{Paths: []string{"/spec/template/spec/containers/1/resources"}, Target: gitops.FluxTarget{Group: "apps", Kind: "Deployment", Namespace: "^shop$", Name: "^api$"}},
			{Paths: []string{"/spec/replicas"}, Target: gitops.FluxTarget{Group: "apps", Kind: "Deployment", Namespace: "^shop$", Name: "^web$"}},
		}
		if !reflect.DeepEqual(res.Flux.DriftIgnoreRules, wantFlux) {
			t.Errorf("Flux %+v", res.Flux.DriftIgnoreRules)
		}
		if want := []string{"shop/web: the cluster has no such Deployment; Flux has no rule for the resources of container app"}; !reflect.DeepEqual(res.Notes, want) {
			t.Errorf("notes %q, want %q", res.Notes, want)
		}
		if !strings.Contains(res.ArgoCD.YAML, "- RespectIgnoreDifferences=true") || !strings.Contains(res.Flux.YAML, "/spec/template/spec/containers/1/resources") || res.Workloads != 2 {
			t.Errorf("YAML or count: %s", body)
		}
	})

	t.Run("an unknown cluster is 404", func(t *testing.T) {
		if status, body := app.call(t, viewer, "GET", "v1/clusters/nowhere/gitops", ""); status != 404 || !strings.Contains(string(body), `"not_found"`) {
			t.Errorf("status %d: %s", status, body)
		}
	})

	t.Run("a user without a role is refused", func(t *testing.T) {
		if status, body := app.call(t, pluginhost.User{Login: "nobody", Role: "None"}, "GET", "v1/clusters/prod-a/gitops", ""); status != 403 || !strings.Contains(string(body), "read the GitOps configuration requires the Viewer role") {
			t.Errorf("status %d: %s", status, body)
		}
	})

	t.Run("without Kubernetes access the Argo CD block still comes from the table (no live HPA: api keeps its replicas rule), and a note says why Flux has less", func(t *testing.T) {
		status, body := decideApp(t, ctx, conn, nil).call(t, viewer, "GET", "v1/clusters/prod-a/gitops", "")
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		var res gitops.Result
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		if len(res.ArgoCD.IgnoreDifferences) != 2 || res.ArgoCD.IgnoreDifferences[0].JQPathExpressions[0] != ".spec.replicas" ||
			len(res.Flux.DriftIgnoreRules) != 2 || !reflect.DeepEqual(res.Flux.DriftIgnoreRules[0].Paths, []string{"/spec/replicas"}) ||
			len(res.Notes) != 3 || !strings.Contains(res.Notes[0], "cluster prod-a has no Kubernetes access configured") {
			t.Errorf("answer %s", body)
		}
	})
}
