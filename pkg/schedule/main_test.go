//go:build parts

package schedule

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
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
	if testenv.Fuzzing() {
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "schedule tests cannot start:", err)
		return 1
	}
	var closeStore func()
	var err error
	if conn, closeStore, err = storetest.Open(ctx, "schedule"); err != nil {
		return fail(err)
	}
	defer closeStore()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
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
