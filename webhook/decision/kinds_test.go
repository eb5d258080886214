package decision

import (
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// StatefulSets and DaemonSets reach Decide as the same Deployment-shaped view (see Input), with
// Kind set and a policy targeting that kind.

func as(kind string, in Input) Input {
	in.Kind = kind
	in.Policy = in.Policy.DeepCopy()
	if in.Policy != nil {
		in.Policy.Name = v1alpha1.PolicyName(kind, in.Name)
		in.Policy.Spec.TargetKind = kind
	}
	return in
}

// daemonSet is the fixture workload as a DaemonSet's view: no replicas.
func daemonSet(mods ...func(*appsv1.Deployment)) *appsv1.Deployment {
	return deployment(1, append([]func(*appsv1.Deployment){func(d *appsv1.Deployment) { d.Spec.Replicas = nil }}, mods...)...)
}

const resourcesPatch = `[{"op":"add","path":"/spec/template/spec/containers/0/resources","value":{
   "requests":{"cpu":"500m","memory":"1Gi","ephemeral-storage":"1Gi"},"limits":{"cpu":"2","memory":"2Gi"}}}]`

func kindCases() []decideCase {
	sts, ds := v1alpha1.KindStatefulSet, v1alpha1.KindDaemonSet
	replicas4 := `[{"op":"replace","path":"/spec/replicas","value":4}]`
	return []decideCase{
		// StatefulSets follow the Deployment rules.
		{"a StatefulSet CREATE gets replicas and the app container's resources", as(sts, create(deployment(1))), patched(ReasonCreate, fullPatch)},
		{"a StatefulSet image change gets the full patch", as(sts, update(deployment(6), deployment(6, image("a:2")))), patched(ReasonTemplateChange, fullPatch)},
		{"a StatefulSet rollout restart gets the full patch", as(sts, update(deployment(6), deployment(6, restarted))), patched(ReasonTemplateChange, fullPatch)},
		{"a StatefulSet replicas-only update is forced back by default", as(sts, update(deployment(4), deployment(10))), patched(ReasonReplicasOnly, replicas4)},
		{"a StatefulSet replicas-only update is admitted when the setting allows it", withSetting(as(sts, update(deployment(4), deployment(10))), func(s *Settings) { s.ReplicasOnlyUpdate = ReplicasOnlyAllow }), allowed(ReasonReplicasOnlyAllowed)},
		{"a statefulsets/scale is forced to the policy's replicas", as(sts, scaleTo(9, nil)), patched(ReasonScale, replicas4)},
		{"a statefulsets/scale under a fresh temporary scale on the cached StatefulSet passes", as(sts, scaleTo(8, deployment(4, tempScale(time.Minute)))), allowed(ReasonTempScale)},
		// What the backend's temporary scale of a StatefulSet sends: one patch with replicas and the annotation.
		{"a StatefulSet replicas update carrying a fresh temporary scale passes", as(sts, update(deployment(4), deployment(8, tempScale(time.Minute)))), allowed(ReasonTempScale)},
		{"a StatefulSet replicas update under a stale temporary scale is forced back", as(sts, update(deployment(4), deployment(8, tempScale(6*time.Minute)))), want{allowed: true, result: Patched, reason: ReasonReplicasOnly, patch: replicas4, note: "older than 5m0s"}},
		{"a statefulsets/scale of an HPA-targeted StatefulSet is the HPA's", withHPA(as(sts, scaleTo(9, nil))), want{allowed: true, result: Allowed, reason: ReasonScaleHPA, note: "owns the replicas"}},
		{"a CREATE of an HPA-targeted StatefulSet gets resources but keeps its replicas", withHPA(as(sts, create(deployment(7)))), want{allowed: true, result: Patched, reason: ReasonCreate, note: "not forced", patch: resourcesPatch}},
		{"an update-strategy-only change of a StatefulSet is admitted without a patch", as(sts, update(deployment(4), deployment(4, func(d *appsv1.Deployment) { d.Spec.MinReadySeconds = 5 }))), allowed(ReasonNoCapacityChange)},
		{"an unregistered StatefulSet is denied, naming its kind and the per-kind annotation", without(as(sts, create(deployment(1)))), want{result: Denied, reason: ReasonUnknownDeny, code: 403,
			message: []string{"StatefulSet prod-a/demo/api", v1alpha1.AnnotationUnknownStatefulSets, v1alpha1.AnnotationUnknownWorkloads}}},
		{"an unregistered StatefulSet under warn is admitted with a warning", without(withControl(as(sts, create(deployment(1))), v1alpha1.ControlEnforce, v1alpha1.UnknownWarn)), want{allowed: true, result: Allowed, reason: ReasonUnknownWarn, warning: "not in the control table"}},
		{"observe mode reports a StatefulSet's would-be patch", withControl(as(sts, create(deployment(1))), v1alpha1.ControlObserve, ""), want{allowed: true, result: Observed, reason: ReasonCreate, warning: "would set replicas 1 -> 4"}},

		// DaemonSets: resources only.
		{"a DaemonSet CREATE gets resources, and the policy's replicas are ignored and said so", as(ds, create(daemonSet())), want{allowed: true, result: Patched, reason: ReasonCreate, patch: resourcesPatch, ignored: "policy replicas 4 (a DaemonSet has none)"}},
		{"a DaemonSet policy without replicas ignores nothing", withPolicy(as(ds, create(daemonSet())), func() *v1alpha1.CapacityPolicy {
			p := policy(func(p *v1alpha1.CapacityPolicy) { p.Spec.Replicas = nil; p.Spec.TargetKind = ds })
			return p
		}()), patched(ReasonCreate, resourcesPatch)},
		{"a DaemonSet image change gets resources only", as(ds, update(daemonSet(), daemonSet(image("a:2")))), want{allowed: true, result: Patched, reason: ReasonTemplateChange, patch: resourcesPatch, ignored: "a DaemonSet has none"}},
		{"a DaemonSet rollout restart gets resources only", as(ds, update(daemonSet(), daemonSet(restarted))), want{allowed: true, result: Patched, reason: ReasonTemplateChange, patch: resourcesPatch}},
		{"a DaemonSet labels-only update is admitted without a patch", as(ds, update(daemonSet(), daemonSet(func(d *appsv1.Deployment) { d.Labels["team"] = "b" }))), allowed(ReasonNoCapacityChange)},
		{"a compliant DaemonSet needs no patch", as(ds, update(daemonSet(), daemonSet(image("a:2"), func(d *appsv1.Deployment) {
			d.Spec.Template.Spec.Containers[0].Resources = fullResources()
		}))), want{allowed: true, result: Allowed, reason: ReasonTemplateChange, ignored: "policy replicas 4"}},
		{"an unregistered DaemonSet is denied, naming its kind", without(as(ds, create(daemonSet()))), want{result: Denied, reason: ReasonUnknownDeny, code: 403,
			message: []string{"DaemonSet prod-a/demo/api", v1alpha1.AnnotationUnknownDaemonSets}}},
	}
}

// fullResources is exactly what the fixture policy sets on the app container.
func fullResources() corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("1Gi")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("2Gi")},
	}
}
