// Command testbed runs the local Kubernetes control plane of internal/testenv for the demo and
// for humans:
//
//	go run ./internal/testenv/cmd/testbed up [-dir DIR] [-nodes N] [-kwok-config FILE]...
//
// It starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok with N fake
// nodes, writes DIR/env (KEY=VALUE lines: KUBECONFIG, APISERVER, …; load it in a shell with
// `set -a; . DIR/env; set +a`), prints the kubeconfig path on stdout and runs until SIGINT or
// SIGTERM, then stops everything and removes DIR/env. DIR defaults to .run/testbed under the
// repository root.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := stopWithParent()
	if err == nil {
		err = run(ctx, os.Args[1:], os.Stdout, log)
	}
	cancel()
	if err != nil {
		log.Error("testbed failed", "err", err)
		os.Exit(1)
	}
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// run starts the testbed and blocks until ctx ends, then stops it.
func run(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	if len(args) == 0 || args[0] != "up" {
		return errors.New("usage: testbed up [-dir DIR] [-nodes N] [-timeout D] [-kwok-config FILE]... [-keep]")
	}
	fs := flag.NewFlagSet("testbed up", flag.ContinueOnError)
	dir := fs.String("dir", "", "state folder for env, pid and the cluster's run dir (default <repo>/.run/testbed)")
	nodes := fs.Int("nodes", 3, "number of fake kwok nodes")
	timeout := fs.Duration("timeout", 90*time.Second, "health wait per component")
	keep := fs.Bool("keep", false, "keep the run dir (logs, etcd data, PKI) after stopping")
	var kwokConfigs listFlag
	fs.Var(&kwokConfigs, "kwok-config", "extra kwok --config file, e.g. a Metric (repeatable)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *dir == "" {
		root, err := repoRoot()
		if err != nil {
			return err
		}
		*dir = filepath.Join(root, ".run", "testbed")
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", *dir, err)
	}
	pidFile, envFile := filepath.Join(*dir, "pid"), filepath.Join(*dir, "env")
	if err := refuseIfRunning(pidFile); err != nil {
		return err
	}

	opts := testenv.FullCluster(*nodes)
	opts.RunDir = filepath.Join(*dir, "run")
	opts.StartTimeout, opts.Keep, opts.KwokConfigs, opts.Logger = *timeout, *keep, kwokConfigs, log
	kube, err := testenv.StartKube(ctx, opts)
	if err != nil {
		return err
	}
	defer func() {
		if err := kube.Stop(); err != nil {
			log.Error("stopping", "err", err)
		}
		_ = os.Remove(envFile)
		_ = os.Remove(pidFile)
	}()

	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return fmt.Errorf("writing pid file: %w", err)
	}
	// Scripts poll for the env file: it must appear complete, hence write-then-rename.
	if err := os.WriteFile(envFile+".tmp", []byte(envLines(kube)), 0o644); err != nil {
		return fmt.Errorf("writing env file: %w", err)
	}
	if err := os.Rename(envFile+".tmp", envFile); err != nil {
		return fmt.Errorf("writing env file: %w", err)
	}
	log.Info("testbed up; stop with Ctrl-C or SIGTERM", "env", envFile, "kubeconfig", kube.Kubeconfig,
		"kubectl", filepath.Join(kube.BinDir, "kubectl"))
	fmt.Fprintln(stdout, kube.Kubeconfig)
	<-ctx.Done()
	log.Info("stopping", "cause", context.Cause(ctx))
	return nil
}

// envLines are plain KEY=VALUE lines so both shells (set -a; .) and env-file readers take them.
func envLines(k *testenv.Kube) string {
	var b strings.Builder
	for _, kv := range [][2]string{
		{"KUBECONFIG", k.Kubeconfig},
		{"APISERVER", k.APIServerURL},
		{"CA_CERT", k.CACertFile},
		{"CA_KEY", k.CAKeyFile},
		{"TOKEN", k.AdminToken},
		{"ETCD", k.EtcdURL},
		{"KWOK", k.KwokURL},
		{"KUBE_BIN", k.BinDir},
		{"RUN_DIR", k.RunDir},
		{"LOG_DIR", k.LogDir},
	} {
		fmt.Fprintf(&b, "%s=%s\n", kv[0], kv[1])
	}
	return b.String()
}

// refuseIfRunning stops a second `up` on the same dir, which would wipe the live cluster's run dir.
func refuseIfRunning(pidFile string) error {
	data, err := os.ReadFile(pidFile)
	if err != nil {
		return nil //nolint:nilerr // no pid file: nothing running
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return nil //nolint:nilerr // garbage pid file: treat as stale
	}
	if syscall.Kill(pid, 0) == nil {
		return fmt.Errorf("a testbed is already running from this folder (pid %d, %s)", pid, pidFile)
	}
	return nil
}

// repoRoot walks up from the working directory to the folder holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding working directory: %w", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s: pass -dir", dir)
		}
	}
}
