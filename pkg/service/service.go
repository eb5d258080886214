// Package service is the backend's process-wide core: it owns the store connection, the
// Prometheus clients and (in later slices) the background work. It exists apart from the Grafana
// adapter because Grafana creates app instances only when a request arrives, while collection,
// schedules and reconciliation must run from process start.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/kube"
	"github.com/kubedoor/kubedoor-grafana/pkg/prom"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// StoreOpener opens (and migrates) the store described by the settings and reports the
// schema version it left the store at.
type StoreOpener func(ctx context.Context, cfg settings.App) (store.Conn, int, error)

// Service is safe for concurrent use.
type Service struct {
	log     *slog.Logger
	open    StoreOpener
	version string

	mu            sync.RWMutex
	app           settings.App
	applied       bool
	store         store.Conn
	storeErr      error
	schemaVersion int
	proms         map[string]prom.Client
	changed       chan struct{} // closed and replaced by every Apply
	kube          *kube.Clients
	bootstrap     *Bootstrap // where applied settings are persisted; nil = nowhere
	writes        *writeHealth
	// After a failed open: when the next reopen is due, and the wait after that one.
	retryAt   time.Time
	retryWait time.Duration
}

// New returns a service that has not opened anything yet; call Apply.
func New(log *slog.Logger, open StoreOpener, version string) *Service {
	return &Service{log: log, open: open, version: version, proms: map[string]prom.Client{}, changed: make(chan struct{}), kube: kube.NewClients(), writes: &writeHealth{}}
}

// PersistTo makes every later Apply save its settings (without secrets) to b.
func (s *Service) PersistTo(b Bootstrap) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bootstrap = &b
}

// Apply makes the service use these settings: it (re)opens the store when the storage settings
// changed, or when the last attempt failed, and rebuilds the Prometheus clients. A store that
// cannot be opened is reported by Status and retried on the next Apply; it is returned too.
func (s *Service) Apply(ctx context.Context, app settings.App) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		close(s.changed)
		s.changed = make(chan struct{})
	}()

	storageChanged := !s.applied || !reflect.DeepEqual(s.app.Storage, app.Storage) ||
		s.app.ClickHousePassword != app.ClickHousePassword
	proms := make(map[string]prom.Client, len(app.Clusters))
	var promErrs []error
	for _, c := range app.Clusters {
		pc, err := prom.New(prom.Config{
			URL: c.PrometheusURL, Username: c.PrometheusUsername, Password: c.PrometheusPassword,
			BearerToken: c.PrometheusToken, InsecureSkipVerify: c.PrometheusTLSSkipVerify, Timeout: 30 * time.Second,
		})
		if err != nil {
			promErrs = append(promErrs, fmt.Errorf("cluster %s: %w", c.Name, err))
			continue
		}
		proms[c.Name] = pc
	}
	s.proms = proms
	s.app = app
	s.applied = true
	if s.bootstrap != nil {
		if err := s.bootstrap.Save(app); err != nil {
			s.log.Warn("settings not persisted; background work will wait for Grafana after a restart", "error", err)
		}
	}

	if storageChanged || s.store == nil {
		if s.store != nil {
			if err := s.store.Close(); err != nil {
				s.log.Warn("closing previous store", "error", err)
			}
			s.store = nil
		}
		s.retryWait = 0
		if err := s.openLocked(ctx); err != nil {
			promErrs = append(promErrs, fmt.Errorf("store: %w", err))
		}
	}
	return errors.Join(promErrs...)
}

// openLocked opens the store of the settings in force; a failure schedules the next attempt
// (see retryMin). s.mu must be held.
func (s *Service) openLocked(ctx context.Context) error {
	st, ver, err := s.open(ctx, s.app)
	s.storeErr = err
	if err != nil {
		s.retryWait = min(max(2*s.retryWait, retryMin), retryMax)
		s.retryAt = time.Now().Add(s.retryWait)
		s.log.Error("store unavailable", "mode", s.app.Storage.Mode, "error", err, "retryIn", s.retryWait)
		return err
	}
	s.store, s.schemaVersion, s.retryWait = trackedConn{Conn: st, health: s.writes}, ver, 0
	s.writes.record(nil)
	s.log.Info("store ready", "mode", st.Mode(), "schemaVersion", ver)
	return nil
}

// reopenIfDue retries opening a store that failed to open, when the back-off says so.
func (s *Service) reopenIfDue(ctx context.Context) {
	s.mu.RLock()
	due := s.applied && s.store == nil && s.storeErr != nil && !time.Now().Before(s.retryAt)
	s.mu.RUnlock()
	if !due {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store != nil || s.storeErr == nil || time.Now().Before(s.retryAt) {
		return // another caller retried meanwhile
	}
	if s.openLocked(ctx) == nil {
		close(s.changed) // the parts changed: workers waiting for a store look again
		s.changed = make(chan struct{})
	}
}

// RetryStoreNow makes the next Snapshot or Status reopen a store that failed to open, without
// waiting out the back-off: for a cause fixed on purpose, such as the engine just installed.
func (s *Service) RetryStoreNow() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retryAt = time.Time{}
}

// Engine reports the engine serving the open store, or nil while none is open.
func (s *Service) Engine(ctx context.Context) *store.Engine {
	s.mu.RLock()
	st := s.store
	s.mu.RUnlock()
	if st == nil {
		return nil
	}
	return engineOf(ctx, st, s.log)
}

// Close releases the store.
func (s *Service) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store == nil {
		return nil
	}
	err := s.store.Close()
	s.store = nil
	return err
}

// ErrStoreUnavailable is returned by Snapshot while the store cannot be used; the wrapped
// message says why (also shown by Status).
var ErrStoreUnavailable = errors.New("store unavailable")

// Snapshot is the parts in force at one moment (pkg/snapshot, so business packages need not
// import this package).
type Snapshot = snapshot.Snapshot

// Snapshot returns the current parts, or an error wrapping ErrStoreUnavailable.
func (s *Service) Snapshot() (Snapshot, error) {
	s.reopenIfDue(context.Background())
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.store == nil {
		reason := "not configured yet"
		if s.storeErr != nil {
			reason = s.storeErr.Error()
		}
		return Snapshot{}, fmt.Errorf("%w: %s", ErrStoreUnavailable, reason)
	}
	proms := make(map[string]prom.Client, len(s.proms))
	for k, v := range s.proms {
		proms[k] = v
	}
	return Snapshot{Conn: s.store, App: s.app, Prometheus: proms, Kube: s.kube}, nil
}

// Settings returns the settings in force.
func (s *Service) Settings() settings.App {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.app
}

// Status reports what works: the store and each cluster's Prometheus.
type Status struct {
	Store      StoreStatus  `json:"store"`
	Prometheus []PromStatus `json:"prometheus"`
	Version    string       `json:"version"`
}

// StoreStatus is the store part of Status.
type StoreStatus struct {
	OK            bool   `json:"ok"`
	Mode          string `json:"mode"`
	Message       string `json:"message"`
	SchemaVersion int    `json:"schemaVersion"`
	// Engine is the ClickHouse serving the open store: its version and, embedded, the library
	// file loaded (nil while no store is open or the engine did not say).
	Engine *store.Engine `json:"engine,omitempty"`
	// Problem names why the store did not open when docs/troubleshooting.md has a section for
	// it (store.Problem: engine-not-found, engine-load, data-dir), so the Overview can say what
	// to do; empty otherwise.
	Problem string `json:"problem,omitempty"`
}

// PromStatus is one cluster's Prometheus part of Status.
type PromStatus struct {
	Cluster string `json:"cluster"`
	URL     string `json:"url"`
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

// Status checks the parts now (bounded by ctx) and reports them.
func (s *Service) Status(ctx context.Context) Status {
	s.reopenIfDue(ctx)
	s.mu.RLock()
	st, storeErr, ver, app := s.store, s.storeErr, s.schemaVersion, s.app
	proms := make(map[string]prom.Client, len(s.proms))
	for k, v := range s.proms {
		proms[k] = v
	}
	s.mu.RUnlock()

	out := Status{Version: s.version, Prometheus: []PromStatus{}}
	out.Store.Mode = app.Storage.Mode
	out.Store.SchemaVersion = ver
	switch {
	case st == nil && storeErr != nil:
		out.Store.Message = storeErr.Error()
		out.Store.Problem = store.Problem(storeErr)
	case st == nil:
		out.Store.Message = "store not configured yet"
	default:
		if err := st.Ping(ctx); err != nil {
			out.Store.Message = fmt.Sprintf("store ping failed: %v", err)
		} else if f := s.writes.last(); f != nil {
			out.Store.Message = failedWriteMessage(f)
		} else {
			out.Store.OK = true
			out.Store.Engine = engineOf(ctx, st, s.log)
			out.Store.Message = fmt.Sprintf("ClickHouse %s reachable, schema version %d", describeEngine(st.Mode(), out.Store.Engine), ver)
		}
	}

	// Prometheus checks run in parallel: one slow server must not delay the others' answers.
	results := make([]PromStatus, len(app.Clusters))
	var wg sync.WaitGroup
	for i, c := range app.Clusters {
		results[i] = PromStatus{Cluster: c.Name, URL: c.PrometheusURL}
		pc, ok := proms[c.Name]
		if !ok {
			results[i].Message = "no client (invalid settings)"
			continue
		}
		wg.Add(1)
		go func(i int, pc prom.Client) {
			defer wg.Done()
			v, err := pc.Ready(ctx)
			if err != nil {
				results[i].Message = err.Error()
				return
			}
			results[i].OK = true
			results[i].Message = "Prometheus " + v + " reachable"
		}(i, pc)
	}
	wg.Wait()
	sort.SliceStable(results, func(a, b int) bool { return results[a].Cluster < results[b].Cluster })
	out.Prometheus = results
	return out
}
