// Package kube hands out client-go clients for the clusters the app manages, built from each
// cluster's settings (a kubeconfig kept in Grafana's secure settings, or the in-cluster service
// account) and reused until those settings change.
package kube

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

// ErrNoAccess means the cluster is configured without Kubernetes access (peak data only).
var ErrNoAccess = errors.New("no Kubernetes access configured for this cluster")

// Client is one cluster's clients.
type Client struct {
	Cluster    string
	Config     *rest.Config
	Kubernetes kubernetes.Interface
	Dynamic    dynamic.Interface
}

// Clients caches a Client per cluster. Safe for concurrent use.
type Clients struct {
	mu        sync.Mutex
	cache     map[string]cached
	inCluster func() (*rest.Config, error)
}

type cached struct {
	key    string
	client *Client
}

// NewClients returns an empty cache.
func NewClients() *Clients {
	return &Clients{cache: map[string]cached{}, inCluster: rest.InClusterConfig}
}

// For returns the cluster's clients, building them when the cluster's access settings changed.
func (cs *Clients) For(c settings.Cluster) (*Client, error) {
	key := accessKey(c)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if e, ok := cs.cache[c.Name]; ok && e.key == key {
		return e.client, nil
	}
	cfg, err := cs.restConfig(c)
	if err != nil {
		return nil, err
	}
	k, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: kubernetes client: %w", c.Name, err)
	}
	d, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: dynamic client: %w", c.Name, err)
	}
	client := &Client{Cluster: c.Name, Config: cfg, Kubernetes: k, Dynamic: d}
	cs.cache[c.Name] = cached{key: key, client: client}
	return client, nil
}

func (cs *Clients) restConfig(c settings.Cluster) (*rest.Config, error) {
	var cfg *rest.Config
	var err error
	switch c.KubeAccess {
	case settings.KubeAccessKubeconfig:
		cfg, err = clientcmd.RESTConfigFromKubeConfig([]byte(c.Kubeconfig))
		if err != nil {
			return nil, fmt.Errorf("cluster %s: reading its kubeconfig: %w", c.Name, err)
		}
	case settings.KubeAccessInCluster:
		cfg, err = cs.inCluster()
		if err != nil {
			return nil, fmt.Errorf("cluster %s: in-cluster credentials: %w", c.Name, err)
		}
	default:
		return nil, fmt.Errorf("cluster %s: %w", c.Name, ErrNoAccess)
	}
	cfg.UserAgent = "kubedoor-backend"
	cfg.Timeout = 30 * time.Second
	// Batches of scale/restart and policy publishing burst; the defaults (5 QPS) would crawl.
	cfg.QPS, cfg.Burst = 50, 100
	return cfg, nil
}

// accessKey identifies the access settings, so a saved kubeconfig rebuilds the client.
func accessKey(c settings.Cluster) string {
	h := sha256.Sum256([]byte(c.KubeAccess + "\x00" + c.Kubeconfig))
	return hex.EncodeToString(h[:])
}
