//go:build parts

package plugin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/publish"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
	"github.com/kubedoor/kubedoor-grafana/webhook/report"
)

type namespaceItem struct {
	Name             string   `json:"name"`
	Control          string   `json:"control"`
	UnknownWorkloads string   `json:"unknownWorkloads"`
	Policies         int      `json:"policies"`
	Workloads        int      `json:"workloads"`
	Protected        bool     `json:"protected"`
	Notes            []string `json:"notes"`
}

// The enforcement routes run in the plugin executable against a real kube-apiserver that the
// app settings reach through a kubeconfig kept in secure data, as Grafana hands it over.
func TestEnforcementRoutesThroughThePlugin(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	k, err := testenv.StartKube(ctx, testenv.KubeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Stop() })
	crdClient, err := dynamic.NewForConfig(k.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := crd.Install(ctx, crdClient); err != nil {
		t.Fatal(err)
	}
	cs := k.Clientset()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"app": "api"}
	if _, err := cs.AppsV1().Deployments("shop").Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "api"},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "example/app:1"}}},
		}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kubeconfig, err := os.ReadFile(k.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	settings, _ := json.Marshal(map[string]any{
		"storage": map[string]string{"mode": "embedded"},
		"clusters": []map[string]string{
			{"name": "peaks", "prometheusUrl": promURL},
			// No Prometheus for prod: a daily collection caught up at start (a run after the day's
			// collection time) would otherwise put the synthetic shop/api into prod's table,
			// which the subtests below rely on not holding it.
			{"name": "prod", "prometheusUrl": "http://127.0.0.1:1", "kubeAccess": "kubeconfig"},
		},
	})
	host.SetSettings(settings, map[string]string{"clusters.prod.kubeconfig": string(kubeconfig)})
	t.Cleanup(func() { host.SetSettings(settingsJSON(promURL), nil) })

	run := fmt.Sprint(time.Now().UnixNano())
	admin := pluginhost.User{Login: "ada-" + run, Role: "Admin"}
	editor := pluginhost.User{Login: "ed-" + run, Role: "Editor"}
	call := func(t *testing.T, u pluginhost.User, method, path, body string) (int, []byte) {
		t.Helper()
		var b []byte
		if body != "" {
			b = []byte(body)
		}
		res, err := host.Call(t.Context(), u, method, path, b)
		if err != nil {
			t.Fatal(err)
		}
		return res.Status, res.Body
	}
	label := func(t *testing.T, ns string) string {
		t.Helper()
		n, err := cs.CoreV1().Namespaces().Get(t.Context(), ns, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return n.Labels[v1alpha1.LabelControl]
	}

	t.Run("a viewer lists the namespaces with their switch and counts", func(t *testing.T) {
		status, body := call(t, viewer, "GET", "v1/clusters/prod/namespaces", "")
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		var list struct{ Items []namespaceItem }
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatal(err)
		}
		found := map[string]namespaceItem{}
		for _, it := range list.Items {
			found[it.Name] = it
		}
		if shop := found["shop"]; shop.Control != "" || shop.UnknownWorkloads != "deny" || shop.Workloads != 1 || shop.Policies != 0 || shop.Protected {
			t.Fatalf("shop: %+v", shop)
		}
		if !found["kube-system"].Protected {
			t.Fatalf("kube-system must be marked protected: %+v", found["kube-system"])
		}
	})

	t.Run("an admin switches a namespace to enforce, and it is audited with before and after", func(t *testing.T) {
		status, body := call(t, admin, "PUT", "v1/clusters/prod/namespaces/shop/enforcement", `{"control":"enforce","unknownWorkloads":"warn"}`)
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		var item namespaceItem
		if err := json.Unmarshal(body, &item); err != nil || item.Control != "enforce" || item.UnknownWorkloads != "warn" || item.Workloads != 1 {
			t.Fatalf("answer %s (%v)", body, err)
		}
		if got := label(t, "shop"); got != "enforce" {
			t.Fatalf("namespace label %q", got)
		}
		e := onlyAuditEntry(t, admin.Login, "")
		var before, after namespaceItem
		_ = json.Unmarshal(e.Before, &before)
		_ = json.Unmarshal(e.After, &after)
		if e.Action != "switch namespace enforcement" || e.Cluster != "prod" || e.Target != "namespaces/shop" || e.Result != "ok" ||
			before.Control != "" || after.Control != "enforce" || after.UnknownWorkloads != "warn" {
			t.Fatalf("audit entry %+v (before %+v, after %+v)", e, before, after)
		}
	})

	t.Run("an editor is refused with 403, the namespace is unchanged and the refusal is audited", func(t *testing.T) {
		status, body := call(t, editor, "PUT", "v1/clusters/prod/namespaces/shop/enforcement", `{"control":""}`)
		if status != 403 || !strings.Contains(string(body), "switch namespace enforcement requires the Admin role") {
			t.Fatalf("status %d: %s", status, body)
		}
		if got := label(t, "shop"); got != "enforce" {
			t.Fatalf("namespace label %q after a refused call", got)
		}
		e := onlyAuditEntry(t, editor.Login, "denied")
		if e.Action != "switch namespace enforcement" || e.Role != "Editor" || e.Target != "/v1/clusters/prod/namespaces/shop/enforcement" {
			t.Fatalf("audit entry %+v", e)
		}
	})

	tests := []struct {
		name       string
		path, body string
		wantStatus int
		wantField  string
		wantMsg    string
	}{
		{"kube-system is refused naming the namespace", "v1/clusters/prod/namespaces/kube-system/enforcement", `{"control":"enforce"}`, 400, "namespace", "kube-system cannot be switched to enforce"},
		{"the webhook's own namespace is refused", "v1/clusters/prod/namespaces/kubedoor/enforcement", `{"control":"observe"}`, 400, "namespace", "kubedoor cannot be switched to observe"},
		{"an unknown control mode names the field", "v1/clusters/prod/namespaces/shop/enforcement", `{"control":"on"}`, 400, "control", `got "on"`},
		{"a missing control names the field", "v1/clusters/prod/namespaces/shop/enforcement", `{}`, 400, "control", "is required"},
		{"an unknown field is refused", "v1/clusters/prod/namespaces/shop/enforcement", `{"control":"","mode":"x"}`, 400, "mode", `unknown field "mode"`},
		{"a namespace that does not exist is 404", "v1/clusters/prod/namespaces/nope/enforcement", `{"control":"enforce"}`, 404, "", "namespace not found: nope"},
		{"an unknown cluster is 404", "v1/clusters/elsewhere/namespaces/shop/enforcement", `{"control":"enforce"}`, 404, "", `no cluster named "elsewhere"`},
		{"a cluster without Kubernetes access says so", "v1/clusters/peaks/namespaces/shop/enforcement", `{"control":"enforce"}`, 400, "", "cluster peaks has no Kubernetes access configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := call(t, admin, "PUT", tt.path, tt.body)
			var e struct{ Error, Code, Field string }
			_ = json.Unmarshal(body, &e)
			if status != tt.wantStatus || e.Field != tt.wantField || !strings.Contains(e.Error, tt.wantMsg) {
				t.Fatalf("status %d: %s; want %d, field %q, message containing %q", status, body, tt.wantStatus, tt.wantField, tt.wantMsg)
			}
		})
	}
	t.Run("a refused switch of a protected namespace is audited as failed", func(t *testing.T) {
		res, err := host.Call(t.Context(), viewer, "GET", "v1/audit?"+url.Values{
			"user": {admin.Login}, "result": {"failed"}, "target": {"namespaces/kube-system"}}.Encode(), nil)
		if err != nil || res.Status != 200 {
			t.Fatalf("%v %s", err, res.Body)
		}
		var list struct{ Total int }
		_ = json.Unmarshal(res.Body, &list)
		if list.Total != 1 {
			t.Fatalf("want one failed entry for kube-system: %s", res.Body)
		}
	})
	t.Run("a viewer reads a workload's policy as the cluster holds it, with the webhook's last decision", func(t *testing.T) {
		// Written by hand, without the managed-by label, so this plugin's own publisher (whose
		// control table has no shop/api) leaves it alone.
		pol := publish.FromControl("prod", "shop", "api", 7, 3, nil)
		obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&v1alpha1.CapacityPolicy{
			TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "CapacityPolicy"},
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api"}, Spec: pol.Spec})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := crdClient.Resource(v1alpha1.GroupVersionResource).Namespace("shop").Create(ctx, &unstructured.Unstructured{Object: obj}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		patch, _ := report.StatusPatch(v1alpha1.Decision{Time: metav1.Now(), Operation: "UPDATE scale", Result: "patched", Reason: "policy: replicas 9 -> 3"})
		if _, err := crdClient.Resource(v1alpha1.GroupVersionResource).Namespace("shop").Patch(ctx, "api", types.MergePatchType, patch, metav1.PatchOptions{}, "status"); err != nil {
			t.Fatal(err)
		}
		status, body := call(t, viewer, "GET", "v1/control/prod/shop/api/policy", "")
		var p struct {
			Managed bool
			Spec    struct {
				Replicas      *int32
				SourceVersion int64
			}
			Status struct {
				LastDecision struct{ Operation, Result, Reason string }
			}
		}
		if err := json.Unmarshal(body, &p); status != 200 || err != nil {
			t.Fatalf("status %d: %s (%v)", status, body, err)
		}
		if p.Managed || p.Spec.Replicas == nil || *p.Spec.Replicas != 3 || p.Spec.SourceVersion != 7 ||
			p.Status.LastDecision.Result != "patched" || p.Status.LastDecision.Operation != "UPDATE scale" {
			t.Fatalf("policy %s", body)
		}
		if status, body := call(t, viewer, "GET", "v1/control/prod/shop/nope/policy", ""); status != 404 || !strings.Contains(string(body), "not published yet") {
			t.Fatalf("a workload without a policy: %d %s", status, body)
		}
		if status, body := call(t, viewer, "GET", "v1/control/peaks/shop/api/policy", ""); status != 400 || !strings.Contains(string(body), "no Kubernetes access") {
			t.Fatalf("a cluster without Kubernetes access: %d %s", status, body)
		}
	})
	t.Run("a viewer previews enforcing a namespace through the plugin, read from the live cluster", func(t *testing.T) {
		// prod's table holds no row for shop/api, so enforcing shop would meet it as unknown, and
		// the rule the admin set above (warn) decides its next rollout.
		status, body := call(t, viewer, "GET", "v1/clusters/prod/preview?namespace=shop", "")
		var p struct {
			Cluster    string
			Namespaces []struct {
				Name, Control, UnknownWorkloads string
				Workloads                       []struct{ Name, Status, Outcome string }
				Totals                          struct{ Workloads, Unknown, WouldDeny int }
			}
		}
		if err := json.Unmarshal(body, &p); status != 200 || err != nil {
			t.Fatalf("status %d: %s (%v)", status, body, err)
		}
		if len(p.Namespaces) != 1 {
			t.Fatalf("want one namespace: %s", body)
		}
		ns := p.Namespaces[0]
		if p.Cluster != "prod" || ns.Name != "shop" || ns.Control != "enforce" || ns.UnknownWorkloads != "warn" ||
			len(ns.Workloads) != 1 || ns.Workloads[0].Name != "api" || ns.Workloads[0].Status != "unknown" || ns.Workloads[0].Outcome != "warned" ||
			ns.Totals.Workloads != 1 || ns.Totals.Unknown != 1 || ns.Totals.WouldDeny != 0 {
			t.Fatalf("preview %s", body)
		}
		for _, tt := range []struct {
			path   string
			status int
			msg    string
		}{
			{"v1/clusters/prod/preview?namespace=nope", 404, "namespace not found: nope"},
			{"v1/clusters/elsewhere/preview", 404, "no cluster named"},
			{"v1/clusters/peaks/preview", 400, "no Kubernetes access"},
		} {
			if status, body := call(t, viewer, "GET", tt.path, ""); status != tt.status || !strings.Contains(string(body), tt.msg) {
				t.Errorf("%s: %d %s; want %d containing %q", tt.path, status, body, tt.status, tt.msg)
			}
		}
	})
	t.Run("listing the namespaces of an unknown cluster is 404", func(t *testing.T) {
		if status, body := call(t, viewer, "GET", "v1/clusters/elsewhere/namespaces", ""); status != 404 {
			t.Fatalf("status %d: %s", status, body)
		}
	})
}

type auditRecord struct {
	User, Role, Action, Cluster, Target, Result, Error string
	Before, After                                      json.RawMessage
}

// onlyAuditEntry returns the single audit entry of user (with result, when set).
func onlyAuditEntry(t *testing.T, user, result string) auditRecord {
	t.Helper()
	q := url.Values{"user": {user}}
	if result != "" {
		q.Set("result", result)
	}
	res, err := host.Call(t.Context(), viewer, "GET", "v1/audit?"+q.Encode(), nil)
	if err != nil || res.Status != 200 {
		t.Fatalf("audit list: %v %s", err, res.Body)
	}
	var list struct {
		Items []auditRecord
		Total int
	}
	if err := json.Unmarshal(res.Body, &list); err != nil {
		t.Fatal(err)
	}
	if list.Total != 1 {
		t.Fatalf("want one audit entry for %s, got %s", user, res.Body)
	}
	return list.Items[0]
}
