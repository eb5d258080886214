package actions

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// ControlTable is a ManualReplicas on the store's control_rows table: it appends the workload's
// current row again with version + 1 and the new manual replicas (rows are versioned, never
// updated in place). It copies every column it does not change, so columns added by later
// migrations carry over. pkg/control owns the table; this is the minimal writer actions need.
//
// Writes are serialised within the process; ClickHouse has no transactions, so two backends
// writing the same row at the same instant could both take the same version (the later insert
// wins), as with any writer of this table.
type ControlTable struct {
	Conn store.Conn
	Now  func() time.Time
	mu   sync.Mutex
}

var _ ManualReplicas = (*ControlTable)(nil)

// SetManualReplicas implements ManualReplicas.
func (c *ControlTable) SetManualReplicas(ctx context.Context, w Workload, replicas int32, by Actor) (ManualChange, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := []store.Param{store.P("cluster", w.Cluster), store.P("namespace", w.Namespace), store.P("workload", w.Name)}
	rows, err := c.Conn.Query(ctx, `SELECT version, replicas_manual, deleted FROM control_rows
WHERE cluster = {cluster:String} AND namespace = {namespace:String} AND workload = {workload:String}
ORDER BY version DESC LIMIT 1`, key...)
	if err != nil {
		return ManualChange{}, fmt.Errorf("reading the control row of %s: %w", w, err)
	}
	var version uint64
	var prev int32
	var deleted uint8
	found := rows.Next()
	if found {
		err = rows.Scan(&version, &prev, &deleted)
	}
	if err == nil {
		err = rows.Err()
	}
	_ = rows.Close()
	if err != nil {
		return ManualChange{}, fmt.Errorf("reading the control row of %s: %w", w, err)
	}
	if !found || deleted != 0 {
		return ManualChange{}, nil
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	params := append(key, store.P("version", version), store.P("replicas", replicas), store.P("by", by.User), store.P("at", now().UTC()),
		store.P("action", ActionRecordManual), store.P("role", by.Role))
	// The filter sits in a subquery: in ClickHouse a SELECT alias (version + 1 AS version)
	// shadows the column in the same query's WHERE.
	err = c.Conn.Exec(ctx, `INSERT INTO control_rows
SELECT * REPLACE (
    version + 1 AS version,
    {replicas:Int32} AS replicas_manual,
    {by:String} AS updated_by,
    {at:DateTime64(3, 'UTC')} AS updated_at,
    {action:String} AS audit_action,
    {role:String} AS audit_role
)
FROM (
    SELECT * FROM control_rows
    WHERE cluster = {cluster:String} AND namespace = {namespace:String} AND workload = {workload:String}
      AND version = {version:UInt64}
    LIMIT 1
)
`, params...)
	if err != nil {
		return ManualChange{}, fmt.Errorf("writing manual replicas %d for %s: %w", replicas, w, err)
	}
	return ManualChange{Found: true, Previous: prev, Version: version + 1}, nil
}
