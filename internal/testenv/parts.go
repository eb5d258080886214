// Package testenv finds and starts the real parts the tests run against: the ClickHouse engine
// (libchdb), Prometheus, and a local Kubernetes control plane. Parts are built or fetched by the
// scripts in scripts/ (see `go tool mage deps`) into a cache folder and found here by path.
//
// A part that cannot be found is an error with the command that provides it: tests that need a
// part fail rather than skip, so a CI run can never pass without having exercised it.
package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Versions of the parts; the cache folders are keyed on them so a version bump rebuilds.
const (
	CHDBVersion = "26.5.3"
	K8sVersion  = "1.34.4"
	EtcdVersion = "3.6.16"
	KwokVersion = "0.8.0"
	// Prometheus3Version is the current Prometheus the collector's tests run against beside
	// Debian's 2.42; scripts/build-prometheus3.sh reads it from here.
	Prometheus3Version = "3.16.0"
)

// CacheDir is where built and fetched parts live: $KUBEDOOR_CACHE, else ~/.cache/kubedoor.
func CacheDir() string {
	if d := os.Getenv("KUBEDOOR_CACHE"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "kubedoor-cache")
	}
	return filepath.Join(home, ".cache", "kubedoor")
}

// LibCHDB returns the path of libchdb.so: $KUBEDOOR_LIBCHDB, else the cached copy.
func LibCHDB() (string, error) {
	if p := os.Getenv("KUBEDOOR_LIBCHDB"); p != "" {
		return existing(p, "KUBEDOOR_LIBCHDB")
	}
	return existing(filepath.Join(CacheDir(), "chdb", CHDBVersion, "libchdb.so"),
		"scripts/fetch-libchdb.sh (or `go tool mage deps`)")
}

// EngineTarball is the cached engine package tarball (scripts/fetch-libchdb.sh keeps it, verified
// against pkg/engine's pinned checksum), which the engine download test serves as its mirror.
func EngineTarball() string {
	return filepath.Join(CacheDir(), "chdb", CHDBVersion, "engine.tgz")
}

// KubeBinDir returns the folder holding etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, kubectl and kwok: $KUBEDOOR_KUBE_BIN, else the cached build.
func KubeBinDir() (string, error) {
	if p := os.Getenv("KUBEDOOR_KUBE_BIN"); p != "" {
		return existing(p, "KUBEDOOR_KUBE_BIN")
	}
	dir := filepath.Join(CacheDir(), "testbed",
		fmt.Sprintf("k8s-%s-etcd-%s-kwok-%s", K8sVersion, EtcdVersion, KwokVersion))
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err != nil {
		return "", fmt.Errorf("kubernetes testbed binaries not built in %s: run scripts/build-testbed.sh (or `go tool mage deps`)", dir)
	}
	return dir, nil
}

// Prometheus returns the prometheus and promtool executables: $KUBEDOOR_PROMETHEUS (a folder
// holding both), else the ones on PATH (Debian package `prometheus`).
func Prometheus() (prometheus, promtool string, err error) {
	if dir := os.Getenv("KUBEDOOR_PROMETHEUS"); dir != "" {
		if prometheus, err = existing(filepath.Join(dir, "prometheus"), "KUBEDOOR_PROMETHEUS"); err != nil {
			return "", "", err
		}
		promtool, err = existing(filepath.Join(dir, "promtool"), "KUBEDOOR_PROMETHEUS")
		return prometheus, promtool, err
	}
	const hint = "install it: apt-get install -y prometheus (or `go tool mage deps`)"
	if prometheus, err = exec.LookPath("prometheus"); err != nil {
		return "", "", fmt.Errorf("prometheus not found on PATH: %s", hint)
	}
	if promtool, err = exec.LookPath("promtool"); err != nil {
		return "", "", fmt.Errorf("promtool not found on PATH: %s", hint)
	}
	return prometheus, promtool, nil
}

// Prometheus3Dir is the cached build of Prometheus3Version (scripts/build-prometheus3.sh).
func Prometheus3Dir() string {
	return filepath.Join(CacheDir(), "prometheus-"+Prometheus3Version)
}

// Prometheus3 returns the prometheus and promtool executables of the cached Prometheus 3 build;
// $KUBEDOOR_PROMETHEUS does not apply to it.
func Prometheus3() (prometheus, promtool string, err error) {
	dir := Prometheus3Dir()
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err != nil {
		return "", "", fmt.Errorf("prometheus %s not built in %s: run scripts/build-prometheus3.sh (or `go tool mage deps`)",
			Prometheus3Version, dir)
	}
	return filepath.Join(dir, "prometheus"), filepath.Join(dir, "promtool"), nil
}

func existing(path, hint string) (string, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("%s not found: %s", path, hint)
		}
		return "", fmt.Errorf("checking %s: %w", path, err)
	}
	return path, nil
}
