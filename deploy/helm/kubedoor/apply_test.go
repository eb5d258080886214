//go:build parts

package kubedoor_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"

	"github.com/kubedoor/kubedoor-grafana/deploy/helm/kubedoor"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

// The default render server-side-applies to a real kube-apiserver (etcd + apiserver only) and
// every object reads back. Nothing runs the webhook's pods here (no kubelet; the testbed's kwok
// would fake Running without running a container), so this proves the objects are valid and
// fit together, not that the webhook serves. cert-manager mode needs cert-manager's CRDs, which
// the testbed lacks: it is linted and templated only.
func TestTheDefaultRenderAppliesToARealAPIServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	kube, err := testenv.StartKube(ctx, testenv.KubeOptions{})
	if err != nil {
		t.Fatalf("starting the API server: %v", err)
	}
	t.Cleanup(func() { _ = kube.Stop() })

	out, err := kubedoor.Render("kubedoor", map[string]any{"image": "kubedoor-webhook:test"})
	if err != nil {
		t.Fatal(err)
	}
	// Default values render no Namespace (helm install --create-namespace makes it).
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kubedoor"}}
	if _, err := kube.Clientset().CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg := kube.RESTConfig()
	dyn := dynamic.NewForConfigOrDie(cfg)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(discovery.NewDiscoveryClientForConfigOrDie(cfg)))
	objs := Decode(t, out)
	for _, obj := range objs {
		gvk := obj.GroupVersionKind()
		mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			t.Fatalf("%s: %v", gvk, err)
		}
		var ri dynamic.ResourceInterface = dyn.Resource(mapping.Resource)
		if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
			ri = dyn.Resource(mapping.Resource).Namespace(obj.GetNamespace())
		}
		body, err := obj.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		force := true
		if _, err := ri.Patch(ctx, obj.GetName(), types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: "helm-test", Force: &force}); err != nil {
			t.Fatalf("applying %s %s: %v", gvk.Kind, obj.GetName(), err)
		}
		got, err := ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
		if err != nil {
			t.Fatalf("reading back %s %s: %v", gvk.Kind, obj.GetName(), err)
		}
		managed := false
		for _, f := range got.GetManagedFields() {
			managed = managed || f.Manager == "helm-test"
		}
		if !managed || got.GetLabels()["app.kubernetes.io/name"] != obj.GetLabels()["app.kubernetes.io/name"] {
			t.Errorf("%s %s read back without the applied fields", gvk.Kind, obj.GetName())
		}
	}
	// What was read back still fits together: the stored caBundle verifies the stored serving pair.
	secret, err := kube.Clientset().CoreV1().Secrets("kubedoor").Get(ctx, "kubedoor-webhook-tls", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hook, err := kube.Clientset().AdmissionregistrationV1().MutatingWebhookConfigurations().Get(ctx, "kubedoor-webhook", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if string(hook.Webhooks[0].ClientConfig.CABundle) != string(secret.Data["ca.crt"]) {
		t.Fatal("stored caBundle is not the stored Secret's ca.crt")
	}
	dep, err := kube.Clientset().AppsV1().Deployments("kubedoor").Get(ctx, "kubedoor-webhook", metav1.GetOptions{})
	if err != nil || *dep.Spec.Replicas != 2 {
		t.Fatalf("Deployment %v, %v", dep, err)
	}
}
