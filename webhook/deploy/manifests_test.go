//go:build parts

package deploy_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/webhook/cache"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy"
)

var kube *testenv.Kube

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	var err error
	kube, err = testenv.StartKube(ctx, testenv.KubeOptions{})
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "deploy tests cannot start the API server: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = kube.Stop()
	os.Exit(code)
}

// apply server-side-applies every document, as `kubectl apply --server-side -f -` does.
func apply(t *testing.T, ctx context.Context, doc []byte) []*unstructured.Unstructured {
	t.Helper()
	cfg := kube.RESTConfig()
	dyn := dynamic.NewForConfigOrDie(cfg)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(discovery.NewDiscoveryClientForConfigOrDie(cfg)))
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(doc), 4096)
	var out []*unstructured.Unstructured
	for {
		var obj unstructured.Unstructured
		if err := dec.Decode(&obj.Object); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("manifests are not valid YAML: %v", err)
		}
		if obj.Object == nil {
			continue
		}
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
		got, err := ri.Patch(ctx, obj.GetName(), types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: "kubectl", Force: &force})
		if err != nil {
			t.Fatalf("applying %s %s: %v", gvk.Kind, obj.GetName(), err)
		}
		out = append(out, got)
	}
	return out
}

func TestManifestsApplyToARealAPIServerAndFitTogether(t *testing.T) {
	ctx := t.Context()
	cs := kube.Clientset()
	for round := 1; round <= 2; round++ { // the second apply is an upgrade with fresh certificates
		applied := apply(t, ctx, manifests(t, deploy.Options{Image: "kubedoor-webhook:test", ClusterName: "prod-a"}))
		kinds := map[string]bool{}
		for _, o := range applied {
			kinds[o.GetKind()] = true
		}
		for _, k := range []string{"Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Secret", "Service", "Deployment", "PodDisruptionBudget", "MutatingWebhookConfiguration"} {
			if !kinds[k] {
				t.Errorf("round %d: no %s applied", round, k)
			}
		}
		secret, err := cs.CoreV1().Secrets("kubedoor").Get(ctx, deploy.SecretName, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		hook, err := cs.AdmissionregistrationV1().MutatingWebhookConfigurations().Get(ctx, "kubedoor-webhook", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		w := hook.Webhooks[0]
		if !bytes.Equal(w.ClientConfig.CABundle, secret.Data["ca.crt"]) {
			t.Fatalf("round %d: caBundle does not match the Secret's CA", round)
		}
		if s := w.ClientConfig.Service; s == nil || s.Namespace != "kubedoor" || s.Name != deploy.Name || *s.Port != 443 {
			t.Fatalf("round %d: webhook service %+v", round, w.ClientConfig.Service)
		}
		verifyServing(t, secret.Data["ca.crt"], secret.Data["tls.crt"], "kubedoor-webhook.kubedoor.svc")
		if got := w.NamespaceSelector.MatchExpressions[1].Values; strings.Join(got, ",") != "kube-system,kubedoor" {
			t.Fatalf("excluded namespaces %v, want kube-system and the webhook's own", got)
		}
		dep, err := cs.AppsV1().Deployments("kubedoor").Get(ctx, deploy.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkDeployment(t, dep)
		pdb, err := cs.PolicyV1().PodDisruptionBudgets("kubedoor").Get(ctx, deploy.Name, metav1.GetOptions{})
		if err != nil || pdb.Spec.MinAvailable.IntValue() != 1 {
			t.Fatalf("PDB %+v, %v", pdb, err)
		}
	}
}

func checkDeployment(t *testing.T, d *appsv1.Deployment) {
	t.Helper()
	c := d.Spec.Template.Spec.Containers[0]
	sc := c.SecurityContext
	switch {
	case *d.Spec.Replicas != 2:
		t.Errorf("replicas %d, want 2", *d.Spec.Replicas)
	case sc == nil || !*sc.ReadOnlyRootFilesystem || !*sc.RunAsNonRoot || *sc.AllowPrivilegeEscalation:
		t.Errorf("container security context %+v", sc)
	case c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe == nil || c.LivenessProbe.HTTPGet.Path != "/healthz":
		t.Errorf("probes %+v %+v", c.ReadinessProbe, c.LivenessProbe)
	case c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero():
		t.Errorf("resources %+v", c.Resources)
	case d.Spec.Template.Spec.Affinity == nil || d.Spec.Template.Spec.Affinity.PodAntiAffinity == nil:
		t.Errorf("no pod anti-affinity")
	case !strings.Contains(strings.Join(c.Args, " "), "--cluster-name=prod-a"):
		t.Errorf("args %v lack the cluster name", c.Args)
	}
}

// The ClusterRole must be enough for the webhook's informers and allow nothing else.
func TestTheClusterRoleIsSufficientAndMinimal(t *testing.T) {
	ctx := t.Context()
	apply(t, ctx, manifests(t, deploy.Options{Image: "kubedoor-webhook:test"}))
	cfg := kube.RESTConfig()
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:kubedoor:" + deploy.Name}

	c, err := cache.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.Start(cctx)
	deadline := time.Now().Add(30 * time.Second)
	for !c.Synced() {
		if time.Now().After(deadline) {
			t.Fatal("the webhook's informers never synced with only its ClusterRole")
		}
		time.Sleep(50 * time.Millisecond)
	}

	as := kubernetes.NewForConfigOrDie(cfg)
	dyn := dynamic.NewForConfigOrDie(cfg)
	forbidden := []struct {
		name string
		call func() error
	}{
		{"reading secrets", func() error { _, err := as.CoreV1().Secrets("kubedoor").List(ctx, metav1.ListOptions{}); return err }},
		{"deleting a deployment", func() error {
			return as.AppsV1().Deployments("kubedoor").Delete(ctx, deploy.Name, metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}})
		}},
		{"writing a CapacityPolicy", func() error {
			p := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "kubedoor.io/v1alpha1", "kind": "CapacityPolicy",
				"metadata": map[string]any{"name": "x", "namespace": "kubedoor"}, "spec": map[string]any{}}}
			_, err := dyn.Resource(v1alpha1.GroupVersionResource).Namespace("kubedoor").Create(ctx, p, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		}},
		{"labelling a namespace", func() error {
			_, err := as.CoreV1().Namespaces().Patch(ctx, "kubedoor", types.MergePatchType, []byte(`{"metadata":{"labels":{"x":"y"}}}`), metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		}},
		{"reading pods", func() error { _, err := as.CoreV1().Pods("").List(ctx, metav1.ListOptions{}); return err }},
		{"reading daemonsets (no cache needs them)", func() error { _, err := as.AppsV1().DaemonSets("").List(ctx, metav1.ListOptions{}); return err }},
		{"scaling a statefulset", func() error {
			_, err := as.AppsV1().StatefulSets("kubedoor").Patch(ctx, "x", types.MergePatchType, []byte(`{"spec":{"replicas":1}}`), metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		}},
		{"reading events", func() error { _, err := as.CoreV1().Events("").List(ctx, metav1.ListOptions{}); return err }},
		{"patching a CapacityPolicy's spec", func() error {
			_, err := dyn.Resource(v1alpha1.GroupVersionResource).Namespace("kubedoor").Patch(ctx, "x", types.MergePatchType,
				[]byte(`{"spec":{"replicas":1}}`), metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		}},
	}
	for _, f := range forbidden {
		if err := f.call(); !apierrors.IsForbidden(err) {
			t.Errorf("%s: got %v, want forbidden", f.name, err)
		}
	}
	// Reporting decisions patches the status subresource: authorised (the policy does not
	// exist, so the answer is NotFound, which the API server gives only after authorisation).
	_, err = dyn.Resource(v1alpha1.GroupVersionResource).Namespace("kubedoor").Patch(ctx, "x", types.MergePatchType,
		[]byte(`{"status":{"lastDecision":null}}`), metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}}, "status")
	if !apierrors.IsNotFound(err) {
		t.Errorf("patching a CapacityPolicy's status: got %v, want allowed (NotFound for a missing policy)", err)
	}
	// Denials are recorded as Events.
	ev := &corev1.Event{ObjectMeta: metav1.ObjectMeta{GenerateName: "denied-", Namespace: "kubedoor"},
		InvolvedObject: corev1.ObjectReference{Kind: "Deployment", Namespace: "kubedoor", Name: "x"}, Reason: v1alpha1.EventReasonDenied, Type: corev1.EventTypeWarning}
	if _, err := as.CoreV1().Events("kubedoor").Create(ctx, ev, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
		t.Errorf("recording a denial Event: %v", err)
	}
}

// Every install gets its own key; none may come from the repository.
func TestManifestsCarryAFreshKeyThatIsNotInTheRepository(t *testing.T) {
	a := manifests(t, deploy.Options{Image: "x"})
	b := manifests(t, deploy.Options{Image: "x"})
	keyA, keyB := secretValue(t, a, "tls.key"), secretValue(t, b, "tls.key")
	if keyA == "" || keyA == keyB {
		t.Fatal("two installs got the same (or no) serving key")
	}
	root, err := testenv.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := exec.Command("git", "-C", root, "ls-files").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	secrets := []string{keyA, secretValue(t, a, "ca.crt"), secretValue(t, a, "tls.crt")}
	for _, f := range strings.Fields(string(files)) {
		body, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue // deleted in the work tree
		}
		for _, s := range secrets {
			if bytes.Contains(body, []byte(s[:64])) {
				t.Fatalf("%s contains key material the manifests emitted", f)
			}
		}
	}
}

func secretValue(t *testing.T, doc []byte, key string) string {
	t.Helper()
	for _, part := range strings.Split(string(doc), "\n---\n") {
		if !strings.Contains(part, "kind: Secret") {
			continue
		}
		for _, line := range strings.Split(part, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+": "); ok {
				return v
			}
		}
	}
	t.Fatalf("no %s in the Secret", key)
	return ""
}
