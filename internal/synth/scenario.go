package synth

import (
	"fmt"
	"time"
)

// Defaults and the limits within which Expected answers are exact (see the package doc).
const (
	DefaultClusterLabel = "cluster"
	DefaultInterval     = 30 * time.Second
	DefaultMargin       = 15 * time.Minute
	DefaultNodes        = 3

	// MinActive is the shortest stretch of a window a container may run in: shorter, and a
	// plateau of half of it no longer outweighs the transitions a 2m rate range smears.
	// A Brief pod is the exception: it runs at most BriefActive of a window.
	MinActive = 30 * time.Minute
	// BriefActive is the most a Brief pod runs in a window. Its values (and the 5 minutes its
	// memory lingers, LookbackDelta) stay far below the 15 minutes from which the collector
	// counts a pod's quantiles, and counted pods run at least MinActive.
	BriefActive = 3 * time.Minute
	// SpikeMinActive is the stretch from which a curve gets a spike: the spike and the ranges that
	// see it must stay well under 5% of the values.
	SpikeMinActive = 80 * time.Minute
	// LookbackDelta is Prometheus' default instant lookback; backfilled series linger this long.
	LookbackDelta = 5 * time.Minute

	MinQuantile = 0.70
	MaxQuantile = 0.95
)

// Scenario is a set of clusters whose series are written into one OpenMetrics file, as one
// Prometheus that scrapes several clusters (told apart by ClusterLabel) would hold them.
type Scenario struct {
	ClusterLabel string        // label key carried by every series; default "cluster"
	Interval     time.Duration // scrape interval, whole seconds dividing a minute; default 30s
	Margin       time.Duration // data before each window start and after each end; default 15m
	Clusters     []Cluster
}

// Cluster is one Kubernetes cluster with its peak window and the days the data covers.
type Cluster struct {
	Name       string         // value of the cluster label
	Location   *time.Location // zone of the peak window; nil = UTC
	Peak       PeakWindow
	Days       []Date // ascending; a day's window starts on that date
	Nodes      int    // pods are spread over this many nodes; default 3
	Namespaces []Namespace
}

// Namespace groups Deployments.
type Namespace struct {
	Name        string
	Deployments []Deployment
}

// Kinds of workload besides a Deployment (Deployment.Kind ""), as Kubernetes names them.
const (
	KindStatefulSet = "StatefulSet"
	KindDaemonSet   = "DaemonSet"
)

// Deployment is one workload: a Deployment, or with Kind set a StatefulSet or a DaemonSet. Its
// containers are the pod template's; every ReplicaSet runs them.
type Deployment struct {
	Name string
	// Kind is "" for a Deployment (pods owned by ReplicaSets that the Deployment owns), or
	// KindStatefulSet / KindDaemonSet (pods owned by the workload itself; ReplicaSets then stand
	// for its revisions). A StatefulSet's pods are <name>-<ordinal>, ordinals counting on across
	// revisions; a DaemonSet's are <name>-<5 chars>, the i-th pod of a revision on node i.
	Kind        string
	Containers  []Container
	ReplicaSets []ReplicaSet
	// Spec is the desired pod count over time, a step function of ascending changes:
	// kube_deployment_spec_replicas, kube_statefulset_replicas or, for a DaemonSet,
	// kube_daemonset_status_desired_number_scheduled; nil = kube-state-metrics exports no such
	// series for it.
	Spec []SpecStep
	// HPA is the HorizontalPodAutoscaler scaling it (kube_horizontalpodautoscaler_info and
	// _spec_min_replicas); nil = none. A DaemonSet cannot have one.
	HPA *HPA
}

// HPA is a HorizontalPodAutoscaler targeting a Deployment or StatefulSet, present for the whole data range.
type HPA struct {
	Name        string
	MinReplicas int
}

// SpecStep is spec.replicas from At on (until the next step).
type SpecStep struct {
	At       time.Time
	Replicas int
}

// Container is one container of the pod template.
type Container struct {
	Name          string
	Image         string
	CPURequest    float64 // cores; 0 = not set
	CPULimit      float64 // cores; 0 = not set (then no CFS series)
	MemoryRequest int64   // bytes; 0 = not set
	MemoryLimit   int64   // bytes; 0 = not set
	ThrottleRatio float64 // throttled / total CFS periods, in [0,1); needs CPULimit
}

// ReplicaSet is one revision of a Deployment.
type ReplicaSet struct {
	Hash   string   // pod-template-hash; "" = derived from the names
	Images []string // per container (Deployment.Containers order); missing or "" = Container.Image
	Pods   []Pod
}

// Pod is one pod of a ReplicaSet. It is Pending for one interval after Start, its containers run
// from Start+Interval, it is Ready from Start+2×Interval until End-2×Interval, and it is gone at
// End (its series stop).
type Pod struct {
	Name     string    // "" = <deployment>-<hash>-<5 chars>
	Start    time.Time // creation; on the interval grid
	End      time.Time // deletion; zero = alive after the last window
	Usage    [][]Usage // [container][day], Deployment.Containers × Cluster.Days
	OOMKills []OOMKill // ascending per container
	// Unready are stretches [from, to) on the grid in which the pod runs but is not Ready (a
	// crash loop, a failing readiness probe).
	Unready [][2]time.Time
	// Brief marks a pod that runs at most BriefActive of any window: its usage is a start-up
	// burst (Base; no plateau) that no expected usage answer counts.
	Brief bool
}

// Usage is what a container uses on one day.
type Usage struct {
	CPU    Levels // cores
	Memory Levels // bytes, whole numbers
}

// Levels shape one day's curve: Base < Plateau < Spike (see the package doc).
type Levels struct {
	Base, Plateau, Spike float64
}

// OOMKill is the kernel killing a container at At (on the interval grid); it restarts at once
// with a new container id.
type OOMKill struct {
	Container string
	At        time.Time
}

func (s Scenario) withDefaults() Scenario {
	if s.ClusterLabel == "" {
		s.ClusterLabel = DefaultClusterLabel
	}
	if s.Interval == 0 {
		s.Interval = DefaultInterval
	}
	if s.Margin == 0 {
		s.Margin = DefaultMargin
	}
	return s
}

func (c *Cluster) location() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

func (c *Cluster) nodes() int {
	if c.Nodes <= 0 {
		return DefaultNodes
	}
	return c.Nodes
}

// podName returns the pod's name, derived when not given, as each controller names pods.
func (d *Deployment) podName(cluster, namespace string, rs, pod int) string {
	p := &d.ReplicaSets[rs].Pods[pod]
	if p.Name != "" {
		return p.Name
	}
	switch d.Kind {
	case KindStatefulSet:
		ordinal := pod
		for _, r := range d.ReplicaSets[:rs] {
			ordinal += len(r.Pods)
		}
		return fmt.Sprintf("%s-%d", d.Name, ordinal)
	case KindDaemonSet:
		return d.Name + "-" + hashChars(5, cluster, namespace, KindDaemonSet, d.Name, fmt.Sprint(rs), fmt.Sprint(pod))
	}
	return d.rsName(cluster, namespace, rs) + "-" +
		hashChars(5, cluster, namespace, d.Name, fmt.Sprint(rs), fmt.Sprint(pod))
}

// ownerKind is kube_pod_owner's owner_kind of the workload's pods.
func (d *Deployment) ownerKind() string {
	if d.Kind == "" {
		return "ReplicaSet"
	}
	return d.Kind
}

// targetKind is the workload's kind as an HPA's scale target names it.
func (d *Deployment) targetKind() string {
	if d.Kind == "" {
		return "Deployment"
	}
	return d.Kind
}

// ownerName is kube_pod_owner's owner_name of the rs-th revision's pods: the ReplicaSet of a
// Deployment, the workload itself otherwise.
func (d *Deployment) ownerName(cluster, namespace string, rs int) string {
	if d.Kind != "" {
		return d.Name
	}
	return d.rsName(cluster, namespace, rs)
}

// rsName is <deployment>-<pod-template-hash>, as the Deployment controller names ReplicaSets.
func (d *Deployment) rsName(cluster, namespace string, rs int) string {
	if h := d.ReplicaSets[rs].Hash; h != "" {
		return d.Name + "-" + h
	}
	return d.Name + "-" + hashChars(10, cluster, namespace, d.Name, fmt.Sprint(rs))
}

func (d *Deployment) image(rs, container int) string {
	if imgs := d.ReplicaSets[rs].Images; container < len(imgs) && imgs[container] != "" {
		return imgs[container]
	}
	return d.Containers[container].Image
}
