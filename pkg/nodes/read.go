package nodes

import (
	"context"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Cluster is what Read found: the nodes, their scheduled pods, and how many pods wait for a node.
type Cluster struct {
	Nodes   []Node
	Pods    []Pod
	Pending int
}

// notFinished selects the pods that hold their requests on a node: a Succeeded or Failed pod
// keeps its node name but the scheduler no longer counts it.
const notFinished = "status.phase!=" + string(corev1.PodSucceeded) + ",status.phase!=" + string(corev1.PodFailed)

// listPage bounds one list response, so a cluster of tens of thousands of pods is read in pages
// rather than in one answer the apiserver has to build in memory.
var listPage int64 = 500

// Read lists the cluster's nodes and, in one more (paged) list, every pod that is not finished.
func Read(ctx context.Context, k kubernetes.Interface) (Cluster, error) {
	var out Cluster
	opts := metav1.ListOptions{Limit: listPage}
	for {
		nl, err := k.CoreV1().Nodes().List(ctx, opts)
		if err != nil {
			return Cluster{}, fmt.Errorf("listing nodes: %w", err)
		}
		for i := range nl.Items {
			out.Nodes = append(out.Nodes, NodeOf(&nl.Items[i]))
		}
		if opts.Continue = nl.Continue; opts.Continue == "" {
			break
		}
	}
	opts = metav1.ListOptions{FieldSelector: notFinished, Limit: listPage}
	for {
		pl, err := k.CoreV1().Pods("").List(ctx, opts)
		if err != nil {
			return Cluster{}, fmt.Errorf("listing pods: %w", err)
		}
		for i := range pl.Items {
			p := &pl.Items[i]
			if p.Spec.NodeName == "" {
				out.Pending++
				continue
			}
			out.Pods = append(out.Pods, PodOf(p))
		}
		if opts.Continue = pl.Continue; opts.Continue == "" {
			break
		}
	}
	return out, nil
}

// NodeOf is n's allocatable and whether it is cordoned.
func NodeOf(n *corev1.Node) Node {
	a := n.Status.Allocatable
	return Node{
		Name:          n.Name,
		Allocatable:   Resources{CPUMillis: a.Cpu().MilliValue(), MemBytes: a.Memory().Value()},
		Unschedulable: n.Spec.Unschedulable,
	}
}

// PodOf is p's node, owner and per-container requests. Init containers and pod overhead are
// left out: the control table sizes the regular containers only.
func PodOf(p *corev1.Pod) Pod {
	owner, kind := OwnerOf(p)
	out := Pod{Namespace: p.Namespace, Name: p.Name, Node: p.Spec.NodeName, Owner: owner, OwnerKind: kind}
	for _, c := range p.Spec.Containers {
		r := c.Resources.Requests
		out.Containers = append(out.Containers, Container{Name: c.Name,
			Request: Resources{CPUMillis: r.Cpu().MilliValue(), MemBytes: r.Memory().Value()}})
	}
	return out
}

// OwnerOf resolves p to the workload that runs it. A ReplicaSet's pod belongs to the Deployment
// whose name is the ReplicaSet's without the "-<pod-template-hash>" suffix the Deployment
// controller gives it (the pod carries the hash as a label), so no ReplicaSet has to be read.
// Pods of other owners (a Job, a bare ReplicaSet) or of none get a zero Ref and the owner's
// kind as read.
func OwnerOf(p *corev1.Pod) (workload.Ref, string) {
	ref := controllerOf(p.OwnerReferences)
	if ref == nil {
		return workload.Ref{}, ""
	}
	if !strings.HasPrefix(ref.APIVersion, "apps/") {
		return workload.Ref{}, ref.Kind // another group's kind of the same name (a CRD)
	}
	switch ref.Kind {
	case "ReplicaSet":
		hash := p.Labels[appsv1.DefaultDeploymentUniqueLabelKey]
		if name, ok := strings.CutSuffix(ref.Name, "-"+hash); ok && hash != "" && name != "" {
			return workload.Ref{Namespace: p.Namespace, Kind: workload.Deployment, Name: name}, workload.Deployment
		}
	case workload.StatefulSet, workload.DaemonSet:
		return workload.Ref{Namespace: p.Namespace, Kind: ref.Kind, Name: ref.Name}, ref.Kind
	}
	return workload.Ref{}, ref.Kind
}

// controllerOf is the owner reference marked as the controller, else the only one.
func controllerOf(refs []metav1.OwnerReference) *metav1.OwnerReference {
	for i := range refs {
		if refs[i].Controller != nil && *refs[i].Controller {
			return &refs[i]
		}
	}
	if len(refs) == 1 {
		return &refs[0]
	}
	return nil
}
