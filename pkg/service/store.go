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
