package resize

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
)

// KeptBelowPeak is the note of a memory value not lowered because the new value is below the
// container's last stored peak: the kubelet cannot shrink a container below what it uses.
const KeptBelowPeak = "kept: below peak"

// KeptNoPeak is the note of a memory decrease not applied because no peak is stored for the
// container, so it cannot be shown to be safe.
const KeptNoPeak = "kept: no stored peak"

// Resources are one container's requests and limits as the API holds them (quantity strings;
// "" = not set), the Before/After of a pod in results and audit entries.
type Resources struct {
	Name       string `json:"name"`
	CPURequest string `json:"cpuRequest,omitempty"`
	CPULimit   string `json:"cpuLimit,omitempty"`
	MemRequest string `json:"memRequest,omitempty"`
	MemLimit   string `json:"memLimit,omitempty"`
}

// ResourcesOf lists a pod spec's containers' requests and limits.
func ResourcesOf(spec corev1.PodSpec) []Resources {
	out := make([]Resources, len(spec.Containers))
	for i, c := range spec.Containers {
		out[i] = Resources{Name: c.Name,
			CPURequest: quantity(c.Resources.Requests, corev1.ResourceCPU), CPULimit: quantity(c.Resources.Limits, corev1.ResourceCPU),
			MemRequest: quantity(c.Resources.Requests, corev1.ResourceMemory), MemLimit: quantity(c.Resources.Limits, corev1.ResourceMemory)}
	}
	return out
}

func quantity(l corev1.ResourceList, name corev1.ResourceName) string {
	q, ok := l[name]
	if !ok {
		return ""
	}
	return q.String()
}

// Plan is what one pod's resize changes: the containers' new resources (only those that
// change) and notes on values kept.
type Plan struct {
	Containers []corev1.Container // name + the full new resources of each changed container
	Kept       []string           // "app: memory request kept: below peak (…)"
}

// Empty reports whether nothing is to change.
func (p Plan) Empty() bool { return len(p.Containers) == 0 }

// PlanPod compares pod's containers with row's and returns what to resize. peaks holds the
// newest stored memory peak per container in bytes (absent: none stored). A row value of
// control.Unset leaves the pod's value as it is; a memory request or limit lower than the
// pod's is applied only when it stays at or above the container's peak.
func PlanPod(pod *corev1.Pod, row control.Row, peaks map[string]float64) Plan {
	var p Plan
	for _, c := range pod.Spec.Containers {
		i := row.Container(c.Name)
		if i < 0 {
			continue
		}
		want := row.Containers[i]
		req := c.Resources.Requests.DeepCopy()
		lim := c.Resources.Limits.DeepCopy()
		if req == nil {
			req = corev1.ResourceList{}
		}
		if lim == nil {
			lim = corev1.ResourceList{}
		}
		changed := false
		setCPU := func(l corev1.ResourceList, millis int64) {
			if millis == control.Unset {
				return
			}
			q := *resource.NewMilliQuantity(millis, resource.DecimalSI)
			if cur, ok := l[corev1.ResourceCPU]; !ok || cur.Cmp(q) != 0 {
				l[corev1.ResourceCPU], changed = q, true
			}
		}
		setMem := func(l corev1.ResourceList, mib int64, what string) {
			if mib == control.Unset {
				return
			}
			q := *resource.NewQuantity(mib<<20, resource.BinarySI)
			cur, ok := l[corev1.ResourceMemory]
			if ok && cur.Cmp(q) == 0 {
				return
			}
			if ok && q.Cmp(cur) < 0 {
				if note := keepMemory(q, peaks, c.Name); note != "" {
					p.Kept = append(p.Kept, fmt.Sprintf("%s: memory %s %s %s", c.Name, what, cur.String(), note))
					return
				}
			}
			l[corev1.ResourceMemory], changed = q, true
		}
		setCPU(req, want.CPURequestMillis)
		setCPU(lim, want.CPULimitMillis)
		setMem(req, want.MemRequestMiB, "request")
		setMem(lim, want.MemLimitMiB, "limit")
		// A request kept above the new limit would make the pod invalid: keep the limit too.
		if r, l := req[corev1.ResourceMemory], lim[corev1.ResourceMemory]; !r.IsZero() && !l.IsZero() && r.Cmp(l) > 0 {
			if cur, ok := c.Resources.Limits[corev1.ResourceMemory]; ok && cur.Cmp(l) != 0 {
				lim[corev1.ResourceMemory] = cur
				p.Kept = append(p.Kept, fmt.Sprintf("%s: memory limit %s kept: the kept request %s is above the new limit %s", c.Name, cur.String(), r.String(), l.String()))
			}
		}
		if changed && !sameResources(c.Resources, req, lim) {
			p.Containers = append(p.Containers, corev1.Container{Name: c.Name,
				Resources: corev1.ResourceRequirements{Requests: req, Limits: lim}})
		}
	}
	return p
}

// sameResources reports whether req and lim hold what r already has.
func sameResources(r corev1.ResourceRequirements, req, lim corev1.ResourceList) bool {
	eq := func(a, b corev1.ResourceList) bool {
		if len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || v.Cmp(w) != 0 {
				return false
			}
		}
		return true
	}
	return eq(r.Requests, req) && eq(r.Limits, lim)
}

// keepMemory says why a lower memory value q must not be applied ("" = it may).
func keepMemory(q resource.Quantity, peaks map[string]float64, container string) string {
	peak, ok := peaks[container]
	if !ok {
		return KeptNoPeak
	}
	if float64(q.Value()) < peak {
		return fmt.Sprintf("%s (%s < peak %s)", KeptBelowPeak, q.String(), resource.NewQuantity(int64(peak), resource.BinarySI).String())
	}
	return ""
}

// Apply returns pod's spec with p's containers' resources set, which is what the resize
// subresource is sent.
func (p Plan) Apply(pod *corev1.Pod) *corev1.Pod {
	out := pod.DeepCopy()
	for _, c := range p.Containers {
		for i := range out.Spec.Containers {
			if out.Spec.Containers[i].Name == c.Name {
				out.Spec.Containers[i].Resources.Requests = c.Resources.Requests
				out.Spec.Containers[i].Resources.Limits = c.Resources.Limits
			}
		}
	}
	return out
}
