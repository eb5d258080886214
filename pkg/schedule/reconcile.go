package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// owedVersion is a schedule's newest version that owes an audit entry.
type owedVersion struct {
	id, cluster, action, role, by string
	version                       uint64
	at                            time.Time
	deleted                       bool
}

// AuditPass is an audit.Pass over the schedules: it writes the missing entry of every schedule
// whose newest version owes one (see Store.Audited) and was written in [since, until).
func AuditPass(ctx context.Context, conn store.Conn, log *audit.Log, since, until time.Time) ([]string, int, error) {
	owed, err := owedVersions(ctx, conn, since, until)
	if err != nil {
		return nil, 0, err
	}
	st := NewStore(conn)
	done, err := audit.RecordMissing(ctx, log, since, owed,
		func(v owedVersion) uuid.UUID { return audit.ScheduleVersionID(v.id, v.version) },
		func(ctx context.Context, v owedVersion) (audit.Entry, error) {
			e := audit.Entry{At: v.at, User: v.by, Role: v.role, Action: v.action, Cluster: v.cluster, Target: "schedule/" + v.id}
			if v.deleted {
				e.After = map[string]any{"version": v.version, "deleted": true}
				return e, nil
			}
			sc, err := st.Get(ctx, v.id)
			if err != nil {
				return e, fmt.Errorf("reading schedule %s for its lost audit entry: %w", v.id, err)
			}
			e.After = sc
			return e, nil
		})
	recorded := make([]string, len(done))
	for i, v := range done {
		recorded[i] = fmt.Sprintf("schedule %s version %d", v.id, v.version)
	}
	if err != nil {
		return recorded, len(owed), fmt.Errorf("reconciling the schedules' audit entries: %w", err)
	}
	return recorded, len(owed), nil
}

func owedVersions(ctx context.Context, conn store.Conn, since, until time.Time) ([]owedVersion, error) {
	if since.IsZero() {
		since = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) // the engine parses no parameter near the epoch
	}
	rows, err := conn.Query(ctx, `SELECT toString(id), version, cluster, audit_action, audit_role, updated_by, updated_at, deleted
FROM schedules FINAL
WHERE audit_action != '' AND updated_at >= {since:DateTime64(3, 'UTC')} AND updated_at < {until:DateTime64(3, 'UTC')}
ORDER BY updated_at, id`, store.P("since", since.UTC()), store.P("until", until.UTC()))
	if err != nil {
		return nil, fmt.Errorf("listing schedule versions that owe an audit entry: %w", err)
	}
	defer rows.Close()
	var out []owedVersion
	for rows.Next() {
		var v owedVersion
		var deleted uint8
		if err := rows.Scan(&v.id, &v.version, &v.cluster, &v.action, &v.role, &v.by, &v.at, &deleted); err != nil {
			return nil, fmt.Errorf("reading a schedule version that owes an audit entry: %w", err)
		}
		v.at, v.deleted = v.at.UTC(), deleted != 0
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing schedule versions that owe an audit entry: %w", err)
	}
	return out, nil
}
