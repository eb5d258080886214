package deploy_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	release "helm.sh/helm/v4/pkg/release/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy"
)

// helmTemplate is `helm template kubedoor deploy/helm/kubedoor -n <ns> -f <values>` through the
// Helm SDK, from the chart directory on disk (not the embedded copy the subcommand uses).
func helmTemplate(t *testing.T, namespace, valuesYAML string) []byte {
	t.Helper()
	root, err := testenv.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	ch, err := loader.Load(filepath.Join(root, "deploy", "helm", "kubedoor"))
	if err != nil {
		t.Fatal(err)
	}
	vals, err := loader.LoadValues(strings.NewReader(valuesYAML))
	if err != nil {
		t.Fatal(err)
	}
	install := action.NewInstall(action.NewConfiguration())
	install.DryRunStrategy = action.DryRunClient
	install.ReleaseName, install.Namespace, install.Replace = "anything", namespace, true
	rel, err := install.Run(ch, vals)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(rel.(*release.Release).Manifest)
}

// decode returns the objects with their TLS material (different on every render) blanked.
func decode(t *testing.T, doc []byte) (objs []map[string]any, tls map[string]string) {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(doc), 4096)
	tls = map[string]string{}
	for {
		var obj map[string]any
		if err := dec.Decode(&obj); errors.Is(err, io.EOF) {
			return objs, tls
		} else if err != nil {
			t.Fatal(err)
		}
		if obj == nil {
			continue
		}
		u := unstructured.Unstructured{Object: obj}
		switch u.GetKind() {
		case "Secret":
			for k, v := range obj["data"].(map[string]any) {
				tls[k] = v.(string)
				obj["data"].(map[string]any)[k] = ""
			}
		case "MutatingWebhookConfiguration":
			for i, w := range obj["webhooks"].([]any) {
				cc := w.(map[string]any)["clientConfig"].(map[string]any)
				if i == 0 {
					tls["caBundle"] = cc["caBundle"].(string)
				} else if cc["caBundle"] != tls["caBundle"] {
					t.Errorf("webhook entry %d carries another CA bundle than the first", i)
				}
				cc["caBundle"] = ""
			}
		}
		objs = append(objs, obj)
	}
}

// `kubedoor-manifests` and `helm template` with the same settings give the same objects.
func TestManifestsAreTheChartRenderedWithTheFlagsAsValues(t *testing.T) {
	cases := []struct {
		o      deploy.Options
		ns     string
		values string
	}{
		{deploy.Options{Image: "kubedoor-webhook:1"}, "kubedoor", "image: kubedoor-webhook:1\nnamespace: {create: true}\n"},
		{deploy.Options{Image: "r/kd:2", Namespace: "team-a", Replicas: 3, ClusterName: "prod-a", ReplicasOnlyUpdate: "allow", TimeoutSeconds: 5, FailClosed: true},
			"team-a", "image: r/kd:2\nreplicas: 3\nclusterName: prod-a\nreplicasOnlyUpdate: allow\ntimeoutSeconds: 5\nfailClosed: true\nnamespace: {create: true}\n"},
	}
	for _, c := range cases {
		sub, subTLS := decode(t, manifests(t, c.o))
		helm, helmTLS := decode(t, helmTemplate(t, c.ns, c.values))
		if len(sub) != len(helm) {
			t.Fatalf("%s: %d objects from the subcommand, %d from helm template", c.ns, len(sub), len(helm))
		}
		for i := range sub {
			if !reflect.DeepEqual(sub[i], helm[i]) {
				a, _ := yaml.Marshal(sub[i])
				b, _ := yaml.Marshal(helm[i])
				t.Errorf("%s object %d differs:\nsubcommand:\n%s\nhelm template:\n%s", c.ns, i, a, b)
			}
		}
		// The blanked material is, in each render, a CA bundle that signed that render's pair.
		for name, m := range map[string]map[string]string{"subcommand": subTLS, "helm template": helmTLS} {
			if m["caBundle"] != m["ca.crt"] {
				t.Errorf("%s: caBundle is not the Secret's ca.crt", name)
			}
			verifyServing(t, unb64(t, m["caBundle"]), unb64(t, m["tls.crt"]), "kubedoor-webhook."+c.ns+".svc")
		}
		if subTLS["tls.key"] == helmTLS["tls.key"] {
			t.Error("two renders share a key")
		}
	}
}

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
