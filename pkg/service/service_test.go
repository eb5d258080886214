package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// fakeStore is a store.Conn whose only working methods are the ones the lifecycle uses.
type fakeStore struct {
	store.Conn
	mode    string
	closed  bool
	pingErr error
	execErr error
}

func (f *fakeStore) Ping(context.Context) error                         { return f.pingErr }
func (f *fakeStore) Exec(context.Context, string, ...store.Param) error { return f.execErr }
func (f *fakeStore) Mode() string                                       { return f.mode }
func (f *fakeStore) Close() error                                       { f.closed = true; return nil }

// recordingOpener hands out fake stores and remembers each, failing while failNext is set.
type recordingOpener struct {
	opened   []*fakeStore
	failNext error
}

func (r *recordingOpener) open(_ context.Context, app settings.App) (store.Conn, int, error) {
	if r.failNext != nil {
		err := r.failNext
		r.failNext = nil
		return nil, 0, err
	}
	s := &fakeStore{mode: app.Storage.Mode}
	r.opened = append(r.opened, s)
	return s, 7, nil
}

func newTestService(r *recordingOpener) *Service {
	return New(slog.New(slog.NewTextHandler(io.Discard, nil)), r.open, "test")
}

func TestApplyReopensTheStoreOnlyWhenStorageSettingsChange(t *testing.T) {
	ctx := t.Context()
	r := &recordingOpener{}
	s := newTestService(r)
	embedded := settings.Default()
	if err := s.Apply(ctx, embedded); err != nil {
		t.Fatal(err)
	}
	withCluster := embedded
	withCluster.Clusters = []settings.Cluster{{Name: "a", PrometheusURL: "http://127.0.0.1:1", TimeZone: "UTC"}}
	if err := s.Apply(ctx, withCluster); err != nil {
		t.Fatal(err)
	}
	if len(r.opened) != 1 {
		t.Fatalf("a cluster change reopened the store: %d opens", len(r.opened))
	}
	server := withCluster
	server.Storage = settings.Storage{Mode: settings.StorageServer, Address: "ch:9000", Database: "kubedoor"}
	if err := s.Apply(ctx, server); err != nil {
		t.Fatal(err)
	}
	if len(r.opened) != 2 || !r.opened[0].closed || r.opened[1].mode != "server" {
		t.Fatalf("storage change: opens %d, first closed %v", len(r.opened), r.opened[0].closed)
	}
	passwordOnly := server
	passwordOnly.ClickHousePassword = "new"
	if err := s.Apply(ctx, passwordOnly); err != nil {
		t.Fatal(err)
	}
	if len(r.opened) != 3 {
		t.Fatalf("a new password must reconnect: %d opens", len(r.opened))
	}
}

func TestAStoreThatFailedToOpenIsReportedAndRetriedOnTheNextApply(t *testing.T) {
	ctx := t.Context()
	r := &recordingOpener{failNext: errors.New("libchdb.so not found")}
	s := newTestService(r)
	if err := s.Apply(ctx, settings.Default()); err == nil || !strings.Contains(err.Error(), "libchdb.so not found") {
		t.Fatalf("Apply must return the store error, got %v", err)
	}
	st := s.Status(ctx)
	if st.Store.OK || !strings.Contains(st.Store.Message, "libchdb.so not found") {
		t.Fatalf("status must explain the failure: %+v", st.Store)
	}
	if _, err := s.Snapshot(); !errors.Is(err, ErrStoreUnavailable) || !strings.Contains(err.Error(), "libchdb.so not found") {
		t.Fatalf("snapshot must refuse with the reason, got %v", err)
	}
	if err := s.Apply(ctx, settings.Default()); err != nil {
		t.Fatalf("retry with the same settings: %v", err)
	}
	st = s.Status(ctx)
	if !st.Store.OK || st.Store.SchemaVersion != 7 {
		t.Fatalf("after retry: %+v", st.Store)
	}
}

func TestStatusReportsAStoreThatStoppedAnswering(t *testing.T) {
	ctx := t.Context()
	r := &recordingOpener{}
	s := newTestService(r)
	if err := s.Apply(ctx, settings.Default()); err != nil {
		t.Fatal(err)
	}
	r.opened[0].pingErr = errors.New("connection reset")
	st := s.Status(ctx)
	if st.Store.OK || !strings.Contains(st.Store.Message, "connection reset") {
		t.Fatalf("got %+v", st.Store)
	}
	if err := s.Close(); err != nil || !r.opened[0].closed {
		t.Fatalf("close: %v", err)
	}
}

func TestAStoreThatFailedToOpenComesBackByItselfWithBackOff(t *testing.T) {
	ctx := t.Context()
	r := &recordingOpener{failNext: errors.New("opening /var/lib/grafana/kubedoor/store: read-only file system")}
	s := newTestService(r)
	if err := s.Apply(ctx, settings.Default()); err == nil {
		t.Fatal("Apply must return the store error")
	}
	if _, err := s.Snapshot(); !errors.Is(err, ErrStoreUnavailable) || len(r.opened) != 0 {
		t.Fatalf("before the back-off has passed nothing is retried: %v, %d opens", err, len(r.opened))
	}
	s.mu.Lock()
	wait := s.retryWait
	s.retryAt = time.Now() // the back-off has passed
	s.mu.Unlock()
	if wait != retryMin {
		t.Fatalf("first back-off %v, want %v", wait, retryMin)
	}
	changed := s.Changed()
	snap, err := s.Snapshot()
	if err != nil || snap.Conn == nil || len(r.opened) != 1 {
		t.Fatalf("after the back-off a snapshot reopens the store without a new Apply: %v, %d opens", err, len(r.opened))
	}
	select {
	case <-changed:
	default:
		t.Fatal("workers waiting on Changed are not told the store is back")
	}
	if st := s.Status(ctx); !st.Store.OK {
		t.Fatalf("status after the store came back: %+v", st.Store)
	}
}

func TestARefusedWriteFlipsTheStatusUntilAWriteSucceeds(t *testing.T) {
	ctx := t.Context()
	r := &recordingOpener{}
	s := newTestService(r)
	if err := s.Apply(ctx, settings.Default()); err != nil {
		t.Fatal(err)
	}
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r.opened[0].execErr = &store.Error{Code: 1001, Name: "CANNOT_OPEN_FILE", Message: "Cannot open file /var/lib/grafana/x.bin: Read-only file system"}
	if err := snap.Conn.Exec(ctx, "INSERT INTO audit_log SELECT 1"); err == nil {
		t.Fatal("the fake must fail")
	}
	st := s.Status(ctx)
	if st.Store.OK || !strings.Contains(st.Store.Message, "(CANNOT_OPEN_FILE) refused a write at") || strings.Contains(st.Store.Message, "/var/lib") {
		t.Fatalf("a store that pings but refuses writes is not OK, and the answer names no files: %+v", st.Store)
	}
	r.opened[0].execErr = nil
	if err := snap.Conn.Exec(ctx, "INSERT INTO audit_log SELECT 1"); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(ctx); !st.Store.OK {
		t.Fatalf("a successful write clears it: %+v", st.Store)
	}
}

// engineStore is a fake store that says which engine serves it.
type engineStore struct {
	*fakeStore
	engine store.Engine
}

func (e engineStore) Engine(context.Context) (store.Engine, error) { return e.engine, nil }

func TestStatusNamesTheEngineAndAFixedCauseIsRetriedAtOnce(t *testing.T) {
	ctx := t.Context()
	fails := true
	open := func(_ context.Context, app settings.App) (store.Conn, int, error) {
		if fails {
			return nil, 0, errors.New("engine library not found")
		}
		return engineStore{&fakeStore{mode: app.Storage.Mode}, store.Engine{Version: "26.5.1.1", Library: "/d/kubedoor-engine/26.5.3/libchdb.so"}}, 7, nil
	}
	s := New(slog.New(slog.DiscardHandler), open, "test")
	if err := s.Apply(ctx, settings.Default()); err == nil {
		t.Fatal("the first open must fail")
	}
	if st := s.Status(ctx); st.Store.Problem != "" {
		t.Fatalf("an error of no troubleshooting case has problem %q", st.Store.Problem)
	}
	if s.Engine(ctx) != nil {
		t.Fatal("an engine is reported while no store is open")
	}
	fails = false // the engine was installed
	if _, err := s.Snapshot(); err == nil {
		t.Fatal("the store reopened before its back-off without being told")
	}
	s.RetryStoreNow()
	st := s.Status(ctx)
	if !st.Store.OK || st.Store.Engine == nil || st.Store.Engine.Library != "/d/kubedoor-engine/26.5.3/libchdb.so" ||
		st.Store.Message != "ClickHouse 26.5.1.1 (embedded) reachable, schema version 7" {
		t.Fatalf("status %+v engine %+v", st.Store, st.Store.Engine)
	}
	if e := s.Engine(ctx); e == nil || e.Version != "26.5.1.1" {
		t.Fatalf("engine %+v", e)
	}
}

func TestStatusNamesTheTroubleshootingCaseOfAStoreThatDidNotOpen(t *testing.T) {
	ctx := t.Context()
	r := &recordingOpener{failNext: fmt.Errorf("opening embedded store: store: %w: creating it: permission denied", store.ErrDataDir)}
	s := newTestService(r)
	if err := s.Apply(ctx, settings.Default()); err == nil {
		t.Fatal("the open must fail")
	}
	if st := s.Status(ctx); st.Store.OK || st.Store.Problem != store.ProblemDataDir {
		t.Fatalf("status %+v, want problem %q", st.Store, store.ProblemDataDir)
	}
	if err := s.Apply(ctx, settings.Default()); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(ctx); !st.Store.OK || st.Store.Problem != "" {
		t.Fatalf("an open store keeps problem %q", st.Store.Problem)
	}
}
