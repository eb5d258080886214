//go:build parts

package opstest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// resizablePod creates a pod of the Deployment name as its ReplicaSet <name>-hash1 would.
func resizablePod(t *testing.T, ns, name, pod string) {
	t.Helper()
	ctx := t.Context()
	// Pods need the namespace's default ServiceAccount, which no controller creates here.
	if _, err := env.kube.Clientset().CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: pod, Labels: map[string]string{"app": name, appsv1.DefaultDeploymentUniqueLabelKey: "hash1"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: name + "-hash1", UID: "00000000-0000-0000-0000-000000000001", Controller: new(true)}}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("256Mi")}}}}},
	}
	if _, err := env.kube.Clientset().CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func podCPU(t *testing.T, ns, pod string) string {
	t.Helper()
	p, err := env.kube.Clientset().CoreV1().Pods(ns).Get(t.Context(), pod, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Spec.Containers[0].Resources.Requests.Cpu().String()
}

// An Editor's "apply now" resizes the workload's pods through the built plugin, answers each
// pod's outcome and audits it; the batch action does the same; bad bodies, Viewers, unknown
// workloads and protected namespaces are refused before any pod is touched.
func TestApplyNowAndTheResizeActionThroughTheAPI(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "shop", 1)
	resizablePod(t, ns, "shop", "shop-a")
	row := map[string]any{"cluster": "prod-a", "namespace": ns, "workload": "shop", "replicas": map[string]any{"manual": 1},
		"containers": []map[string]any{{"name": "app", "cpuRequestMillis": 400, "cpuLimitMillis": -1, "memRequestMiB": -1, "memLimitMiB": -1}}}
	if s := call(t, editor, "POST", "v1/control", row, nil); s != 201 {
		t.Fatalf("adding the row: %d", s)
	}
	path := "v1/control/prod-a/" + ns + "/shop/resize"

	var e apiErr
	if s := call(t, viewer, "POST", path, map[string]any{"pauseSeconds": 0}, &e); s != 403 {
		t.Fatalf("a Viewer: %d %+v", s, e)
	}
	if s := call(t, editor, "POST", path, "", &e); s != 400 || !strings.Contains(e.Error, "empty") {
		t.Fatalf("an empty body: %d %+v", s, e)
	}
	wantFieldError(t, call(t, editor, "POST", path, map[string]any{}, &e), e, "pauseSeconds")
	wantFieldError(t, call(t, editor, "POST", path, map[string]any{"pauseSeconds": 61}, &e), e, "pauseSeconds")
	wantFieldError(t, call(t, editor, "POST", path, map[string]any{"pauseSeconds": 0, "waitSeconds": -1}, &e), e, "waitSeconds")
	wantFieldError(t, call(t, editor, "POST", path+"?kind=CronJob", map[string]any{"pauseSeconds": 0}, &e), e, "kind")
	if s := call(t, editor, "POST", "v1/control/prod-a/"+ns+"/nothing/resize", map[string]any{"pauseSeconds": 0}, &e); s != 404 {
		t.Fatalf("a workload outside the table: %d %+v", s, e)
	}
	if s := call(t, editor, "POST", "v1/control/prod-a/kube-system/coredns/resize", map[string]any{"pauseSeconds": 0}, &e); s != 400 || e.Field != "namespace" {
		t.Fatalf("a protected namespace: %d %+v", s, e)
	}
	if s := call(t, editor, "POST", "v1/control/prod-z/"+ns+"/shop/resize", map[string]any{"pauseSeconds": 0}, &e); s != 404 {
		t.Fatalf("an unknown cluster: %d %+v", s, e)
	}
	if podCPU(t, ns, "shop-a") != "100m" {
		t.Fatal("a refused request touched the pod")
	}

	var res struct {
		OK    bool
		Error string
		After struct {
			Budget struct{ InFlight int }
			Pods   []struct{ Pod, Outcome, Reason string }
		}
	}
	if s := call(t, editor, "POST", path, map[string]any{"pauseSeconds": 0, "waitSeconds": 0}, &res); s != 200 || !res.OK ||
		len(res.After.Pods) != 1 || res.After.Pods[0].Outcome != "requested" || res.After.Budget.InFlight != 1 {
		t.Fatalf("apply now: %d %+v", s, res)
	}
	if got := podCPU(t, ns, "shop-a"); got != "400m" {
		t.Fatalf("the pod's CPU request is %s, want 400m", got)
	}

	// The batch action: a new value, reaching the pod the same way.
	row["containers"].([]map[string]any)[0]["cpuRequestMillis"] = 500
	var current struct{ Version int }
	if call(t, viewer, "GET", "v1/control/prod-a/"+ns+"/shop", nil, &current) != 200 {
		t.Fatal("reading the row")
	}
	if s := call(t, editor, "PUT", "v1/control/prod-a/"+ns+"/shop", map[string]any{"expectedVersion": current.Version,
		"containers": []map[string]any{{"name": "app", "cpuRequestMillis": 500}}}, &e); s != 200 {
		t.Fatalf("editing the row: %d %+v", s, e)
	}
	var batch results
	if s := call(t, editor, "POST", "v1/actions/resize", map[string]any{"items": []map[string]any{{"cluster": "prod-a", "namespace": ns, "workload": "shop"}}}, &batch); s != 200 || len(batch.Results) != 1 {
		t.Fatalf("batch: %d %+v", s, batch)
	}
	if got := podCPU(t, ns, "shop-a"); got != "500m" {
		t.Fatalf("after the batch the pod's CPU request is %s, want 500m (%+v)", got, batch)
	}
	wantFieldError(t, call(t, editor, "POST", "v1/actions/resize", map[string]any{"items": []map[string]any{{"cluster": "prod-a", "namespace": ns, "workload": "shop", "replicas": 2}}}, &e), e, "items[0].replicas")

	var log auditList
	if call(t, viewer, "GET", "v1/audit?user=ed&action=resize&target="+ns+"/", nil, &log) != 200 {
		t.Fatal("audit list")
	}
	if len(log.Items) != 2 {
		t.Fatalf("%d resize audit entries, want one per pod and run: %+v", len(log.Items), log.Items)
	}
	var before, after struct {
		Pod        string
		Containers []struct{ CPURequest string }
	}
	if json.Unmarshal(log.Items[1].Before, &before) != nil || json.Unmarshal(log.Items[1].After, &after) != nil ||
		before.Pod != "shop-a" || before.Containers[0].CPURequest != "100m" || after.Containers[0].CPURequest != "400m" {
		t.Fatalf("first resize's audit entry: %s → %s", log.Items[1].Before, log.Items[1].After)
	}
}

// A once-schedule with action resize runs through the schedule runner and resizes the pods.
func TestAResizeScheduleRuns(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "nightly", 1)
	resizablePod(t, ns, "nightly", "nightly-a")
	row := map[string]any{"cluster": "prod-a", "namespace": ns, "workload": "nightly", "replicas": map[string]any{"manual": 1},
		"containers": []map[string]any{{"name": "app", "cpuRequestMillis": 300, "cpuLimitMillis": -1, "memRequestMiB": -1, "memLimitMiB": -1}}}
	if s := call(t, editor, "POST", "v1/control", row, nil); s != 201 {
		t.Fatalf("adding the row: %d", s)
	}
	var e apiErr
	wantFieldError(t, call(t, editor, "POST", "v1/schedules", map[string]any{"cluster": "prod-a", "action": "resize", "kind": "cron", "cron": "0 1 * * *",
		"items": []map[string]any{{"namespace": ns, "workload": "nightly", "replicas": 2}}}, &e), e, "items[0].replicas")
	at := time.Now().Add(3 * time.Second).UTC().Truncate(time.Second)
	sc := createSchedule(t, map[string]any{"cluster": "prod-a", "action": "resize", "kind": "once", "runAt": at,
		"items": []map[string]any{{"namespace": ns, "workload": "nightly"}}})
	runs := waitRun(t, sc.ID, 60*time.Second)
	if len(runs) != 1 || runs[0].Status != "succeeded" || len(runs[0].Results) != 1 || !runs[0].Results[0].OK {
		t.Fatalf("runs %+v", runs)
	}
	if got := podCPU(t, ns, "nightly-a"); got != "300m" {
		t.Fatalf("the scheduled resize left the pod's CPU request at %s, want 300m", got)
	}
}
