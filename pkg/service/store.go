package service

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// StoreConfig maps the app settings onto the store's configuration.
func StoreConfig(app settings.App, log *slog.Logger) store.Config {
	s := app.Storage
	cfg := store.Config{Mode: s.Mode, DataDir: s.DataDir, Logger: log}
	if s.Mode == settings.StorageServer {
		cfg.Address, cfg.Database, cfg.Username, cfg.Cluster = s.Address, s.Database, s.Username, s.Cluster
		cfg.Password = app.ClickHousePassword
		if s.TLS {
			cfg.TLS = &store.TLSConfig{}
		}
	}
	return cfg
}

// OpenStore is the production StoreOpener: connect, then bring the schema up to date.
func OpenStore(log *slog.Logger) StoreOpener {
	return func(ctx context.Context, app settings.App) (store.Conn, int, error) {
		conn, err := store.Open(ctx, StoreConfig(app, log))
		if err != nil {
			return nil, 0, fmt.Errorf("opening %s store: %w", app.Storage.Mode, err)
		}
		if _, err := store.Migrate(ctx, conn, store.MigrateOptions{Logger: log}); err != nil {
			_ = conn.Close()
			return nil, 0, fmt.Errorf("migrating %s store: %w", app.Storage.Mode, err)
		}
		all, err := store.Migrations()
		if err != nil || len(all) == 0 {
			_ = conn.Close()
			return nil, 0, fmt.Errorf("reading shipped migrations: %w", err)
		}
		return conn, int(all[len(all)-1].Version), nil
	}
}

// DataDir is the embedded engine's data directory under these settings (the configured one, else
// the store's default); a fetched engine goes beside it (engine.InstallDir).
func DataDir(app settings.App) (string, error) {
	if app.Storage.DataDir != "" {
		return app.Storage.DataDir, nil
	}
	d, err := store.DefaultDataDir()
	if err != nil {
		return "", fmt.Errorf("locating the data directory: %w", err)
	}
	return d, nil
}

// engineOf asks the store which engine serves it; a store that cannot say yields nil (logged).
func engineOf(ctx context.Context, st store.Conn, log *slog.Logger) *store.Engine {
	if tc, ok := st.(trackedConn); ok {
		st = tc.Conn
	}
	r, ok := st.(store.EngineReporter)
	if !ok {
		return nil
	}
	e, err := r.Engine(ctx)
	if err != nil {
		log.Warn("the store did not say which engine serves it", "error", err)
		return nil
	}
	return &e
}

// describeEngine is status's words for the engine: "26.5.1.1 (embedded)". The library's path is
// left to the Admin-only answers (health, v1/engine): v1/status is read by every Viewer.
func describeEngine(mode string, e *store.Engine) string {
	if e == nil || e.Version == "" {
		return "(" + mode + ")"
	}
	return e.Version + " (" + mode + ")"
}
