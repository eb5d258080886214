package plugin_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	kdbackend "github.com/kubedoor/kubedoor-grafana/pkg/backend"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// NewFactory refuses to build app instances on missing parts, so no route finds its part
// absent at request time.
func TestNewFactory(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	svc := service.New(log, func(context.Context, settings.App) (store.Conn, int, error) {
		return nil, 0, service.ErrStoreUnavailable
	}, "test")
	full := kdbackend.Assemble(svc, log, time.Now()).Deps()

	t.Run("the composition root's parts are complete", func(t *testing.T) {
		if _, err := plugin.NewFactory(full); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("empty parts are refused naming every required one", func(t *testing.T) {
		_, err := plugin.NewFactory(plugin.Deps{})
		want := "Collections, Engine, Log, Nodes, Operations, Pods, Service"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v; want it to name %s", err, want)
		}
	})
	t.Run("one missing part is named alone", func(t *testing.T) {
		d := full
		d.Pods = nil
		_, err := plugin.NewFactory(d)
		if err == nil || !strings.HasSuffix(err.Error(), ": Pods") {
			t.Fatalf("error %v; want it to name Pods only", err)
		}
	})
	t.Run("the optional parts may be nil", func(t *testing.T) {
		d := full
		d.Published, d.Notifier, d.Replays, d.MissingNamespaces = nil, nil, nil, nil
		if _, err := plugin.NewFactory(d); err != nil {
			t.Fatal(err)
		}
	})
}
