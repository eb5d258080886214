package service

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

func TestBootstrapKeepsSettingsButNeverSecrets(t *testing.T) {
	b := Bootstrap{Path: filepath.Join(t.TempDir(), "sub", "kubedoor-settings.json")}
	app, err := b.Load()
	if err != nil || app.Storage.Mode != settings.StorageEmbedded || len(app.Clusters) != 0 {
		t.Fatalf("a missing file must give the defaults: %+v %v", app, err)
	}
	saved, err := settings.Parse([]byte(`{"storage":{"mode":"server","address":"ch:9000"},
		"clusters":[{"name":"a","prometheusUrl":"http://p:9090","kubeAccess":"kubeconfig"},{"name":"b","prometheusUrl":"http://q:9090","kubeAccess":"in-cluster"}]}`),
		map[string]string{"clickhousePassword": "chpw", "clusters.a.kubeconfig": "SECRET-KUBECONFIG", "clusters.a.prometheusPassword": "prompw"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Save(saved); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(b.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"chpw", "SECRET-KUBECONFIG", "prompw"} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("the bootstrap file holds a secret: %s", raw)
		}
	}
	if fi, _ := os.Stat(b.Path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
	t.Setenv("KUBEDOOR_CLICKHOUSE_PASSWORD", "from-env")
	loaded, err := b.Load()
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Storage.Address != "ch:9000" || loaded.ClickHousePassword != "from-env" || len(loaded.Clusters) != 2 {
		t.Fatalf("loaded %+v", loaded)
	}
	if loaded.Clusters[0].KubeAccess != "" || loaded.Clusters[1].KubeAccess != settings.KubeAccessInCluster {
		t.Fatalf("a kubeconfig cluster waits for its secret, in-cluster keeps access: %+v", loaded.Clusters)
	}
}

func TestACorruptBootstrapFallsBackToTheDefaultsWithAnError(t *testing.T) {
	b := Bootstrap{Path: filepath.Join(t.TempDir(), "kubedoor-settings.json")}
	if err := os.WriteFile(b.Path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	app, err := b.Load()
	if err == nil || app.Storage.Mode != settings.StorageEmbedded {
		t.Fatalf("want defaults and an error, got %+v %v", app, err)
	}
}
