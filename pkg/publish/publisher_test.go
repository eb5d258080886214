//go:build parts

package publish

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

var published = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func publisher(t testing.TB) *Publisher {
	return New(adminDynamic(t), "prod", Options{Now: func() time.Time { return published }})
}

func reconcile(t testing.TB, p *Publisher, desired []Policy) Result {
	t.Helper()
	res, err := p.Reconcile(t.Context(), desired)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func getPolicy(t testing.TB, ns, name string) (*v1alpha1.CapacityPolicy, error) {
	t.Helper()
	u, err := adminDynamic(t).Resource(v1alpha1.GroupVersionResource).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	var p v1alpha1.CapacityPolicy
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &p); err != nil {
		t.Fatal(err)
	}
	return &p, nil
}

func mustGetRaw(t testing.TB, ns, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := adminDynamic(t).Resource(v1alpha1.GroupVersionResource).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func mustGet(t testing.TB, ns, name string) *v1alpha1.CapacityPolicy {
	t.Helper()
	p, err := getPolicy(t, ns, name)
	if err != nil {
		t.Fatalf("policy %s/%s: %v", ns, name, err)
	}
	return p
}

func wantCounts(t testing.TB, res Result, created, updated, deleted, unchanged, failed int) {
	t.Helper()
	if res.Created != created || res.Updated != updated || res.Deleted != deleted || res.Unchanged != unchanged || res.Failed != failed {
		t.Fatalf("got %s (failures %+v); want %d created, %d updated, %d deleted, %d unchanged, %d failed",
			res, res.Failures, created, updated, deleted, unchanged, failed)
	}
}

func qty(q interface{ String() string }) string {
	if q == nil {
		return "<nil>"
	}
	return q.String()
}

func TestReconcileCreatesUpdatesAndDeletesPolicies(t *testing.T) {
	clean(t)
	ns := namespaces(t, 2)
	p := publisher(t)
	desired := []Policy{
		FromControl("prod", ns[0], "checkout", 4, 3, []Container{
			{Name: "istio-proxy", CPURequestMillis: 100, CPULimitMillis: -1, MemRequestMiB: 128, MemLimitMiB: -1},
			{Name: "app", CPURequestMillis: 350, CPULimitMillis: 2000, MemRequestMiB: 420, MemLimitMiB: 2048},
		}),
		FromControl("prod", ns[0], "cart", 1, -1, []Container{{Name: "app", CPURequestMillis: 10, CPULimitMillis: -1, MemRequestMiB: 1, MemLimitMiB: -1}}),
		FromControl("prod", ns[1], "pay", 7, 0, nil),
	}
	res := reconcile(t, p, desired)
	wantCounts(t, res, 3, 0, 0, 0, 0)
	if res.Writes != 6 {
		t.Fatalf("a create is one write plus one status write; got %d writes for 3 policies", res.Writes)
	}

	checkout := mustGet(t, ns[0], "checkout")
	if checkout.Labels[v1alpha1.LabelManagedBy] != v1alpha1.ManagedByValue {
		t.Fatalf("labels %v", checkout.Labels)
	}
	s := checkout.Spec
	if s.Replicas == nil || *s.Replicas != 3 || s.Cluster != "prod" || s.SourceVersion != 4 || len(s.Containers) != 2 {
		t.Fatalf("spec %+v", s)
	}
	app, sidecar := s.Containers[0], s.Containers[1]
	if app.Name != "app" || qty(app.CPURequest) != "350m" || qty(app.CPULimit) != "2" || qty(app.MemoryRequest) != "420Mi" || qty(app.MemoryLimit) != "2Gi" {
		t.Fatalf("app container %s %s %s %s %s", app.Name, qty(app.CPURequest), qty(app.CPULimit), qty(app.MemoryRequest), qty(app.MemoryLimit))
	}
	if sidecar.Name != "istio-proxy" || qty(sidecar.CPURequest) != "100m" || sidecar.CPULimit != nil || sidecar.MemoryLimit != nil {
		t.Fatalf("sidecar %+v", sidecar)
	}
	if checkout.Status.ObservedGeneration != checkout.Generation || checkout.Status.PublishedAt == nil || !checkout.Status.PublishedAt.Time.Equal(published) {
		t.Fatalf("status %+v at generation %d", checkout.Status, checkout.Generation)
	}
	if cart := mustGet(t, ns[0], "cart"); cart.Spec.Replicas != nil {
		t.Fatalf("unset replicas must stay unset, got %d", *cart.Spec.Replicas)
	}
	if pay := mustGet(t, ns[1], "pay"); pay.Spec.Replicas == nil || *pay.Spec.Replicas != 0 {
		t.Fatalf("0 replicas is a real value: %+v", pay.Spec)
	}

	desired[1] = FromControl("prod", ns[0], "cart", 2, 5, []Container{{Name: "app", CPURequestMillis: 10, CPULimitMillis: -1, MemRequestMiB: 1, MemLimitMiB: -1}})
	wantCounts(t, reconcile(t, p, desired), 0, 1, 0, 2, 0)
	cart := mustGet(t, ns[0], "cart")
	if cart.Spec.Replicas == nil || *cart.Spec.Replicas != 5 || cart.Spec.SourceVersion != 2 || cart.Status.ObservedGeneration != cart.Generation || cart.Generation != 2 {
		t.Fatalf("changed policy: spec %+v, generation %d, status %+v", cart.Spec, cart.Generation, cart.Status)
	}

	wantCounts(t, reconcile(t, p, desired[:2]), 0, 0, 1, 2, 0)
	if _, err := getPolicy(t, ns[1], "pay"); !apierrors.IsNotFound(err) {
		t.Fatalf("a policy no longer desired must be deleted, got %v", err)
	}
}

func createUnstructured(t testing.TB, ns, name string, labels map[string]string, spec map[string]any) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": v1alpha1.GroupVersion.String(), "kind": "CapacityPolicy",
		"metadata": map[string]any{"name": name, "namespace": ns},
		"spec":     spec,
	}}
	u.SetLabels(labels)
	out, err := adminDynamic(t).Resource(v1alpha1.GroupVersionResource).Namespace(ns).Create(t.Context(), u, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAPolicyWithoutTheManagedLabelIsNeverTouched(t *testing.T) {
	clean(t)
	ns := namespaces(t, 1)[0]
	hand := createUnstructured(t, ns, "hand", map[string]string{"team": "ops"}, map[string]any{"replicas": int64(9)})
	p := publisher(t)

	wantCounts(t, reconcile(t, p, []Policy{FromControl("prod", ns, "other", 1, 2, nil)}), 1, 0, 0, 0, 0)
	if got := mustGet(t, ns, "hand"); got.ResourceVersion != hand.GetResourceVersion() {
		t.Fatal("an unmanaged policy that is not desired must not be deleted or changed")
	}

	res := reconcile(t, p, []Policy{FromControl("prod", ns, "other", 1, 2, nil), FromControl("prod", ns, "hand", 1, 3, nil)})
	wantCounts(t, res, 0, 0, 0, 1, 1)
	if f := res.Failures[0]; f.Name != "hand" || !strings.Contains(f.Error, "app.kubernetes.io/managed-by=kubedoor") {
		t.Fatalf("the failure must name the missing label: %+v", f)
	}
	if got := mustGet(t, ns, "hand"); got.ResourceVersion != hand.GetResourceVersion() || *got.Spec.Replicas != 9 {
		t.Fatalf("an unmanaged policy that is desired must be left as it is: %+v", got.Spec)
	}
}

func TestAKubectlEditOfAPublishedPolicyIsHealedByTheNextReconcile(t *testing.T) {
	clean(t)
	ns := namespaces(t, 1)[0]
	p := publisher(t)
	desired := []Policy{FromControl("prod", ns, "api", 3, 4, []Container{{Name: "app", CPURequestMillis: 500, CPULimitMillis: 2000, MemRequestMiB: 1024, MemLimitMiB: 2048}})}
	reconcile(t, p, desired)

	// What `kubectl edit` does: a full update of the object with a changed spec and a note.
	res := adminDynamic(t).Resource(v1alpha1.GroupVersionResource).Namespace(ns)
	u, err := res.Get(t.Context(), "api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = unstructured.SetNestedField(u.Object, int64(10), "spec", "replicas")
	containers, _, _ := unstructured.NestedSlice(u.Object, "spec", "containers")
	containers[0].(map[string]any)["cpuRequest"] = "2"
	_ = unstructured.SetNestedSlice(u.Object, containers, "spec", "containers")
	u.SetAnnotations(map[string]string{"edited-by": "someone"})
	if _, err := res.Update(t.Context(), u, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	wantCounts(t, reconcile(t, p, desired), 0, 1, 0, 0, 0)
	got := mustGet(t, ns, "api")
	if *got.Spec.Replicas != 4 || qty(got.Spec.Containers[0].CPURequest) != "500m" {
		t.Fatalf("the edit was not undone: %+v", got.Spec)
	}
	if got.Annotations["edited-by"] != "someone" {
		t.Fatal("metadata other than the managed label belongs to others and must be kept")
	}
	if got.Status.ObservedGeneration != got.Generation {
		t.Fatalf("observedGeneration %d, generation %d", got.Status.ObservedGeneration, got.Generation)
	}
}

func listVersions(t testing.TB) map[string]string {
	t.Helper()
	l, err := adminDynamic(t).Resource(v1alpha1.GroupVersionResource).List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, u := range l.Items {
		out[u.GetNamespace()+"/"+u.GetName()] = u.GetResourceVersion()
	}
	return out
}

func TestASecondReconcileWritesNothing(t *testing.T) {
	clean(t)
	ns := namespaces(t, 2)
	var desired []Policy
	for i := range 20 {
		desired = append(desired, FromControl("prod", ns[i%2], "w"+string(rune('a'+i)), int64(i), int64(i%4), []Container{
			{Name: "app", CPURequestMillis: int64(10 + i), CPULimitMillis: 1000, MemRequestMiB: 64, MemLimitMiB: -1},
			{Name: "envoy", CPURequestMillis: 50, CPULimitMillis: -1, MemRequestMiB: 32, MemLimitMiB: 128},
		}))
	}
	wantCounts(t, reconcile(t, publisher(t), desired), 20, 0, 0, 0, 0)
	before := listVersions(t)

	// The source lists containers in another order this time: that is not a change.
	for i := range desired {
		c := desired[i].Spec.Containers
		c[0], c[1] = c[1], c[0]
	}
	cc := newCountingClient(t, 200)
	res, err := New(cc, "prod", Options{}).Reconcile(t.Context(), desired)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, res, 0, 0, 0, 20, 0)
	if res.Writes != 0 || cc.writes() != 0 {
		t.Fatalf("a no-op reconcile made %d writes by its own count, %d by the wire's", res.Writes, cc.writes())
	}
	if cc.total.Load() == 0 {
		t.Fatal("the counting client saw no request at all; the count proves nothing")
	}
	after := listVersions(t)
	for k, v := range before {
		if after[k] != v {
			t.Fatalf("%s changed resourceVersion %s → %s", k, v, after[k])
		}
	}
}

func TestEquivalentQuantitiesWrittenByHandAreNotRewritten(t *testing.T) {
	clean(t)
	ns := namespaces(t, 1)[0]
	createUnstructured(t, ns, "api", map[string]string{v1alpha1.LabelManagedBy: v1alpha1.ManagedByValue}, map[string]any{
		"replicas": int64(2), "cluster": "prod", "sourceVersion": int64(1),
		"containers": []any{map[string]any{"name": "app", "cpuRequest": "1000m", "memoryRequest": "1Gi"}},
	})
	desired := []Policy{FromControl("prod", ns, "api", 1, 2, []Container{{Name: "app", CPURequestMillis: 1000, CPULimitMillis: -1, MemRequestMiB: 1024, MemLimitMiB: -1}})}
	p := publisher(t)

	res := reconcile(t, p, desired)
	if res.StatusOnly != 1 || res.Writes != 1 || res.Updated != 0 {
		t.Fatalf("a right spec with no status needs one status write and nothing else: %s", res)
	}
	got := mustGet(t, ns, "api")
	if raw, _, _ := unstructured.NestedSlice(mustGetRaw(t, ns, "api").Object, "spec", "containers"); raw[0].(map[string]any)["cpuRequest"] != "1000m" {
		t.Fatalf("the spec was rewritten: %v", raw)
	}
	if got.Generation != 1 || got.Status.ObservedGeneration != 1 || got.Status.PublishedAt == nil {
		t.Fatalf("spec must be untouched and status filled: generation %d, status %+v", got.Generation, got.Status)
	}
	res = reconcile(t, p, desired)
	if res.Unchanged != 1 || res.Writes != 0 {
		t.Fatalf("then nothing: %s", res)
	}
}

func TestTheWebhooksLastDecisionSurvivesAnUpdate(t *testing.T) {
	clean(t)
	ns := namespaces(t, 1)[0]
	p := publisher(t)
	reconcile(t, p, []Policy{FromControl("prod", ns, "api", 1, 2, nil)})

	res := adminDynamic(t).Resource(v1alpha1.GroupVersionResource).Namespace(ns)
	u, err := res.Get(t.Context(), "api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = unstructured.SetNestedMap(u.Object, map[string]any{
		"time": "2026-11-22T09:00:00Z", "operation": "CREATE", "result": "patched", "reason": "create",
	}, "status", "lastDecision")
	if _, err := res.UpdateStatus(t.Context(), u, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	wantCounts(t, reconcile(t, p, []Policy{FromControl("prod", ns, "api", 2, 3, nil)}), 0, 1, 0, 0, 0)
	got := mustGet(t, ns, "api")
	if got.Status.LastDecision == nil || got.Status.LastDecision.Result != "patched" {
		t.Fatalf("status written by others must be kept: %+v", got.Status)
	}
	if got.Status.ObservedGeneration != got.Generation {
		t.Fatalf("status %+v at generation %d", got.Status, got.Generation)
	}
}

func TestOneBadPolicyDoesNotStopTheOthers(t *testing.T) {
	clean(t)
	ns := namespaces(t, 1)[0]
	p := publisher(t)
	// A policy already published that the source now describes invalidly must stay.
	reconcile(t, p, []Policy{FromControl("prod", ns, "kept", 1, 2, nil)})

	negative := FromControl("prod", ns, "kept", 2, 1, nil)
	minus := int32(-2)
	negative.Spec.Replicas = &minus
	desired := []Policy{
		FromControl("prod", ns, "good", 1, 1, nil),
		FromControl("prod", "no-such-namespace", "lost", 1, 1, nil),
		FromControl("prod", ns, "Bad_Name", 1, 1, nil),
		FromControl("prod", ns, "twice", 1, 1, nil),
		FromControl("prod", ns, "twice", 2, 2, nil),
		negative,
	}
	res := reconcile(t, p, desired)
	wantCounts(t, res, 1, 0, 0, 0, 4)
	want := map[string]string{
		"lost":     "namespace no-such-namespace does not exist",
		"Bad_Name": "invalid policy",
		"twice":    "listed 2 times",
		"kept":     "replicas -2: must not be negative",
	}
	for _, f := range res.Failures {
		if !strings.Contains(f.Error, want[f.Name]) {
			t.Errorf("failure for %s: %q, want it to contain %q", f.Name, f.Error, want[f.Name])
		}
		delete(want, f.Name)
	}
	if len(want) > 0 {
		t.Fatalf("no failure reported for %v", want)
	}
	mustGet(t, ns, "good")
	if kept := mustGet(t, ns, "kept"); *kept.Spec.Replicas != 2 {
		t.Fatalf("bad input must lose nothing: %+v", kept.Spec)
	}
}

func TestAClusterWithoutTheCRDGetsAnErrorSayingHowToInstallIt(t *testing.T) {
	clean(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	crds := adminDynamic(t).Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	if err := crds.Delete(ctx, "capacitypolicies.kubedoor.io", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := kube.InstallCRD(context.WithoutCancel(t.Context())); err != nil {
			t.Fatalf("reinstalling the CRD: %v", err)
		}
	})
	p := publisher(t)
	var err error
	for ctx.Err() == nil {
		if _, err = p.Reconcile(ctx, nil); errors.Is(err, ErrCRDMissing) {
			break
		}
		time.Sleep(100 * time.Millisecond) // the apiserver stops serving the resource shortly after
	}
	if !errors.Is(err, ErrCRDMissing) {
		t.Fatalf("want ErrCRDMissing, got %v", err)
	}
	if !strings.Contains(err.Error(), "cluster prod") || !strings.Contains(err.Error(), "kubectl apply -f "+CRDFile) {
		t.Fatalf("the error must name the cluster and say how to install the CRD: %v", err)
	}
}
