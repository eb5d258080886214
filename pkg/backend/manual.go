package backend

import (
	"context"
	"errors"
	"log/slog"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// controlManual records a scale's replicas in the control table (actions.ManualReplicas)
// through pkg/control, the table's one writer.
type controlManual struct {
	conn store.Conn
	log  *slog.Logger
}

func (m controlManual) SetManualReplicas(ctx context.Context, w actions.Workload, replicas int32, by actions.Actor) (actions.ManualChange, error) {
	tbl := control.New(m.conn, m.log).Audited(control.Owed{Action: actions.ActionRecordManual, Role: by.Role})
	ch, err := tbl.SetManualReplicas(ctx, control.Key{Cluster: w.Cluster, Namespace: w.Namespace, Kind: w.Kind, Workload: w.Name}, replicas, by.User)
	if err != nil {
		if errors.Is(err, control.ErrNotFound) {
			return actions.ManualChange{}, nil
		}
		return actions.ManualChange{}, err
	}
	previous := int32(control.Unset)
	if ch.Before != nil {
		previous = ch.Before.Replicas.Manual
	}
	return actions.ManualChange{Found: true, Previous: previous, Version: ch.After.Version}, nil
}
