package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/store/chdb"
)

// engineSlot serialises statements on the in-process engine. One process hosts one engine;
// libchdb's thread-safety across concurrent statements is not established, so the store runs
// one statement at a time. Waiting for the slot honours the caller's context.
var engineSlot = make(chan struct{}, 1)

// maxInsertRows bounds one INSERT statement (one Native block); larger inserts are split.
const maxInsertRows = 1 << 20

type embeddedConn struct {
	cfg  Config
	log  *slog.Logger
	conn *chdb.Conn // guarded by engineSlot; nil once closed

	// execTimeout is the session's max_execution_time in whole seconds (0 = none); guarded
	// by engineSlot. A statement cannot be interrupted from outside, so a context deadline
	// becomes this engine-side limit.
	execTimeout int64

	typesMu sync.Mutex
	types   map[string]map[string]string // quoted table → column → ClickHouse type
}

func openEmbedded(ctx context.Context, cfg Config) (*embeddedConn, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: opening embedded engine: %w", err)
	}
	start := time.Now()
	lib, err := chdb.Load(cfg.LibraryPath)
	if err != nil {
		return nil, fmt.Errorf("store: %w: %w", ErrEngineLoad, err)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("store: %w: creating it: %w", ErrDataDir, err)
	}
	if err := acquire(ctx); err != nil {
		return nil, fmt.Errorf("store: opening embedded engine: %w", err)
	}
	conn, err := lib.Connect(cfg.DataDir)
	release()
	if err != nil {
		return nil, fmt.Errorf("store: %w: %w", ErrDataDir, err)
	}
	c := &embeddedConn{cfg: cfg, log: cfg.Logger, conn: conn, types: map[string]map[string]string{}}
	// Unqualified names resolve in the product's database; USE lasts for the connection.
	db := quoteIdent(cfg.Database)
	for _, q := range []string{"CREATE DATABASE IF NOT EXISTS " + db, "USE " + db} {
		if err := c.Exec(ctx, q); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("store: preparing database %s: %w", cfg.Database, err)
		}
	}
	c.log.Info("store opened", "mode", ModeEmbedded, "dataDir", cfg.DataDir, "database", cfg.Database,
		"library", cfg.LibraryPath, "elapsed", time.Since(start))
	return c, nil
}

func (c *embeddedConn) Mode() string     { return ModeEmbedded }
func (c *embeddedConn) Database() string { return c.cfg.Database }
func (c *embeddedConn) Cluster() string  { return "" }

func (c *embeddedConn) Exec(ctx context.Context, query string, params ...Param) error {
	names, values, err := formatParams(query, params)
	if err != nil {
		return fmt.Errorf("store: %q: %w", queryContext(query), err)
	}
	// DDL may change a table's columns: forget cached insert types.
	c.typesMu.Lock()
	clear(c.types)
	c.typesMu.Unlock()
	_, err = c.run(ctx, query, []byte(query), "TSV", names, values, true)
	return err
}

func (c *embeddedConn) Query(ctx context.Context, query string, params ...Param) (Rows, error) {
	names, values, err := formatParams(query, params)
	if err != nil {
		return nil, fmt.Errorf("store: %q: %w", queryContext(query), err)
	}
	res, err := c.run(ctx, query, []byte(query), "Native", names, values, false)
	if err != nil {
		return nil, err
	}
	rows, err := newNativeRows(res.Data)
	if err != nil {
		return nil, fmt.Errorf("store: %q: %w", queryContext(query), err)
	}
	return rows, nil
}

func (c *embeddedConn) Insert(ctx context.Context, table string, columns []string, rows [][]any) error {
	qt, err := quoteTable(table)
	if err != nil {
		return fmt.Errorf("store: insert: %w", err)
	}
	cols, err := columnList(columns)
	if err != nil {
		return fmt.Errorf("store: insert into %s: %w", table, err)
	}
	if len(rows) == 0 {
		return nil
	}
	types, err := c.columnTypes(ctx, qt, columns)
	if err != nil {
		return err
	}
	head := "INSERT INTO " + qt + " (" + cols + ") FORMAT Native\n"
	for start := 0; start < len(rows); start += maxInsertRows {
		chunk := rows[start:min(start+maxInsertRows, len(rows))]
		data, err := encodeNative(columns, types, chunk)
		if err != nil {
			return fmt.Errorf("store: insert into %s: %w", table, err)
		}
		// The engine parses statements as clickhouse-local does, in multi-query mode, where the
		// inline data of "INSERT … FORMAT Native" ends at the first blank line: a block whose
		// bytes hold "\n\n" (any two 0x0A bytes in a row, common in numbers) loses its tail
		// (code 33, CANNOT_READ_ALL_DATA). Such blocks are read from a file instead.
		if bytes.Contains(data, []byte("\n\n")) {
			if err := c.insertFromFile(ctx, qt, cols, data); err != nil {
				return err
			}
			continue
		}
		stmt := make([]byte, 0, len(head)+len(data))
		stmt = append(append(stmt, head...), data...)
		if _, err := c.run(ctx, head, stmt, "TSV", nil, nil, true); err != nil {
			return err
		}
	}
	return nil
}

// insertFromFile inserts a Native block through a private file in the data directory, which the
// engine reads with the file() table function (as fast as inline data, measured).
func (c *embeddedConn) insertFromFile(ctx context.Context, qt, cols string, data []byte) error {
	dir := filepath.Join(c.cfg.DataDir, "kubedoor-inserts")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("store: insert into %s: %w", qt, err)
	}
	f, err := os.CreateTemp(dir, "block-*.native")
	if err != nil {
		return fmt.Errorf("store: insert into %s: %w", qt, err)
	}
	defer func() { _ = os.Remove(f.Name()) }()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: insert into %s: writing the block: %w", qt, err)
	}
	q := "INSERT INTO " + qt + " (" + cols + ") SELECT " + cols + " FROM file({path:String}, 'Native')"
	_, err = c.run(ctx, q, []byte(q), "TSV", []string{"path"}, []string{escapeText(f.Name())}, true)
	return err
}

// columnTypes returns the ClickHouse types of columns of table, from DESCRIBE (cached).
func (c *embeddedConn) columnTypes(ctx context.Context, qt string, columns []string) ([]string, error) {
	c.typesMu.Lock()
	known := c.types[qt]
	c.typesMu.Unlock()
	out := make([]string, len(columns))
	for pass := 0; pass < 2; pass++ {
		missing := ""
		for i, col := range columns {
			if out[i] = known[col]; out[i] == "" {
				missing = col
			}
		}
		if missing == "" {
			return out, nil
		}
		if pass == 1 {
			return nil, fmt.Errorf("store: insert into %s: no column %q", qt, missing)
		}
		var err error
		if known, err = c.describe(ctx, qt); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *embeddedConn) describe(ctx context.Context, qt string) (map[string]string, error) {
	q := "DESCRIBE TABLE " + qt
	res, err := c.run(ctx, q, []byte(q), "Native", nil, nil, false)
	if err != nil {
		return nil, err
	}
	rows, err := newNativeRows(res.Data)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", q, err)
	}
	defer rows.Close()
	types := map[string]string{}
	cols := rows.Columns()
	vals := make([]any, len(cols))
	var name, typ string
	for i, col := range cols {
		switch col {
		case "name":
			vals[i] = &name
		case "type":
			vals[i] = &typ
		default:
			vals[i] = new(string)
		}
	}
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return nil, fmt.Errorf("store: %s: %w", q, err)
		}
		types[name] = typ
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", q, err)
	}
	c.typesMu.Lock()
	c.types[qt] = types
	c.typesMu.Unlock()
	return types, nil
}

func (c *embeddedConn) Ping(ctx context.Context) error {
	_, err := c.run(ctx, "SELECT 1", []byte("SELECT 1"), "TSV", nil, nil, false)
	return err
}

func (c *embeddedConn) Close() error {
	engineSlot <- struct{}{} // no context: closing must not be skipped
	defer release()
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
	return nil
}

func acquire(ctx context.Context) error {
	select {
	case engineSlot <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func release() { <-engineSlot }

// run executes one statement. A running statement cannot be interrupted, so the context is
// checked before it starts, its deadline becomes the engine's max_execution_time, and it is
// checked again afterwards. A write that completed is reported as done even if the deadline
// passed meanwhile (its effect happened); a read is reported as the context's error.
func (c *embeddedConn) run(ctx context.Context, label string, stmt []byte, format string,
	names, values []string, write bool) (chdb.Result, error) {
	if err := ctx.Err(); err != nil {
		return chdb.Result{}, fmt.Errorf("store: %q not started: %w", queryContext(label), err)
	}
	if err := acquire(ctx); err != nil {
		return chdb.Result{}, fmt.Errorf("store: %q not started: %w", queryContext(label), err)
	}
	defer release()
	if c.conn == nil {
		return chdb.Result{}, errors.New("store: connection is closed")
	}
	if err := c.setTimeout(ctx); err != nil {
		return chdb.Result{}, fmt.Errorf("store: %q not started: %w", queryContext(label), err)
	}
	res, err := c.conn.QueryWithParams(stmt, format, names, values)
	if err != nil {
		var ee *chdb.EngineError
		if errors.As(err, &ee) {
			err = engineError(ee.Text, label)
			if ctxErr := ctx.Err(); ctxErr != nil && IsCode(err, CodeTimeoutExceeded) {
				return chdb.Result{}, fmt.Errorf("%w: %w", ctxErr, err)
			}
			return chdb.Result{}, err
		}
		return chdb.Result{}, fmt.Errorf("store: %q: %w", queryContext(label), err)
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !write {
		return chdb.Result{}, fmt.Errorf("store: %q finished after the caller gave up: %w", queryContext(label), ctxErr)
	}
	return res, nil
}

// setTimeout mirrors the context's deadline into the session's max_execution_time (whole
// seconds, rounded up, so the engine stops a runaway statement at most ~1 s late).
func (c *embeddedConn) setTimeout(ctx context.Context) error {
	want := int64(0)
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if left <= 0 {
			return context.DeadlineExceeded
		}
		want = int64(math.Ceil(left.Seconds()))
	}
	if want == c.execTimeout {
		return nil
	}
	q := "SET max_execution_time = " + strconv.FormatInt(want, 10)
	if _, err := c.conn.Query([]byte(q), "TSV"); err != nil {
		return fmt.Errorf("setting the statement deadline: %w", err)
	}
	c.execTimeout = want
	return nil
}
