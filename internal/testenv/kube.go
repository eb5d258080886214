package testenv

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// KeepEnv names the environment variable that, set to 1, keeps run dirs (logs, PKI, etcd data)
// after Stop, for debugging a failed test.
const KeepEnv = "KUBEDOOR_KEEP_TESTBED"

// Component names, also the log file names (<LogDir>/<name>.log).
const (
	Etcd              = "etcd"
	APIServer         = "kube-apiserver"
	ControllerManager = "kube-controller-manager"
	Scheduler         = "kube-scheduler"
	Kwok              = "kwok"
)

// KubeOptions selects what StartKube runs. The zero value starts etcd and kube-apiserver only,
// which is enough for API-level tests (admission webhooks, informers); Deployments turning into
// running Pods need all of ControllerManager, Scheduler and Kwok (see FullCluster).
type KubeOptions struct {
	BinDir string // default: KubeBinDir()
	// RunDir holds PKI, etcd data, configs and logs. Default: a new temp dir. A given dir must be
	// empty, missing, or a previous run dir of this package (which is then wiped).
	RunDir string

	ControllerManager bool
	Scheduler         bool
	Kwok              bool
	Nodes             int                 // fake kwok nodes kwok-node-0..N-1; default 1 when Kwok
	NodeCapacity      corev1.ResourceList // default 32 CPU, 256Gi, 110 pods
	KwokConfigs       []string            // extra kwok --config files (e.g. a Metric for scraping)

	StartTimeout time.Duration // per component health wait; default 90s (2 shared cores)
	StopGrace    time.Duration // SIGTERM → SIGKILL delay per component; default 5s
	Keep         bool          // keep RunDir after Stop; also KUBEDOOR_KEEP_TESTBED=1
	Logger       *slog.Logger  // default slog.Default()
}

// FullCluster returns options for the whole control plane with n fake nodes.
func FullCluster(nodes int) KubeOptions {
	return KubeOptions{ControllerManager: true, Scheduler: true, Kwok: true, Nodes: nodes}
}

func (o KubeOptions) withDefaults() KubeOptions {
	if o.Kwok && o.Nodes == 0 {
		o.Nodes = 1
	}
	if o.NodeCapacity == nil {
		o.NodeCapacity = defaultNodeCapacity()
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 90 * time.Second
	}
	if o.StopGrace == 0 {
		o.StopGrace = 5 * time.Second
	}
	if os.Getenv(KeepEnv) == "1" {
		o.Keep = true
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Kube is a running local control plane. All endpoints are on 127.0.0.1 with ports chosen at
// start, so several can run side by side.
type Kube struct {
	Kubeconfig   string // admin kubeconfig (client certificate, system:masters)
	APIServerURL string
	EtcdURL      string
	KwokURL      string // kwok's HTTP server (/healthz, /metrics, /discovery/prometheus); "" without kwok
	CACertPEM    []byte // the cluster CA: trusted for client certs, signs the apiserver cert
	CAKey        crypto.Signer
	CA           *CA
	CACertFile   string
	CAKeyFile    string
	AdminToken   string   // static bearer token with system:masters, for curl-style clients
	Nodes        []string // names of the fake kwok nodes
	BinDir       string
	RunDir       string
	LogDir       string
	// ReadyAfter is, per component, the time from StartKube's call until it was healthy.
	ReadyAfter map[string]time.Duration

	opts      KubeOptions
	log       *slog.Logger
	pki       *clusterPKI
	restCfg   *rest.Config
	clientset *kubernetes.Clientset

	mu       sync.Mutex
	procs    []*process // in start order
	stopOnce sync.Once
	stopErr  error
}

// StartKube starts the selected components, each waited for until healthy, and returns the
// running cluster. On error everything started so far is stopped; the error carries the failing
// component's last log lines.
func StartKube(ctx context.Context, opts KubeOptions) (_ *Kube, err error) {
	t0 := time.Now()
	opts = opts.withDefaults()
	if runtime.GOOS != "linux" {
		return nil, errors.New("testenv: the local cluster runs on linux only")
	}
	if opts.BinDir == "" {
		if opts.BinDir, err = KubeBinDir(); err != nil {
			return nil, fmt.Errorf("testenv: %w", err)
		}
	}
	if err := checkBinaries(opts); err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	runDir, err := prepareRunDir(opts.RunDir, opts.Keep)
	if err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	k := &Kube{
		BinDir: opts.BinDir, RunDir: runDir, LogDir: filepath.Join(runDir, "logs"),
		Kubeconfig: filepath.Join(runDir, "kubeconfig"), ReadyAfter: map[string]time.Duration{},
		opts: opts, log: opts.Logger.With("run_dir", runDir),
	}
	defer func() {
		if err != nil {
			if stopErr := k.Stop(); stopErr != nil {
				k.log.Warn("cleanup after failed start", "err", stopErr)
			}
			hint := fmt.Sprintf("set %s=1 to keep %s", KeepEnv, runDir)
			if opts.Keep {
				hint = "logs kept in " + k.LogDir
			}
			err = fmt.Errorf("testenv: starting kubernetes (%s): %w", hint, err)
		}
	}()
	if err := os.MkdirAll(k.LogDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating log dir: %w", err)
	}
	if k.pki, err = writeClusterPKI(filepath.Join(runDir, "pki")); err != nil {
		return nil, err
	}
	k.CA, k.CACertPEM, k.CAKey = k.pki.ca, k.pki.ca.CertPEM, k.pki.ca.Key
	k.CACertFile, k.CAKeyFile, k.AdminToken = k.pki.caCert, k.pki.caKey, k.pki.adminToken

	if err := k.startEtcd(ctx, t0); err != nil {
		return nil, err
	}
	if err := k.startAPIServer(ctx, t0); err != nil {
		return nil, err
	}
	// The three clients of the apiserver do not depend on each other: start them together.
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, start := range []struct {
		on bool
		fn func(context.Context, time.Time) error
	}{{opts.ControllerManager, k.startControllerManager}, {opts.Scheduler, k.startScheduler}, {opts.Kwok, k.startKwok}} {
		if start.on {
			wg.Go(func() { errs[i] = start.fn(ctx, t0) })
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if opts.Kwok {
		if err := k.createNodes(ctx, t0); err != nil {
			return nil, err
		}
	}
	k.log.Info("kubernetes ready", "apiserver", k.APIServerURL, "kubeconfig", k.Kubeconfig,
		"nodes", len(k.Nodes), "elapsed", time.Since(t0).Round(time.Millisecond))
	return k, nil
}

// RESTConfig returns a fresh copy of the admin client configuration.
func (k *Kube) RESTConfig() *rest.Config { return rest.CopyConfig(k.restCfg) }

// Clientset returns a shared admin clientset.
func (k *Kube) Clientset() *kubernetes.Clientset { return k.clientset }

// IssueServingCert signs a serving certificate for hosts with the cluster CA; CACertPEM is then
// the caBundle a webhook configuration needs.
func (k *Kube) IssueServingCert(hosts ...string) (certPEM, keyPEM []byte, err error) {
	return k.CA.IssueServing(hosts...)
}

// CertPool returns a pool holding the cluster CA.
func (k *Kube) CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(k.CA.Cert)
	return pool
}

// LogPath returns the log file of a component (see the component name constants).
func (k *Kube) LogPath(component string) string { return filepath.Join(k.LogDir, component+".log") }

// PIDs returns the process id of each running component.
func (k *Kube) PIDs() map[string]int {
	k.mu.Lock()
	defer k.mu.Unlock()
	pids := make(map[string]int, len(k.procs))
	for _, p := range k.procs {
		pids[p.name] = p.pid()
	}
	return pids
}

// Stop terminates all components (clients first, etcd last), waits for them, and removes the
// run dir unless kept. It is safe to call more than once.
func (k *Kube) Stop() error {
	k.stopOnce.Do(func() {
		t0 := time.Now()
		k.mu.Lock()
		procs := slices.Clone(k.procs)
		k.mu.Unlock()
		var errs []error
		for _, p := range slices.Backward(procs) {
			if err := p.stop(k.opts.StopGrace); err != nil {
				errs = append(errs, err)
			}
		}
		if k.opts.Keep {
			if err := writeMarkerPID(k.RunDir, 0, true); err != nil {
				errs = append(errs, err)
			}
			k.log.Info("kubernetes stopped; run dir kept", "elapsed", time.Since(t0).Round(time.Millisecond))
		} else {
			if err := os.RemoveAll(k.RunDir); err != nil {
				errs = append(errs, fmt.Errorf("removing run dir: %w", err))
			}
			k.log.Info("kubernetes stopped", "elapsed", time.Since(t0).Round(time.Millisecond))
		}
		if len(errs) > 0 {
			k.stopErr = fmt.Errorf("testenv: stopping kubernetes: %w", errors.Join(errs...))
		}
	})
	return k.stopErr
}

func (k *Kube) addProcess(p *process, t0 time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.procs = append(k.procs, p)
	k.ReadyAfter[p.name] = time.Since(t0)
	k.log.Info("component ready", "component", p.name, "pid", p.pid(),
		"after", k.ReadyAfter[p.name].Round(time.Millisecond))
}

func (k *Kube) bin(name string) string { return filepath.Join(k.BinDir, name) }

func checkBinaries(opts KubeOptions) error {
	need := []string{Etcd, APIServer}
	if opts.ControllerManager {
		need = append(need, ControllerManager)
	}
	if opts.Scheduler {
		need = append(need, Scheduler)
	}
	if opts.Kwok {
		need = append(need, Kwok, kwokKustomizeDir)
	}
	for _, name := range need {
		if _, err := os.Stat(filepath.Join(opts.BinDir, name)); err != nil {
			return fmt.Errorf("%s missing in %s (run scripts/build-testbed.sh): %w", name, opts.BinDir, err)
		}
	}
	return nil
}

// writeKubeconfig writes an admin kubeconfig with embedded credentials, so it stays valid when
// copied elsewhere.
func writeKubeconfig(path, server string, caPEM, certPEM, keyPEM []byte) error {
	b64 := base64.StdEncoding.EncodeToString
	data := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: testenv-admin
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: testenv
  context:
    cluster: testenv
    user: testenv-admin
current-context: testenv
`, server, b64(caPEM), b64(certPEM), b64(keyPEM))
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		return fmt.Errorf("writing kubeconfig: %w", err)
	}
	return nil
}

// InstallCRD installs the committed CapacityPolicy CRD (embedded by webhook/deploy/crd), as the
// webhook's manifests do.
func (k *Kube) InstallCRD(ctx context.Context) error {
	d, err := dynamic.NewForConfig(k.RESTConfig())
	if err != nil {
		return err
	}
	return crd.Install(ctx, d)
}
