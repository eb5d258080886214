package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Bootstrap persists the last applied settings, without secrets, so that after a restart the
// backend starts its background work before Grafana creates an app instance (which happens only
// when a request arrives). Secrets never touch this file: a cluster that needs a kubeconfig waits
// for the first instance to hand it over, and a ClickHouse server password can be given in
// $KUBEDOOR_CLICKHOUSE_PASSWORD for headless starts.
type Bootstrap struct {
	Path string
}

// DefaultBootstrap is $KUBEDOOR_BOOTSTRAP, else kubedoor-settings.json next to the embedded
// engine's default data directory.
func DefaultBootstrap() (Bootstrap, error) {
	if p := os.Getenv("KUBEDOOR_BOOTSTRAP"); p != "" {
		return Bootstrap{Path: p}, nil
	}
	dir, err := store.DefaultDataDir()
	if err != nil {
		return Bootstrap{}, err
	}
	return Bootstrap{Path: filepath.Join(filepath.Dir(dir), "kubedoor-settings.json")}, nil
}

// Load returns the persisted settings, or settings.Default() when there are none yet.
// Clusters whose Kubernetes access needs a secret are loaded without access until an instance
// supplies it.
func (b Bootstrap) Load() (settings.App, error) {
	data, err := os.ReadFile(b.Path)
	if errors.Is(err, os.ErrNotExist) {
		return settings.Default(), nil
	}
	if err != nil {
		return settings.Default(), fmt.Errorf("reading %s: %w", b.Path, err)
	}
	var raw settings.App
	if err := json.Unmarshal(data, &raw); err != nil {
		return settings.Default(), fmt.Errorf("decoding %s: %w", b.Path, err)
	}
	for i := range raw.Clusters {
		if raw.Clusters[i].KubeAccess == settings.KubeAccessKubeconfig {
			raw.Clusters[i].KubeAccess = ""
		}
	}
	reencoded, err := json.Marshal(raw)
	if err != nil {
		return settings.Default(), err
	}
	secure := map[string]string{settings.SecureClickHousePassword: os.Getenv("KUBEDOOR_CLICKHOUSE_PASSWORD")}
	app, err := settings.Parse(reencoded, secure)
	if err != nil {
		return settings.Default(), fmt.Errorf("persisted settings in %s: %w", b.Path, err)
	}
	return app, nil
}

// Save writes app without its secrets, atomically and readable by the owner only.
func (b Bootstrap) Save(app settings.App) error {
	data, err := json.MarshalIndent(app, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding settings: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(b.Path), 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(b.Path), err)
	}
	tmp := b.Path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, b.Path); err != nil {
		return fmt.Errorf("replacing %s: %w", b.Path, err)
	}
	return nil
}
