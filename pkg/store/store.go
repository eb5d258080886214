// Package store is the plugin backend's connection to ClickHouse and owns its schema.
//
// One SQL dialect, two ways to reach the engine (chosen by Config.Mode):
//   - embedded (default): libchdb, the ClickHouse engine, in this process with a data directory;
//   - server: a ClickHouse server or cluster over the native protocol (clickhouse-go/v2).
//
// Both modes share one type system: embedded results are fetched in the Native format and
// decoded by clickhouse-go's own column types, so Rows.Scan accepts the same destinations in
// both modes (e.g. *string, *uint32, *time.Time, *[]string, **string for Nullable).
//
// Values never enter SQL text: statements use ClickHouse's `{name:Type}` placeholders, bound by
// the engine in both modes (see P). Identifiers (table names) are validated and quoted.
//
// Time: columns declare their zone (DateTime('UTC')), time parameters travel as Unix time, and
// calendar days are computed in Go, so nothing depends on the engine's default time zone.
package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// Mode names how the store reaches ClickHouse.
const (
	ModeEmbedded = "embedded"
	ModeServer   = "server"
)

// Conn is a connection to ClickHouse, safe for concurrent use.
type Conn interface {
	// Exec runs a statement that returns no rows (DDL, INSERT … SELECT, …).
	Exec(ctx context.Context, query string, params ...Param) error
	// Query runs a SELECT; the caller must Close the Rows.
	Query(ctx context.Context, query string, params ...Param) (Rows, error)
	// Insert appends rows (values in the order of columns) to table ("name" or "db.name").
	// Values are what clickhouse-go's column types accept for the column, e.g. string,
	// uint32, float64, time.Time, []string, a pointer or nil for Nullable.
	Insert(ctx context.Context, table string, columns []string, rows [][]any) error
	// Ping checks that the engine answers.
	Ping(ctx context.Context) error
	// Close releases the connection.
	Close() error
	// Mode is ModeEmbedded or ModeServer.
	Mode() string
	// Database is the database unqualified table names refer to.
	Database() string
	// Cluster is the ClickHouse cluster DDL runs ON, or "" for a single node.
	Cluster() string
}

// Rows is the result of a Query, read row by row like database/sql's Rows.
type Rows interface {
	Next() bool
	// Scan copies the current row into dest, one pointer per column, converted by the
	// column's clickhouse-go type.
	Scan(dest ...any) error
	// Columns are the result's column names. An empty embedded result has none: the engine
	// sends no header block for zero rows.
	Columns() []string
	// ColumnTypes are the ClickHouse types of the columns, e.g. "LowCardinality(String)".
	ColumnTypes() []string
	Err() error
	Close() error
}

// Open connects as cfg says and makes sure cfg.Database exists. Run Migrate next.
func Open(ctx context.Context, cfg Config) (Conn, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	switch cfg.Mode {
	case ModeEmbedded:
		return openEmbedded(ctx, cfg)
	case ModeServer:
		return openServer(ctx, cfg)
	}
	return nil, fmt.Errorf("store: unknown mode %q", cfg.Mode) // withDefaults rejects this first
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func isIdent(s string) bool { return identRE.MatchString(s) }

// quoteIdent quotes a validated identifier.
func quoteIdent(s string) string { return "`" + s + "`" }

// quoteTable validates "name" or "db.name" and returns it quoted.
func quoteTable(table string) (string, error) {
	parts := strings.Split(table, ".")
	if len(parts) > 2 {
		return "", fmt.Errorf("table %q: want name or database.name", table)
	}
	for i, p := range parts {
		if !isIdent(p) {
			return "", fmt.Errorf("table %q: %q is not a plain identifier", table, p)
		}
		parts[i] = quoteIdent(p)
	}
	return strings.Join(parts, "."), nil
}

// columnList validates and quotes column names; dotted names are Nested sub-columns.
func columnList(columns []string) (string, error) {
	if len(columns) == 0 {
		return "", fmt.Errorf("no columns")
	}
	q := make([]string, len(columns))
	for i, c := range columns {
		for _, part := range strings.Split(c, ".") {
			if !isIdent(part) {
				return "", fmt.Errorf("column %q is not a plain identifier", c)
			}
		}
		q[i] = quoteIdent(c)
	}
	return strings.Join(q, ", "), nil
}
