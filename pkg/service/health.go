package service

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Reopening a store that failed to open: the first retry after retryMin, doubling up to
// retryMax. Snapshot and Status retry when one is due, so any caller (a request, a worker's
// next look) brings the store back once the cause is fixed, without a restart or a settings save.
const (
	retryMin = time.Second
	retryMax = time.Minute
)

// writeHealth remembers the store's last failed write until a write succeeds, so status tells
// the truth about a store that answers reads (and pings) but refuses writes, such as a data
// directory made read-only under it.
type writeHealth struct {
	mu     sync.Mutex
	failed *failedWrite
}

type failedWrite struct {
	at  time.Time
	err error
}

func (h *writeHealth) record(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case err == nil:
		h.failed = nil
	case store.Failed(err):
		h.failed = &failedWrite{at: time.Now(), err: err}
	}
}

func (h *writeHealth) last() *failedWrite {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.failed
}

// trackedConn is the store as the service hands it out: writes report to its writeHealth.
type trackedConn struct {
	store.Conn
	health *writeHealth
}

func (c trackedConn) Exec(ctx context.Context, query string, params ...store.Param) error {
	err := c.Conn.Exec(ctx, query, params...)
	if !errors.Is(err, context.Canceled) {
		c.health.record(err)
	}
	return err
}

func (c trackedConn) Insert(ctx context.Context, table string, columns []string, rows [][]any) error {
	err := c.Conn.Insert(ctx, table, columns, rows)
	if !errors.Is(err, context.Canceled) {
		c.health.record(err)
	}
	return err
}

// failedWriteMessage is status's sentence for a store refusing writes: the engine's error code,
// never its text (which can name files; the log has it).
func failedWriteMessage(f *failedWrite) string {
	what := "the store"
	var se *store.Error
	if errors.As(f.err, &se) && se.Name != "" {
		what += " (" + se.Name + ")"
	}
	return what + " refused a write at " + f.at.UTC().Format(time.RFC3339) +
		"; writes fail until it accepts one again (a read-only or full data directory, a server refusing inserts); the backend log has the engine's error"
}
