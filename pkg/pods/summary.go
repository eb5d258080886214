package pods

import (
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// DefaultGracePeriodSeconds is what the apiserver fills in when a pod spec leaves
// terminationGracePeriodSeconds out.
const DefaultGracePeriodSeconds = 30

// Pod is one pod as the Pods drawer shows it (docs/api.md Pod).
type Pod struct {
	Name  string `json:"name"`
	Node  string `json:"node"`
	Phase string `json:"phase"`
	// Ready and Containers count the pod's (regular) containers: "Ready/Containers" as kubectl shows.
	Ready      int       `json:"ready"`
	Containers int       `json:"containers"`
	Restarts   int32     `json:"restarts"`
	CreatedAt  time.Time `json:"createdAt"`
	AgeSeconds int64     `json:"ageSeconds"`
	// GracePeriodSeconds is the pod spec's terminationGracePeriodSeconds: what a delete waits.
	GracePeriodSeconds int64 `json:"gracePeriodSeconds"`
	Terminating        bool  `json:"terminating"`
	// LastTerminationReason is the reason of the most recent container termination (OOMKilled,
	// Error, …), "" when no container has terminated.
	LastTerminationReason string `json:"lastTerminationReason"`
	// Isolated pods were taken out of their workload's selector by Isolate.
	Isolated   bool             `json:"isolated"`
	IsolatedAt string           `json:"isolatedAt,omitempty"`
	IsolatedBy string           `json:"isolatedBy,omitempty"`
	Resources  []ContainerSpecs `json:"resources"`
}

// ContainerSpecs is one container's requests and limits; nil means not set.
type ContainerSpecs struct {
	Name             string `json:"name"`
	CPURequestMillis *int64 `json:"cpuRequestMillis"`
	CPULimitMillis   *int64 `json:"cpuLimitMillis"`
	MemRequestMiB    *int64 `json:"memRequestMiB"`
	MemLimitMiB      *int64 `json:"memLimitMiB"`
}

// Summarise reads what the drawer shows from p, its age taken at now.
func Summarise(p *corev1.Pod, now time.Time) Pod {
	out := Pod{
		Name: p.Name, Node: p.Spec.NodeName, Phase: string(p.Status.Phase),
		Containers: len(p.Spec.Containers), CreatedAt: p.CreationTimestamp.UTC(),
		GracePeriodSeconds: DefaultGracePeriodSeconds, Terminating: p.DeletionTimestamp != nil,
		IsolatedAt: p.Annotations[AnnotationIsolatedAt], IsolatedBy: p.Annotations[AnnotationIsolatedBy],
		Resources: make([]ContainerSpecs, 0, len(p.Spec.Containers)),
	}
	out.Isolated = out.IsolatedAt != ""
	if !p.CreationTimestamp.IsZero() && now.After(p.CreationTimestamp.Time) {
		out.AgeSeconds = int64(now.Sub(p.CreationTimestamp.Time) / time.Second)
	}
	if g := p.Spec.TerminationGracePeriodSeconds; g != nil {
		out.GracePeriodSeconds = *g
	}
	var lastAt time.Time
	for _, st := range p.Status.ContainerStatuses {
		if st.Ready {
			out.Ready++
		}
		out.Restarts += st.RestartCount
		for _, t := range []*corev1.ContainerStateTerminated{st.LastTerminationState.Terminated, st.State.Terminated} {
			if t != nil && (out.LastTerminationReason == "" || t.FinishedAt.After(lastAt)) {
				out.LastTerminationReason, lastAt = t.Reason, t.FinishedAt.Time
			}
		}
	}
	for _, c := range p.Spec.Containers {
		out.Resources = append(out.Resources, ContainerSpecs{
			Name:             c.Name,
			CPURequestMillis: millis(c.Resources.Requests, corev1.ResourceCPU),
			CPULimitMillis:   millis(c.Resources.Limits, corev1.ResourceCPU),
			MemRequestMiB:    mebibytes(c.Resources.Requests, corev1.ResourceMemory),
			MemLimitMiB:      mebibytes(c.Resources.Limits, corev1.ResourceMemory),
		})
	}
	return out
}

func millis(l corev1.ResourceList, name corev1.ResourceName) *int64 {
	q, ok := l[name]
	if !ok {
		return nil
	}
	v := q.MilliValue()
	return &v
}

func mebibytes(l corev1.ResourceList, name corev1.ResourceName) *int64 {
	q, ok := l[name]
	if !ok {
		return nil
	}
	// Rounded up, so a request of 1 byte over a MiB never reads as less than it is.
	v := (q.Value() + (1<<20 - 1)) >> 20
	return &v
}

// sortPods orders a listing: the workload's own pods first, isolated ones after, each by name.
func sortPods(ps []Pod) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Isolated != ps[j].Isolated {
			return !ps[i].Isolated
		}
		return ps[i].Name < ps[j].Name
	})
}
