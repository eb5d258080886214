package testenv

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

const (
	serviceCIDR    = "10.0.0.0/24"
	serviceIP      = "10.0.0.1" // first address of serviceCIDR: the kubernetes Service
	frontProxyName = "front-proxy-client"
)

// launch starts one component and waits for check; a component that never became healthy is
// stopped before the error is returned, so a retry or the caller's cleanup finds nothing running.
func (k *Kube) launch(ctx context.Context, name string, args []string, check func(context.Context) error) (*process, error) {
	p, err := startProcess(k.log, name, k.bin(name), args, k.LogPath(name))
	if err != nil {
		return nil, err
	}
	if err := waitHealthy(ctx, p, k.opts.StartTimeout, check); err != nil {
		_ = p.stop(k.opts.StopGrace)
		return nil, err
	}
	return p, nil
}

func (k *Kube) startEtcd(ctx context.Context, t0 time.Time) error {
	dataDir := filepath.Join(k.RunDir, "etcd")
	var extra []string
	// Durability is pointless for a throwaway store, and fsync dominates apiserver latency on
	// shared disks.
	if hasFlag(k.bin(Etcd), "--unsafe-no-fsync") {
		extra = append(extra, "--unsafe-no-fsync")
	}
	p, err := startWithFreePorts(ctx, 2, func(ctx context.Context, ports []int) (*process, error) {
		// A failed attempt may have initialised membership with the old peer URL.
		if err := os.RemoveAll(dataDir); err != nil {
			return nil, fmt.Errorf("clearing etcd data dir: %w", err)
		}
		client := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
		peer := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
		args := append([]string{
			"--name=testenv", "--data-dir=" + dataDir,
			"--listen-client-urls=" + client, "--advertise-client-urls=" + client,
			"--listen-peer-urls=" + peer, "--initial-advertise-peer-urls=" + peer,
			"--initial-cluster=testenv=" + peer, "--log-level=warn",
		}, extra...)
		p, err := k.launch(ctx, Etcd, args, httpCheck(http.DefaultClient, client+"/health", `"health":"true"`))
		if err == nil {
			k.EtcdURL = client
		}
		return p, err
	})
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	k.addProcess(p, t0)
	return nil
}

func (k *Kube) startAPIServer(ctx context.Context, t0 time.Time) error {
	pki := k.pki
	client, err := k.apiServerClient()
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	p, err := startWithFreePorts(ctx, 1, func(ctx context.Context, ports []int) (*process, error) {
		url := fmt.Sprintf("https://127.0.0.1:%d", ports[0])
		p, err := k.launch(ctx, APIServer, k.apiServerArgs(ports[0]), httpCheck(client, url+"/readyz", ""))
		if err == nil {
			k.APIServerURL = url
		}
		return p, err
	})
	if err != nil {
		return fmt.Errorf("kube-apiserver: %w", err)
	}
	k.addProcess(p, t0)

	k.restCfg = &rest.Config{
		Host: k.APIServerURL,
		TLSClientConfig: rest.TLSClientConfig{
			CAData: k.CACertPEM, CertData: pki.adminCertPEM, KeyData: pki.adminKey,
		},
		// Tests create objects in bursts; the client-side default (5 qps) would throttle them.
		QPS: 200, Burst: 400,
	}
	if k.clientset, err = kubernetes.NewForConfig(k.restCfg); err != nil {
		return fmt.Errorf("creating clientset: %w", err)
	}
	return writeKubeconfig(k.Kubeconfig, k.APIServerURL, k.CACertPEM, pki.adminCertPEM, pki.adminKey)
}

// apiServerClient is an admin client of the kube-apiserver for its readiness check.
func (k *Kube) apiServerClient() (*http.Client, error) {
	adminCert, err := tls.X509KeyPair(k.pki.adminCertPEM, k.pki.adminKey)
	if err != nil {
		return nil, fmt.Errorf("kube-apiserver: loading admin certificate: %w", err)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: k.CertPool(), Certificates: []tls.Certificate{adminCert},
	}}}, nil
}

// apiServerArgs are the kube-apiserver's flags for serving on port.
func (k *Kube) apiServerArgs(port int) []string {
	pki := k.pki
	return []string{
		"--etcd-servers=" + k.EtcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + filepath.Join(k.RunDir, "apiserver-certs"),
		"--tls-cert-file=" + pki.apiserverCert, "--tls-private-key-file=" + pki.apiserver,
		"--client-ca-file=" + pki.caCert, "--token-auth-file=" + pki.tokens,
		// requestheader flags: aggregated API servers and the controllers' delegated authn
		// expect them; without them kcm/scheduler log warnings on every start.
		"--requestheader-client-ca-file=" + pki.caCert,
		"--requestheader-allowed-names=" + frontProxyName,
		"--requestheader-username-headers=X-Remote-User",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--proxy-client-cert-file=" + pki.frontProxyCert, "--proxy-client-key-file=" + pki.frontProxyKey,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + pki.saPub, "--service-account-signing-key-file=" + pki.saKey,
		"--service-cluster-ip-range=" + serviceCIDR,
		"--authorization-mode=RBAC", "--allow-privileged=true",
		// No real endpoints exist for the kubernetes Service on a loopback-only cluster.
		"--endpoint-reconciler-type=none",
		"--profiling=false",
	}
}

// controllerArgs are the flags kube-controller-manager and kube-scheduler share: admin
// kubeconfig for everything, loopback serving, no leader election (one instance) and client
// limits high enough not to slow tests down.
func (k *Kube) controllerArgs(name string, port int) []string {
	return []string{
		"--kubeconfig=" + k.Kubeconfig,
		"--authentication-kubeconfig=" + k.Kubeconfig, "--authorization-kubeconfig=" + k.Kubeconfig,
		"--bind-address=127.0.0.1", "--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + filepath.Join(k.RunDir, name+"-certs"),
		"--leader-elect=false", "--kube-api-qps=1000", "--kube-api-burst=1000",
	}
}

// insecureClient checks health of components serving self-generated certificates on loopback;
// only liveness is learned from it, nothing trusted.
var insecureClient = &http.Client{Transport: &http.Transport{
	TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // loopback health probe
}}

func (k *Kube) startControllerManager(ctx context.Context, t0 time.Time) error {
	p, err := startWithFreePorts(ctx, 1, func(ctx context.Context, ports []int) (*process, error) {
		args := append(k.controllerArgs(ControllerManager, ports[0]),
			"--root-ca-file="+k.pki.caCert,
			"--service-account-private-key-file="+k.pki.saKey,
			"--cluster-signing-cert-file="+k.pki.caCert, "--cluster-signing-key-file="+k.pki.caKey,
			"--service-cluster-ip-range="+serviceCIDR,
			"--concurrent-deployment-syncs=10", "--concurrent-replicaset-syncs=10",
		)
		return k.launch(ctx, ControllerManager, args,
			httpCheck(insecureClient, fmt.Sprintf("https://127.0.0.1:%d/healthz", ports[0]), ""))
	})
	if err != nil {
		return fmt.Errorf("kube-controller-manager: %w", err)
	}
	k.addProcess(p, t0)
	return nil
}

func (k *Kube) startScheduler(ctx context.Context, t0 time.Time) error {
	p, err := startWithFreePorts(ctx, 1, func(ctx context.Context, ports []int) (*process, error) {
		return k.launch(ctx, Scheduler, k.controllerArgs(Scheduler, ports[0]),
			httpCheck(insecureClient, fmt.Sprintf("https://127.0.0.1:%d/healthz", ports[0]), ""))
	})
	if err != nil {
		return fmt.Errorf("kube-scheduler: %w", err)
	}
	k.addProcess(p, t0)
	return nil
}

// httpCheck returns a health check that wants 200 from url and, if want is set, a body
// containing it.
func httpCheck(client *http.Client, url, want string) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("building health request: %w", err)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
		}
		if want != "" && !strings.Contains(string(body), want) {
			return fmt.Errorf("GET %s: body %q lacks %q", url, body, want)
		}
		return nil
	}
}
