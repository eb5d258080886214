package pods

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

func TestSelectorLabel(t *testing.T) {
	for _, tc := range []struct {
		name    string
		labels  map[string]string
		want    string
		wantErr bool
	}{
		{"a selector of expressions only cannot isolate", nil, "", true},
		{"app is preferred to other keys", map[string]string{"tier": "web", "app": "shop"}, "app", false},
		{"the recommended name label comes before app", map[string]string{"app": "x", "app.kubernetes.io/name": "y"}, "app.kubernetes.io/name", false},
		{"without a known key the first sorted key is chosen", map[string]string{"zone": "a", "role": "b"}, "role", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sel *metav1.LabelSelector
			if tc.labels != nil {
				sel = &metav1.LabelSelector{MatchLabels: tc.labels}
			}
			got, err := SelectorLabel(sel)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("SelectorLabel = %q, %v; want %q (error %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestIsolatedValue(t *testing.T) {
	long := strings.Repeat("a", 60)
	for _, tc := range []struct{ name, in, want string }{
		{"the suffix is appended", "web", "web-isolated"},
		{"an empty value becomes a valid value", "", "isolated"},
		{"a long value is cut to fit 63 characters", long, strings.Repeat("a", 54) + "-isolated"},
		{"a cut never leaves a dash before the suffix", strings.Repeat("a", 53) + "-bbbbbbbbbb", strings.Repeat("a", 53) + "-isolated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := IsolatedValue(tc.in)
			if got != tc.want || len(got) > 63 {
				t.Fatalf("IsolatedValue(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestIsolatedSelector(t *testing.T) {
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web", "tier": "front"}}
	got := IsolatedSelector(sel, "app")
	want := map[string]string{"app": "web-isolated", "tier": "front", LabelIsolated: "true"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if sel.MatchLabels["app"] != "web" {
		t.Fatal("the workload's selector was changed")
	}
}

func TestIsolationPatch(t *testing.T) {
	iso := Isolation{Label: "app", From: "web", To: "web-isolated", At: "2026-01-02T03:04:05Z", By: "ed", Workload: "Deployment/web"}
	b, err := iso.Patch("42")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Metadata struct {
			ResourceVersion string            `json:"resourceVersion"`
			Labels          map[string]string `json:"labels"`
			Annotations     map[string]string `json:"annotations"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	m := got.Metadata
	if m.ResourceVersion != "42" || m.Labels["app"] != "web-isolated" || m.Labels[LabelIsolated] != "true" || len(m.Labels) != 2 ||
		m.Annotations[AnnotationIsolatedAt] != iso.At || m.Annotations[AnnotationIsolatedBy] != "ed" || m.Annotations[AnnotationIsolatedFrom] != "Deployment/web" {
		t.Fatalf("patch %s", b)
	}
	if _, err := (Isolation{}).Patch("1"); err == nil {
		t.Fatal("an isolation without a label must not make a patch")
	}
}

func TestProtected(t *testing.T) {
	for _, tc := range []struct {
		name, ns  string
		protected bool
	}{
		{"kube-system is protected", "kube-system", true},
		{"KubeDoor's own namespace is protected", "kubedoor-sys", true},
		{"an application namespace is not", "shop", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Protected(tc.ns, "kubedoor-sys") != ""; got != tc.protected {
				t.Fatalf("Protected(%q) = %v", tc.ns, got)
			}
		})
	}
}

func i64(v int64) *int64 { return &v }

func TestSummarise(t *testing.T) {
	created := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	now := created.Add(90 * time.Minute)
	early, late := metav1.NewTime(created.Add(time.Minute)), metav1.NewTime(created.Add(time.Hour))
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-1", CreationTimestamp: metav1.NewTime(created),
			Annotations: map[string]string{AnnotationIsolatedAt: "2026-01-01T11:00:00Z", AnnotationIsolatedBy: "ed"}},
		Spec: corev1.PodSpec{NodeName: "n1", TerminationGracePeriodSeconds: i64(45), Containers: []corev1.Container{
			{Name: "app", Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("100Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1000001")},
			}},
			{Name: "sidecar"},
		}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{
			{Name: "app", Ready: true, RestartCount: 3, LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "OOMKilled", FinishedAt: late}}},
			{Name: "sidecar", RestartCount: 1, LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", FinishedAt: early}}},
		}},
	}
	got := Summarise(p, now)
	if got.Name != "web-1" || got.Node != "n1" || got.Phase != "Running" || got.Ready != 1 || got.Containers != 2 || got.Restarts != 4 ||
		got.AgeSeconds != 5400 || got.GracePeriodSeconds != 45 || got.Terminating || !got.Isolated || got.IsolatedBy != "ed" {
		t.Fatalf("summary %+v", got)
	}
	if got.LastTerminationReason != "OOMKilled" {
		t.Fatalf("the most recent termination is OOMKilled, got %q", got.LastTerminationReason)
	}
	app, side := got.Resources[0], got.Resources[1]
	if *app.CPURequestMillis != 250 || app.CPULimitMillis != nil || *app.MemRequestMiB != 100 || *app.MemLimitMiB != 1 {
		t.Fatalf("app resources %+v", app)
	}
	if side.CPURequestMillis != nil || side.MemLimitMiB != nil {
		t.Fatalf("unset resources must stay unset: %+v", side)
	}
	t.Run("a spec without a grace period gets the apiserver's default", func(t *testing.T) {
		if g := Summarise(&corev1.Pod{}, now).GracePeriodSeconds; g != DefaultGracePeriodSeconds {
			t.Fatalf("grace %d", g)
		}
	})
}

func controller(kind, name string, uid types.UID) []metav1.OwnerReference {
	yes := true
	return []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: name, UID: uid, Controller: &yes}}
}

func TestOwns(t *testing.T) {
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	dep := owner{ref: workload.Ref{Namespace: "shop", Kind: workload.Deployment, Name: "web"}, uid: "d1", selector: sel}
	ds := owner{ref: workload.Ref{Namespace: "shop", Kind: workload.DaemonSet, Name: "web"}, uid: "ds1", selector: sel}
	pod := func(lbl map[string]string, refs []metav1.OwnerReference) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Labels: lbl, OwnerReferences: refs}}
	}
	own := map[string]string{"app": "web", "pod-template-hash": "abc"}
	for _, tc := range []struct {
		name string
		o    owner
		p    *corev1.Pod
		want bool
	}{
		{"a Deployment owns its ReplicaSet's pod", dep, pod(own, controller("ReplicaSet", "web-abc", "rs")), true},
		{"a ReplicaSet of another Deployment does not count", dep, pod(own, controller("ReplicaSet", "web2-abc", "rs")), false},
		{"a pod without a template hash is not a Deployment's", dep, pod(map[string]string{"app": "web"}, controller("ReplicaSet", "web-", "rs")), false},
		{"a relabelled pod no longer belongs", dep, pod(map[string]string{"app": "web-isolated", "pod-template-hash": "abc"}, controller("ReplicaSet", "web-abc", "rs")), false},
		{"an orphan belongs to nobody", dep, pod(own, nil), false},
		{"a DaemonSet owns the pods it controls by UID", ds, pod(own, controller("DaemonSet", "web", "ds1")), true},
		{"a DaemonSet of the same name recreated is another owner", ds, pod(own, controller("DaemonSet", "web", "old")), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.o.owns(tc.p); got != tc.want {
				t.Fatalf("owns = %v", got)
			}
		})
	}
}

func TestIsolatedFrom(t *testing.T) {
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	dep := owner{ref: workload.Ref{Namespace: "shop", Kind: workload.Deployment, Name: "web"}, selector: sel}
	isolated := map[string]string{"app": "web-isolated", LabelIsolated: "true"}
	ann := func(from string) map[string]string {
		return map[string]string{AnnotationIsolatedAt: "t", AnnotationIsolatedFrom: from}
	}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		ann    map[string]string
		want   bool
	}{
		{"an isolated pod of the workload", isolated, ann("Deployment/web"), true},
		{"isolated from a StatefulSet of the same name", isolated, ann("StatefulSet/web"), false},
		{"relabelled by hand without the annotations", isolated, nil, false},
		{"annotated but still in the selector", map[string]string{"app": "web"}, ann("Deployment/web"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Labels: tc.labels, Annotations: tc.ann}}
			if got := dep.isolatedFrom(p); got != tc.want {
				t.Fatalf("isolatedFrom = %v", got)
			}
		})
	}
}

func TestValidateDelete(t *testing.T) {
	many := make([]string, MaxDeletes+1)
	for i := range many {
		many[i] = "p" + strings.Repeat("x", i)
	}
	for _, tc := range []struct {
		name      string
		pods      []string
		interval  time.Duration
		wantField string
	}{
		{"one pod is fine", []string{"web-1"}, 0, ""},
		{"no pods is refused", nil, 0, "pods"},
		{"too many pods are refused", many, 0, "pods"},
		{"a bad name names its index", []string{"web-1", "Web_2"}, 0, "pods[1]"},
		{"a pod named twice is refused", []string{"a", "a"}, 0, "pods[1]"},
		{"a negative interval is refused", []string{"a"}, -time.Second, "intervalSeconds"},
		{"an interval over a minute is refused", []string{"a", "b"}, 61 * time.Second, "intervalSeconds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := ValidateDelete(tc.pods, tc.interval)
			got := ""
			if fe != nil {
				got = fe.Field
			}
			if got != tc.wantField {
				t.Fatalf("field %q, want %q (%v)", got, tc.wantField, fe)
			}
		})
	}
}

func TestValidateRef(t *testing.T) {
	for _, tc := range []struct {
		name, ns, kind, wl, wantField, wantKind string
	}{
		{"an empty kind is a Deployment", "shop", "", "web", "", workload.Deployment},
		{"a kind in any case is canonical", "shop", "daemonset", "agent", "", workload.DaemonSet},
		{"an unknown kind is refused", "shop", "Job", "x", "kind", ""},
		{"a missing namespace is refused", "", "", "web", "namespace", ""},
		{"a missing workload is refused", "shop", "", "", "workload", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref, fe := ValidateRef(tc.ns, tc.kind, tc.wl)
			got := ""
			if fe != nil {
				got = fe.Field
			}
			if got != tc.wantField || (fe == nil && ref.Kind != tc.wantKind) {
				t.Fatalf("field %q kind %q, want %q %q", got, ref.Kind, tc.wantField, tc.wantKind)
			}
		})
	}
}
