package store

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/engine"
)

// Config says how to reach ClickHouse. The zero value is valid: embedded, with defaults.
type Config struct {
	// Mode is ModeEmbedded (default when empty) or ModeServer.
	Mode string
	// Database holds the product's tables (default "kubedoor"); created at Open if missing.
	Database string

	// Embedded mode.
	// DataDir is the engine's data directory (default DefaultDataDir()). One process owns it.
	DataDir string
	// LibraryPath is libchdb.so (default DefaultLibraryPath(DataDir)).
	LibraryPath string

	// Server mode.
	// Address is host:port of the native protocol (port defaults to 9000, or 9440 with TLS).
	// Several addresses may be given, comma-separated, for failover.
	Address  string
	Username string // default "default"
	Password string
	// Cluster, when set, makes DDL run ON CLUSTER and tables Replicated*MergeTree. The
	// cluster must be one shard with replicas: tables are not sharded (no Distributed tables).
	Cluster string
	// ReplicaPath and ReplicaName are the ZooKeeper path and replica name of replicated
	// tables (defaults "/clickhouse/tables/{shard}/{database}/{table}" and "{replica}"; the
	// {shard} and {replica} macros must be defined on every node).
	ReplicaPath string
	ReplicaName string
	TLS         *TLSConfig // nil = plain TCP
	// DialTimeout bounds connecting (default 10 s); MaxOpenConns the pool (default 10).
	DialTimeout  time.Duration
	MaxOpenConns int

	// Logger receives structured logs (default: discarded).
	Logger *slog.Logger
}

// TLSConfig configures TLS to a ClickHouse server. PEM fields hold the certificates themselves
// (Grafana keeps them in secure JSON data).
type TLSConfig struct {
	CACertPEM          string // trust these CAs instead of the system pool
	ClientCertPEM      string // client certificate for mutual TLS (with ClientKeyPEM)
	ClientKeyPEM       string
	ServerName         string // override the name checked in the server certificate
	InsecureSkipVerify bool   // never in production; for self-signed test servers
}

const (
	defaultDatabase    = "kubedoor"
	defaultReplicaPath = "/clickhouse/tables/{shard}/{database}/{table}"
	defaultReplicaName = "{replica}"
	// DataDirName is the folder made under the Grafana data directory for the embedded engine.
	DataDirName = "kubedoor-chdb"
)

// DefaultDataDir is where the embedded engine keeps its data when Config.DataDir is empty:
// $KUBEDOOR_DATA_DIR, else $GF_PATHS_DATA/kubedoor-chdb (Grafana's data folder), else
// ~/.local/share/kubedoor/kubedoor-chdb.
func DefaultDataDir() (string, error) {
	if d := os.Getenv("KUBEDOOR_DATA_DIR"); d != "" {
		return filepath.Abs(d)
	}
	if d := os.Getenv("GF_PATHS_DATA"); d != "" {
		return filepath.Abs(filepath.Join(d, DataDirName))
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no data directory: set KUBEDOOR_DATA_DIR (%w)", err)
	}
	return filepath.Join(home, ".local", "share", "kubedoor", DataDirName), nil
}

// DefaultLibraryPath finds libchdb.so for the embedded data directory dataDir when
// Config.LibraryPath is empty: $KUBEDOOR_LIBCHDB, else next to this executable, else where the
// config page's download puts it (pkg/engine holds the order).
func DefaultLibraryPath(dataDir string) (string, error) {
	p, err := engine.Find(dataDir)
	if err != nil {
		return "", fmt.Errorf("locating the engine: %w", err)
	}
	return p.Path, nil
}

// clusterRE allows the characters ClickHouse cluster names use in practice.
var clusterRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// Validate reports the first problem with cfg, after defaults are applied.
func (c Config) Validate() error {
	_, err := c.withDefaults()
	return err
}

// withDefaults fills defaults and validates.
func (c Config) withDefaults() (Config, error) {
	if c.Mode == "" {
		c.Mode = ModeEmbedded
	}
	if c.Database == "" {
		c.Database = defaultDatabase
	}
	if !isIdent(c.Database) {
		return c, fmt.Errorf("store config: database %q must be a plain identifier", c.Database)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	switch c.Mode {
	case ModeEmbedded:
		if c.Cluster != "" || c.Address != "" {
			return c, errors.New("store config: address and cluster apply to server mode only")
		}
		if c.DataDir == "" {
			d, err := DefaultDataDir()
			if err != nil {
				return c, fmt.Errorf("store config: %w", err)
			}
			c.DataDir = d
		}
		if !filepath.IsAbs(c.DataDir) {
			return c, fmt.Errorf("store config: data directory %q must be absolute", c.DataDir)
		}
		if c.LibraryPath == "" {
			p, err := DefaultLibraryPath(c.DataDir)
			if err != nil {
				return c, fmt.Errorf("store config: %w", err)
			}
			c.LibraryPath = p
		}
	case ModeServer:
		if strings.TrimSpace(c.Address) == "" {
			return c, errors.New("store config: server mode needs an address (host:port)")
		}
		if _, err := c.addresses(); err != nil {
			return c, err
		}
		if c.Cluster != "" && !clusterRE.MatchString(c.Cluster) {
			return c, fmt.Errorf("store config: cluster name %q has unexpected characters", c.Cluster)
		}
		if c.ReplicaPath == "" {
			c.ReplicaPath = defaultReplicaPath
		}
		if c.ReplicaName == "" {
			c.ReplicaName = defaultReplicaName
		}
		if c.Username == "" {
			c.Username = "default"
		}
		if c.DialTimeout <= 0 {
			c.DialTimeout = 10 * time.Second
		}
		if c.MaxOpenConns <= 0 {
			c.MaxOpenConns = 10
		}
		if _, err := c.TLS.config(); err != nil {
			return c, err
		}
	default:
		return c, fmt.Errorf("store config: mode %q is neither %q nor %q", c.Mode, ModeEmbedded, ModeServer)
	}
	return c, nil
}

// addresses splits Address and adds the default port.
func (c Config) addresses() ([]string, error) {
	var out []string
	for _, a := range strings.Split(c.Address, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(a); err != nil {
			port := "9000"
			if c.TLS != nil {
				port = "9440"
			}
			a = net.JoinHostPort(strings.Trim(a, "[]"), port)
		}
		host, _, err := net.SplitHostPort(a)
		if err != nil || host == "" {
			return nil, fmt.Errorf("store config: address %q is not host:port", a)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, errors.New("store config: server mode needs an address (host:port)")
	}
	return out, nil
}

func (t *TLSConfig) config() (*tls.Config, error) {
	if t == nil {
		return nil, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify} //nolint:gosec // opt-in for test servers
	if t.CACertPEM != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(t.CACertPEM)) {
			return nil, errors.New("store config: CA certificate is not valid PEM")
		}
		tc.RootCAs = pool
	}
	if t.ClientCertPEM != "" || t.ClientKeyPEM != "" {
		cert, err := tls.X509KeyPair([]byte(t.ClientCertPEM), []byte(t.ClientKeyPEM))
		if err != nil {
			return nil, fmt.Errorf("store config: client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}
