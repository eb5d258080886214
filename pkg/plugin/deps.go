package plugin

import (
	"context"
	"log/slog"

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
// once and passes them here together. Tests of one route area may leave the others nil.
type Deps struct {
	Service *service.Service // required
	Log     *slog.Logger     // required
	// Operations: actions, schedules, notifications and health (nil: those routes answer 503).
	Operations Operations
	// Collections: the collection-job manager; jobs run on the process's context, not on the
	// request that started them (nil: those routes answer 503).
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
	// Engine fetches the embedded engine when an Admin asks (nil: v1/engine/fetch answers 503).
	Engine *engine.Fetcher
	// Nodes computes the node capacity view (nil: v1/clusters/{cluster}/nodes answers 503).
	Nodes *nodes.Service
	// Pods lists and acts on workloads' pods (nil: the pod routes answer 503).
	Pods *pods.Service
	// MissingNamespaces gives, per namespace of a cluster that the publisher found missing, the
	// note its control-table rows show (publish.Worker.MissingNamespaces); nil: none shown.
	MissingNamespaces func(cluster string) map[string]string
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
