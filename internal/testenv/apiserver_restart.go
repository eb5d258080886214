package testenv

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// StopAPIServer stops the kube-apiserver alone, as an outage of the control plane would: etcd
// keeps the cluster's state, and clients (kubeconfig, RESTConfig) get connection refused until
// StartAPIServer brings it back on the same address.
func (k *Kube) StopAPIServer() error {
	k.mu.Lock()
	i := slices.IndexFunc(k.procs, func(p *process) bool { return p.name == APIServer })
	if i < 0 {
		k.mu.Unlock()
		return errors.New("testenv: the kube-apiserver is not running")
	}
	p := k.procs[i]
	k.procs = slices.Delete(k.procs, i, i+1)
	k.mu.Unlock()
	if err := p.stop(k.opts.StopGrace); err != nil {
		return fmt.Errorf("testenv: stopping the kube-apiserver: %w", err)
	}
	return nil
}

// StartAPIServer starts the kube-apiserver StopAPIServer stopped, on the same port and etcd, and
// waits until it is ready. Another process may have taken the port meanwhile; then it fails.
func (k *Kube) StartAPIServer(ctx context.Context) error {
	u, err := url.Parse(k.APIServerURL)
	if err != nil {
		return fmt.Errorf("testenv: the kube-apiserver's address %q: %w", k.APIServerURL, err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		return fmt.Errorf("testenv: the kube-apiserver's port in %q: %w", k.APIServerURL, err)
	}
	k.mu.Lock()
	running := slices.ContainsFunc(k.procs, func(p *process) bool { return p.name == APIServer })
	k.mu.Unlock()
	if running {
		return errors.New("testenv: the kube-apiserver is already running")
	}
	client, err := k.apiServerClient()
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	t0 := time.Now()
	p, err := k.launch(ctx, APIServer, k.apiServerArgs(port), httpCheck(client, k.APIServerURL+"/readyz", ""))
	if err != nil {
		return fmt.Errorf("testenv: restarting the kube-apiserver: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	// Stop goes through procs backwards: keep the apiserver after etcd, before its clients.
	at := slices.IndexFunc(k.procs, func(p *process) bool { return p.name == Etcd }) + 1
	k.procs = slices.Insert(k.procs, at, p)
	k.ReadyAfter[APIServer+"-restart"] = time.Since(t0)
	return nil
}
