package synth

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Names are derived from hashes of the object's identity, so every run writes the same file.

// rsAlphabet is the alphabet Kubernetes uses for pod-template hashes and name suffixes.
const rsAlphabet = "bcdfghjklmnpqrstvwxz2456789"

func digest(parts ...string) [32]byte {
	return sha256.Sum256([]byte(strings.Join(parts, "\x00")))
}

func hashChars(n int, parts ...string) string {
	sum := digest(parts...)
	b := make([]byte, n)
	for i := range b {
		b[i] = rsAlphabet[int(sum[i])%len(rsAlphabet)]
	}
	return string(b)
}

func uid(parts ...string) string {
	s := digest(parts...)
	h := hex.EncodeToString(s[:16])
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

func containerID(parts ...string) string {
	s := digest(parts...)
	return hex.EncodeToString(s[:])
}

// qosDir is the kubelet cgroup folder of a pod's QoS class.
func qosDir(cs []Container) string {
	guaranteed, bestEffort := true, true
	for _, c := range cs {
		if c.CPURequest > 0 || c.MemoryRequest > 0 || c.CPULimit > 0 || c.MemoryLimit > 0 {
			bestEffort = false
		}
		if c.CPULimit == 0 || c.MemoryLimit == 0 || (c.CPURequest != 0 && c.CPURequest != c.CPULimit) ||
			(c.MemoryRequest != 0 && c.MemoryRequest != c.MemoryLimit) {
			guaranteed = false
		}
	}
	switch {
	case guaranteed:
		return "/kubepods"
	case bestEffort:
		return "/kubepods/besteffort"
	default:
		return "/kubepods/burstable"
	}
}

// podIdentity is everything a pod's labels need, computed once per pod and family.
type podIdentity struct {
	name, uid           string
	ownerKind, owner    string // kube_pod_owner's owner_kind and owner_name
	node, kubeletTarget string
	cgroup              string // pod cgroup path
	pauseID             string
}

func identify(cluster *Cluster, ns string, d *Deployment, rs, pod int) podIdentity {
	name := d.podName(cluster.Name, ns, rs, pod)
	u := uid(cluster.Name, ns, name)
	node := int(digest(cluster.Name, name)[0]) % cluster.nodes()
	if d.Kind == KindDaemonSet {
		node = pod % cluster.nodes() // one pod per node (Validate keeps a revision within the nodes)
	}
	return podIdentity{
		name:          name,
		uid:           u,
		ownerKind:     d.ownerKind(),
		owner:         d.ownerName(cluster.Name, ns, rs),
		node:          fmt.Sprintf("worker-%02d", node+1),
		kubeletTarget: fmt.Sprintf("10.0.0.%d:10250", 11+node),
		cgroup:        qosDir(d.Containers) + "/pod" + u,
		pauseID:       containerID(u, "POD"),
	}
}

// instanceID is the container id of a container's restart-th instance.
func (p *podIdentity) instanceID(container string, restart int) string {
	return containerID(p.uid, container, fmt.Sprint(restart))
}

const (
	pauseImage     = "registry.k8s.io/pause:3.9"
	pauseCPU       = 0.0001 // cores: the pause process barely runs
	pauseMemory    = 393216 // bytes
	cfsPeriodsPerS = 10     // default 100ms CFS period
	ksmTarget      = "10.244.0.20:8080"
)
