//go:build parts

package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// A context that is already done stops every kind of call before the engine sees it.
func TestCancelledContextStopsCallsBeforeTheyRun(t *testing.T) {
	eachTarget(t, func(t *testing.T, c Conn) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		table := tableName("never")
		calls := []struct {
			name string
			call func() error
		}{
			{"Exec", func() error { return c.Exec(ctx, "CREATE TABLE "+table+" (a UInt8) ENGINE = Memory") }},
			{"Query", func() error { _, err := c.Query(ctx, "SELECT 1"); return err }},
			{"Insert", func() error { return c.Insert(ctx, "dup_table", []string{"a"}, [][]any{{uint8(1)}}) }},
			{"Ping", func() error { return c.Ping(ctx) }},
		}
		for _, call := range calls {
			t.Run(call.name, func(t *testing.T) {
				if err := call.call(); !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want context.Canceled", err)
				}
			})
		}
		if n := queryCount(t, c, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = {t:String}", P("t", table)); n != 0 {
			t.Errorf("the cancelled CREATE TABLE ran")
		}
	})
}

// A deadline stops a long statement inside the engine (embedded: as max_execution_time, since a
// running statement cannot be interrupted from outside; server: clickhouse-go cancels it).
func TestDeadlineStopsALongQuery(t *testing.T) {
	eachTarget(t, func(t *testing.T, c Conn) {
		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		rows, err := c.Query(ctx, "SELECT count() FROM numbers(100000000000) WHERE NOT ignore(sipHash64(number))")
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			_ = rows.Close()
		}
		took := time.Since(start)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want context.DeadlineExceeded", err)
		}
		if took > 5*time.Second {
			t.Errorf("the query ran %v past a 0.5 s deadline", took)
		}
		// The connection is usable afterwards, with no deadline left behind.
		if n := queryCount(t, c, "SELECT count() FROM numbers(10)"); n != 10 {
			t.Errorf("count = %d", n)
		}
	})
}

// Waiting for the engine honours the context: a caller queued behind a busy engine gives up.
func TestWaitingForTheEmbeddedEngineHonoursTheContext(t *testing.T) {
	c := targets[0].conn
	engineSlot <- struct{}{} // the engine is busy
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Query(ctx, "SELECT 1")
	release()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
}

// Concurrent callers share one connection safely (the embedded engine runs them one by one).
func TestConcurrentCallersShareAConnection(t *testing.T) {
	eachTarget(t, func(t *testing.T, c Conn) {
		ctx := testCtx(t)
		table := tableName("conc")
		if err := c.Exec(ctx, "CREATE TABLE "+table+" (w UInt32, i UInt32) ENGINE = MergeTree ORDER BY (w, i)"); err != nil {
			t.Fatal(err)
		}
		const workers, each = 8, 20
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					if err := c.Insert(ctx, table, []string{"w", "i"}, [][]any{{uint32(w), uint32(i)}}); err != nil {
						errs <- err
						return
					}
					rows, err := c.Query(ctx, "SELECT count() FROM "+table+" WHERE w = {w:UInt32}", P("w", w))
					if err != nil {
						errs <- err
						return
					}
					_ = rows.Close()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := queryCount(t, c, "SELECT count() FROM "+table); n != workers*each {
			t.Errorf("count = %d, want %d", n, workers*each)
		}
	})
}
