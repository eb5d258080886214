package synth

import (
	"math"
	"sort"
)

// Emitters: one per family, writing one pod's series. Labels follow cAdvisor as scraped by the
// kubelet job of kube-prometheus-stack, and kube-state-metrics v2 scraped with honor_labels.

func (pc *podCtx) curves(g *gen, pick func(Usage) Levels) []*curve {
	cs := make([]*curve, len(pc.d.Containers))
	for ci := range pc.d.Containers {
		cs[ci] = buildCurve(pc.life, g.windows, pc.pod.Usage[ci], g.iv, pick)
	}
	return cs
}

func cpuLevels(u Usage) Levels    { return u.CPU }
func memoryLevels(u Usage) Levels { return u.Memory }

// cadvisor starts a cAdvisor series; container "" is the pod cgroup (empty labels are left out,
// as Prometheus stores them).
func (g *gen) cadvisor(pc *podCtx, container, id, image, name string, extra ...string) {
	labels := append([]string{"container", container}, extra...)
	labels = append(labels, "id", id, "image", image, "instance", pc.id.kubeletTarget, "job", "kubelet",
		"metrics_path", "/metrics/cadvisor", "name", name, "namespace", pc.ns, "node", pc.id.node, "pod", pc.id.name)
	g.series(labels...)
}

func emitCPU(g *gen, pc *podCtx) {
	curves := pc.curves(g, cpuLevels)
	for ci, ct := range pc.d.Containers {
		cur := curves[ci]
		for k, inst := range instances(pc.life, pc.kills[ct.Name]) {
			cid := pc.id.instanceID(ct.Name, k)
			zero := cur.cumAt(inst.from) // a restarted container's counter starts at 0
			g.cadvisor(pc, ct.Name, pc.id.cgroup+"/"+cid, pc.d.image(pc.rsIdx, ci), cid, "cpu", "total")
			g.samples(inst.from, inst.to, func(t int64) float64 { return cur.cumAt(t) - zero })
		}
	}
	start := pc.life.start
	g.cadvisor(pc, "", pc.id.cgroup, "", "", "cpu", "total")
	g.samples(start, pc.life.end, func(t int64) float64 {
		sum := pauseCPU * float64(t-start)
		for _, c := range curves {
			sum += c.cumAt(t)
		}
		return sum
	})
	g.cadvisor(pc, "POD", pc.id.cgroup+"/"+pc.id.pauseID, pauseImage, pc.id.pauseID, "cpu", "total")
	g.samples(start, pc.life.end, func(t int64) float64 { return pauseCPU * float64(t-start) })
}

func emitMemory(g *gen, pc *podCtx) {
	curves := pc.curves(g, memoryLevels)
	for ci, ct := range pc.d.Containers {
		cur := curves[ci]
		for k, inst := range instances(pc.life, pc.kills[ct.Name]) {
			cid := pc.id.instanceID(ct.Name, k)
			g.cadvisor(pc, ct.Name, pc.id.cgroup+"/"+cid, pc.d.image(pc.rsIdx, ci), cid)
			g.samples(inst.from, inst.to, cur.levelAt)
		}
	}
	g.cadvisor(pc, "", pc.id.cgroup, "", "")
	g.samples(pc.life.start, pc.life.end, func(t int64) float64 {
		sum := float64(pauseMemory)
		for _, c := range curves {
			sum += c.levelAt(t)
		}
		return sum
	})
	g.cadvisor(pc, "POD", pc.id.cgroup+"/"+pc.id.pauseID, pauseImage, pc.id.pauseID)
	g.samples(pc.life.start, pc.life.end, func(int64) float64 { return pauseMemory })
}

// emitCFS writes CFS period counters for containers with a CPU limit (only those have a quota);
// the throttled counter is the container's ratio times the periods counter at every instant.
func emitCFS(throttled bool) func(*gen, *podCtx) {
	return func(g *gen, pc *podCtx) {
		all, worst := true, 0.0
		for ci, ct := range pc.d.Containers {
			if ct.CPULimit == 0 {
				all = false
				continue
			}
			worst = max(worst, ct.ThrottleRatio)
			f := 1.0
			if throttled {
				f = ct.ThrottleRatio
			}
			for k, inst := range instances(pc.life, pc.kills[ct.Name]) {
				cid := pc.id.instanceID(ct.Name, k)
				from := inst.from
				g.cadvisor(pc, ct.Name, pc.id.cgroup+"/"+cid, pc.d.image(pc.rsIdx, ci), cid)
				g.samples(from, inst.to, func(t int64) float64 { return f * cfsPeriodsPerS * float64(t-from) })
			}
		}
		if !all {
			return // the pod cgroup has a quota only when every container has a limit
		}
		f := 1.0
		if throttled {
			f = worst / 2 // a ratio no container has, so reading the pod cgroup shows
		}
		run := pc.life.run
		g.cadvisor(pc, "", pc.id.cgroup, "", "")
		g.samples(pc.life.start, pc.life.end, func(t int64) float64 {
			return f * cfsPeriodsPerS * float64(max(0, t-run))
		})
	}
}

// ksm starts a kube-state-metrics series of a pod.
func (g *gen) ksm(pc *podCtx, extra ...string) {
	labels := append([]string{"namespace", pc.ns, "pod", pc.id.name, "uid", pc.id.uid}, extra...)
	labels = append(labels, "instance", ksmTarget, "job", "kube-state-metrics")
	g.series(labels...)
}

func one(int64) float64 { return 1 }

func emitOwner(g *gen, pc *podCtx) {
	g.ksm(pc, "owner_kind", pc.id.ownerKind, "owner_name", pc.id.owner, "owner_is_controller", "true")
	g.samples(pc.life.start, pc.life.end, one)
}

// emitReplicaSetOwners writes kube_replicaset_owner for every ReplicaSet of a Deployment from its
// first pod on; old ReplicaSets stay (scaled to 0) as the Deployment controller keeps them.
// Other kinds own their pods directly.
func (g *gen) emitReplicaSetOwners(ns string, d *Deployment) {
	if d.Kind != "" {
		return
	}
	for ri, rs := range d.ReplicaSets {
		from := int64(0)
		if len(rs.Pods) > 0 {
			from = rs.Pods[0].Start.Unix()
			for _, p := range rs.Pods {
				from = min(from, p.Start.Unix())
			}
		}
		g.series("namespace", ns, "replicaset", d.rsName(g.cluster.Name, ns, ri), "owner_kind", "Deployment",
			"owner_name", d.Name, "owner_is_controller", "true", "instance", ksmTarget, "job", "kube-state-metrics")
		g.samples(from, forever, one)
	}
}

// emitSpec returns the emitter of kind's desired-pods family (kube_deployment_spec_replicas,
// kube_statefulset_replicas, kube_daemonset_status_desired_number_scheduled): the workload's
// Spec steps, labelled by label (deployment, statefulset, daemonset); none when Spec is nil.
func emitSpec(kind, label string) func(g *gen, ns string, d *Deployment) {
	return func(g *gen, ns string, d *Deployment) {
		if d.Kind != kind || len(d.Spec) == 0 {
			return
		}
		g.series("namespace", ns, label, d.Name, "instance", ksmTarget, "job", "kube-state-metrics")
		g.samples(d.Spec[0].At.Unix(), forever, func(t int64) float64 { return float64(d.specAt(t)) })
	}
}

// emitHPAInfo writes kube_horizontalpodautoscaler_info naming the workload as the HPA's scale
// target (none when it has no HPA).
func (g *gen) emitHPAInfo(ns string, d *Deployment) {
	if d.HPA == nil {
		return
	}
	g.series("namespace", ns, "horizontalpodautoscaler", d.HPA.Name, "scaletargetref_api_version", "apps/v1",
		"scaletargetref_kind", d.targetKind(), "scaletargetref_name", d.Name, "instance", ksmTarget, "job", "kube-state-metrics")
	g.samples(math.MinInt64, forever, func(int64) float64 { return 1 })
}

// emitHPAMin writes kube_horizontalpodautoscaler_spec_min_replicas of the Deployment's HPA.
func (g *gen) emitHPAMin(ns string, d *Deployment) {
	if d.HPA == nil {
		return
	}
	g.series("namespace", ns, "horizontalpodautoscaler", d.HPA.Name, "instance", ksmTarget, "job", "kube-state-metrics")
	g.samples(math.MinInt64, forever, func(int64) float64 { return float64(d.HPA.MinReplicas) })
}

// specAt is spec.replicas at t (the first step's value before it).
func (d *Deployment) specAt(t int64) int {
	n := d.Spec[0].Replicas
	for _, st := range d.Spec {
		if st.At.Unix() <= t {
			n = st.Replicas
		}
	}
	return n
}

func emitPhase(g *gen, pc *podCtx) {
	run := pc.life.run
	for _, phase := range []string{"Pending", "Running", "Succeeded", "Failed", "Unknown"} {
		var v func(int64) float64
		switch phase {
		case "Pending":
			v = func(t int64) float64 { return b2f(t < run) }
		case "Running":
			v = func(t int64) float64 { return b2f(t >= run) }
		default:
			v = func(int64) float64 { return 0 }
		}
		g.ksm(pc, "phase", phase)
		g.samples(pc.life.start, pc.life.end, v)
	}
}

func emitReady(g *gen, pc *podCtx) {
	l := pc.life
	g.ksm(pc, "condition", "true")
	g.samples(l.start, l.end, func(t int64) float64 { return b2f(l.ready(t)) })
	g.ksm(pc, "condition", "false")
	g.samples(l.start, l.end, func(t int64) float64 { return b2f(!l.ready(t)) })
	g.ksm(pc, "condition", "unknown")
	g.samples(l.start, l.end, func(int64) float64 { return 0 })
}

func emitResources(requests bool) func(*gen, *podCtx) {
	return func(g *gen, pc *podCtx) {
		for _, ct := range pc.d.Containers {
			cpu, mem := ct.CPULimit, ct.MemoryLimit
			if requests {
				cpu, mem = ct.CPURequest, ct.MemoryRequest
			}
			if cpu > 0 {
				g.ksm(pc, "container", ct.Name, "node", pc.id.node, "resource", "cpu", "unit", "core")
				g.samples(pc.life.start, pc.life.end, func(int64) float64 { return cpu })
			}
			if mem > 0 {
				g.ksm(pc, "container", ct.Name, "node", pc.id.node, "resource", "memory", "unit", "byte")
				g.samples(pc.life.start, pc.life.end, func(int64) float64 { return float64(mem) })
			}
		}
	}
}

func emitLastTerminated(g *gen, pc *podCtx) {
	for _, ct := range pc.d.Containers {
		if kills := pc.kills[ct.Name]; len(kills) > 0 {
			g.ksm(pc, "container", ct.Name, "reason", "OOMKilled")
			g.samples(kills[0], pc.life.end, one)
		}
	}
}

func emitRestarts(g *gen, pc *podCtx) {
	for _, ct := range pc.d.Containers {
		kills := pc.kills[ct.Name]
		g.ksm(pc, "container", ct.Name)
		g.samples(pc.life.start, pc.life.end, func(t int64) float64 {
			return float64(sort.Search(len(kills), func(i int) bool { return kills[i] > t }))
		})
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
