package control

import (
	"context"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// Published is told that a write to a cluster's control table was accepted, so that the
// cluster's CapacityPolicies are published again. It must return quickly (queue the work).
type Published interface {
	Published(cluster string)
}

// PublishedFunc adapts a function, such as a publisher's Trigger, to Published.
type PublishedFunc func(cluster string)

// Published calls f.
func (f PublishedFunc) Published(cluster string) { f(cluster) }

// Policies returns the CapacityPolicies a cluster's current rows publish, one per workload
// under control (removed rows have none), ordered by namespace and workload.
func (t *Table) Policies(ctx context.Context, cluster string) ([]v1alpha1.CapacityPolicy, error) {
	rows, _, err := t.Current(ctx, cluster, Filter{})
	if err != nil {
		return nil, err
	}
	out := make([]v1alpha1.CapacityPolicy, len(rows))
	for i, r := range rows {
		out[i] = r.Policy()
	}
	return out, nil
}
