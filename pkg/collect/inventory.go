package collect

import (
	"sort"

	"github.com/prometheus/common/model"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

type podKey struct{ ns, pod string }

// wlKey is a workload: a StatefulSet and a Deployment of one name in one namespace are two.
type wlKey struct{ ns, kind, name string }

// inventory is the window's workloads and their pods, from the owner chain.
type inventory struct {
	rsDeploy  map[[2]string]string // (namespace, ReplicaSet) → Deployment
	podWL     map[podKey]wlKey
	workloads map[wlKey][]string
	// partial namespaces hold workloads collected in another window, so their queries must
	// name this window's pods.
	partial map[string]bool
}

// workloadOf is the workload a kube_pod_owner owner leads to: a ReplicaSet's Deployment, or the
// StatefulSet or DaemonSet itself. A ReplicaSet no Deployment owns, or another kind (a Job), is
// not a workload the product controls.
func (inv *inventory) workloadOf(ns, ownerKind, ownerName string) (wlKey, bool) {
	switch ownerKind {
	case "ReplicaSet":
		dep, ok := inv.rsDeploy[[2]string{ns, ownerName}]
		return wlKey{ns, workload.Deployment, dep}, ok
	case workload.StatefulSet, workload.DaemonSet:
		return wlKey{ns, ownerKind, ownerName}, ownerName != ""
	}
	return wlKey{}, false
}

// buildInventory reads PodOwners and ReplicaSetOwners. include says whether a workload's peak
// window is this one (overrides name a workload's kind, so a StatefulSet and a Deployment of one
// name each have their own).
func buildInventory(podOwners, rsOwners model.Vector, include func(ns, kind, wl string) bool) *inventory {
	rsDeploy := map[[2]string]string{}
	for _, s := range rsOwners {
		ns, rs, dep := string(s.Metric["namespace"]), string(s.Metric["replicaset"]), string(s.Metric["owner_name"])
		if ns != "" && rs != "" && dep != "" {
			rsDeploy[[2]string{ns, rs}] = dep
		}
	}
	inv := &inventory{rsDeploy: rsDeploy, podWL: map[podKey]wlKey{}, workloads: map[wlKey][]string{}, partial: map[string]bool{}}
	for _, s := range podOwners {
		ns, pod := string(s.Metric["namespace"]), string(s.Metric["pod"])
		k, ok := inv.workloadOf(ns, string(s.Metric["owner_kind"]), string(s.Metric["owner_name"]))
		if !ok || pod == "" {
			continue
		}
		if !include(ns, k.kind, k.name) {
			inv.partial[ns] = true
			continue
		}
		if _, dup := inv.podWL[podKey{ns, pod}]; dup {
			continue
		}
		inv.podWL[podKey{ns, pod}] = k
		inv.workloads[k] = append(inv.workloads[k], pod)
	}
	return inv
}

// less orders workloads by namespace, name, then kind.
func (k wlKey) less(o wlKey) bool {
	if k.ns != o.ns {
		return k.ns < o.ns
	}
	if k.name != o.name {
		return k.name < o.name
	}
	return k.kind < o.kind
}

type batch struct {
	namespace string
	pods      []string // nil: the whole namespace
}

// batches splits the work by namespace, and big or partial namespaces into batches of whole
// workloads of at most maxPods pods (a bigger workload is a batch of its own).
func (inv *inventory) batches(maxPods int) []batch {
	byNS := map[string][]wlKey{}
	for k := range inv.workloads {
		byNS[k.ns] = append(byNS[k.ns], k)
	}
	nss := make([]string, 0, len(byNS))
	for ns := range byNS {
		nss = append(nss, ns)
	}
	sort.Strings(nss)
	var out []batch
	for _, ns := range nss {
		wls := byNS[ns]
		sort.Slice(wls, func(i, j int) bool { return wls[i].less(wls[j]) })
		total := 0
		for _, k := range wls {
			total += len(inv.workloads[k])
		}
		if total <= maxPods && !inv.partial[ns] {
			out = append(out, batch{namespace: ns})
			continue
		}
		var cur []string
		for _, k := range wls {
			pods := inv.workloads[k]
			if len(cur) > 0 && len(cur)+len(pods) > maxPods {
				out = append(out, batch{namespace: ns, pods: cur})
				cur = nil
			}
			cur = append(cur, pods...)
		}
		if len(cur) > 0 {
			out = append(out, batch{namespace: ns, pods: cur})
		}
	}
	return out
}
