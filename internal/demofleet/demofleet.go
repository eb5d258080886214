// Package demofleet is the small fleet the demo and the browser run's host stand up: a few
// Deployments whose peaks over-ask, under-ask and carry a sidecar, a StatefulSet and a DaemonSet,
// so every page and dashboard has something to show for each kind. It gives their peak history (a synth scenario for Prometheus) and
// creates them in a local cluster.
package demofleet

import (
	"context"
	"fmt"
	"math"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/synth"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

const mi = 1 << 20

// Container is one container of a workload: what it asks for and what it really uses at the
// daily peak (varied per day so each workload has a worst day).
type Container struct {
	Name, Image          string
	CPURequest, CPULimit float64 // cores; a 0 limit is none
	MemRequest, MemLimit int64   // bytes
	PeakCPU              float64 // cores at the typical daily peak
	PeakMem              int64   // bytes at the typical daily peak
}

// Workload is one workload of the fleet.
type Workload struct {
	Namespace, Name string
	Kind            string // workload.Deployment, StatefulSet or DaemonSet
	// Replicas are the pods of its history; a DaemonSet's live pods are one per node.
	Replicas   int
	Containers []Container
}

// Workloads over-ask and under-ask in different ways, so the control table has something to say.
// The browser run's steps name shop/checkout, pay/StatefulSet/ledger and shop/DaemonSet/log-agent.
var Workloads = []Workload{
	{"shop", "checkout", workload.Deployment, 3, []Container{
		{Name: "app", Image: "registry.example.com/shop/checkout:1.5.0", CPURequest: 1, CPULimit: 2, MemRequest: 1024 * mi, MemLimit: 2048 * mi, PeakCPU: 0.35, PeakMem: 420 * mi},
	}},
	{"shop", "search", workload.Deployment, 2, []Container{
		{Name: "app", Image: "registry.example.com/shop/search:3.1.0", CPURequest: 0.5, CPULimit: 2, MemRequest: 512 * mi, MemLimit: 1024 * mi, PeakCPU: 0.9, PeakMem: 700 * mi},
	}},
	{"shop", "api", workload.Deployment, 2, []Container{
		{Name: "app", Image: "registry.example.com/shop/api:2.0.3", CPURequest: 0.25, CPULimit: 1, MemRequest: 256 * mi, MemLimit: 512 * mi, PeakCPU: 0.2, PeakMem: 300 * mi},
		{Name: "istio-proxy", Image: "docker.io/istio/proxyv2:1.22.0", CPURequest: 0.1, MemRequest: 128 * mi, MemLimit: 256 * mi, PeakCPU: 0.05, PeakMem: 90 * mi},
	}},
	{"pay", "gateway", workload.Deployment, 3, []Container{
		{Name: "app", Image: "registry.example.com/pay/gateway:5.0.0", CPURequest: 2, CPULimit: 4, MemRequest: 2048 * mi, MemLimit: 4096 * mi, PeakCPU: 1.1, PeakMem: 1500 * mi},
	}},
	// A database that asks for far more memory than it holds at the peak.
	{"pay", "ledger", workload.StatefulSet, 2, []Container{
		{Name: "db", Image: "registry.example.com/pay/ledger-db:16.2", CPURequest: 1, CPULimit: 2, MemRequest: 4096 * mi, MemLimit: 4096 * mi, PeakCPU: 0.4, PeakMem: 1200 * mi},
	}},
	// A log agent on every node (two in the history; the devhost runs two kwok nodes).
	{"shop", "log-agent", workload.DaemonSet, 2, []Container{
		{Name: "agent", Image: "registry.example.com/infra/log-agent:1.9.0", CPURequest: 0.2, MemRequest: 256 * mi, MemLimit: 512 * mi, PeakCPU: 0.05, PeakMem: 80 * mi},
	}},
}

// Namespaces are the fleet's namespaces, in order of first appearance.
func Namespaces() []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range Workloads {
		if !seen[w.Namespace] {
			seen[w.Namespace] = true
			out = append(out, w.Namespace)
		}
	}
	return out
}

// Scenario is the fleet's peak history in cluster: `days` whole days ending yesterday (UTC).
func Scenario(cluster string, now time.Time, days int) synth.Scenario {
	c := synth.Cluster{Name: cluster, Peak: synth.DefaultPeak}
	first := synth.DateOf(now.UTC()).AddDays(-days)
	for d := 0; d < days; d++ {
		c.Days = append(c.Days, first.AddDays(d))
	}
	start := time.Date(first.Year, first.Month, first.Day, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	byNS := map[string]int{}
	for wi, w := range Workloads {
		dep := synth.Deployment{Name: w.Name}
		if w.Kind != workload.Deployment {
			dep.Kind = w.Kind // synth's kinds are Kubernetes' names; "" is a Deployment
		}
		for _, wc := range w.Containers {
			dep.Containers = append(dep.Containers, synth.Container{
				Name: wc.Name, Image: wc.Image, CPURequest: wc.CPURequest, CPULimit: wc.CPULimit,
				MemoryRequest: wc.MemRequest, MemoryLimit: wc.MemLimit,
			})
		}
		var rs synth.ReplicaSet
		for p := 0; p < w.Replicas; p++ {
			pod := synth.Pod{Start: start}
			for _, wc := range w.Containers {
				perDay := make([]synth.Usage, days)
				for d := range perDay {
					// A weekly swell plus per-pod skew: every workload has one worst day.
					f := (1 + 0.25*math.Sin(float64(d+wi)*2*math.Pi/7)) * (1 - 0.1*float64(p))
					cpu, mem := wc.PeakCPU*f, float64(wc.PeakMem)*f
					perDay[d] = synth.Usage{
						CPU:    synth.Levels{Base: cpu / 4, Plateau: cpu, Spike: 3 * cpu},
						Memory: synth.Levels{Base: math.Round(mem * 3 / 8), Plateau: math.Round(mem), Spike: math.Round(2 * mem)},
					}
				}
				pod.Usage = append(pod.Usage, perDay)
			}
			rs.Pods = append(rs.Pods, pod)
		}
		dep.ReplicaSets = []synth.ReplicaSet{rs}
		i, ok := byNS[w.Namespace]
		if !ok {
			i = len(c.Namespaces)
			byNS[w.Namespace] = i
			c.Namespaces = append(c.Namespaces, synth.Namespace{Name: w.Namespace})
		}
		c.Namespaces[i].Deployments = append(c.Namespaces[i].Deployments, dep)
	}
	return synth.Scenario{Clusters: []synth.Cluster{c}}
}

// template is the workload's pod template; kwok reports the first container's typical peak
// usage from the pod annotations.
func (w Workload) template() corev1.PodTemplateSpec {
	var containers []corev1.Container
	for _, wc := range w.Containers {
		req := corev1.ResourceList{
			corev1.ResourceCPU:    *resource.NewMilliQuantity(int64(wc.CPURequest*1000), resource.DecimalSI),
			corev1.ResourceMemory: *resource.NewQuantity(wc.MemRequest, resource.BinarySI),
		}
		lim := corev1.ResourceList{corev1.ResourceMemory: *resource.NewQuantity(wc.MemLimit, resource.BinarySI)}
		if wc.CPULimit > 0 {
			lim[corev1.ResourceCPU] = *resource.NewMilliQuantity(int64(wc.CPULimit*1000), resource.DecimalSI)
		}
		containers = append(containers, corev1.Container{Name: wc.Name, Image: wc.Image,
			Resources: corev1.ResourceRequirements{Requests: req, Limits: lim}})
	}
	app := w.Containers[0]
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: w.labels(), Annotations: map[string]string{
			"kwok.x-k8s.io/usage-cpu":    fmt.Sprintf("%dm", int64(app.PeakCPU*1000)),
			"kwok.x-k8s.io/usage-memory": fmt.Sprintf("%dMi", app.PeakMem/mi),
		}},
		Spec: corev1.PodSpec{Containers: containers},
	}
}

func (w Workload) labels() map[string]string { return map[string]string{"app": w.Name} }

// Deployment is the workload's live Deployment (for a Deployment of the fleet).
func (w Workload) Deployment() *appsv1.Deployment {
	replicas := int32(w.Replicas)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: w.Name, Namespace: w.Namespace},
		Spec:       appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: w.labels()}, Template: w.template()},
	}
}

// StatefulSet is the workload's live StatefulSet (for a StatefulSet of the fleet).
func (w Workload) StatefulSet() *appsv1.StatefulSet {
	replicas := int32(w.Replicas)
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: w.Name, Namespace: w.Namespace},
		Spec: appsv1.StatefulSetSpec{Replicas: &replicas, ServiceName: w.Name,
			Selector: &metav1.LabelSelector{MatchLabels: w.labels()}, Template: w.template()},
	}
}

// DaemonSet is the workload's live DaemonSet (for a DaemonSet of the fleet): one pod per node.
func (w Workload) DaemonSet() *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: w.Name, Namespace: w.Namespace},
		Spec:       appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: w.labels()}, Template: w.template()},
	}
}

// create creates the workload through the typed client of its kind.
func (w Workload) create(ctx context.Context, cs kubernetes.Interface) error {
	apps := cs.AppsV1()
	var err error
	switch w.Kind {
	case workload.StatefulSet:
		_, err = apps.StatefulSets(w.Namespace).Create(ctx, w.StatefulSet(), metav1.CreateOptions{})
	case workload.DaemonSet:
		_, err = apps.DaemonSets(w.Namespace).Create(ctx, w.DaemonSet(), metav1.CreateOptions{})
	default:
		_, err = apps.Deployments(w.Namespace).Create(ctx, w.Deployment(), metav1.CreateOptions{})
	}
	if err != nil {
		return fmt.Errorf("creating %s %s/%s: %w", w.Kind, w.Namespace, w.Name, err)
	}
	return nil
}

// waitReady waits until the workload's pods run: every replica Ready, or for a DaemonSet a
// Ready pod on every node it is scheduled to.
func (w Workload) waitReady(ctx context.Context, cs kubernetes.Interface) error {
	switch w.Kind {
	case workload.StatefulSet:
		_, err := testenv.WaitPodsReady(ctx, cs, w.Namespace, "app="+w.Name, w.Replicas)
		return err
	case workload.DaemonSet:
		return testenv.WaitDaemonSetReady(ctx, cs, w.Namespace, w.Name)
	}
	return testenv.WaitDeploymentReady(ctx, cs, w.Namespace, w.Name)
}

// Deploy creates the fleet's namespaces (labelled for observation) and workloads, and waits
// until every workload is ready.
func Deploy(ctx context.Context, cs kubernetes.Interface) error {
	for _, ns := range Namespaces() {
		obj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{v1alpha1.LabelControl: v1alpha1.ControlObserve}}}
		if _, err := cs.CoreV1().Namespaces().Create(ctx, obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating namespace %s: %w", ns, err)
		}
	}
	for _, w := range Workloads {
		if err := w.create(ctx, cs); err != nil {
			return err
		}
	}
	for _, w := range Workloads {
		if err := w.waitReady(ctx, cs); err != nil {
			return err
		}
	}
	return nil
}
