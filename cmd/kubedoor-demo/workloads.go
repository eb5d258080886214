package main

import (
	"fmt"
	"math"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/internal/synth"
)

const mi = 1 << 20

// demoContainer is one container of a demo workload: what it asks for and what it really uses
// at the daily peak (varied per day so each workload has a worst day).
type demoContainer struct {
	name, image          string
	cpuRequest, cpuLimit float64 // cores
	memRequest, memLimit int64   // bytes
	peakCPU              float64 // cores at the typical daily peak
	peakMem              int64   // bytes at the typical daily peak
}

type demoWorkload struct {
	namespace, name string
	replicas        int
	containers      []demoContainer
}

// demoWorkloads over-ask and under-ask in different ways, so the control table has something to say.
var demoWorkloads = []demoWorkload{
	{"shop", "checkout", 3, []demoContainer{
		{name: "app", image: "registry.example.com/shop/checkout:1.5.0", cpuRequest: 1, cpuLimit: 2, memRequest: 1024 * mi, memLimit: 2048 * mi, peakCPU: 0.35, peakMem: 420 * mi},
	}},
	{"shop", "search", 2, []demoContainer{
		{name: "app", image: "registry.example.com/shop/search:3.1.0", cpuRequest: 0.5, cpuLimit: 2, memRequest: 512 * mi, memLimit: 1024 * mi, peakCPU: 0.9, peakMem: 700 * mi},
	}},
	{"shop", "api", 2, []demoContainer{
		{name: "app", image: "registry.example.com/shop/api:2.0.3", cpuRequest: 0.25, cpuLimit: 1, memRequest: 256 * mi, memLimit: 512 * mi, peakCPU: 0.2, peakMem: 300 * mi},
		{name: "istio-proxy", image: "docker.io/istio/proxyv2:1.22.0", cpuRequest: 0.1, memRequest: 128 * mi, memLimit: 256 * mi, peakCPU: 0.05, peakMem: 90 * mi},
	}},
	{"pay", "gateway", 3, []demoContainer{
		{name: "app", image: "registry.example.com/pay/gateway:5.0.0", cpuRequest: 2, cpuLimit: 4, memRequest: 2048 * mi, memLimit: 4096 * mi, peakCPU: 1.1, peakMem: 1500 * mi},
	}},
}

// demoScenario is the workloads' peak history: days whole days ending yesterday, in UTC.
func demoScenario(now time.Time, days int) synth.Scenario {
	c := synth.Cluster{Name: "demo", Peak: synth.DefaultPeak}
	first := synth.DateOf(now.UTC()).AddDays(-days)
	for d := 0; d < days; d++ {
		c.Days = append(c.Days, first.AddDays(d))
	}
	start := time.Date(first.Year, first.Month, first.Day, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	byNS := map[string]int{}
	for wi, w := range demoWorkloads {
		dep := synth.Deployment{Name: w.name}
		for _, dc := range w.containers {
			dep.Containers = append(dep.Containers, synth.Container{
				Name: dc.name, Image: dc.image, CPURequest: dc.cpuRequest, CPULimit: dc.cpuLimit,
				MemoryRequest: dc.memRequest, MemoryLimit: dc.memLimit,
			})
		}
		var rs synth.ReplicaSet
		for p := 0; p < w.replicas; p++ {
			pod := synth.Pod{Start: start}
			for _, dc := range w.containers {
				perDay := make([]synth.Usage, days)
				for d := range perDay {
					// A weekly swell plus per-pod skew: every workload has one worst day.
					f := (1 + 0.25*math.Sin(float64(d+wi)*2*math.Pi/7)) * (1 - 0.1*float64(p))
					cpu, mem := dc.peakCPU*f, float64(dc.peakMem)*f
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
		i, ok := byNS[w.namespace]
		if !ok {
			i = len(c.Namespaces)
			byNS[w.namespace] = i
			c.Namespaces = append(c.Namespaces, synth.Namespace{Name: w.namespace})
		}
		c.Namespaces[i].Deployments = append(c.Namespaces[i].Deployments, dep)
	}
	return synth.Scenario{Clusters: []synth.Cluster{c}}
}

// deployment is the live Deployment of a demo workload in the local cluster; kwok reports the
// typical peak usage from the pod annotations.
func (w demoWorkload) deployment() *appsv1.Deployment {
	labels := map[string]string{"app": w.name}
	replicas := int32(w.replicas)
	var containers []corev1.Container
	for _, dc := range w.containers {
		req := corev1.ResourceList{
			corev1.ResourceCPU:    *resource.NewMilliQuantity(int64(dc.cpuRequest*1000), resource.DecimalSI),
			corev1.ResourceMemory: *resource.NewQuantity(dc.memRequest, resource.BinarySI),
		}
		lim := corev1.ResourceList{corev1.ResourceMemory: *resource.NewQuantity(dc.memLimit, resource.BinarySI)}
		if dc.cpuLimit > 0 {
			lim[corev1.ResourceCPU] = *resource.NewMilliQuantity(int64(dc.cpuLimit*1000), resource.DecimalSI)
		}
		containers = append(containers, corev1.Container{Name: dc.name, Image: dc.image,
			Resources: corev1.ResourceRequirements{Requests: req, Limits: lim}})
	}
	app := w.containers[0]
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: w.name, Namespace: w.namespace},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: map[string]string{
					"kwok.x-k8s.io/usage-cpu":    fmt.Sprintf("%dm", int64(app.peakCPU*1000)),
					"kwok.x-k8s.io/usage-memory": fmt.Sprintf("%dMi", app.peakMem/mi),
				}},
				Spec: corev1.PodSpec{Containers: containers},
			},
		},
	}
}
