package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one versioned schema change, shipped in the binary as migrations/NNN_name.sql.
// Statements must be idempotent (IF NOT EXISTS, …): ClickHouse DDL is not transactional, so a
// migration interrupted half-way is simply applied again.
type Migration struct {
	Version  uint32
	Name     string
	Template string // SQL text template, see Render
	Checksum string // sha256 of Template: a shipped migration must never change
}

var migrationName = regexp.MustCompile(`^(\d{3,})_([a-z0-9_]+)\.sql$`)

// Migrations lists the shipped migrations in version order.
func Migrations() ([]Migration, error) { return loadMigrations(migrationFiles, "migrations") }

func loadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var out []Migration
	seen := map[uint32]string{}
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %s: want NNN_name.sql", e.Name())
		}
		v, err := strconv.ParseUint(m[1], 10, 32)
		if err != nil || v == 0 {
			return nil, fmt.Errorf("migration file %s: bad version", e.Name())
		}
		if other, dup := seen[uint32(v)]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", other, e.Name(), v)
		}
		seen[uint32(v)] = e.Name()
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(b)
		out = append(out, Migration{Version: uint32(v), Name: m[2], Template: string(b), Checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// MigrateOptions tune the schema. Database and cluster come from the Conn.
type MigrateOptions struct {
	RetentionDays int    // TTL of peak samples (default DefaultRetentionDays)
	ReplicaPath   string // replicated tables' ZooKeeper path (cluster only; default with macros)
	ReplicaName   string // replicated tables' replica name (cluster only; default "{replica}")
	Logger        *slog.Logger
}

const migrationsTable = "schema_migrations"

// Migrate applies the shipped migrations that conn's database lacks, in order, recording each
// in schema_migrations, then makes peak samples' TTL match opts.RetentionDays. Running it again
// is a no-op. It returns the migrations it applied.
func Migrate(ctx context.Context, conn Conn, opts MigrateOptions) ([]Migration, error) {
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	return migrate(ctx, conn, opts, all)
}

func migrate(ctx context.Context, conn Conn, opts MigrateOptions, all []Migration) ([]Migration, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	so, err := SchemaOptions{
		Database: conn.Database(), Cluster: conn.Cluster(), ReplicaPath: opts.ReplicaPath,
		ReplicaName: opts.ReplicaName, RetentionDays: opts.RetentionDays,
	}.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	ledger, err := Render(`CREATE TABLE IF NOT EXISTS {{.DB}}.`+migrationsTable+`{{.OnCluster}}
(
    version    UInt32,
    name       String,
    checksum   String,
    applied_at DateTime64(3, 'UTC')
)
ENGINE = {{engine "ReplacingMergeTree" "applied_at"}}
ORDER BY version`, so)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	if err := conn.Exec(ctx, ledger); err != nil {
		return nil, fmt.Errorf("store: migrate: creating %s: %w", migrationsTable, err)
	}
	done, err := appliedMigrations(ctx, conn)
	if err != nil {
		return nil, err
	}
	var applied []Migration
	for _, m := range all {
		if sum, ok := done[m.Version]; ok {
			if sum != m.Checksum {
				// Editing a shipped migration does not re-run it; say so loudly, keep going.
				log.Warn("applied migration differs from the shipped one", "version", m.Version, "name", m.Name)
			}
			continue
		}
		start := time.Now()
		if err := applyMigration(ctx, conn, so, m); err != nil {
			return applied, err
		}
		applied = append(applied, m)
		log.Info("schema migration applied", "version", m.Version, "name", m.Name, "elapsed", time.Since(start))
	}
	if err := ensureRetention(ctx, conn, so, log); err != nil {
		return applied, err
	}
	return applied, nil
}

func appliedMigrations(ctx context.Context, conn Conn) (map[uint32]string, error) {
	rows, err := conn.Query(ctx, "SELECT version, argMax(checksum, applied_at) FROM "+
		quoteIdent(conn.Database())+"."+migrationsTable+" GROUP BY version")
	if err != nil {
		return nil, fmt.Errorf("store: migrate: reading %s: %w", migrationsTable, err)
	}
	defer rows.Close()
	done := map[uint32]string{}
	for rows.Next() {
		var v uint32
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			return nil, fmt.Errorf("store: migrate: reading %s: %w", migrationsTable, err)
		}
		done[v] = sum
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: migrate: reading %s: %w", migrationsTable, err)
	}
	return done, nil
}

func applyMigration(ctx context.Context, conn Conn, so SchemaOptions, m Migration) error {
	sql, err := Render(m.Template, so)
	if err != nil {
		return fmt.Errorf("store: migration %03d_%s: %w", m.Version, m.Name, err)
	}
	for i, stmt := range SplitStatements(sql) {
		if err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("store: migration %03d_%s, statement %d: %w", m.Version, m.Name, i+1, err)
		}
	}
	err = conn.Insert(ctx, conn.Database()+"."+migrationsTable,
		[]string{"version", "name", "checksum", "applied_at"},
		[][]any{{m.Version, m.Name, m.Checksum, time.Now().UTC()}})
	if err != nil {
		return fmt.Errorf("store: recording migration %03d_%s: %w", m.Version, m.Name, err)
	}
	return nil
}

var ttlDays = regexp.MustCompile(`TTL day \+ toIntervalDay\((\d+)\)`)

// ensureRetention changes peak samples' TTL when the configured retention differs from the
// table's (the table is created with the retention configured at that time).
func ensureRetention(ctx context.Context, conn Conn, so SchemaOptions, log *slog.Logger) error {
	rows, err := conn.Query(ctx, "SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = 'peak_samples'",
		P("db", so.Database))
	if err != nil {
		return fmt.Errorf("store: reading peak_samples TTL: %w", err)
	}
	defer rows.Close()
	current := ""
	for rows.Next() {
		if err := rows.Scan(&current); err != nil {
			return fmt.Errorf("store: reading peak_samples TTL: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: reading peak_samples TTL: %w", err)
	}
	m := ttlDays.FindStringSubmatch(current)
	if current == "" || (m != nil && m[1] == strconv.Itoa(so.RetentionDays)) {
		return nil // no table yet, or already right
	}
	alter, err := Render(`ALTER TABLE {{.DB}}.peak_samples{{.OnCluster}} MODIFY TTL day + toIntervalDay({{.RetentionDays}})`, so)
	if err != nil {
		return err
	}
	if err := conn.Exec(ctx, alter); err != nil {
		return fmt.Errorf("store: changing peak_samples retention to %d days: %w", so.RetentionDays, err)
	}
	log.Info("peak sample retention changed", "days", so.RetentionDays, "was", strings.TrimSpace(current))
	return nil
}
