// Package snapshot holds the value every part works from: the store, the settings and the
// clients in force at one moment. It is a leaf so the business packages can take snapshots from
// whatever source the composition root (pkg/backend) hands them, without importing the process
// core (pkg/service) that produces them.
package snapshot

import (
	"github.com/kubedoor/kubedoor-grafana/pkg/kube"
	"github.com/kubedoor/kubedoor-grafana/pkg/prom"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Snapshot is what handlers and background workers use for one piece of work: the store, the
// settings and the Prometheus clients in force when it was taken.
type Snapshot struct {
	Conn       store.Conn
	App        settings.App
	Prometheus map[string]prom.Client // by cluster name
	Kube       *kube.Clients          // client-go clients per cluster, from App.Clusters
}
