package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubedoor/kubedoor-grafana/internal/synth"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
)

// The browser run's cluster: a few workloads whose peaks over-ask, under-ask and carry a sidecar,
// so every page has something to show and the assertions know what to expect. The same names
// are in tests/browser/expect.mjs.
const clusterName = "demo"

const mi = 1 << 20

type hostContainer struct {
	name                 string
	cpuRequest, cpuLimit float64 // cores
	memRequest, memLimit int64   // bytes
	peakCPU              float64 // cores at the typical daily peak
	peakMem              int64   // bytes
}

type hostWorkload struct {
	namespace, name string
	replicas        int
	containers      []hostContainer
}

var hostWorkloads = []hostWorkload{
	{"shop", "checkout", 3, []hostContainer{{"app", 1, 2, 1024 * mi, 2048 * mi, 0.3, 400 * mi}}},
	{"shop", "search", 2, []hostContainer{{"app", 0.5, 2, 512 * mi, 1024 * mi, 0.8, 700 * mi}}},
	{"shop", "api", 2, []hostContainer{
		{"app", 0.25, 1, 256 * mi, 512 * mi, 0.2, 300 * mi},
		{"istio-proxy", 0.1, 0, 128 * mi, 256 * mi, 0.03, 90 * mi},
	}},
	{"pay", "gateway", 3, []hostContainer{{"app", 2, 4, 2048 * mi, 4096 * mi, 1.0, 1500 * mi}}},
}

// scenario is the workloads' peak history: `days` whole days ending yesterday (UTC), with a
// weekly swell and per-pod skew so every workload has one worst day.
func scenario(now time.Time, days int) synth.Scenario {
	c := synth.Cluster{Name: clusterName, Peak: synth.DefaultPeak}
	first := synth.DateOf(now.UTC()).AddDays(-days)
	for d := 0; d < days; d++ {
		c.Days = append(c.Days, first.AddDays(d))
	}
	start := time.Date(first.Year, first.Month, first.Day, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	index := map[string]int{}
	for wi, w := range hostWorkloads {
		dep := synth.Deployment{Name: w.name}
		for _, hc := range w.containers {
			dep.Containers = append(dep.Containers, synth.Container{
				Name: hc.name, Image: "registry.example.com/" + w.namespace + "/" + w.name + ":1.0.0",
				CPURequest: hc.cpuRequest, CPULimit: hc.cpuLimit, MemoryRequest: hc.memRequest, MemoryLimit: hc.memLimit,
			})
		}
		var rs synth.ReplicaSet
		for p := 0; p < w.replicas; p++ {
			pod := synth.Pod{Start: start}
			for _, hc := range w.containers {
				perDay := make([]synth.Usage, days)
				for d := range perDay {
					f := (1 + 0.25*math.Sin(float64(d+wi)*2*math.Pi/7)) * (1 - 0.1*float64(p))
					cpu, mem := hc.peakCPU*f, float64(hc.peakMem)*f
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
		i, ok := index[w.namespace]
		if !ok {
			i = len(c.Namespaces)
			index[w.namespace] = i
			c.Namespaces = append(c.Namespaces, synth.Namespace{Name: w.namespace})
		}
		c.Namespaces[i].Deployments = append(c.Namespaces[i].Deployments, dep)
	}
	return synth.Scenario{Clusters: []synth.Cluster{c}}
}

// startPrometheus loads the history into a fresh Prometheus.
func startPrometheus(ctx context.Context, days int, log *slog.Logger) (*testenv.PromServer, error) {
	var parts []io.WriterTo
	for _, p := range scenario(time.Now(), days).Parts(1, true) {
		parts = append(parts, p)
	}
	return testenv.StartPrometheus(ctx, testenv.PromOptions{Parts: parts, Logger: log})
}

// deploy installs the CapacityPolicy CRD (so the backend can publish), creates the workloads'
// namespaces (labelled for observation) and Deployments, and waits until they are Ready.
func deploy(ctx context.Context, cfg *rest.Config, cs kubernetes.Interface) error {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("dynamic client: %w", err)
	}
	if err := crd.Install(ctx, dyn); err != nil {
		return err
	}
	for _, ns := range []string{"shop", "pay"} {
		obj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{"kubedoor.io/control": "observe"}}}
		if _, err := cs.CoreV1().Namespaces().Create(ctx, obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating namespace %s: %w", ns, err)
		}
	}
	for _, w := range hostWorkloads {
		if _, err := cs.AppsV1().Deployments(w.namespace).Create(ctx, w.deployment(), metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating %s/%s: %w", w.namespace, w.name, err)
		}
	}
	for _, w := range hostWorkloads {
		if err := testenv.WaitDeploymentReady(ctx, cs, w.namespace, w.name); err != nil {
			return err
		}
	}
	return nil
}

func (w hostWorkload) deployment() *appsv1.Deployment {
	labels := map[string]string{"app": w.name}
	replicas := int32(w.replicas)
	var containers []corev1.Container
	for _, hc := range w.containers {
		req := corev1.ResourceList{
			corev1.ResourceCPU:    *resource.NewMilliQuantity(int64(hc.cpuRequest*1000), resource.DecimalSI),
			corev1.ResourceMemory: *resource.NewQuantity(hc.memRequest, resource.BinarySI),
		}
		lim := corev1.ResourceList{corev1.ResourceMemory: *resource.NewQuantity(hc.memLimit, resource.BinarySI)}
		if hc.cpuLimit > 0 {
			lim[corev1.ResourceCPU] = *resource.NewMilliQuantity(int64(hc.cpuLimit*1000), resource.DecimalSI)
		}
		containers = append(containers, corev1.Container{Name: hc.name, Image: "registry.example.com/" + w.name + ":1.0.0",
			Resources: corev1.ResourceRequirements{Requests: req, Limits: lim}})
	}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: w.name, Namespace: w.namespace},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: containers},
			},
		},
	}
}
