package plugin

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/clusterhealth"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/engine"
	"github.com/kubedoor/kubedoor-grafana/pkg/jobs"
	"github.com/kubedoor/kubedoor-grafana/pkg/nodes"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/pods"
	"github.com/kubedoor/kubedoor-grafana/pkg/resize"
	"github.com/kubedoor/kubedoor-grafana/pkg/savings"
	"github.com/kubedoor/kubedoor-grafana/pkg/schedule"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
)

// Deps are the process-wide parts the app instances serve from; pkg/backend builds them all
// once and passes them here together. NewFactory refuses Deps missing a required part, so no
// route can find its part absent at request time; the optional ones say what nil means.
type Deps struct {
	Service *service.Service // required
	Log     *slog.Logger     // required
	// Operations: actions, schedules, notifications and health (required).
	Operations Operations
	// Collections: the collection-job manager; jobs run on the process's context, not on the
	// request that started them (required).
	Collections *jobs.Manager
	// Published is told the cluster after every accepted control-table write, so the cluster's
	// CapacityPolicies get published (e.g. control.PublishedFunc(publisher.Trigger)).
	Published control.Published
	// Notifier is told about switches of namespace enforcement (and other events the routes
	// see); nil: they are only logged and audited.
	Notifier notify.Notifier
	// Replays is the recommendations' cache, which the backend also warms after each
	// derivation; nil: each app instance keeps its own.
	Replays *savings.Cache
	// Engine fetches the embedded engine when an Admin asks (required).
	Engine *engine.Fetcher
	// Nodes computes the node capacity view (required).
	Nodes *nodes.Service
	// Pods lists and acts on workloads' pods (required).
	Pods *pods.Service
	// MissingNamespaces gives, per namespace of a cluster that the publisher found missing, the
	// note its control-table rows show (publish.Worker.MissingNamespaces); nil: none shown.
	MissingNamespaces func(cluster string) map[string]string
}

// check names the required parts d lacks.
func (d Deps) check() error {
	var missing []string
	for name, absent := range map[string]bool{
		"Service": d.Service == nil, "Log": d.Log == nil, "Operations": d.Operations == nil,
		"Collections": d.Collections == nil, "Engine": d.Engine == nil, "Nodes": d.Nodes == nil, "Pods": d.Pods == nil,
	} {
		if absent {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return fmt.Errorf("plugin: Deps lacks required parts: %s", strings.Join(missing, ", "))
}

// Operations builds, on the parts in force (a snapshot), what the actions, resize, schedule,
// notification-test and cluster-health routes run; pkg/backend builds the one the schedule
// runner uses too, so both act the same way.
type Operations interface {
	Actions(snap service.Snapshot) *actions.Runner
	Resizer(snap service.Snapshot) *resize.Runner
	Schedules(snap service.Snapshot) *schedule.Manager
	// TestChannel sends a test message through notification channel id (notify.ErrNoChannel:
	// no such channel).
	TestChannel(ctx context.Context, id, by string) (notify.TestResult, error)
	// Health checks cluster; ok=false when no such cluster is configured.
	Health(ctx context.Context, snap service.Snapshot, cluster string) (h clusterhealth.Health, ok bool)
}
