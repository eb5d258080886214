//go:build parts

package plugin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/nodes"
)

// The node view runs in the plugin executable (so through pkg/backend's wiring) against a real
// control plane: the Deployment and DaemonSet controllers make the ReplicaSet and the pods, the
// scheduler places them and kwok runs them, so owners are resolved on objects Kubernetes made.
func TestNodeViewThroughThePlugin(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	opts := testenv.FullCluster(1)
	opts.NodeCapacity = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"),
		corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110")}
	k, err := testenv.StartKube(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Stop() })
	cs := k.Clientset()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	requests := func(cpu, mem string) corev1.ResourceRequirements {
		return corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)}}
	}
	template := func(app, cpu, mem string) corev1.PodTemplateSpec {
		return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "example/app:1", Resources: requests(cpu, mem)}}}}
	}
	for _, ns := range []string{"shop", "kube-system"} {
		if err := testenv.WaitServiceAccount(ctx, cs, ns, "default"); err != nil {
			t.Fatal(err)
		}
	}
	one := int32(1)
	if _, err := cs.AppsV1().Deployments("shop").Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "api"},
		Spec: appsv1.DeploymentSpec{Replicas: &one, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}},
			Template: template("api", "500m", "1Gi")}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.AppsV1().DaemonSets("kube-system").Create(ctx, &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent"},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: template("agent", "100m", "128Mi")}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := testenv.WaitPodsReady(ctx, cs, "shop", "app=api", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := testenv.WaitPodsReady(ctx, cs, "kube-system", "app=agent", 1); err != nil {
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
			{"name": "nodes", "prometheusUrl": "http://127.0.0.1:1", "kubeAccess": "kubeconfig"},
		},
	})
	host.SetSettings(settings, map[string]string{"clusters.nodes.kubeconfig": string(kubeconfig)})
	t.Cleanup(func() { host.SetSettings(settingsJSON(promURL), nil) })

	editor := pluginhost.User{Login: fmt.Sprint("ed-", time.Now().UnixNano()), Role: "Editor"}
	res, err := host.Call(ctx, editor, "POST", "v1/control", []byte(`{"cluster":"nodes","namespace":"shop","workload":"api","replicas":{"manual":1},
		"containers":[{"name":"app","cpuRequestMillis":200,"cpuLimitMillis":-1,"memRequestMiB":512,"memLimitMiB":-1}]}`))
	if err != nil || res.Status != 201 && res.Status != 200 {
		t.Fatalf("adding the control row: %v %d %s", err, res.Status, res.Body)
	}

	t.Run("a viewer reads requested, table and fragmentation worked out by hand", func(t *testing.T) {
		res, err := host.Call(ctx, viewer, "GET", "v1/clusters/nodes/nodes", nil)
		if err != nil || res.Status != 200 {
			t.Fatalf("%v %d %s", err, res.Status, res.Body)
		}
		var v nodes.View
		if err := json.Unmarshal(res.Body, &v); err != nil {
			t.Fatal(err)
		}
		if len(v.Nodes) != 1 {
			t.Fatalf("nodes %+v", v.Nodes)
		}
		const mi = 1 << 20
		n := v.Nodes[0]
		want := struct{ alloc, req, table nodes.Resources }{
			nodes.Resources{CPUMillis: 4000, MemBytes: 8192 * mi},
			nodes.Resources{CPUMillis: 600, MemBytes: 1152 * mi}, // api 500m/1Gi + agent 100m/128Mi
			nodes.Resources{CPUMillis: 300, MemBytes: 640 * mi},  // api at the table's 200m/512Mi
		}
		if n.Allocatable != want.alloc || n.Requested != want.req || n.Table != want.table || n.Pods != 2 || n.DaemonSetPods != 1 || n.ControlledPods != 1 {
			t.Fatalf("node %+v, want %+v", n, want)
		}
		// Typical pod 200m/512Mi (api, the only pod that is not a DaemonSet's). Free now 3400m/7040Mi:
		// 13 fit (memory), 800m/384Mi stranded. Under the table 3700m/7552Mi: 14 fit, 900m/384Mi.
		if v.TypicalPod != (nodes.Resources{CPUMillis: 200, MemBytes: 512 * mi}) ||
			v.Fragmentation != (nodes.Fragmentation{Free: nodes.Resources{CPUMillis: 3400, MemBytes: 7040 * mi}, Stranded: nodes.Resources{CPUMillis: 800, MemBytes: 384 * mi}, TypicalPodsFit: 13}) ||
			v.FragmentationTable != (nodes.Fragmentation{Free: nodes.Resources{CPUMillis: 3700, MemBytes: 7552 * mi}, Stranded: nodes.Resources{CPUMillis: 900, MemBytes: 384 * mi}, TypicalPodsFit: 14}) {
			t.Fatalf("typical %+v, fragmentation %+v / %+v", v.TypicalPod, v.Fragmentation, v.FragmentationTable)
		}
		// One node: its api pod has nowhere to go; the DaemonSet's pod needs no room.
		if n.Drain != (nodes.Drain{Possible: true, MovablePods: 1, UnplacedNow: 1, UnplacedTable: 1}) || len(v.Drainable) != 0 {
			t.Fatalf("drain %+v, drainable %v", n.Drain, v.Drainable)
		}
	})

	for _, tt := range []struct {
		name, path string
		status     int
		says       string
	}{
		{"days out of range is refused", "v1/clusters/nodes/nodes?days=0", 400, "days"},
		{"days that is not a number is refused", "v1/clusters/nodes/nodes?days=ten", 400, "days"},
		{"an unknown cluster is not found", "v1/clusters/nope/nodes", 404, "nope"},
		{"a cluster without Kubernetes access is refused", "v1/clusters/peaks/nodes", 400, "no Kubernetes access"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := host.Call(ctx, viewer, "GET", tt.path, nil)
			if err != nil || res.Status != tt.status || !strings.Contains(string(res.Body), tt.says) {
				t.Fatalf("%v %d %s", err, res.Status, res.Body)
			}
		})
	}
	t.Run("writing is not a route", func(t *testing.T) {
		res, err := host.Call(ctx, editor, "POST", "v1/clusters/nodes/nodes", []byte(`{}`))
		if err != nil || res.Status != 405 {
			t.Fatalf("%v %d %s", err, res.Status, res.Body)
		}
	})
}
