// Package audit records who changed what, when, and with what result, in the store's append-only
// audit_log table, and reads it back with filters. Every write the API accepts or refuses is
// recorded; the log is the product's answer to "who did this?".
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Results.
const (
	ResultOK     = "ok"
	ResultDenied = "denied" // refused for lack of a role
	ResultFailed = "failed" // accepted but did not work
)

// Entry is one audited event. Before and After are marshalled to JSON (nil = empty).
type Entry struct {
	ID      uuid.UUID `json:"id"`
	At      time.Time `json:"at"`
	User    string    `json:"user"`
	Role    string    `json:"role"`
	Action  string    `json:"action"`
	Cluster string    `json:"cluster"`
	Target  string    `json:"target"`
	Before  any       `json:"before"`
	After   any       `json:"after"`
	Result  string    `json:"result"`
	Error   string    `json:"error"`
	// Note says how the entry came to be when it was not written by the action itself (see
	// NoteRecordedLater).
	Note string `json:"note"`
}

// NoteRecordedLater marks an entry written from a stored version whose own entry was lost.
const NoteRecordedLater = "recorded later from the stored version: the backend stopped (or the store refused the entry) " +
	"between writing the version and its audit entry"

// versionIDs is the UUIDv5 namespace of the entries that audit one stored version.
var versionIDs = uuid.MustParse("6f1d3c2a-5b7e-4e0a-9c41-8d2f0a7b3e15")

// ControlVersionID is the ID of the one entry that audits version of a control-table row.
// The writer and the start-up reconciliation (control.ReconcileAudit) both use it, so the
// entry can be looked up from the row, and readers never show two entries for one version.
func ControlVersionID(cluster, namespace, workload string, version uint64) uuid.UUID {
	return uuid.NewSHA1(versionIDs, []byte(fmt.Sprintf("control\x00%s\x00%s\x00%s\x00%d", cluster, namespace, workload, version)))
}

// ScheduleVersionID is the ID of the one entry that audits version of schedule id.
func ScheduleVersionID(id string, version uint64) uuid.UUID {
	return uuid.NewSHA1(versionIDs, []byte(fmt.Sprintf("schedule\x00%s\x00%d", id, version)))
}

// SettingsVersionID is the ID of the one entry that audits version of the settings stored under
// key (a cluster's: "cluster/<name>").
func SettingsVersionID(key string, version uint64) uuid.UUID {
	return uuid.NewSHA1(versionIDs, []byte(fmt.Sprintf("settings\x00%s\x00%d", key, version)))
}

// Log writes and reads audit entries.
type Log struct {
	conn store.Conn
	now  func() time.Time
}

// New returns a Log on conn.
func New(conn store.Conn) *Log { return &Log{conn: conn, now: time.Now} }

var columns = []string{"id", "at", "user_login", "user_role", "action", "cluster", "target",
	"before_json", "after_json", "result", "error", "note"}

// Record appends e, filling ID and At when zero.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if e.ID == uuid.Nil {
		e.ID = uuid.New()
	}
	if e.At.IsZero() {
		e.At = l.now()
	}
	if e.Result == "" {
		e.Result = ResultOK
	}
	before, err := marshal(e.Before)
	if err != nil {
		return fmt.Errorf("audit %s: before: %w", e.Action, err)
	}
	after, err := marshal(e.After)
	if err != nil {
		return fmt.Errorf("audit %s: after: %w", e.Action, err)
	}
	row := []any{e.ID, e.At.UTC(), e.User, e.Role, e.Action, e.Cluster, e.Target, before, after, e.Result, e.Error, e.Note}
	if err := l.conn.Insert(ctx, "audit_log", columns, [][]any{row}); err != nil {
		return fmt.Errorf("audit %s on %s: %w", e.Action, e.Target, err)
	}
	return nil
}

func marshal(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		return string(raw), nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// Filter selects entries; zero fields do not filter. Target matches as a prefix.
type Filter struct {
	Cluster, User, Action, Target, Result string
	From, To                              time.Time
	Limit, Offset                         int
}

// Record is an entry as read back: Before and After are the stored JSON (null when empty).
type Record struct {
	ID      string          `json:"id"`
	At      time.Time       `json:"at"`
	User    string          `json:"user"`
	Role    string          `json:"role"`
	Action  string          `json:"action"`
	Cluster string          `json:"cluster"`
	Target  string          `json:"target"`
	Before  json.RawMessage `json:"before"`
	After   json.RawMessage `json:"after"`
	Result  string          `json:"result"`
	Error   string          `json:"error"`
	Note    string          `json:"note"`
}

// List returns the entries matching f, newest first, and how many match in all. An ID stored
// twice (the writer and the reconciliation both recorded one version, see ControlVersionID)
// is read once: the later entry, which is the writer's own.
func (l *Log) List(ctx context.Context, f Filter) ([]Record, uint64, error) {
	where, params := f.where()
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	offset := max(f.Offset, 0)
	params = append(params, store.P("limit", limit), store.P("offset", offset))
	q := `SELECT id, at, user_login, user_role, action, cluster, target, before_json, after_json, result, error, note
FROM ` + latest(where) + `
ORDER BY at DESC, id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}`
	rows, err := l.conn.Query(ctx, q, params...)
	if err != nil {
		return nil, 0, fmt.Errorf("listing audit entries: %w", err)
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		var r Record
		var before, after string
		if err := rows.Scan(&r.ID, &r.At, &r.User, &r.Role, &r.Action, &r.Cluster, &r.Target, &before, &after, &r.Result, &r.Error, &r.Note); err != nil {
			return nil, 0, fmt.Errorf("reading audit entry: %w", err)
		}
		r.Before, r.After = rawOrNull(before), rawOrNull(after)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("reading audit entries: %w", err)
	}
	total, err := l.count(ctx, where, params[:len(params)-2])
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

func (l *Log) count(ctx context.Context, where clauses, params []store.Param) (uint64, error) {
	rows, err := l.conn.Query(ctx, `SELECT count() FROM `+latest(where), params...)
	if err != nil {
		return 0, fmt.Errorf("counting audit entries: %w", err)
	}
	defer rows.Close()
	var n uint64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("counting audit entries: %w", err)
		}
	}
	return n, rows.Err()
}

// latest is the entries matching where, one per ID: the newest, so a result that replaced a
// pending entry (Begin) is what is shown and what a result filter matches.
func latest(w clauses) string {
	return `(SELECT toString(id) AS id, at, user_login, user_role, action, cluster, target, before_json, after_json,
  result, error, note
FROM audit_log` + w.inner + `
ORDER BY at DESC, id
LIMIT 1 BY id)` + w.outer
}

// clauses are a filter's WHERE clauses: inner on the stored rows, outer (the result) on the
// newest row of each ID.
type clauses struct{ inner, outer string }

func (f Filter) where() (clauses, []store.Param) {
	var conds []string
	var params []store.Param
	eq := func(col, name, v string) {
		if v != "" {
			conds = append(conds, col+" = {"+name+":String}")
			params = append(params, store.P(name, v))
		}
	}
	eq("cluster", "cluster", f.Cluster)
	eq("user_login", "user", f.User)
	eq("action", "action", f.Action)
	if f.Target != "" {
		conds = append(conds, "startsWith(target, {target:String})")
		params = append(params, store.P("target", f.Target))
	}
	if !f.From.IsZero() {
		conds = append(conds, "at >= {from:DateTime64(3, 'UTC')}")
		params = append(params, store.P("from", f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "at < {to:DateTime64(3, 'UTC')}")
		params = append(params, store.P("to", f.To))
	}
	var w clauses
	if len(conds) > 0 {
		w.inner = "\nWHERE " + strings.Join(conds, " AND ")
	}
	if f.Result != "" {
		w.outer = "\nWHERE result = {result:String}"
		params = append(params, store.P("result", f.Result))
	}
	return w, params
}

func rawOrNull(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

// Recorded returns which of ids (entries owed for versioned rows stored at or after since; zero:
// any time) have an entry. Entries are looked up from an hour before since: an entry is written
// after its version, by a clock that may differ a little (server mode).
func (l *Log) Recorded(ctx context.Context, ids []uuid.UUID, since time.Time) (map[uuid.UUID]bool, error) {
	if !since.IsZero() {
		since = since.Add(-time.Hour)
	}
	out := make(map[uuid.UUID]bool, len(ids))
	const chunk = 2000 // keeps each query's parameter text small
	for start := 0; start < len(ids); start += chunk {
		part := make([]string, 0, chunk)
		for _, id := range ids[start:min(start+chunk, len(ids))] {
			part = append(part, id.String())
		}
		if err := l.recorded(ctx, part, since, out); err != nil {
			return nil, fmt.Errorf("looking up %d audit entries: %w", len(part), err)
		}
	}
	return out, nil
}

func (l *Log) recorded(ctx context.Context, ids []string, since time.Time, out map[uuid.UUID]bool) error {
	q := `SELECT DISTINCT toString(id) FROM audit_log WHERE has({ids:Array(String)}, toString(id))`
	params := []store.Param{store.P("ids", ids)}
	if !since.IsZero() {
		q += ` AND at >= {since:DateTime64(3, 'UTC')}`
		params = append(params, store.P("since", since.UTC()))
	}
	rows, err := l.conn.Query(ctx, q, params...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if id, err := uuid.Parse(s); err == nil {
			out[id] = true
		}
	}
	return rows.Err()
}
