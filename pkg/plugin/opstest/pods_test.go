//go:build parts

package opstest

import (
	"encoding/json"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type podList struct {
	Protected      bool
	IsolationLabel string
	Pods           []struct {
		Name               string
		Isolated           bool
		IsolatedBy         string
		GracePeriodSeconds int64
	}
}

type podResult struct {
	Pod, Error    string
	OK            bool
	Before, After json.RawMessage
}

// replicaSetPod creates a pod as the Deployment controller's ReplicaSet would (no controller runs
// beside this apiserver, so nothing replaces or releases it; pkg/pods' tests cover that).
func replicaSetPod(t *testing.T, ns, deployment, name string) {
	t.Helper()
	// No controller-manager creates the namespace's default ServiceAccount, which admitting a pod needs.
	_, err := env.kube.Clientset().CoreV1().ServiceAccounts(ns).Create(t.Context(), &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	yes := true
	grace := int64(7)
	_, err = env.kube.Clientset().CoreV1().Pods(ns).Create(t.Context(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": deployment, "pod-template-hash": "abc"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: deployment + "-abc", UID: "rs", Controller: &yes}}},
		Spec: corev1.PodSpec{TerminationGracePeriodSeconds: &grace, Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPodsAreListedIsolatedAndDeletedThroughTheAPI(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "web", 2)
	deployment(t, ns, "cart", 1)
	replicaSetPod(t, ns, "web", "web-abc-1")
	replicaSetPod(t, ns, "web", "web-abc-2")
	replicaSetPod(t, ns, "cart", "cart-abc-1")
	list := "v1/clusters/prod-a/pods?namespace=" + ns + "&workload=web"

	var l podList
	if s := call(t, viewer, "GET", list, nil, &l); s != 200 || len(l.Pods) != 2 || l.IsolationLabel != "app" || l.Protected || l.Pods[0].GracePeriodSeconds != 7 {
		t.Fatalf("viewer's listing: %d %+v", s, l)
	}
	isolate := map[string]any{"namespace": ns, "workload": "web", "pod": "web-abc-1"}
	var e apiErr
	if s := call(t, viewer, "POST", "v1/clusters/prod-a/pods/isolate", isolate, &e); s != 403 || e.Code != "forbidden" {
		t.Fatalf("a Viewer isolating: %d %+v", s, e)
	}
	var res podResult
	if s := call(t, editor, "POST", "v1/clusters/prod-a/pods/isolate", isolate, &res); s != 200 || !res.OK || !strings.Contains(string(res.After), `"to":"web-isolated"`) {
		t.Fatalf("isolate: %d %+v %s", s, res, res.After)
	}
	p, err := env.kube.Clientset().CoreV1().Pods(ns).Get(t.Context(), "web-abc-1", metav1.GetOptions{})
	if err != nil || p.Labels["app"] != "web-isolated" || p.Annotations["kubedoor.io/isolated-by"] != "ed" {
		t.Fatalf("the pod in the cluster: %v %v %v", p.Labels, p.Annotations, err)
	}
	if call(t, viewer, "GET", list, nil, &l); len(l.Pods) != 2 || l.Pods[1].Name != "web-abc-1" || !l.Pods[1].Isolated || l.Pods[1].IsolatedBy != "ed" {
		t.Fatalf("listing after isolation: %+v", l)
	}
	var iso struct {
		Items []struct{ Name, Namespace, IsolatedFrom string }
	}
	if s := call(t, viewer, "GET", "v1/clusters/prod-a/pods/isolated?namespace="+ns, nil, &iso); s != 200 || len(iso.Items) != 1 || iso.Items[0].IsolatedFrom != "Deployment/web" {
		t.Fatalf("isolated pods: %d %+v", s, iso)
	}
	env.hook.waitFor(t, `"kind":"actionDone"`, "isolate pod", ns+"/web")

	t.Run("refusals answer 4xx naming the field and delete nothing", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"an empty body", "", 400, ""},
			{"no pods", map[string]any{"namespace": ns, "workload": "web", "pods": []string{}}, 400, "pods"},
			{"a pause over a minute", map[string]any{"namespace": ns, "workload": "web", "pods": []string{"web-abc-2"}, "intervalSeconds": 61}, 400, "intervalSeconds"},
			{"an unknown kind", map[string]any{"namespace": ns, "kind": "Job", "workload": "web", "pods": []string{"web-abc-2"}}, 400, "kind"},
			{"a protected namespace", map[string]any{"namespace": "kube-system", "workload": "coredns", "pods": []string{"coredns-1"}}, 400, "namespace"},
			{"an unknown pod", map[string]any{"namespace": ns, "workload": "web", "pods": []string{"web-abc-2", "web-nope"}}, 404, "pods[1]"},
			{"another workload's pod", map[string]any{"namespace": ns, "workload": "web", "pods": []string{"web-abc-2", "cart-abc-1"}}, 400, "pods[1]"},
			{"an unknown workload", map[string]any{"namespace": ns, "workload": "nope", "pods": []string{"web-abc-2"}}, 404, "workload"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var e apiErr
				if s := call(t, editor, "POST", "v1/clusters/prod-a/pods/delete", tc.body, &e); s != tc.status || e.Field != tc.field || e.Error == "" {
					t.Fatalf("want %d naming %q, got %d %+v", tc.status, tc.field, s, e)
				}
			})
		}
		var e apiErr
		if s := call(t, editor, "GET", "v1/clusters/nowhere/pods?namespace="+ns+"&workload=web", nil, &e); s != 404 {
			t.Fatalf("an unknown cluster: %d %+v", s, e)
		}
		if s := call(t, editor, "POST", "v1/clusters/prod-a/pods/isolate", map[string]any{"namespace": ns, "workload": "web", "pod": "cart-abc-1"}, &e); s != 400 || e.Field != "pod" {
			t.Fatalf("isolating another workload's pod: %d %+v", s, e)
		}
		if s := call(t, editor, "POST", "v1/clusters/prod-a/pods/isolate", isolate, &e); s != 409 {
			t.Fatalf("isolating twice: %d %+v", s, e)
		}
		if l := listNames(t, ns); l != "cart-abc-1 web-abc-1 web-abc-2" {
			t.Fatalf("pods left: %s", l)
		}
	})

	var del struct{ Results []podResult }
	body := map[string]any{"namespace": ns, "workload": "web", "pods": []string{"web-abc-1", "web-abc-2"}, "intervalSeconds": 1}
	if s := call(t, editor, "POST", "v1/clusters/prod-a/pods/delete", body, &del); s != 200 || len(del.Results) != 2 || !del.Results[0].OK || !del.Results[1].OK ||
		!strings.Contains(string(del.Results[0].After), `"gracePeriodSeconds":7`) {
		t.Fatalf("delete: %d %+v", s, del)
	}
	if l := listNames(t, ns); l != "cart-abc-1" {
		t.Fatalf("pods left: %s", l)
	}
	var log auditList
	call(t, viewer, "GET", "v1/audit?user=ed&target="+ns+"/web", nil, &log)
	got := map[string]int{}
	for _, it := range log.Items {
		got[it.Action+" "+it.Result]++
		if it.Cluster != "prod-a" || it.Role != "Editor" {
			t.Fatalf("entry %+v", it)
		}
	}
	// Isolate twice (ok, then refused), delete: the refusals checked above that reached the
	// cluster (unknown pod, another workload's pod), then two pods deleted.
	// Each write's pending entry is superseded by its result under the same ID: none reads pending.
	if got["isolate pod ok"] != 1 || got["isolate pod failed"] != 2 || got["delete pod ok"] != 2 || got["delete pod failed"] != 2 ||
		got["isolate pod pending"]+got["delete pod pending"] != 0 {
		t.Fatalf("audit entries by action and result: %v", got)
	}
	env.hook.waitFor(t, `"kind":"actionDone"`, "delete pods", ns+"/web")
}

func listNames(t *testing.T, ns string) string {
	t.Helper()
	l, err := env.kube.Clientset().CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	var names []string
	for _, p := range l.Items {
		names = append(names, p.Name)
	}
	return strings.Join(names, " ")
}
