package decision

import (
	"encoding/json"
	"strings"
	"testing"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// fixturePod is what the ReplicaSet controller creates from the fixture Deployment's template.
func fixturePod(mods ...func(*corev1.Pod)) *corev1.Pod {
	yes := true
	p := &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{GenerateName: "api-7d9f-", Namespace: "demo",
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "api-7d9f", UID: "u1", Controller: &yes}}},
		Spec: *deployment(1).Spec.Template.Spec.DeepCopy(),
	}
	for _, m := range mods {
		m(p)
	}
	return p
}

func ownedBy(apiVersion, kind, name string, controller bool) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: apiVersion, Kind: kind, Name: name, UID: "u2", Controller: &controller}}
	}
}

// replicaSets knows api-7d9f (of Deployment api) and a ReplicaSet created on its own.
func replicaSets(namespace, name string) (string, string, bool) {
	switch namespace + "/" + name {
	case "demo/api-7d9f":
		return v1alpha1.KindDeployment, "api", true
	case "demo/standalone":
		return "", "", true
	}
	return "", "", false
}

func TestPodOwnerFollowsTheControllerChain(t *testing.T) {
	tests := []struct {
		name     string
		pod      *corev1.Pod
		want     string // "Kind/name", or a part of Why
		resolved bool
	}{
		{"a Deployment's pod is found through its ReplicaSet", fixturePod(), "Deployment/api", true},
		{"a StatefulSet's pod names its owner directly", fixturePod(ownedBy("apps/v1", "StatefulSet", "db", true)), "StatefulSet/db", true},
		{"a DaemonSet's pod names its owner directly", fixturePod(ownedBy("apps/v1", "DaemonSet", "agent", true)), "DaemonSet/agent", true},
		{"a ReplicaSet the cache has not seen leaves the owner unknown", fixturePod(ownedBy("apps/v1", "ReplicaSet", "api-new", true)), "not in the webhook's cache", false},
		{"a ReplicaSet created on its own is no workload of the table", fixturePod(ownedBy("apps/v1", "ReplicaSet", "standalone", true)), "not controlled by a Deployment", false},
		{"a bare pod has no owner", fixturePod(func(p *corev1.Pod) { p.OwnerReferences = nil }), "no controller", false},
		{"an owner reference that is not the controller is not followed", fixturePod(ownedBy("apps/v1", "StatefulSet", "db", false)), "no controller", false},
		{"a Job's pod has no workload of the table", fixturePod(ownedBy("batch/v1", "Job", "migrate", true)), "not an apps/v1 workload", false},
		{"a kind of another API group with a workload's name is not followed", fixturePod(ownedBy("example.com/v1", "StatefulSet", "db", true)), "not an apps/v1 workload", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PodOwner(tt.pod, replicaSets)
			if tt.resolved {
				if got.Kind+"/"+got.Name != tt.want {
					t.Fatalf("owner %+v, want %s", got, tt.want)
				}
				return
			}
			if got.Kind != "" || !strings.Contains(got.Why, tt.want) {
				t.Fatalf("owner %+v, want unknown because %q", got, tt.want)
			}
		})
	}
}

func podInput(mods ...func(*PodInput)) PodInput {
	in := PodInput{Namespace: "demo", Pod: fixturePod(), Control: v1alpha1.ControlEnforce, Target: v1alpha1.ControlTargetPods,
		Owner: Owner{Kind: v1alpha1.KindDeployment, Name: "api"}, Policy: policy()}
	for _, m := range mods {
		m(&in)
	}
	return in
}

// applyToPod applies the decision's patch to the Pod as the API server would.
func applyToPod(t *testing.T, pod *corev1.Pod, d Decision) *corev1.Pod {
	t.Helper()
	if len(d.Patch) == 0 {
		return pod
	}
	ops, err := json.Marshal(d.Patch)
	if err != nil {
		t.Fatal(err)
	}
	patch, err := jsonpatch.DecodePatch(ops)
	if err != nil {
		t.Fatalf("patch %s does not decode: %v", ops, err)
	}
	doc, _ := json.Marshal(pod)
	patched, err := patch.Apply(doc)
	if err != nil {
		t.Fatalf("patch %s does not apply to %s: %v", ops, doc, err)
	}
	out := &corev1.Pod{}
	if err := json.Unmarshal(patched, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func podResources(p *corev1.Pod, container string) string {
	for _, c := range p.Spec.Containers {
		if c.Name == container {
			var parts []string
			for _, l := range []struct {
				name string
				list corev1.ResourceList
			}{{"req", c.Resources.Requests}, {"lim", c.Resources.Limits}} {
				var kv []string
				for _, k := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage} {
					if v, ok := l.list[k]; ok {
						kv = append(kv, string(k)+"="+v.String())
					}
				}
				parts = append(parts, l.name+" "+strings.Join(kv, ","))
			}
			return strings.Join(parts, " ")
		}
	}
	return "no container " + container
}

func TestDecidePod(t *testing.T) {
	const enforced = "req cpu=500m,memory=1Gi,ephemeral-storage=1Gi lim cpu=2,memory=2Gi"
	const sent = "req cpu=100m,ephemeral-storage=1Gi lim "
	type want struct {
		result  Result
		reason  Reason
		app     string // the app container after the patch
		sidecar string // the sidecar after the patch
		text    string // a part of a note, warning or ignored entry
	}
	tests := []struct {
		name string
		in   PodInput
		want want
	}{
		{"a Deployment's pod gets the policy's requests and limits on the named container only", podInput(),
			want{Patched, ReasonPodCreate, enforced, "req cpu=50m lim ", "policy replicas 4 (not forced"}},
		{"a StatefulSet's pod gets its policy too", podInput(func(in *PodInput) { in.Owner = Owner{Kind: v1alpha1.KindStatefulSet, Name: "db"} }),
			want{Patched, ReasonPodCreate, enforced, "req cpu=50m lim ", "not forced"}},
		{"a DaemonSet's pod gets resources and no word about replicas it never had", podInput(func(in *PodInput) {
			in.Owner = Owner{Kind: v1alpha1.KindDaemonSet, Name: "agent"}
			in.Policy.Spec.Replicas = nil
		}), want{Patched, ReasonPodCreate, enforced, "req cpu=50m lim ", ""}},
		{"a pod whose owner was not found is admitted unchanged", podInput(func(in *PodInput) {
			in.Owner = Owner{Why: "ReplicaSet api-new is not in the webhook's cache"}
		}), want{Allowed, ReasonPodOwnerUnknown, sent, "req cpu=50m lim ", "not in the webhook's cache"}},
		{"a pod of a workload without a policy is admitted unchanged", podInput(func(in *PodInput) { in.Policy = nil }),
			want{Allowed, ReasonPodNoPolicy, sent, "req cpu=50m lim ", "has no CapacityPolicy"}},
		{"a container the policy names but the pod lacks is noted and the rest applied", podInput(func(in *PodInput) {
			in.Policy.Spec.Containers = append(in.Policy.Spec.Containers, v1alpha1.ContainerPolicy{Name: "worker", CPURequest: q("1")})
		}), want{Patched, ReasonPodCreate, enforced, "req cpu=50m lim ", `policy names container "worker", which the Pod does not have`}},
		{"a pod whose containers are not in the policy is admitted without a patch", podInput(func(in *PodInput) {
			in.Policy.Spec.Containers = []v1alpha1.ContainerPolicy{{Name: "worker", CPURequest: q("1")}}
		}), want{Allowed, ReasonPodCreate, sent, "req cpu=50m lim ", `"worker"`}},
		{"a namespace whose target is the template is ignored", podInput(func(in *PodInput) { in.Target = v1alpha1.ControlTargetTemplate }),
			want{Allowed, ReasonNotPodsTarget, sent, "req cpu=50m lim ", ""}},
		{"a namespace without a target label is the template's", podInput(func(in *PodInput) { in.Target = "" }),
			want{Allowed, ReasonNotPodsTarget, sent, "req cpu=50m lim ", ""}},
		{"a namespace that is not enforced is ignored", podInput(func(in *PodInput) { in.Control = "" }),
			want{Allowed, ReasonNotEnforced, sent, "req cpu=50m lim ", ""}},
		{"an observed namespace admits unchanged and says what it would set", podInput(func(in *PodInput) { in.Control = v1alpha1.ControlObserve }),
			want{Observed, ReasonPodCreate, sent, "req cpu=50m lim ", "would set app requests.cpu 100m -> 500m"}},
		{"a pod that already carries the table's values gets no patch", podInput(func(in *PodInput) {
			in.Pod.Spec.Containers[0].Resources = corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("0.5"), corev1.ResourceMemory: resource.MustParse("1Gi"), corev1.ResourceEphemeralStorage: resource.MustParse("1Gi")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("2048Mi")},
			}
		}), want{Allowed, ReasonPodCreate, "req cpu=500m,memory=1Gi,ephemeral-storage=1Gi lim cpu=2,memory=2Gi", "req cpu=50m lim ", "not forced"}},
		{"a pod with a resize policy keeps it and gets the values", podInput(func(in *PodInput) {
			in.Pod.Spec.Containers[0].ResizePolicy = []corev1.ContainerResizePolicy{{ResourceName: corev1.ResourceMemory, RestartPolicy: corev1.RestartContainer}}
		}), want{Patched, ReasonPodCreate, enforced, "req cpu=50m lim ", "not forced"}},
		{"a pod with pod-level resources is left as sent", podInput(func(in *PodInput) {
			in.Pod.Spec.Resources = &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}}
		}), want{Allowed, ReasonPodLevel, sent, "req cpu=50m lim ", "pod-level resources"}},
		{"a request above the policy's limit is clamped to the limit and warned about", podInput(func(in *PodInput) {
			in.Policy.Spec.Containers[0] = v1alpha1.ContainerPolicy{Name: "app", MemoryLimit: q("512Mi")}
			in.Pod.Spec.Containers[0].Resources.Requests[corev1.ResourceMemory] = resource.MustParse("1Gi")
		}), want{Patched, ReasonPodCreate, "req cpu=100m,memory=512Mi,ephemeral-storage=1Gi lim memory=512Mi", "req cpu=50m lim ", "clamped to the limit"}},
		{"a review without the pod is admitted unchanged", podInput(func(in *PodInput) { in.Pod = nil }),
			want{Allowed, ReasonUnsupported, "", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := tt.in.Pod.DeepCopy()
			d := DecidePod(tt.in)
			if !d.Allowed || d.Result != tt.want.result || d.Reason != tt.want.reason {
				t.Fatalf("got allowed=%v %s/%s, want %s/%s (notes %v)", d.Allowed, d.Result, d.Reason, tt.want.result, tt.want.reason, d.Notes)
			}
			if tt.in.Pod == nil {
				return
			}
			if d.Result != Patched && len(d.Patch) > 0 {
				t.Fatalf("a %s decision carries a patch %v", d.Result, d.Patch)
			}
			got := applyToPod(t, pod, d)
			if a := podResources(got, "app"); a != tt.want.app {
				t.Errorf("app %q, want %q", a, tt.want.app)
			}
			if s := podResources(got, "sidecar"); s != tt.want.sidecar {
				t.Errorf("sidecar %q, want %q", s, tt.want.sidecar)
			}
			if !equalExceptResources(pod, got) {
				t.Errorf("the patch changed more than container resources")
			}
			said := strings.Join(append(append(append([]string{}, d.Notes...), d.Warnings...), d.Ignored...), "|")
			if tt.want.text != "" && !strings.Contains(said, tt.want.text) {
				t.Errorf("notes/warnings/ignored %q lack %q", said, tt.want.text)
			}
			if tt.want.text == "" && len(d.Ignored) > 0 {
				t.Errorf("unexpected ignored %v", d.Ignored)
			}
			// The API server may call again (reinvocation, retries): the patched pod needs none.
			again := tt.in
			again.Pod = got
			if d2 := DecidePod(again); len(d2.Patch) > 0 {
				t.Errorf("a second review of the patched pod patches again: %v", d2.Patch)
			}
		})
	}
}

// equalExceptResources compares two pods with every container's resources blanked.
func equalExceptResources(a, b *corev1.Pod) bool {
	blank := func(p *corev1.Pod) string {
		p = p.DeepCopy()
		for i := range p.Spec.Containers {
			p.Spec.Containers[i].Resources = corev1.ResourceRequirements{}
		}
		s, _ := json.Marshal(p)
		return string(s)
	}
	return blank(a) == blank(b)
}
