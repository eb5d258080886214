package decision

import (
	"encoding/json"
	"testing"
	"time"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// The reference KubeDoor's behaviour fixture, in our types: cluster prod-a, namespace demo
// enforced, policy demo/api with replicas 4, app requests 500m/1024Mi and limits 2000m/2048Mi.

var now = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func settings() Settings { return Settings{Cluster: "prod-a", Now: now} }

func q(s string) *resource.Quantity {
	v := resource.MustParse(s)
	return &v
}

func i32(n int32) *int32 { return &n }

func policy(mods ...func(*v1alpha1.CapacityPolicy)) *v1alpha1.CapacityPolicy {
	p := &v1alpha1.CapacityPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "demo"},
		Spec: v1alpha1.CapacityPolicySpec{
			Cluster:  "prod-a",
			Replicas: i32(4),
			Containers: []v1alpha1.ContainerPolicy{{
				Name: "app", CPURequest: q("500m"), MemoryRequest: q("1024Mi"), CPULimit: q("2000m"), MemoryLimit: q("2048Mi"),
			}},
		},
	}
	for _, m := range mods {
		m(p)
	}
	return p
}

// deployment is scenario 3's Deployment: app a:1 with a cpu request and ephemeral storage, and a
// sidecar with a cpu request.
func deployment(replicas int32, mods ...func(*appsv1.Deployment)) *appsv1.Deployment {
	labels := map[string]string{"app": "api"}
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "demo", Labels: map[string]string{"team": "a"}},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{
					{Name: "app", Image: "a:1", Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceEphemeralStorage: resource.MustParse("1Gi")},
						Limits:   corev1.ResourceList{},
					}},
					{Name: "sidecar", Image: "proxy:1", Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m")},
					}},
				}},
			},
		},
	}
	for _, m := range mods {
		m(d)
	}
	return d
}

func withAnnotation(k, v string) func(*appsv1.Deployment) {
	return func(d *appsv1.Deployment) {
		if d.Annotations == nil {
			d.Annotations = map[string]string{}
		}
		d.Annotations[k] = v
	}
}

func tempScale(age time.Duration) func(*appsv1.Deployment) {
	return withAnnotation(v1alpha1.AnnotationScaleTemp, v1alpha1.ScaleTemp{At: now.Add(-age), From: 4, To: 8}.String())
}

func restarted(d *appsv1.Deployment) {
	d.Spec.Template.Annotations = map[string]string{"kubectl.kubernetes.io/restartedAt": "2026-03-01T09:59:00Z"}
}

func image(img string) func(*appsv1.Deployment) {
	return func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = img }
}

func scale(replicas int32) *autoscalingv1.Scale {
	return &autoscalingv1.Scale{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v1", Kind: "Scale"},
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "demo"},
		Spec:       autoscalingv1.ScaleSpec{Replicas: replicas},
	}
}

// Inputs for the three operations, in the enforced fixture namespace.

func create(d *appsv1.Deployment) Input {
	return Input{Operation: DeploymentCreate, Namespace: "demo", Name: "api", New: d,
		Control: v1alpha1.ControlEnforce, Policy: policy(), Settings: settings()}
}

func update(old, new *appsv1.Deployment) Input {
	return Input{Operation: DeploymentUpdate, Namespace: "demo", Name: "api", Old: old, New: new,
		Control: v1alpha1.ControlEnforce, Policy: policy(), Settings: settings()}
}

func scaleTo(replicas int32, cached *appsv1.Deployment) Input {
	return Input{Operation: ScaleUpdate, Namespace: "demo", Name: "api", Scale: scale(replicas), Current: cached,
		Control: v1alpha1.ControlEnforce, Policy: policy(), Settings: settings()}
}

// apply applies d's patch to the object under review, as the API server would, and returns the
// input with the patched object in place.
func apply(t *testing.T, in Input, d Decision) Input {
	t.Helper()
	if len(d.Patch) == 0 {
		return in
	}
	ops, err := json.Marshal(d.Patch)
	if err != nil {
		t.Fatal(err)
	}
	patch, err := jsonpatch.DecodePatch(ops)
	if err != nil {
		t.Fatalf("patch %s does not decode: %v", ops, err)
	}
	var target any = in.New
	if in.Operation == ScaleUpdate {
		target = in.Scale
	}
	doc, err := json.Marshal(target)
	if err != nil {
		t.Fatal(err)
	}
	patched, err := patch.Apply(doc)
	if err != nil {
		t.Fatalf("patch %s does not apply to %s: %v", ops, doc, err)
	}
	out := in
	if in.Operation == ScaleUpdate {
		out.Scale = &autoscalingv1.Scale{}
		err = json.Unmarshal(patched, out.Scale)
	} else {
		out.New = &appsv1.Deployment{}
		err = json.Unmarshal(patched, out.New)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}
