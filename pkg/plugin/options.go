package plugin

import (
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/jobs"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/operations"
)

// Option adds a process-wide part to the app instances a factory builds.
type Option func(*App)

// WithOperations gives the instances the actions, schedules, notifications and health parts;
// without it those routes answer 503.
func WithOperations(o *operations.Operations) Option {
	return func(a *App) { a.ops = o }
}

// WithCollections gives the instances the process's collection-job manager (jobs run on the
// process's context, not on the request that started them); without it those routes answer 503.
func WithCollections(m *jobs.Manager) Option {
	return func(a *App) { a.jobs = m }
}

// WithControlPublished is told the cluster after every accepted control-table write, so the
// cluster's CapacityPolicies get published (e.g. control.PublishedFunc(publisher.Trigger)).
func WithControlPublished(p control.Published) Option {
	return func(a *App) { a.published = p }
}

// WithNotifier is told about switches of namespace enforcement (and other events the routes
// see); without it they are only logged and audited.
func WithNotifier(n notify.Notifier) Option {
	return func(a *App) { a.notifier = n }
}
