package clustersettings

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// A save inserts the settings version, then its audit entry: two inserts with no transaction
// between them, as for control-table rows (pkg/control's reconcile.go). The version records the
// entry it owes (audit_action, audit_role; updated_by and updated_at are who and when), and
// AuditPass writes the entry of every owing version still stored that has none.

// owedVersion is a stored settings version that owes an audit entry.
type owedVersion struct {
	key, value, action, role, by string
	version                      uint64
	at                           time.Time
}

// AuditPass is an audit.Pass over the cluster settings: it writes the missing entry of every
// stored version that owes one and was saved in [since, until), marked audit.NoteRecordedLater,
// with the version before it (when still stored) as its before.
func AuditPass(ctx context.Context, conn store.Conn, log *audit.Log, since, until time.Time) ([]string, int, error) {
	owed, err := owedVersions(ctx, conn, since, until)
	if err != nil {
		return nil, 0, err
	}
	done, err := audit.RecordMissing(ctx, log, since, owed,
		func(v owedVersion) uuid.UUID { return audit.SettingsVersionID(v.key, v.version) },
		func(ctx context.Context, v owedVersion) (audit.Entry, error) {
			e := audit.Entry{At: v.at, User: v.by, Role: v.role, Action: v.action,
				Cluster: strings.TrimPrefix(v.key, Key("")), Target: v.key, After: json.RawMessage(v.value)}
			before, err := storedValue(ctx, conn, v.key, v.version-1)
			if before != "" {
				e.Before = json.RawMessage(before)
			}
			return e, err
		})
	recorded := make([]string, len(done))
	for i, v := range done {
		recorded[i] = fmt.Sprintf("%s version %d", v.key, v.version)
	}
	if err != nil {
		return recorded, len(owed), fmt.Errorf("reconciling the cluster settings' audit entries: %w", err)
	}
	return recorded, len(owed), nil
}

// owedVersions lists the cluster settings versions still stored that owe an entry and were
// saved in [since, until).
func owedVersions(ctx context.Context, conn store.Conn, since, until time.Time) ([]owedVersion, error) {
	if since.IsZero() {
		since = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) // the engine parses no parameter near the epoch
	}
	rows, err := conn.Query(ctx, `SELECT key, value, version, audit_action, audit_role, updated_by, updated_at
FROM settings
WHERE startsWith(key, {prefix:String}) AND audit_action != ''
  AND updated_at >= {since:DateTime64(3, 'UTC')} AND updated_at < {until:DateTime64(3, 'UTC')}
ORDER BY updated_at, key, version
LIMIT 1 BY key, version`, store.P("prefix", Key("")), store.P("since", since.UTC()), store.P("until", until.UTC()))
	if err != nil {
		return nil, fmt.Errorf("listing cluster settings versions that owe an audit entry: %w", err)
	}
	defer rows.Close()
	var out []owedVersion
	for rows.Next() {
		var v owedVersion
		if err := rows.Scan(&v.key, &v.value, &v.version, &v.action, &v.role, &v.by, &v.at); err != nil {
			return nil, fmt.Errorf("reading a cluster settings version that owes an audit entry: %w", err)
		}
		v.at = v.at.UTC()
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing cluster settings versions that owe an audit entry: %w", err)
	}
	return out, nil
}

// storedValue is the JSON of key's version, "" when it is not (or no longer) stored.
func storedValue(ctx context.Context, conn store.Conn, key string, version uint64) (string, error) {
	if version == 0 {
		return "", nil
	}
	rows, err := conn.Query(ctx, `SELECT value FROM settings WHERE key = {key:String} AND version = {version:UInt64} LIMIT 1`,
		store.P("key", key), store.P("version", version))
	if err != nil {
		return "", fmt.Errorf("reading %s version %d: %w", key, version, err)
	}
	defer rows.Close()
	var value string
	if rows.Next() {
		if err := rows.Scan(&value); err != nil {
			return "", fmt.Errorf("reading %s version %d: %w", key, version, err)
		}
	}
	return value, rows.Err()
}
