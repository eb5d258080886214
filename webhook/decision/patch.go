package decision

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// patcher collects the operations of one decision. It only emits an operation when the value
// differs from what was sent, so answering the same review twice gives the same patch and a
// compliant object gives none.
type patcher struct {
	in       Input
	ops      []PatchOp
	changes  []string
	warnings []string
	notes    []string
	ignored  []string
}

func (p *patcher) decision(r Reason) Decision {
	d := Decision{Allowed: true, Result: Allowed, Reason: r, Warnings: p.warnings, Notes: p.notes, Ignored: p.ignored}
	if len(p.ops) > 0 {
		d.Result, d.Patch, d.Changes = Patched, p.ops, p.changes
	}
	return d
}

// replicas sets the policy's replica count, unless the policy leaves it open or an HPA owns it
// (rule 8: resources are still enforced, replicas never).
func (p *patcher) replicas() {
	want := p.in.Policy.Spec.Replicas
	switch {
	case kindOf(p.in) == v1alpha1.KindDaemonSet:
		// A DaemonSet runs one pod per node and has no spec.replicas to set.
		if want != nil {
			p.ignored = append(p.ignored, fmt.Sprintf("policy replicas %d (a DaemonSet has none)", *want))
		}
		return
	case want == nil:
		p.notes = append(p.notes, "policy sets no replicas; kept what was sent")
		return
	case p.in.HPA != "":
		p.notes = append(p.notes, fmt.Sprintf("HorizontalPodAutoscaler %s owns the replicas; not forced", p.in.HPA))
		return
	}
	if p.in.Operation == ScaleUpdate {
		// spec.replicas of a Scale is never omitted, so replace is always valid.
		if got := p.in.Scale.Spec.Replicas; got != *want {
			p.ops = append(p.ops, PatchOp{Op: "replace", Path: "/spec/replicas", Value: *want})
			p.changes = append(p.changes, fmt.Sprintf("replicas %d -> %d", got, *want))
		}
		return
	}
	got := p.in.New.Spec.Replicas
	if got != nil && *got == *want {
		return
	}
	op, from := "replace", "unset"
	if got == nil {
		op = "add" // the API server defaults replicas, but a review may still omit it
	} else {
		from = fmt.Sprint(*got)
	}
	p.ops = append(p.ops, PatchOp{Op: op, Path: "/spec/replicas", Value: *want})
	p.changes = append(p.changes, fmt.Sprintf("replicas %s -> %d", from, *want))
}

// resources sets requests/limits on every container the policy names. Containers it does not
// name (sidecars) and resource keys it does not govern (ephemeral-storage, claims) are kept.
func (p *patcher) resources() {
	p.containerResources(p.in.New.Spec.Template.Spec.Containers, "/spec/template/spec/containers", kindOf(p.in))
}

// containerResources patches the containers found at path (a workload's template or a Pod);
// what names their holder in notes.
func (p *patcher) containerResources(containers []corev1.Container, path, what string) {
	for _, cp := range p.in.Policy.Spec.Containers {
		i := containerIndex(containers, cp.Name)
		if i < 0 {
			p.notes = append(p.notes, fmt.Sprintf("policy names container %q, which the %s does not have", cp.Name, what))
			continue
		}
		sent := containers[i].Resources
		merged := *sent.DeepCopy()
		p.set(&merged.Requests, corev1.ResourceCPU, cp.CPURequest, cp.Name, "requests")
		p.set(&merged.Requests, corev1.ResourceMemory, cp.MemoryRequest, cp.Name, "requests")
		p.set(&merged.Limits, corev1.ResourceCPU, cp.CPULimit, cp.Name, "limits")
		p.set(&merged.Limits, corev1.ResourceMemory, cp.MemoryLimit, cp.Name, "limits")
		p.clamp(&merged, corev1.ResourceCPU, cp.Name)
		p.clamp(&merged, corev1.ResourceMemory, cp.Name)
		if equality.Semantic.DeepEqual(sent, merged) {
			continue
		}
		// One "add" of the whole merged object per container: valid whether or not "resources"
		// or its maps were present in what was sent ("add" replaces an existing member).
		p.ops = append(p.ops, PatchOp{Op: "add", Path: fmt.Sprintf("%s/%d/resources", path, i), Value: merged})
		p.changes = append(p.changes, describe(cp.Name, sent, merged)...)
	}
}

// set writes one governed quantity; a missing or non-positive value keeps what was sent.
func (p *patcher) set(list *corev1.ResourceList, name corev1.ResourceName, q *resource.Quantity, container, kind string) {
	if q == nil {
		return
	}
	if q.Sign() <= 0 {
		p.notes = append(p.notes, fmt.Sprintf("container %s: policy %s.%s %s is not positive; kept what was sent", container, kind, name, q.String()))
		return
	}
	if *list == nil {
		*list = corev1.ResourceList{}
	}
	if cur, ok := (*list)[name]; ok && cur.Cmp(*q) == 0 {
		return // semantically equal ("0.5" vs "500m"): keep the sender's spelling
	}
	(*list)[name] = q.DeepCopy()
}

// clamp lowers a request above its limit to the limit, which the API server would otherwise
// reject, and reports it.
func (p *patcher) clamp(r *corev1.ResourceRequirements, name corev1.ResourceName, container string) {
	req, hasReq := r.Requests[name]
	lim, hasLim := r.Limits[name]
	if !hasReq || !hasLim || req.Cmp(lim) <= 0 {
		return
	}
	r.Requests[name] = lim.DeepCopy()
	msg := fmt.Sprintf("kubedoor: container %s %s request %s is above its limit %s; clamped to the limit", container, name, req.String(), lim.String())
	p.notes = append(p.notes, msg)
	p.warnings = append(p.warnings, truncate(msg))
}

func containerIndex(cs []corev1.Container, name string) int {
	for i := range cs {
		if cs[i].Name == name {
			return i
		}
	}
	return -1
}

// describe lists each governed value that changes, e.g. "app requests.cpu 100m -> 500m".
func describe(container string, from, to corev1.ResourceRequirements) []string {
	var out []string
	for _, kind := range []struct {
		name     string
		from, to corev1.ResourceList
	}{{"requests", from.Requests, to.Requests}, {"limits", from.Limits, to.Limits}} {
		for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			a, hadA := kind.from[res]
			b, hasB := kind.to[res]
			if hadA == hasB && (!hasB || a.Cmp(b) == 0) {
				continue
			}
			was := "unset"
			if hadA {
				was = a.String()
			}
			out = append(out, fmt.Sprintf("%s %s.%s %s -> %s", container, kind.name, res, was, b.String()))
		}
	}
	return out
}

func templateChanged(old, new *appsv1.Deployment) bool {
	return !equality.Semantic.DeepEqual(old.Spec.Template, new.Spec.Template)
}

func replicasOf(d *appsv1.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1 // the API server's default
	}
	return *d.Spec.Replicas
}

func joinChanges(cs []string) string { return strings.Join(cs, "; ") }

// maxWarning keeps a warning under the API server's 256-character truncation.
const maxWarning = 250

func truncate(s string) string {
	if len(s) <= maxWarning {
		return s
	}
	cut := maxWarning - 3
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
