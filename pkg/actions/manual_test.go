package actions

import (
	"context"
	"errors"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// tableManual is ManualReplicas on pkg/control, the table's one writer, as the backend wires it
// (pkg/backend/manual.go); the tests read what it wrote back from control_rows.
type tableManual struct{ conn store.Conn }

func (m tableManual) SetManualReplicas(ctx context.Context, w Workload, replicas int32, by Actor) (ManualChange, error) {
	tbl := control.New(m.conn, nil).Audited(control.Owed{Action: ActionRecordManual, Role: by.Role})
	ch, err := tbl.SetManualReplicas(ctx, control.Key{Cluster: w.Cluster, Namespace: w.Namespace, Kind: w.Kind, Workload: w.Name}, replicas, by.User)
	if errors.Is(err, control.ErrNotFound) {
		return ManualChange{}, nil
	}
	if err != nil {
		return ManualChange{}, err
	}
	prev := int32(control.Unset)
	if ch.Before != nil {
		prev = ch.Before.Replicas.Manual
	}
	return ManualChange{Found: true, Previous: prev, Version: ch.After.Version}, nil
}
