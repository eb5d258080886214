package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// kwokKustomizeDir is the copy of the kwok module's kustomize/ folder inside the bin dir.
const kwokKustomizeDir = "kwok-kustomize"

// kwokStages are the kwok-shipped definitions the testbed loads, relative to kwokKustomizeDir:
// nodes become Ready and keep a lease, pods become Running+Ready, Job pods complete, deleted pods
// go away, and pods report usage from their kwok.x-k8s.io/usage-* annotations.
var kwokStages = []string{
	"stage/node/fast/node-initialize.yaml",
	"stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
	"stage/pod/fast/pod-ready.yaml",
	"stage/pod/fast/pod-complete.yaml",
	"stage/pod/fast/pod-delete.yaml",
	"metrics/usage/usage-from-annotation.yaml",
}

// kwokConfiguration sets the parallelism options explicitly: the standalone binary leaves them
// at 0 (kwokctl normally fills them) and then exits.
const kwokConfiguration = `apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  nodeLeaseParallelism: 4
  podPlayStageParallelism: 4
  nodePlayStageParallelism: 4
  podsOnNodeSyncParallelism: 4
`

// KwokNodeAnnotation marks the Nodes kwok manages (and only those).
const KwokNodeAnnotation = "kwok.x-k8s.io/node"

func defaultNodeCapacity() corev1.ResourceList {
	return corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("32"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
}

// writeKwokConfig assembles kwok's --config file from the shipped stage definitions.
func writeKwokConfig(binDir, path string) error {
	var buf bytes.Buffer
	buf.WriteString(kwokConfiguration)
	for _, rel := range kwokStages {
		data, err := os.ReadFile(filepath.Join(binDir, kwokKustomizeDir, rel))
		if err != nil {
			return fmt.Errorf("reading kwok stage %s (rebuild with scripts/build-testbed.sh): %w", rel, err)
		}
		buf.WriteString("---\n")
		buf.Write(bytes.TrimPrefix(data, []byte("---\n")))
		if !bytes.HasSuffix(data, []byte("\n")) {
			buf.WriteByte('\n')
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing kwok config: %w", err)
	}
	return nil
}

func (k *Kube) startKwok(ctx context.Context, t0 time.Time) error {
	configPath := filepath.Join(k.RunDir, "kwok.yaml")
	if err := writeKwokConfig(k.BinDir, configPath); err != nil {
		return fmt.Errorf("kwok: %w", err)
	}
	var url string
	p, err := startWithFreePorts(ctx, 1, func(ctx context.Context, ports []int) (*process, error) {
		port := strconv.Itoa(ports[0])
		url = "http://127.0.0.1:" + port
		args := []string{
			"--kubeconfig=" + k.Kubeconfig, "--config=" + configPath,
			"--manage-all-nodes=false",
			"--manage-nodes-with-annotation-selector=" + KwokNodeAnnotation + "=fake",
			"--server-address=127.0.0.1:" + port,
			// The fake kubelet endpoint of every node is kwok's own server.
			"--node-ip=127.0.0.1", "--node-port=" + port,
			"--node-lease-duration-seconds=40", "--cidr=10.244.0.0/16",
		}
		for _, c := range k.opts.KwokConfigs {
			args = append(args, "--config="+c)
		}
		return k.launch(ctx, Kwok, args, httpCheck(http.DefaultClient, url+"/healthz", ""))
	})
	if err != nil {
		return fmt.Errorf("kwok: %w", err)
	}
	k.KwokURL = url
	k.addProcess(p, t0)
	return nil
}

// createNodes registers the fake nodes and waits until kwok has made them Ready, so the
// scheduler can place pods as soon as StartKube returns.
func (k *Kube) createNodes(ctx context.Context, t0 time.Time) error {
	for i := range k.opts.Nodes {
		name := fmt.Sprintf("kwok-node-%d", i)
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name: name,
				Annotations: map[string]string{
					KwokNodeAnnotation:             "fake",
					"node.alpha.kubernetes.io/ttl": "0",
				},
				Labels: map[string]string{
					"kubernetes.io/arch": "amd64", "kubernetes.io/os": "linux",
					"kubernetes.io/hostname": name, "kubernetes.io/role": "agent",
					"node-role.kubernetes.io/agent": "", "type": "kwok",
				},
			},
			// Nodes accept status on create; kwok's node-initialize stage keeps these values.
			Status: corev1.NodeStatus{Capacity: k.opts.NodeCapacity, Allocatable: k.opts.NodeCapacity},
		}
		if _, err := k.clientset.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating node %s: %w", name, err)
		}
		k.Nodes = append(k.Nodes, name)
	}
	waitCtx, cancel := context.WithTimeout(ctx, k.opts.StartTimeout)
	defer cancel()
	if err := WaitNodesReady(waitCtx, k.clientset, len(k.Nodes)); err != nil {
		return fmt.Errorf("kwok nodes: %w; kwok log %s, last lines:\n%s",
			err, k.LogPath(Kwok), logTail(k.LogPath(Kwok), logTailLines))
	}
	k.mu.Lock()
	k.ReadyAfter["nodes"] = time.Since(t0)
	k.mu.Unlock()
	k.log.Info("kwok nodes ready", "count", len(k.Nodes), "after", time.Since(t0).Round(time.Millisecond))
	return nil
}
