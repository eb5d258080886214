package store

import (
	"context"
	"fmt"
)

// Engine says which ClickHouse serves a connection, for status and health: the version the
// engine reports and, in embedded mode, the library file it was loaded from.
type Engine struct {
	Version string `json:"version"`
	Library string `json:"library,omitempty"` // embedded mode: the libchdb.so loaded
}

// EngineReporter is implemented by the connections Open returns.
type EngineReporter interface {
	Engine(ctx context.Context) (Engine, error)
}

func (c *embeddedConn) Engine(ctx context.Context) (Engine, error) {
	v, err := engineVersion(ctx, c)
	return Engine{Version: v, Library: c.cfg.LibraryPath}, err
}

func (c *serverConn) Engine(ctx context.Context) (Engine, error) {
	v, err := engineVersion(ctx, c)
	return Engine{Version: v}, err
}

func engineVersion(ctx context.Context, c Conn) (string, error) {
	rows, err := c.Query(ctx, "SELECT version()")
	if err != nil {
		return "", fmt.Errorf("reading the engine's version: %w", err)
	}
	defer rows.Close()
	var v string
	if rows.Next() {
		if err := rows.Scan(&v); err != nil {
			return "", fmt.Errorf("reading the engine's version: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("reading the engine's version: %w", err)
	}
	return v, nil
}
