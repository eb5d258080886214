package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigDefaultsAndValidation(t *testing.T) {
	t.Setenv("KUBEDOOR_DATA_DIR", "/var/lib/grafana/kubedoor-chdb")
	// The library must exist to be chosen (pkg/engine.Find); its content does not matter here.
	lib := filepath.Join(t.TempDir(), "libchdb.so")
	if err := os.WriteFile(lib, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBEDOOR_LIBCHDB", lib)
	cases := []struct {
		name    string
		cfg     Config
		check   func(t *testing.T, c Config)
		wantErr string
	}{
		{name: "the zero config is embedded with the environment's data dir and library",
			check: func(t *testing.T, c Config) {
				if c.Mode != ModeEmbedded || c.Database != "kubedoor" || c.DataDir != "/var/lib/grafana/kubedoor-chdb" || c.LibraryPath != lib {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "server mode adds the native port and the default user",
			cfg: Config{Mode: ModeServer, Address: "ch.example"},
			check: func(t *testing.T, c Config) {
				if a, _ := c.addresses(); len(a) != 1 || a[0] != "ch.example:9000" || c.Username != "default" {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "server mode with TLS defaults to the secure port, several addresses allowed",
			cfg: Config{Mode: ModeServer, Address: "a, b:9441", TLS: &TLSConfig{}},
			check: func(t *testing.T, c Config) {
				if a, _ := c.addresses(); strings.Join(a, ",") != "a:9440,b:9441" {
					t.Errorf("addresses %q", a)
				}
			}},
		{name: "an unknown mode is refused", cfg: Config{Mode: "sqlite"}, wantErr: "neither"},
		{name: "a relative data dir is refused", cfg: Config{DataDir: "data"}, wantErr: "absolute"},
		{name: "a database name that needs quoting is refused", cfg: Config{Database: "kd-1"}, wantErr: "plain identifier"},
		{name: "server mode needs an address", cfg: Config{Mode: ModeServer}, wantErr: "needs an address"},
		{name: "a cluster in embedded mode is refused", cfg: Config{Cluster: "c"}, wantErr: "server mode only"},
		{name: "a cluster name with a quote is refused", cfg: Config{Mode: ModeServer, Address: "a", Cluster: "c'"}, wantErr: "cluster name"},
		{name: "a CA that is not PEM is refused", cfg: Config{Mode: ModeServer, Address: "a", TLS: &TLSConfig{CACertPEM: "nope"}}, wantErr: "CA certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.cfg.withDefaults()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestDefaultDataDirFollowsGrafana(t *testing.T) {
	t.Setenv("KUBEDOOR_DATA_DIR", "")
	t.Setenv("GF_PATHS_DATA", "/var/lib/grafana")
	d, err := DefaultDataDir()
	if err != nil || d != filepath.Join("/var/lib/grafana", DataDirName) {
		t.Fatalf("got %q, %v", d, err)
	}
}

// Server mode reports an unreachable server with its address instead of hanging.
func TestServerModeReportsAnUnreachableServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, err := Open(ctx, Config{Mode: ModeServer, Address: "127.0.0.1:1", DialTimeout: time.Second})
	if err == nil {
		_ = c.Close()
		t.Fatal("opened a server on a closed port")
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("error %q does not name the address", err)
	}
}
