package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubedoor/kubedoor-grafana/internal/demofleet"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
)

// clusterName is the browser run's cluster; its workloads are internal/demofleet's.
const clusterName = "demo"

// startPrometheus loads the history into a fresh Prometheus.
func startPrometheus(ctx context.Context, days int, log *slog.Logger) (*testenv.PromServer, error) {
	var parts []io.WriterTo
	for _, p := range demofleet.Scenario(clusterName, time.Now(), days).Parts(1, true) {
		parts = append(parts, p)
	}
	return testenv.StartPrometheus(ctx, testenv.PromOptions{Parts: parts, Logger: log})
}

// deploy installs the CapacityPolicy CRD (so the backend can publish), creates the workloads'
// fleet (internal/demofleet) and waits until it is ready.
func deploy(ctx context.Context, cfg *rest.Config, cs kubernetes.Interface) error {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("dynamic client: %w", err)
	}
	if err := crd.Install(ctx, dyn); err != nil {
		return err
	}
	return demofleet.Deploy(ctx, cs)
}
