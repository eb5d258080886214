// Command gpx_kubedoor is KubeDoor's Grafana backend plugin.
package main

import (
	"context"
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/app"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/build/buildinfo"

	"github.com/kubedoor/kubedoor-grafana/pkg/collect"
	"github.com/kubedoor/kubedoor-grafana/pkg/jobs"
	"github.com/kubedoor/kubedoor-grafana/pkg/operations"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

func main() {
	logger := plugin.NewLogger(log.DefaultLogger)
	version := "dev"
	if bi, err := buildinfo.GetBuildInfo.GetInfo(); err == nil && bi.Version != "" {
		version = bi.Version
	}
	// The service starts with the process, on the embedded default, so background work does not
	// wait for Grafana to create an app instance; the first instance applies the saved settings.
	svc := service.New(logger, service.OpenStore(logger), version)
	initial := settings.Default()
	if boot, err := service.DefaultBootstrap(); err != nil {
		logger.Warn("no place to persist settings", "error", err)
	} else {
		if initial, err = boot.Load(); err != nil {
			logger.Warn("persisted settings unusable; starting on the defaults", "error", err)
		}
		svc.PersistTo(boot)
	}
	if err := svc.Apply(context.Background(), initial); err != nil {
		logger.Warn("initial settings applied with problems", "error", err)
	}
	defer func() { _ = svc.Close() }()

	ctx, stop := context.WithCancel(context.Background())
	defer stop()

	// Collection jobs and the daily collection live as long as the process. The control-table
	// deriver is wired here once it exists (jobs.Deriver); until then jobs only collect.
	collections := jobs.NewManager(ctx, svc, nil, collect.Options{Logger: logger}, logger)
	svc.Go(ctx, &jobs.Daily{Manager: collections, Log: logger})

	// Operations (notification delivery, the schedule runner and its leases) run for the whole
	// process. The other areas' parts (control table, publisher) are wired in Deps.
	ops := operations.New(svc, operations.Options{Log: logger,
		Deps: operations.Deps{Collector: collections, LastCollection: collections}})
	ops.Start(ctx)

	if err := app.Manage(plugin.ID, plugin.NewFactory(svc, logger, plugin.WithOperations(ops), plugin.WithCollections(collections)), app.ManageOpts{}); err != nil {
		logger.Error("plugin stopped", "error", err)
		os.Exit(1)
	}
}
