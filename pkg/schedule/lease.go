package schedule

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"

	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
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

// splitInstanceID parses InstanceID's host_pid_random; ok=false for any other shape.
func splitInstanceID(id string) (host string, pid int, ok bool) {
	i := strings.LastIndexByte(id, '_')
	if i < 0 {
		return "", 0, false
	}
	j := strings.LastIndexByte(id[:i], '_')
	if j < 0 {
		return "", 0, false
	}
	pid, err := strconv.Atoi(id[j+1 : i])
	if err != nil || pid <= 0 {
		return "", 0, false
	}
	return id[:j], pid, true
}

// EarlierOnThisHost reports whether the instance runner was an earlier backend process on this
// host that is gone: the same host name, and its pid is this process's (a restarted container)
// or no longer alive. A live peer, here or on another host, is never taken for one.
func EarlierOnThisHost(runner, self string) bool {
	host, pid, ok := splitInstanceID(runner)
	selfHost, selfPID, selfOK := splitInstanceID(self)
	if !ok || !selfOK || runner == self || host != selfHost {
		return false
	}
	return pid == selfPID || errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
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
	lease  string // namespace/name
	held   atomic.Bool
	leader atomic.Value // string: the holder this backend last observed
	// blocked is why this backend cannot take part in the election ("" = it can): the lease
	// namespace is missing and may not be created, or the lease may not be read or written.
	blocked atomic.Value
	cancel  context.CancelFunc
	done    chan struct{}
}

func (e *elector) blockedReason() string {
	s, _ := e.blocked.Load().(string)
	return s
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
//
// While no backend can take the lease (Blocked), collect schedules run anyway, as on a cluster
// without Kubernetes access: collecting is idempotent and needs no lease.
func (l *Leases) Holds(cluster string, needKube bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.electors[cluster]; ok {
		return e.held.Load() || (!needKube && e.blockedReason() != "")
	}
	return !needKube && l.local[cluster]
}

// Blocked says why this backend cannot take part in cluster's lease election ("" when it can,
// or when the cluster has no election): its schedules that act through Kubernetes cannot run
// here until that is fixed, and the runner records their due runs as missed with this reason.
func (l *Leases) Blocked(cluster string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.electors[cluster]; ok && !e.held.Load() {
		return e.blockedReason()
	}
	return ""
}

// Lease states in LeaseStatus.
const (
	LeaseHeld      = "held"      // this backend runs the cluster's schedules
	LeaseElsewhere = "elsewhere" // another backend does
	LeaseBlocked   = "blocked"   // nobody can: see Reason
	LeaseWaiting   = "waiting"   // campaigning; no holder seen yet
	LeaseLocal     = "local"     // no Kubernetes access: collect schedules run on every backend
	LeaseNone      = "none"      // not followed (unknown cluster, or its client could not be built)
)

// LeaseStatus is a cluster's schedule runner as health reports it.
type LeaseStatus struct {
	State  string `json:"state"`
	Lease  string `json:"lease,omitempty"`  // namespace/name
	Holder string `json:"holder,omitempty"` // the identity last seen holding it
	Reason string `json:"reason,omitempty"`
}

// Status reports cluster's schedule runner for health.
func (l *Leases) Status(cluster string) LeaseStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.electors[cluster]
	switch {
	case !ok && l.local[cluster]:
		return LeaseStatus{State: LeaseLocal}
	case !ok:
		return LeaseStatus{State: LeaseNone}
	}
	st := LeaseStatus{Lease: e.lease}
	st.Holder, _ = e.leader.Load().(string)
	switch {
	case e.held.Load():
		st.State, st.Holder = LeaseHeld, l.o.Identity
	case e.blockedReason() != "":
		st.State, st.Reason = LeaseBlocked, e.blockedReason()
	case st.Holder != "" && st.Holder != l.o.Identity:
		st.State = LeaseElsewhere
	default:
		st.State = LeaseWaiting
	}
	return st
}

// Holder is the identity of another backend last seen holding cluster's lease ("" when this
// backend holds it, none was seen, or the cluster has no election).
func (l *Leases) Holder(cluster string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.electors[cluster]
	if !ok || e.held.Load() {
		return ""
	}
	leader, _ := e.leader.Load().(string)
	if leader == l.o.Identity {
		return ""
	}
	return leader
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
func (l *Leases) Sync(ctx context.Context, snap snapshot.Snapshot) {
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
	e := &elector{done: make(chan struct{}), lease: namespace + "/" + l.o.Name}
	block := func(reason string) {
		if prev := e.blockedReason(); prev != reason {
			e.blocked.Store(reason)
			switch {
			case reason != "":
				l.o.Log.Warn("schedule lease blocked: this backend cannot run the cluster's schedules that act through Kubernetes; their due runs are recorded as missed",
					"cluster", cluster, "lease", e.lease, "reason", reason)
			case prev != "":
				l.o.Log.Info("schedule lease no longer blocked", "cluster", cluster, "lease", e.lease)
			}
		}
	}
	lock := &reportingLock{LeaseLock: &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: namespace, Name: l.o.Name},
		Client:     kc.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: l.o.Identity},
	}, report: block}
	le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock: lock, Name: cluster, ReleaseOnCancel: true,
		LeaseDuration: l.o.LeaseDuration, RenewDeadline: l.o.RenewDeadline, RetryPeriod: l.o.RetryPeriod,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(context.Context) {
				e.held.Store(true)
				l.o.Log.Info("schedule lease acquired: this backend runs the cluster's schedules", "cluster", cluster, "lease", e.lease, "identity", l.o.Identity)
			},
			OnStoppedLeading: func() {
				// client-go calls this when Run returns, held or not; say it only when it was.
				if e.held.Swap(false) {
					l.o.Log.Info("schedule lease released or lost", "cluster", cluster, "identity", l.o.Identity)
				}
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
		wait := l.o.RetryPeriod
		for ctx.Err() == nil {
			// The Lease lives in a namespace that must exist first; client-go's election would
			// retry a create into a missing namespace forever without a word.
			if err := ensureNamespace(ctx, kc, namespace); err != nil {
				block(err.Error())
				select {
				case <-ctx.Done():
				case <-time.After(wait):
				}
				wait = min(2*wait, maxBlockedWait)
				continue
			}
			wait = l.o.RetryPeriod
			// Run returns when leadership is lost; campaign again until told to stop.
			le.Run(ctx)
			e.held.Store(false)
		}
	}()
	return e, nil
}

// maxBlockedWait bounds the back-off between looks at a missing lease namespace.
const maxBlockedWait = 30 * time.Second

// ensureNamespace creates the lease namespace when it is missing and this backend may create
// namespaces (an admin kubeconfig, the demo). The shipped RBAC creates the namespace itself and
// does not grant creating namespaces: that would be cluster-wide.
func ensureNamespace(ctx context.Context, kc kubernetes.Interface, name string) error {
	_, err := kc.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if err == nil {
		return nil
	}
	if !apierrors.IsNotFound(err) {
		if apierrors.IsForbidden(err) {
			// A role without namespace reads can still hold a Lease in an existing namespace.
			return nil
		}
		return fmt.Errorf("reading the lease namespace %s: %w", name, err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app.kubernetes.io/part-of": "kubedoor"}}}
	if _, err := kc.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("the lease namespace %s does not exist and this backend may not create it (%w): create it "+
			"(webhook/deploy/backend/rbac.yaml does), or name an existing one in the cluster's kubedoorNamespace setting", name, err)
	}
	return nil
}

// reportingLock is the Lease lock with its errors reported: client-go's election only logs them
// through klog, so without this a lease that can never be written would go unnoticed.
type reportingLock struct {
	*resourcelock.LeaseLock
	report func(reason string)
}

func (r *reportingLock) Get(ctx context.Context) (*resourcelock.LeaderElectionRecord, []byte, error) {
	rec, raw, err := r.LeaseLock.Get(ctx)
	switch {
	case err == nil:
		r.report("")
	case !apierrors.IsNotFound(err): // not found: the election creates it next
		r.report(fmt.Sprintf("reading the lease %s: %v", r.Describe(), err))
	}
	return rec, raw, err
}

func (r *reportingLock) Create(ctx context.Context, ler resourcelock.LeaderElectionRecord) error {
	err := r.LeaseLock.Create(ctx, ler)
	r.reportWrite("creating", err)
	return err
}

func (r *reportingLock) Update(ctx context.Context, ler resourcelock.LeaderElectionRecord) error {
	err := r.LeaseLock.Update(ctx, ler)
	r.reportWrite("updating", err)
	return err
}

func (r *reportingLock) reportWrite(verb string, err error) {
	switch {
	case err == nil:
		r.report("")
	case apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err):
		// another backend won the race: an election, not a fault
	default:
		r.report(fmt.Sprintf("%s the lease %s: %v", verb, r.Describe(), err))
	}
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
