package schedule

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Store and runner tests use the embedded ClickHouse engine; lease tests a real kube-apiserver.
var (
	conn       store.Conn
	kubeEnv    *testenv.Kube
	kubeconfig string
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	// Fuzzing (-fuzz, and its workers) exercises pure functions only: spare it the parts.
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		return m.Run()
	}
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "schedule tests cannot start:", err)
		return 1
	}
	lib, err := testenv.LibCHDB()
	if err != nil {
		return fail(err)
	}
	dir, err := os.MkdirTemp("", "kubedoor-schedule-test-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	conn, err = store.Open(ctx, store.Config{DataDir: dir, LibraryPath: lib, Database: "kubedoor", Logger: log})
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	if _, err := store.Migrate(ctx, conn, store.MigrateOptions{Logger: log}); err != nil {
		return fail(err)
	}
	kubeEnv, err = testenv.StartKube(ctx, testenv.KubeOptions{Logger: log})
	if err != nil {
		return fail(err)
	}
	defer kubeEnv.Stop()
	b, err := os.ReadFile(kubeEnv.Kubeconfig)
	if err != nil {
		return fail(err)
	}
	kubeconfig = string(b)
	return m.Run()
}
