// Command gpx_kubedoor is KubeDoor's Grafana backend plugin.
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/app"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/build/buildinfo"

	"github.com/kubedoor/kubedoor-grafana/pkg/backend"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
)

func main() {
	logger := plugin.NewLogger(log.DefaultLogger)
	version := "dev"
	if bi, err := buildinfo.GetBuildInfo.GetInfo(); err == nil && bi.Version != "" {
		version = bi.Version
	}
	b := backend.Start(logger, version)
	err := app.Manage(plugin.ID, b.InstanceFactory(), app.ManageOpts{})
	b.Stop()
	if err != nil {
		logger.Error("plugin stopped", "error", err)
		os.Exit(1)
	}
}
