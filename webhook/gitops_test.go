//go:build parts

package main_test

// A GitOps tool applies the same manifest again and again with server-side apply; under the
// `template` target the webhook rewrites replicas and resources on every apply. These tests
// show on the real kube-apiserver that this converges (the stored object stops changing: no
// write loop), how managedFields attributes the webhook's change (docs/gitops.md quotes it),
// and that a server-side dry-run apply, which Flux's drift detection and Argo CD's server-side
// diff use, already returns the table's values.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// gitManifest is the Deployment as Git holds it: 1 replica, the app container asking 100m.
func gitManifest(name string) []byte {
	return []byte(fmt.Sprintf(`{
  "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": %[1]q},
  "spec": {
    "replicas": 1,
    "selector": {"matchLabels": {"app": %[1]q}},
    "template": {
      "metadata": {"labels": {"app": %[1]q}},
      "spec": {"containers": [
        {"name": "app", "image": "registry.example.com/%[1]s:1", "resources": {"requests": {"cpu": "100m"}}},
        {"name": "proxy", "image": "registry.example.com/proxy:1", "resources": {"requests": {"cpu": "50m"}}}
      ]}
    }
  }
}`, name))
}

const gitopsManager = "argocd-controller"

func apply(t *testing.T, ns, name string, dryRun bool) *appsv1.Deployment {
	t.Helper()
	opts := metav1.PatchOptions{FieldManager: gitopsManager}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	d, err := cs.AppsV1().Deployments(ns).Patch(t.Context(), name, types.ApplyPatchType, gitManifest(name), opts)
	if err != nil {
		t.Fatalf("server-side apply as %s (dry run %v): %v", gitopsManager, dryRun, err)
	}
	return d
}

var patchedUpdates = map[string]string{"operation": "UPDATE", "resource": "deployments", "patched": "true"}

func TestRepeatedServerSideAppliesConvergeUnderTheWebhook(t *testing.T) {
	ns := mustNamespace(t.Context(), "gitops", v1alpha1.ControlEnforce, "")
	putPolicy(t, policyObject(ns, "api", ptr[int32](4), appPolicy))
	const tableResources = "req cpu=500m,memory=1Gi lim cpu=2,memory=2Gi"

	first := apply(t, ns, "api", false)
	wantReplicas(t, first, 4, "the first apply (a CREATE) gets the table's replicas")
	wantResources(t, first, "app", tableResources, "the first apply gets the table's resources")
	wantResources(t, first, "proxy", "req cpu=50m lim ", "a container the policy does not name keeps Git's values")

	for i := 2; i <= 5; i++ {
		before := metric("kubedoor_webhook_reviews_total", patchedUpdates)
		d := apply(t, ns, "api", false)
		if got := metric("kubedoor_webhook_reviews_total", patchedUpdates) - before; got != 1 {
			t.Fatalf("apply %d: the webhook patched %v UPDATE reviews, want 1 (Git's values are rewritten on every apply)", i, got)
		}
		if d.ResourceVersion != first.ResourceVersion || d.Generation != first.Generation {
			t.Fatalf("apply %d wrote the object: resourceVersion %s → %s, generation %d → %d (a write loop)",
				i, first.ResourceVersion, d.ResourceVersion, first.Generation, d.Generation)
		}
		wantReplicas(t, d, 4, "every apply ends at the table's replicas")
		wantResources(t, d, "app", tableResources, "every apply ends at the table's resources")
	}
	stable := stored(t, ns, "api")
	if stable.ResourceVersion != first.ResourceVersion {
		t.Fatalf("stored resourceVersion %s, want %s", stable.ResourceVersion, first.ResourceVersion)
	}
	owners := fieldOwners(t, stable)
	t.Logf("managedFields after 5 applies: %s", describeOwners(stable))
	// The webhook has no manager of its own. A field the manifest sets keeps the applier as its
	// only owner although it holds the webhook's value; a field only the webhook sets has no
	// owner at all.
	for _, f := range []string{"spec.replicas", "app.resources.requests.cpu"} {
		if got := owners[f]; !slices.Equal(got, []string{gitopsManager + "/Apply"}) {
			t.Errorf("%s (in the manifest, rewritten by the webhook) is owned by %v, want only %s/Apply", f, got, gitopsManager)
		}
	}
	for _, f := range []string{"app.resources.requests.memory", "app.resources.limits.cpu", "app.resources.limits.memory"} {
		if got := owners[f]; len(got) != 0 {
			t.Errorf("%s (only the webhook sets it) is owned by %v, want no owner", f, got)
		}
	}
	if len(stable.ManagedFields) != 1 {
		t.Errorf("managedFields has %d entries, want the applier's only: %s", len(stable.ManagedFields), describeOwners(stable))
	}

	// A dry-run apply runs the same admission chain (the webhook declares sideEffects None), so
	// a tool that detects drift by dry-running its manifest sees the table's values: no drift.
	dry := apply(t, ns, "api", true)
	wantReplicas(t, dry, 4, "a dry-run apply returns the table's replicas")
	wantResources(t, dry, "app", tableResources, "a dry-run apply returns the table's resources")
	if stored(t, ns, "api").ResourceVersion != first.ResourceVersion {
		t.Fatal("a dry-run apply changed the stored object")
	}
}

// fieldOwners maps the fields this test cares about to the "manager/operation" entries of
// managedFields that own them.
func fieldOwners(t *testing.T, d *appsv1.Deployment) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, mf := range d.ManagedFields {
		if mf.FieldsV1 == nil {
			continue
		}
		var fields map[string]any
		if err := json.Unmarshal(mf.FieldsV1.GetRawBytes(), &fields); err != nil {
			t.Fatalf("managedFields of %s: %v", mf.Manager, err)
		}
		who := mf.Manager + "/" + string(mf.Operation)
		spec, _ := fields["f:spec"].(map[string]any)
		if _, ok := spec["f:replicas"]; ok {
			out["spec.replicas"] = append(out["spec.replicas"], who)
		}
		app := dig(spec, "f:template", "f:spec", "f:containers", `k:{"name":"app"}`, "f:resources")
		for _, kind := range []string{"requests", "limits"} {
			for _, res := range []string{"cpu", "memory"} {
				if dig(app, "f:"+kind, "f:"+res) != nil { // a leaf is {}, not nil
					k := "app.resources." + kind + "." + res
					out[k] = append(out[k], who)
				}
			}
		}
	}
	return out
}

func dig(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			return nil
		}
		m = next
	}
	return m
}

// describeOwners renders managedFields as "manager operation: fields…" lines for the log.
func describeOwners(d *appsv1.Deployment) string {
	var b strings.Builder
	for _, mf := range d.ManagedFields {
		raw := ""
		if mf.FieldsV1 != nil {
			raw = mf.FieldsV1.GetRawString()
		}
		fmt.Fprintf(&b, "\n  manager=%s operation=%s subresource=%q fieldsV1=%s", mf.Manager, mf.Operation, mf.Subresource, raw)
	}
	return b.String()
}
