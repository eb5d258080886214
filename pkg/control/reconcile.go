package control

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Why audit entries are reconciled from the versions.
//
// A person's write inserts the version, then its audit entry: two inserts into two tables with
// no transaction between them, so a crash (kill -9, OOM, a node lost) or a store refusing the
// second insert leaves a version without its entry. The version itself says which entry it
// owes (Owed: action and role; updated_by and updated_at are who and when), and the entry's
// ID is derived from the version (audit.ControlVersionID). ReconcileAudit writes the entry of
// every owing version that has none, marked audit.NoteRecordedLater. Running it again adds
// nothing, and should a writer still record its own entry afterwards (another backend caught
// between its two inserts), readers show one entry per ID.

// AuditReport is what one ReconcileAudit pass did.
type AuditReport struct {
	Owed     int          // versions in the window that owe an entry
	Recorded []KeyVersion // versions whose entry this pass wrote
}

// KeyVersion names one version of a row.
type KeyVersion struct {
	Key
	Version uint64
}

// ReconcileAudit writes the missing audit entry of every version that owes one and was
// written in [since, until) (zero since: from the beginning).
func (t *Table) ReconcileAudit(ctx context.Context, log *audit.Log, since, until time.Time) (AuditReport, error) {
	owed, err := t.owedVersions(ctx, since, until)
	if err != nil {
		return AuditReport{}, err
	}
	done, err := audit.RecordMissing(ctx, log, since, owed,
		func(v owedVersion) uuid.UUID { return v.key.AuditID(v.version) },
		func(ctx context.Context, v owedVersion) (audit.Entry, error) {
			return t.owedEntry(ctx, v.key, v.version)
		})
	rep := AuditReport{Owed: len(owed), Recorded: make([]KeyVersion, len(done))}
	for i, v := range done {
		rep.Recorded[i] = KeyVersion{v.key, v.version}
	}
	if err != nil {
		return rep, fmt.Errorf("reconciling the control table's audit entries: %w", err)
	}
	return rep, nil
}

type owedVersion struct {
	key     Key
	version uint64
}

// owedVersions lists the versions readers see (the smallest write_id of a version) that owe
// an entry and were written in [since, until).
func (t *Table) owedVersions(ctx context.Context, since, until time.Time) ([]owedVersion, error) {
	// The inner query finds the few versions a person wrote; the middle one takes, for each,
	// the row readers see, which owes nothing if a derivation won a race for that version.
	rows, err := t.conn.Query(ctx, `SELECT cluster, namespace, kind, workload, version FROM (
    SELECT cluster, namespace, kind, workload, version, audit_action FROM control_rows
    WHERE (cluster, namespace, kind, workload, version) IN (
        SELECT cluster, namespace, kind, workload, version FROM control_rows
        WHERE audit_action != '' AND updated_at >= {since:DateTime64(3, 'UTC')} AND updated_at < {until:DateTime64(3, 'UTC')})
    ORDER BY cluster, namespace, kind, workload, version, write_id
    LIMIT 1 BY cluster, namespace, kind, workload, version)
WHERE audit_action != ''
ORDER BY cluster, namespace, kind, workload, version`,
		store.P("since", laterOf(since, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).UTC()), store.P("until", until.UTC()))
	if err != nil {
		return nil, fmt.Errorf("listing control versions that owe an audit entry: %w", err)
	}
	defer rows.Close()
	var out []owedVersion
	for rows.Next() {
		var v owedVersion
		if err := rows.Scan(&v.key.Cluster, &v.key.Namespace, &v.key.Kind, &v.key.Workload, &v.version); err != nil {
			return nil, fmt.Errorf("reading a control version that owes an audit entry: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing control versions that owe an audit entry: %w", err)
	}
	return out, nil
}

// laterOf returns the later of a and b (the engine parses no parameter near the epoch).
func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// owedEntry is version's entry, from the version and the one before it.
func (t *Table) owedEntry(ctx context.Context, k Key, version uint64) (audit.Entry, error) {
	row, err := t.version(ctx, k, version)
	if err != nil {
		return audit.Entry{}, err
	}
	e := audit.Entry{At: row.UpdatedAt, User: row.UpdatedBy, Role: row.owed.Role, Action: row.owed.Action,
		Cluster: k.Cluster, Target: k.Target(), After: row}
	if version > 1 {
		before, err := t.version(ctx, k, version-1)
		if err != nil {
			return audit.Entry{}, err
		}
		e.Before = before
	}
	return e, nil
}

// version reads one version of a row as readers see it.
func (t *Table) version(ctx context.Context, k Key, version uint64) (Row, error) {
	rows, err := t.query(ctx, fmt.Sprintf("reading control row %s version %d", k, version),
		"SELECT "+strings.Join(quoted(columns), ", ")+" FROM control_rows WHERE "+keyWhere+
			" AND version = {version:UInt64} ORDER BY write_id ASC LIMIT 1",
		append(keyParams(k), store.P("version", version))...)
	if err != nil {
		return Row{}, err
	}
	if len(rows) == 0 {
		return Row{}, fmt.Errorf("%w: %s version %d", ErrNotFound, k, version)
	}
	return rows[0], nil
}

// AuditPass is ReconcileAudit as an audit.Pass.
func AuditPass(ctx context.Context, conn store.Conn, log *audit.Log, since, until time.Time) ([]string, int, error) {
	rep, err := New(conn, nil).ReconcileAudit(ctx, log, since, until)
	lines := make([]string, len(rep.Recorded))
	for i, k := range rep.Recorded {
		lines[i] = fmt.Sprintf("%s version %d", k.Key, k.Version)
	}
	return lines, rep.Owed, err
}
