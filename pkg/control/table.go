package control

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// ErrNotFound is returned (wrapped, naming the row) for a row that does not exist or was
// removed from control; it is a refusal.ErrNotFound.
var ErrNotFound = refusal.Kind(refusal.ErrNotFound, "not in the control table")

// conflict refuses a write because the row is no longer at the version the writer based it on;
// the *refusal.Conflict carries the row as it is now (HTTP 409 with "current").
func conflict(cur Row, reason string) *refusal.Conflict[Row] {
	return &refusal.Conflict[Row]{Current: cur, Message: fmt.Sprintf("control row %s: %s (current version %d)", cur.Key(), reason, cur.Version)}
}

// Table reads and writes the control table in a store. It is cheap to create; the locks that
// serialise writers live in the process, not in the Table.
type Table struct {
	conn store.Conn
	log  *slog.Logger
	now  func() time.Time
	owed Owed // the audit entry each version this Table writes owes; zero: none
}

// Owed is the audit entry a person's write owes: the action (as the audit log names it) and the
// writer's role. The version records it, so an entry lost to a crash can be written later from
// the version (ReconcileAudit); who and when are the version's updated_by and updated_at.
type Owed struct {
	Action string
	Role   string
}

// Audited returns a Table whose writes record that each version owes the entry o, which the
// caller records under audit.ControlVersionID once the write returns.
func (t *Table) Audited(o Owed) *Table {
	c := *t
	c.owed = o
	return &c
}

// New returns the control table on conn. log may be nil.
func New(conn store.Conn, log *slog.Logger) *Table {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Table{conn: conn, log: log, now: time.Now}
}

const table = "control_rows"

// columns are control_rows' columns in the order scanRow and insertRow use.
var columns = []string{
	"cluster", "namespace", "kind", "workload", "version",
	"replicas_manual", "replicas_recommended", "replicas_observed", "replicas_observed_from",
	"replicas_recommended_for", "replicas_recommended_reason", "replicas_recommended_active",
	"containers.name", "containers.cpu_request_m", "containers.cpu_limit_m",
	"containers.mem_request_mib", "containers.mem_limit_mib",
	"containers.cpu_request_source", "containers.cpu_limit_source",
	"containers.mem_request_source", "containers.mem_limit_source",
	"peak_day", "notes", "updated_by", "updated_at", "deleted", "write_id",
	"audit_action", "audit_role",
}

// selectList names the columns with aliases that survive a subquery (dots do not).
var selectList = func() string {
	parts := make([]string, len(columns))
	for i, c := range columns {
		parts[i] = "`" + c + "` AS " + alias(c)
	}
	return strings.Join(parts, ", ")
}()

var aliasList = func() string {
	parts := make([]string, len(columns))
	for i, c := range columns {
		parts[i] = alias(c)
	}
	return strings.Join(parts, ", ")
}()

func alias(col string) string { return "c_" + strings.ReplaceAll(col, ".", "_") }

func scanRow(rows store.Rows) (Row, error) {
	var (
		r                              Row
		names, cpuReqSrc, cpuLimSrc    []string
		memReqSrc, memLimSrc           []string
		cpuReq, cpuLim, memReq, memLim []int64
		peakDay                        time.Time
		deleted, recActive             uint8
	)
	err := rows.Scan(&r.Cluster, &r.Namespace, &r.Kind, &r.Workload, &r.Version,
		&r.Replicas.Manual, &r.Replicas.Recommended, &r.Replicas.Observed, &r.Replicas.ObservedFrom,
		&r.Replicas.RecommendedFor, &r.Replicas.RecommendedReason, &recActive,
		&names, &cpuReq, &cpuLim, &memReq, &memLim, &cpuReqSrc, &cpuLimSrc, &memReqSrc, &memLimSrc,
		&peakDay, &r.Notes, &r.UpdatedBy, &r.UpdatedAt, &deleted, &r.writeID, &r.owed.Action, &r.owed.Role)
	if err != nil {
		return Row{}, fmt.Errorf("reading a control row: %w", err)
	}
	n := len(names)
	for _, l := range []int{len(cpuReq), len(cpuLim), len(memReq), len(memLim), len(cpuReqSrc), len(cpuLimSrc), len(memReqSrc), len(memLimSrc)} {
		if l != n {
			return Row{}, fmt.Errorf("control row %s version %d: containers columns of unequal length", r.Key(), r.Version)
		}
	}
	r.Containers = make([]Container, n)
	for i := range n {
		r.Containers[i] = Container{
			Name: names[i], CPURequestMillis: cpuReq[i], CPULimitMillis: cpuLim[i],
			MemRequestMiB: memReq[i], MemLimitMiB: memLim[i],
			Sources: Sources{cpuReqSrc[i], cpuLimSrc[i], memReqSrc[i], memLimSrc[i]},
		}
	}
	if r.Notes == nil {
		r.Notes = []string{}
	}
	r.PeakDay = peakDayFromColumn(peakDay)
	r.UpdatedAt = r.UpdatedAt.UTC()
	r.Deleted = deleted != 0
	r.Replicas.RecommendedActive = recActive != 0
	if r.Replicas.RecommendedReason == "" && r.Replicas.RecommendedFor == RecommendedForNone {
		r.Replicas.RecommendedReason = ReasonNoHistory // the reason always says why
	}
	r.Replicas.Resolve()
	return r, nil
}

func insertRow(r Row) ([]any, error) {
	n := len(r.Containers)
	names := make([]string, n)
	cpuReq, cpuLim, memReq, memLim := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	srcs := [4][]string{make([]string, n), make([]string, n), make([]string, n), make([]string, n)}
	for i, c := range r.Containers {
		names[i] = c.Name
		cpuReq[i], cpuLim[i], memReq[i], memLim[i] = c.CPURequestMillis, c.CPULimitMillis, c.MemRequestMiB, c.MemLimitMiB
		srcs[0][i], srcs[1][i], srcs[2][i], srcs[3][i] = c.Sources.CPURequest, c.Sources.CPULimit, c.Sources.MemRequest, c.Sources.MemLimit
	}
	day, err := peakDayColumn(r.PeakDay)
	if err != nil {
		return nil, fmt.Errorf("control row %s: %w", r.Key(), err)
	}
	notes := r.Notes
	if notes == nil {
		notes = []string{}
	}
	var deleted, recActive uint8
	if r.Deleted {
		deleted = 1
	}
	if r.Replicas.RecommendedActive {
		recActive = 1
	}
	return []any{
		r.Cluster, r.Namespace, workload.Kind(r.Kind), r.Workload, r.Version,
		r.Replicas.Manual, r.Replicas.Recommended, r.Replicas.Observed, r.Replicas.ObservedFrom,
		r.Replicas.RecommendedFor, r.Replicas.RecommendedReason, recActive,
		names, cpuReq, cpuLim, memReq, memLim, srcs[0], srcs[1], srcs[2], srcs[3],
		day, notes, r.UpdatedBy, r.UpdatedAt.UTC(), deleted, r.writeID, r.owed.Action, r.owed.Role,
	}, nil
}

func (t *Table) insert(ctx context.Context, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	values := make([][]any, len(rows))
	for i, r := range rows {
		v, err := insertRow(r)
		if err != nil {
			return err
		}
		values[i] = v
	}
	if err := t.conn.Insert(ctx, table, columns, values); err != nil {
		return fmt.Errorf("writing %d control row version(s): %w", len(rows), err)
	}
	return nil
}

func (t *Table) query(ctx context.Context, what, q string, params ...store.Param) ([]Row, error) {
	rows, err := t.conn.Query(ctx, q, params...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []Row{}
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// Filter selects current rows. Zero fields do not filter; Limit 0 means all.
type Filter struct {
	Namespace string
	Kind      string
	// Query matches namespace or workload names containing it, ignoring case.
	Query          string
	IncludeDeleted bool
	Limit, Offset  int
}

// latest is the subquery of each row's current version. Racing writers of one version are
// resolved by the smallest write_id (see Put).
const latest = `SELECT %s FROM control_rows WHERE %s
ORDER BY cluster, namespace, kind, workload, version DESC, write_id ASC
LIMIT 1 BY cluster, namespace, kind, workload`

// Current returns the rows' current versions in a cluster ("" = every cluster) that match f,
// ordered by namespace and workload, and how many match without paging.
func (t *Table) Current(ctx context.Context, cluster string, f Filter) ([]Row, uint64, error) {
	inner := []string{"1"}
	var params []store.Param
	if cluster != "" {
		inner = append(inner, "cluster = {cluster:String}")
		params = append(params, store.P("cluster", cluster))
	}
	if f.Namespace != "" {
		inner = append(inner, "namespace = {namespace:String}")
		params = append(params, store.P("namespace", f.Namespace))
	}
	if f.Kind != "" {
		inner = append(inner, "kind = {kind:String}")
		params = append(params, store.P("kind", workload.Kind(f.Kind)))
	}
	var outer []string
	if !f.IncludeDeleted {
		outer = append(outer, alias("deleted")+" = 0")
	}
	if f.Query != "" {
		outer = append(outer, "(positionCaseInsensitiveUTF8("+alias("workload")+", {q:String}) > 0 OR positionCaseInsensitiveUTF8("+alias("namespace")+", {q:String}) > 0)")
		params = append(params, store.P("q", f.Query))
	}
	where := ""
	if len(outer) > 0 {
		where = " WHERE " + strings.Join(outer, " AND ")
	}
	from := "(" + fmt.Sprintf(latest, selectList, strings.Join(inner, " AND ")) + ")" + where
	page := ""
	pageParams := params
	if f.Limit > 0 {
		page = " LIMIT {limit:UInt32} OFFSET {offset:UInt32}"
		pageParams = append(append([]store.Param{}, params...), store.P("limit", f.Limit), store.P("offset", max(f.Offset, 0)))
	}
	rows, err := t.query(ctx, "listing control rows",
		"SELECT "+aliasList+" FROM "+from+" ORDER BY "+alias("cluster")+", "+alias("namespace")+", "+alias("workload")+", "+alias("kind")+page, pageParams...)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit == 0 || (f.Offset == 0 && len(rows) < f.Limit) {
		return rows, uint64(len(rows)), nil // the page holds every match
	}
	total, err := t.count(ctx, "SELECT count() FROM "+from, params...)
	if err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}

func (t *Table) count(ctx context.Context, q string, params ...store.Param) (uint64, error) {
	rows, err := t.conn.Query(ctx, q, params...)
	if err != nil {
		return 0, fmt.Errorf("counting control rows: %w", err)
	}
	defer rows.Close()
	var n uint64
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("counting control rows: %w", err)
		}
	}
	return n, rows.Err()
}

func keyParams(k Key) []store.Param {
	return []store.Param{store.P("cluster", k.Cluster), store.P("namespace", k.Namespace),
		store.P("kind", workload.Kind(k.Kind)), store.P("workload", k.Workload)}
}

const keyWhere = "cluster = {cluster:String} AND namespace = {namespace:String} AND kind = {kind:String} AND workload = {workload:String}"

// Get returns the row's current version, which may be a deleted one; a row that never
// existed is ErrNotFound.
func (t *Table) Get(ctx context.Context, k Key) (Row, error) {
	rows, err := t.query(ctx, "reading control row "+k.String(),
		"SELECT "+strings.Join(quoted(columns), ", ")+" FROM control_rows WHERE "+keyWhere+
			" ORDER BY version DESC, write_id ASC LIMIT 1", keyParams(k)...)
	if err != nil {
		return Row{}, err
	}
	if len(rows) == 0 {
		return Row{}, fmt.Errorf("%w: %s", ErrNotFound, k)
	}
	return rows[0], nil
}

// History returns the row's versions newest first (limit 0 = all), and how many there are.
// A version two racing writers both inserted appears once, as the winner readers saw.
func (t *Table) History(ctx context.Context, k Key, limit, offset int) ([]Row, uint64, error) {
	params := keyParams(k)
	page := ""
	if limit > 0 {
		page = " LIMIT {limit:UInt32} OFFSET {offset:UInt32}"
		params = append(params, store.P("limit", limit), store.P("offset", max(offset, 0)))
	}
	rows, err := t.query(ctx, "reading the history of "+k.String(),
		"SELECT "+strings.Join(quoted(columns), ", ")+" FROM control_rows WHERE "+keyWhere+
			" ORDER BY version DESC, write_id ASC LIMIT 1 BY version"+page, params...)
	if err != nil {
		return nil, 0, err
	}
	if len(rows) == 0 && offset == 0 {
		return nil, 0, fmt.Errorf("%w: %s", ErrNotFound, k)
	}
	total, err := t.count(ctx, "SELECT uniqExact(version) FROM control_rows WHERE "+keyWhere, keyParams(k)...)
	if err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}

func quoted(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = "`" + c + "`"
	}
	return out
}
