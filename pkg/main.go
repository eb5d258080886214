// Command gpx_kubedoor is KubeDoor's Grafana backend plugin.
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/app"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/kubedoor/kubedoor-grafana/internal/version"
	"github.com/kubedoor/kubedoor-grafana/pkg/backend"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
)

func main() {
	logger := plugin.NewLogger(log.DefaultLogger)
	logger.Info("KubeDoor backend starting", "version", version.String())
	b := backend.Start(logger, version.String())
	factory, err := b.InstanceFactory()
	if err == nil {
		err = app.Manage(plugin.ID, factory, app.ManageOpts{})
	}
	b.Stop()
	if err != nil {
		logger.Error("plugin stopped", "error", err)
		os.Exit(1)
	}
}
