package collect

import (
	"sort"

	"github.com/prometheus/common/model"
)

type podKey struct{ ns, pod string }

type wlKey struct{ ns, name string }

// inventory is the window's Deployments and their pods, from the owner chain.
type inventory struct {
	rsDeploy  map[[2]string]string // (namespace, ReplicaSet) → Deployment
	podWL     map[podKey]wlKey
	workloads map[wlKey][]string
	// partial namespaces hold Deployments collected in another window, so their queries must
	// name this window's pods.
	partial map[string]bool
}

func buildInventory(podOwners, rsOwners model.Vector, include func(ns, wl string) bool) *inventory {
	rsDeploy := map[[2]string]string{}
	for _, s := range rsOwners {
		ns, rs, dep := string(s.Metric["namespace"]), string(s.Metric["replicaset"]), string(s.Metric["owner_name"])
		if ns != "" && rs != "" && dep != "" {
			rsDeploy[[2]string{ns, rs}] = dep
		}
	}
	inv := &inventory{rsDeploy: rsDeploy, podWL: map[podKey]wlKey{}, workloads: map[wlKey][]string{}, partial: map[string]bool{}}
	for _, s := range podOwners {
		ns, pod, rs := string(s.Metric["namespace"]), string(s.Metric["pod"]), string(s.Metric["owner_name"])
		dep, ok := rsDeploy[[2]string{ns, rs}]
		if !ok || pod == "" {
			continue // a ReplicaSet no Deployment owns: not a workload the product controls
		}
		if !include(ns, dep) {
			inv.partial[ns] = true
			continue
		}
		k := wlKey{ns, dep}
		if _, dup := inv.podWL[podKey{ns, pod}]; dup {
			continue
		}
		inv.podWL[podKey{ns, pod}] = k
		inv.workloads[k] = append(inv.workloads[k], pod)
	}
	return inv
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
		sort.Slice(wls, func(i, j int) bool { return wls[i].name < wls[j].name })
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
