package kubedoor_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/action"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/kubedoor/kubedoor-grafana/deploy/helm/kubedoor"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/backend"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
	"github.com/kubedoor/kubedoor-grafana/webhook/registration"
)

// representative are the value sets CI lints and templates (`go test` is the CI wiring).
var representative = map[string]map[string]any{
	"defaults":     {"image": "kubedoor-webhook:test"},
	"cert-manager": {"image": "kubedoor-webhook:test", "tls": map[string]any{"certManager": map[string]any{"enabled": true}}},
	"backend RBAC": {"image": "kubedoor-webhook:test", "backendRBAC": map[string]any{"enabled": true}},
	"3 replicas + ServiceMonitor": {"image": "kubedoor-webhook:test", "replicas": 3,
		"metrics": map[string]any{"serviceMonitor": map[string]any{"enabled": true, "labels": map[string]any{"release": "prom"}}}},
}

// Decode splits a rendered manifest into objects.
func Decode(t *testing.T, manifest string) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(manifest), 4096)
	var out []*unstructured.Unstructured
	for {
		var obj unstructured.Unstructured
		if err := dec.Decode(&obj.Object); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatalf("rendered YAML does not decode: %v", err)
		}
		if obj.Object != nil {
			out = append(out, &obj)
		}
	}
}

func find(objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == kind && (name == "" || o.GetName() == name) {
			return o
		}
	}
	return nil
}

func TestTheChartLintsCleanWithRepresentativeValues(t *testing.T) {
	for name, vals := range representative {
		t.Run(name, func(t *testing.T) {
			lint := action.NewLint()
			lint.Namespace = "kubedoor"
			res := lint.Run([]string{"."}, vals)
			for _, m := range res.Messages {
				t.Log(m)
			}
			if len(res.Errors) > 0 {
				t.Fatalf("helm lint: %v", res.Errors)
			}
		})
	}
}

func TestTheChartRendersWithRepresentativeValues(t *testing.T) {
	for name, vals := range representative {
		t.Run(name, func(t *testing.T) {
			out, err := kubedoor.Render("kubedoor", vals)
			if err != nil {
				t.Fatal(err)
			}
			objs := Decode(t, out)
			for _, k := range []string{"CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Service", "Deployment", "PodDisruptionBudget", "MutatingWebhookConfiguration"} {
				if find(objs, k, "") == nil {
					t.Errorf("no %s", k)
				}
			}
			if find(objs, "Namespace", "") != nil {
				t.Error("a Namespace without namespace.create (Helm's --create-namespace owns that)")
			}
			cm := name == "cert-manager"
			hook := find(objs, "MutatingWebhookConfiguration", "")
			bundle, _, _ := unstructured.NestedString(hook.Object["webhooks"].([]any)[0].(map[string]any), "clientConfig", "caBundle")
			if inject := hook.GetAnnotations()["cert-manager.io/inject-ca-from"]; cm != (inject == "kubedoor/kubedoor-webhook") || cm == (bundle != "") {
				t.Errorf("cert-manager %v: inject-ca-from %q, caBundle set %v", cm, inject, bundle != "")
			}
			if cm != (find(objs, "Certificate", "kubedoor-webhook") != nil) || cm == (find(objs, "Secret", "") != nil) {
				t.Errorf("cert-manager %v: Certificate and generated Secret do not match the mode", cm)
			}
			if got := find(objs, "ServiceAccount", "kubedoor-backend") != nil; got != (name == "backend RBAC") {
				t.Errorf("backend ServiceAccount rendered: %v", got)
			}
			sm := find(objs, "ServiceMonitor", "")
			if (sm != nil) != (name == "3 replicas + ServiceMonitor") {
				t.Errorf("ServiceMonitor rendered: %v", sm != nil)
			}
			if sm != nil {
				replicas, _, _ := unstructured.NestedFieldNoCopy(find(objs, "Deployment", "").Object, "spec", "replicas")
				if fmt.Sprint(replicas) != "3" || sm.GetLabels()["release"] != "prom" {
					t.Errorf("replicas %d, ServiceMonitor labels %v", replicas, sm.GetLabels())
				}
			}
		})
	}
}

func TestTheSchemaRefusesBadValues(t *testing.T) {
	for name, vals := range map[string]map[string]any{
		"no image":              {},
		"zero replicas":         {"image": "x", "replicas": 0},
		"a 10 s timeout":        {"image": "x", "timeoutSeconds": 10},
		"an unknown mode":       {"image": "x", "replicasOnlyUpdate": "revert"},
		"a misspelt value":      {"image": "x", "replica": 3},
		"a misspelt nested one": {"image": "x", "backendRBAC": map[string]any{"enable": true}},
	} {
		if _, err := kubedoor.Render("kubedoor", vals); err == nil {
			t.Errorf("%s: rendered", name)
		}
	}
	if _, err := kubedoor.Render("kube-system", map[string]any{"image": "x"}); err == nil || !strings.Contains(err.Error(), "kube-system") {
		t.Errorf("kube-system: %v", err)
	}
}

// The generated caBundle is the CA that signed the serving certificate, for the Service's names.
func TestTheGeneratedCABundleVerifiesTheServingCertificate(t *testing.T) {
	out, err := kubedoor.Render("team-a", map[string]any{"image": "x"})
	if err != nil {
		t.Fatal(err)
	}
	objs := Decode(t, out)
	VerifyTLS(t, objs, "kubedoor-webhook.team-a.svc")
}

// VerifyTLS checks the webhook configuration's caBundle against the Secret's serving pair.
func VerifyTLS(t *testing.T, objs []*unstructured.Unstructured, host string) {
	t.Helper()
	secret := find(objs, "Secret", "kubedoor-webhook-tls")
	hook := find(objs, "MutatingWebhookConfiguration", "kubedoor-webhook")
	if secret == nil || hook == nil {
		t.Fatal("no Secret or webhook configuration")
	}
	bundle, _, _ := unstructured.NestedString(hook.Object["webhooks"].([]any)[0].(map[string]any), "clientConfig", "caBundle")
	caPEM, crtPEM := b64(t, bundle), b64(t, secret.Object["data"].(map[string]any)["tls.crt"].(string))
	if !bytes.Equal(caPEM, b64(t, secret.Object["data"].(map[string]any)["ca.crt"].(string))) {
		t.Error("caBundle is not the Secret's ca.crt")
	}
	if err := testenv.VerifyServing(caPEM, crtPEM, host); err != nil {
		t.Fatal(err)
	}
}

func TestTheChartVersionIsPackageJSONs(t *testing.T) {
	want, err := testenv.PackageVersion()
	if err != nil {
		t.Fatal(err)
	}
	ch, err := kubedoor.Load()
	if err != nil {
		t.Fatal(err)
	}
	if ch.Metadata.Version != want || ch.Metadata.AppVersion != want {
		t.Fatalf("Chart.yaml version %q appVersion %q, package.json %q", ch.Metadata.Version, ch.Metadata.AppVersion, want)
	}
}

// The chart's CRD file is controller-gen's output, byte for byte (regenerate, then copy it).
func TestTheChartCRDIsControllerGens(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("files", "kubedoor.io_capacitypolicies.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, crd.YAML) {
		t.Fatal("files/kubedoor.io_capacitypolicies.yaml differs from webhook/deploy/crd's: cp webhook/deploy/crd/kubedoor.io_capacitypolicies.yaml deploy/helm/kubedoor/files/")
	}
}

// backendRBAC renders rbac.yaml's objects (all but its Namespace) unchanged.
func TestTheBackendRBACIsRbacYamls(t *testing.T) {
	out, err := kubedoor.Render("kubedoor", representative["backend RBAC"])
	if err != nil {
		t.Fatal(err)
	}
	rendered := Decode(t, out)
	for _, want := range Decode(t, string(backend.RBAC)) {
		if want.GetKind() == "Namespace" {
			continue
		}
		got := find(rendered, want.GetKind(), want.GetName())
		if got == nil || !reflect.DeepEqual(got.Object, want.Object) {
			t.Errorf("%s %s: rendered %v, rbac.yaml %v", want.GetKind(), want.GetName(), got, want.Object)
		}
	}
}

// The chart's webhook entry is what the registration package (used by tests and the demo) builds.
func TestTheWebhookEntryIsTheRegistrationPackages(t *testing.T) {
	out, err := kubedoor.Render("kubedoor", map[string]any{"image": "x", "failClosed": true, "timeoutSeconds": 5})
	if err != nil {
		t.Fatal(err)
	}
	hook := find(Decode(t, out), "MutatingWebhookConfiguration", "kubedoor-webhook")
	entries := hook.Object["webhooks"].([]any)
	bundle, _, _ := unstructured.NestedString(entries[0].(map[string]any), "clientConfig", "caBundle")
	want := registration.Mutating(registration.Options{
		Service:  &registration.ServiceRef{Namespace: "kubedoor", Name: "kubedoor-webhook", Port: 443},
		CABundle: b64(t, bundle), Timeout: 5, Fail: true, Exclude: []string{"kubedoor"},
	}).Webhooks
	if len(entries) != len(want) {
		t.Fatalf("chart has %d webhook entries, the registration package %d", len(entries), len(want))
	}
	for i := range want {
		b, err := yaml.Marshal(want[i])
		if err != nil {
			t.Fatal(err)
		}
		var wantMap map[string]any
		if err := yaml.Unmarshal(b, &wantMap); err != nil {
			t.Fatal(err)
		}
		got := entries[i].(map[string]any)
		if !reflect.DeepEqual(normalise(got), normalise(wantMap)) {
			t.Fatalf("chart webhook %d\n%v\nregistration\n%v", i, got, wantMap)
		}
	}
}

// normalise round-trips through JSON so numbers compare alike.
func normalise(v map[string]any) map[string]any {
	b, _ := yaml.Marshal(v)
	var out map[string]any
	_ = yaml.Unmarshal(b, &out)
	return out
}
