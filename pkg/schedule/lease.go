package schedule

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"

	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

// InstanceID names this backend process in leases and run records.
func InstanceID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "backend"
	}
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s_%d_%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Lease names and timing. Defaults follow client-go's controllers (15s/10s/2s): a stopped
// leader's schedules move to another backend within ~15 s, well inside the runner's grace.
const (
	DefaultLeaseNamespace = "kubedoor"
	DefaultLeaseName      = "kubedoor-schedules"
)

// LeaseOptions configure Leases.
type LeaseOptions struct {
	// Namespace is used for a cluster whose settings name no kubedoorNamespace [kubedoor]; it
	// must exist in the cluster (the backend's and the webhook's installs create it).
	Namespace     string
	Name          string // [kubedoor-schedules]
	Identity      string // [InstanceID()]
	LeaseDuration time.Duration
	RenewDeadline time.Duration
	RetryPeriod   time.Duration
	Log           *slog.Logger
}

// Leases elects, per cluster with Kubernetes access, the one backend that runs its schedules,
// with a coordination.k8s.io Lease in that cluster (client-go leader election). Clusters without
// Kubernetes access (collect-only) have no lease: every backend holds them. That is safe because
// such a cluster's schedules can only collect, re-collecting a day replaces it, and runs have
// deterministic ids, so two backends record one run; in the embedded store mode only one
// process uses a store anyway.
type Leases struct {
	o LeaseOptions

	mu       sync.Mutex
	local    map[string]bool
	electors map[string]*elector
}

type elector struct {
	key    string
	held   atomic.Bool
	leader atomic.Value // string: the holder this backend last observed
	cancel context.CancelFunc
	done   chan struct{}
}

// NewLeases returns a Leases that holds nothing until Sync.
func NewLeases(o LeaseOptions) *Leases {
	if o.Namespace == "" {
		o.Namespace = DefaultLeaseNamespace
	}
	if o.Name == "" {
		o.Name = DefaultLeaseName
	}
	if o.Identity == "" {
		o.Identity = InstanceID()
	}
	if o.LeaseDuration <= 0 {
		o.LeaseDuration = 15 * time.Second
	}
	if o.RenewDeadline <= 0 {
		o.RenewDeadline = 10 * time.Second
	}
	if o.RetryPeriod <= 0 {
		o.RetryPeriod = 2 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Leases{o: o, local: map[string]bool{}, electors: map[string]*elector{}}
}

// Identity is the holder identity this backend writes in leases.
func (l *Leases) Identity() string { return l.o.Identity }

// Holds reports whether this backend runs cluster's schedules now: those that act through
// Kubernetes only while it holds the cluster's lease; collect schedules also when the cluster has
// no Kubernetes access configured. A cluster whose access is not (yet) known — not in the
// settings, or restored at start without its kubeconfig until Grafana hands it over — holds
// its Kubernetes schedules back: they wait rather than fail.
func (l *Leases) Holds(cluster string, needKube bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.electors[cluster]; ok {
		return e.held.Load()
	}
	return !needKube && l.local[cluster]
}

// HeldElsewhere reports whether another backend is known to hold cluster's lease: this
// backend takes part in its election and last saw another identity hold it. Work that needs
// no Kubernetes (the daily collection) runs unless this says so, so a cluster whose API server
// cannot be reached, or whose kubeconfig has not arrived yet, is still collected.
func (l *Leases) HeldElsewhere(cluster string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.electors[cluster]
	if !ok || e.held.Load() {
		return false
	}
	leader, _ := e.leader.Load().(string)
	return leader != "" && leader != l.o.Identity
}

// Sync follows the clusters in force: it starts an election for each cluster with Kubernetes
// access, stops those of clusters removed or whose access changed, and holds the others locally.
// Elections run until ctx ends or Stop.
func (l *Leases) Sync(ctx context.Context, snap service.Snapshot) {
	l.mu.Lock()
	defer l.mu.Unlock()
	want := map[string]settings.Cluster{}
	l.local = map[string]bool{}
	for _, c := range snap.App.Clusters {
		if c.KubeAccess == "" {
			l.local[c.Name] = true
			continue
		}
		want[c.Name] = c
	}
	for name, e := range l.electors {
		if c, ok := want[name]; !ok || l.electionKey(c) != e.key {
			e.cancel()
			<-e.done // released (ReleaseOnCancel) before another election for it starts
			delete(l.electors, name)
		}
	}
	for name, c := range want {
		if _, ok := l.electors[name]; ok {
			continue
		}
		if snap.Kube == nil {
			continue
		}
		kc, err := snap.Kube.For(c)
		if err != nil {
			l.o.Log.Error("no schedule lease for the cluster: its Kubernetes client cannot be built; its schedules do not run here", "cluster", name, "error", err)
			continue
		}
		e, err := l.elect(ctx, name, l.namespace(c), kc.Kubernetes)
		if err != nil {
			l.o.Log.Error("no schedule lease for the cluster; its schedules do not run here", "cluster", name, "error", err)
			continue
		}
		e.key = l.electionKey(c)
		l.electors[name] = e
	}
}

func (l *Leases) namespace(c settings.Cluster) string {
	if c.KubedoorNamespace != "" {
		return c.KubedoorNamespace
	}
	return l.o.Namespace
}

// electionKey changes when an election must restart: new credentials or another namespace.
func (l *Leases) electionKey(c settings.Cluster) string {
	h := sha256.Sum256([]byte(c.KubeAccess + "\x00" + c.Kubeconfig + "\x00" + l.namespace(c)))
	return hex.EncodeToString(h[:])
}

func (l *Leases) elect(parent context.Context, cluster, namespace string, kc kubernetes.Interface) (*elector, error) {
	e := &elector{done: make(chan struct{})}
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: namespace, Name: l.o.Name},
		Client:     kc.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: l.o.Identity},
	}
	le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock: lock, Name: cluster, ReleaseOnCancel: true,
		LeaseDuration: l.o.LeaseDuration, RenewDeadline: l.o.RenewDeadline, RetryPeriod: l.o.RetryPeriod,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(context.Context) {
				e.held.Store(true)
				l.o.Log.Info("schedule lease acquired: this backend runs the cluster's schedules", "cluster", cluster, "lease", namespace+"/"+l.o.Name, "identity", l.o.Identity)
			},
			OnStoppedLeading: func() {
				e.held.Store(false)
				l.o.Log.Info("schedule lease released or lost", "cluster", cluster, "identity", l.o.Identity)
			},
			OnNewLeader: func(id string) {
				e.leader.Store(id)
				if id != l.o.Identity {
					l.o.Log.Info("another backend runs the cluster's schedules", "cluster", cluster, "leader", id)
				}
			},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("cluster %s: leader election: %w", cluster, err)
	}
	ctx, cancel := context.WithCancel(parent)
	e.cancel = cancel
	go func() {
		defer close(e.done)
		// Run returns when leadership is lost; campaign again until told to stop.
		for ctx.Err() == nil {
			le.Run(ctx)
			e.held.Store(false)
		}
	}()
	return e, nil
}

// Stop ends every election (releasing held leases).
func (l *Leases) Stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for name, e := range l.electors {
		e.cancel()
		<-e.done
		delete(l.electors, name)
	}
}
