package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// serverConn reaches a ClickHouse server over the native protocol. clickhouse-go pools
// connections and cancels a running query when its context ends.
type serverConn struct {
	cfg  Config
	log  *slog.Logger
	conn driver.Conn
}

func openServer(ctx context.Context, cfg Config) (*serverConn, error) {
	start := time.Now()
	c, err := dialServer(ctx, cfg, cfg.Database)
	if err != nil {
		return nil, err
	}
	err = c.Ping(ctx)
	if IsCode(err, CodeUnknownDatabase) {
		// First start: create the database through a connection that does not select it.
		_ = c.Close()
		if err := createServerDatabase(ctx, cfg); err != nil {
			return nil, err
		}
		if c, err = dialServer(ctx, cfg, cfg.Database); err != nil {
			return nil, err
		}
		err = c.Ping(ctx)
	}
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("store: connecting to %s: %w", cfg.Address, err)
	}
	c.log.Info("store opened", "mode", ModeServer, "address", cfg.Address, "database", cfg.Database,
		"cluster", cfg.Cluster, "tls", cfg.TLS != nil, "elapsed", time.Since(start))
	return c, nil
}

func dialServer(_ context.Context, cfg Config, database string) (*serverConn, error) {
	addrs, err := cfg.addresses()
	if err != nil {
		return nil, err
	}
	tlsCfg, err := cfg.TLS.config()
	if err != nil {
		return nil, err
	}
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:         addrs,
		Auth:         clickhouse.Auth{Database: database, Username: cfg.Username, Password: cfg.Password},
		TLS:          tlsCfg,
		DialTimeout:  cfg.DialTimeout,
		MaxOpenConns: cfg.MaxOpenConns,
		Compression:  &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
		ClientInfo: clickhouse.ClientInfo{Products: []struct{ Name, Version string }{
			{Name: "kubedoor-grafana", Version: "1"},
		}},
		Logger: cfg.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("store: connecting to %s: %w", cfg.Address, err)
	}
	return &serverConn{cfg: cfg, log: cfg.Logger, conn: conn}, nil
}

func createServerDatabase(ctx context.Context, cfg Config) error {
	boot, err := dialServer(ctx, cfg, "")
	if err != nil {
		return err
	}
	defer func() { _ = boot.Close() }()
	q := "CREATE DATABASE IF NOT EXISTS " + quoteIdent(cfg.Database) + onCluster(cfg.Cluster)
	if err := boot.Exec(ctx, q); err != nil {
		return fmt.Errorf("store: creating database %s: %w", cfg.Database, err)
	}
	return nil
}

func (c *serverConn) Mode() string     { return ModeServer }
func (c *serverConn) Database() string { return c.cfg.Database }
func (c *serverConn) Cluster() string  { return c.cfg.Cluster }

// withParams puts params on the context, where clickhouse-go sends them for server binding.
func withParams(ctx context.Context, query string, params []Param) (context.Context, error) {
	names, values, err := formatParams(query, params)
	if err != nil || len(names) == 0 {
		return ctx, err
	}
	p := make(clickhouse.Parameters, len(names))
	for i, n := range names {
		p[n] = values[i]
	}
	return clickhouse.Context(ctx, clickhouse.WithParameters(p)), nil
}

func (c *serverConn) Exec(ctx context.Context, query string, params ...Param) error {
	qctx, err := withParams(ctx, query, params)
	if err != nil {
		return fmt.Errorf("store: %q: %w", queryContext(query), err)
	}
	return serverError(c.conn.Exec(qctx, query), query)
}

func (c *serverConn) Query(ctx context.Context, query string, params ...Param) (Rows, error) {
	qctx, err := withParams(ctx, query, params)
	if err != nil {
		return nil, fmt.Errorf("store: %q: %w", queryContext(query), err)
	}
	rows, err := c.conn.Query(qctx, query)
	if err != nil {
		return nil, serverError(err, query)
	}
	return &serverRows{Rows: rows, query: query}, nil
}

func (c *serverConn) Insert(ctx context.Context, table string, columns []string, rows [][]any) error {
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
	q := "INSERT INTO " + qt + " (" + cols + ")"
	batch, err := c.conn.PrepareBatch(ctx, q)
	if err != nil {
		return serverError(err, q)
	}
	for i, row := range rows {
		if err := batch.Append(row...); err != nil {
			_ = batch.Abort()
			return fmt.Errorf("store: insert into %s: row %d: %w", table, i, err)
		}
	}
	return serverError(batch.Send(), q)
}

func (c *serverConn) Ping(ctx context.Context) error { return serverError(c.conn.Ping(ctx), "ping") }

func (c *serverConn) Close() error { return c.conn.Close() }

// serverRows adapts clickhouse-go's rows: typed errors, column types as ClickHouse names.
type serverRows struct {
	driver.Rows
	query string
}

func (r *serverRows) Err() error { return serverError(r.Rows.Err(), r.query) }

func (r *serverRows) ColumnTypes() []string {
	cts := r.Rows.ColumnTypes()
	out := make([]string, len(cts))
	for i, ct := range cts {
		out[i] = ct.DatabaseTypeName()
	}
	return out
}

func (r *serverRows) Scan(dest ...any) error { return r.Rows.Scan(dest...) }
