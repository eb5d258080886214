//go:build parts

package enforce

// Against a real etcd + kube-apiserver with the CapacityPolicy CRD installed.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

var kube *testenv.Kube

const crdFile = "webhook/deploy/crd/kubedoor.io_capacitypolicies.yaml"

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	if testenv.Fuzzing() {
		return m.Run() // fuzz targets are pure: no apiserver in every fuzz worker
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var err error
	if kube, err = testenv.StartKube(ctx, testenv.KubeOptions{}); err != nil {
		fmt.Fprintf(os.Stderr, "enforce tests cannot start: %v\n", err)
		return 1
	}
	defer kube.Stop()
	if err := kube.InstallCRD(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "enforce tests cannot start: %v\n", err)
		return 1
	}
	return m.Run()
}

func newSwitch(t *testing.T) *Switch {
	t.Helper()
	meta, err := metadata.NewForConfig(kube.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	return New(kube.Clientset(), meta, "kubedoor")
}

var seq atomic.Int64

func namespace(t *testing.T, labels, annotations map[string]string) string {
	t.Helper()
	name := fmt.Sprintf("enf-%d", seq.Add(1))
	_, err := kube.Clientset().CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, Annotations: annotations},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return name
}

func deployment(t *testing.T, ns, name string) {
	t.Helper()
	labels := map[string]string{"app": name}
	_, err := kube.Clientset().AppsV1().Deployments(ns).Create(t.Context(), &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "example/app:1"}}},
			},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func policy(t *testing.T, ns, name string) {
	t.Helper()
	d, err := dynamic.NewForConfig(kube.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": v1alpha1.GroupVersion.String(), "kind": "CapacityPolicy",
		"metadata": map[string]any{"name": name, "namespace": ns}, "spec": map[string]any{"replicas": int64(1)},
	}}
	if _, err := d.Resource(v1alpha1.GroupVersionResource).Namespace(ns).Create(t.Context(), u, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func find(t *testing.T, items []Namespace, name string) Namespace {
	t.Helper()
	for _, n := range items {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("namespace %s not listed", name)
	return Namespace{}
}

func TestListReportsEachNamespacesSwitchAndCounts(t *testing.T) {
	enforced := namespace(t, map[string]string{v1alpha1.LabelControl: "enforce"}, map[string]string{v1alpha1.AnnotationUnknownWorkloads: "warn"})
	plain := namespace(t, nil, nil)
	odd := namespace(t, map[string]string{v1alpha1.LabelControl: "Enforce"}, map[string]string{v1alpha1.AnnotationUnknownWorkloads: "ask"})
	gitops := namespace(t, map[string]string{v1alpha1.LabelControl: "enforce", v1alpha1.LabelControlTarget: "pods"}, nil)
	oddTarget := namespace(t, map[string]string{v1alpha1.LabelControlTarget: "Pods"}, nil)
	deployment(t, enforced, "api")
	deployment(t, enforced, "web")
	deployment(t, plain, "batch")
	policy(t, enforced, "api")

	items, warnings, err := newSwitch(t).List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Fatalf("warnings %v", warnings)
	}
	tests := []struct {
		name string
		got  Namespace
		want Namespace
	}{
		{"an enforced namespace shows its mode and counts", find(t, items, enforced),
			Namespace{Name: enforced, Control: "enforce", Target: "template", UnknownWorkloads: "warn", Policies: 1, Workloads: 2}},
		{"an unlabelled namespace is not enforced and denies unknown workloads by default", find(t, items, plain),
			Namespace{Name: plain, Control: "", Target: "template", UnknownWorkloads: "deny", Policies: 0, Workloads: 1}},
		{"kube-system is protected", find(t, items, "kube-system"),
			Namespace{Name: "kube-system", Target: "template", UnknownWorkloads: "deny", Protected: true}},
		{"a namespace whose target is pods says so", find(t, items, gitops),
			Namespace{Name: gitops, Control: "enforce", Target: "pods", UnknownWorkloads: "deny"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.got
			g.Notes, g.rawControl, g.rawUnknown = nil, "", ""
			if fmt.Sprint(g) != fmt.Sprint(tt.want) {
				t.Fatalf("got %+v, want %+v", g, tt.want)
			}
		})
	}
	t.Run("values the webhook does not know are explained, as the webhook reads them", func(t *testing.T) {
		n := find(t, items, odd)
		if n.Control != "" || n.UnknownWorkloads != "deny" || len(n.Notes) != 2 ||
			!strings.Contains(n.Notes[0], `"Enforce" is neither enforce nor observe`) || !strings.Contains(n.Notes[1], `"ask" is not deny, warn or allow`) {
			t.Fatalf("got %+v", n)
		}
	})
	t.Run("an enforced namespace whose target is pods says replicas are not forced", func(t *testing.T) {
		if n := find(t, items, gitops); len(n.Notes) != 1 || !strings.Contains(n.Notes[0], "replicas are not forced") {
			t.Fatalf("got %+v", n)
		}
	})
	t.Run("a target the webhook does not know is the template, and explained", func(t *testing.T) {
		if n := find(t, items, oddTarget); n.Target != "template" || len(n.Notes) != 1 || !strings.Contains(n.Notes[0], `"Pods" is neither template nor pods`) {
			t.Fatalf("got %+v", n)
		}
	})
}

func str(s string) *string { return &s }

func TestSetSwitchesOnlyKubeDoorsLabelAndAnnotation(t *testing.T) {
	ctx := t.Context()
	sw := newSwitch(t)
	ns := namespace(t, map[string]string{"team": "shop"}, map[string]string{"owner": "ada"})
	deployment(t, ns, "api")

	before, after, err := sw.Set(ctx, ns, Change{Control: "enforce", UnknownWorkloads: str("warn")})
	if err != nil {
		t.Fatal(err)
	}
	if before.Control != "" || before.UnknownWorkloads != "deny" || after.Control != "enforce" || after.UnknownWorkloads != "warn" || after.Workloads != 1 {
		t.Fatalf("before %+v, after %+v", before, after)
	}
	got, err := kube.Clientset().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Labels[v1alpha1.LabelControl] != "enforce" || got.Annotations[v1alpha1.AnnotationUnknownWorkloads] != "warn" ||
		got.Labels["team"] != "shop" || got.Annotations["owner"] != "ada" {
		t.Fatalf("namespace metadata: labels %v, annotations %v", got.Labels, got.Annotations)
	}

	t.Run("the same switch again writes nothing", func(t *testing.T) {
		if _, _, err := sw.Set(ctx, ns, Change{Control: "enforce", UnknownWorkloads: str("warn")}); err != nil {
			t.Fatal(err)
		}
		again, _ := kube.Clientset().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if again.ResourceVersion != got.ResourceVersion {
			t.Fatal("a no-op switch changed the namespace")
		}
	})
	t.Run("switching off removes the label and keeps the annotation when it is not named", func(t *testing.T) {
		_, after, err := sw.Set(ctx, ns, Change{Control: ""})
		if err != nil {
			t.Fatal(err)
		}
		cur, _ := kube.Clientset().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if _, has := cur.Labels[v1alpha1.LabelControl]; has || cur.Annotations[v1alpha1.AnnotationUnknownWorkloads] != "warn" || after.Control != "" {
			t.Fatalf("labels %v, annotations %v", cur.Labels, cur.Annotations)
		}
	})
	t.Run("an empty unknown-workloads mode removes the annotation, back to deny", func(t *testing.T) {
		_, after, err := sw.Set(ctx, ns, Change{Control: "observe", UnknownWorkloads: str("")})
		if err != nil {
			t.Fatal(err)
		}
		cur, _ := kube.Clientset().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if _, has := cur.Annotations[v1alpha1.AnnotationUnknownWorkloads]; has || after.UnknownWorkloads != "deny" || after.Control != "observe" {
			t.Fatalf("annotations %v, after %+v", cur.Annotations, after)
		}
	})
}

func TestSetRefusesWhatMustNotBeSwitched(t *testing.T) {
	sw := newSwitch(t)
	kd := "kubedoor"
	if _, err := kube.Clientset().CoreV1().Namespaces().Create(t.Context(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: kd}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	plain := namespace(t, nil, nil)
	tests := []struct {
		name      string
		namespace string
		change    Change
		wantIs    error
		wantField string
		wantMsg   string
	}{
		{name: "kube-system cannot be enforced", namespace: "kube-system", change: Change{Control: "enforce"}, wantIs: ErrProtected, wantMsg: "kube-system cannot be switched to enforce"},
		{name: "the webhook's own namespace cannot be observed", namespace: kd, change: Change{Control: "observe"}, wantIs: ErrProtected, wantMsg: "its own Pods"},
		{name: "an unknown control mode names the field", namespace: plain, change: Change{Control: "on"}, wantField: "control"},
		{name: "an unknown unknown-workloads mode names the field", namespace: plain, change: Change{Control: "enforce", UnknownWorkloads: str("maybe")}, wantField: "unknownWorkloads"},
		{name: "a namespace that does not exist is not found", namespace: "no-such-ns", change: Change{Control: "enforce"}, wantIs: ErrNamespaceNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := sw.Set(t.Context(), tt.namespace, tt.change)
			if err == nil {
				t.Fatal("want an error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Fatalf("got %v, want %v", err, tt.wantIs)
			}
			if tt.wantField != "" {
				if fe, ok := refusal.AsFieldError(err); !ok || fe.Field != tt.wantField {
					t.Fatalf("got %v, want a field error on %s", err, tt.wantField)
				}
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("got %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
	t.Run("a protected namespace labelled by hand can still be switched off", func(t *testing.T) {
		ctx := t.Context()
		patch := []byte(`{"metadata":{"labels":{"kubedoor.io/control":"enforce"}}}`)
		if _, err := kube.Clientset().CoreV1().Namespaces().Patch(ctx, kd, "application/merge-patch+json", patch, metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		before, after, err := sw.Set(ctx, kd, Change{Control: ""})
		if err != nil {
			t.Fatal(err)
		}
		if before.Control != "enforce" || len(before.Notes) == 0 || after.Control != "" {
			t.Fatalf("before %+v, after %+v", before, after)
		}
	})
}

func TestAClusterWithoutTheCRDStillListsNamespacesWithAWarning(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	d, err := dynamic.NewForConfig(kube.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	crds := d.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	if err := crds.Delete(ctx, "capacitypolicies.kubedoor.io", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := kube.InstallCRD(context.WithoutCancel(t.Context())); err != nil {
			t.Fatalf("reinstalling the CRD: %v", err)
		}
	})
	sw := newSwitch(t)
	var warnings []string
	for ctx.Err() == nil {
		var items []Namespace
		items, warnings, err = sw.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(warnings) > 0 {
			if len(items) == 0 {
				t.Fatal("namespaces must still be listed")
			}
			break
		}
		time.Sleep(100 * time.Millisecond) // the apiserver stops serving the resource shortly after
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "kubectl apply -f "+crdFile) {
		t.Fatalf("warnings %v", warnings)
	}
}
