package clustersettings

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Key is the settings-table key of a cluster's settings.
func Key(cluster string) string { return "cluster/" + cluster }

// Store reads and writes cluster settings.
type Store struct {
	conn store.Conn
	now  func() time.Time
	// owedAction and owedRole are the audit entry each version this Store saves owes ("" =
	// none); see Audited.
	owedAction, owedRole string
}

// Audited returns a Store whose saves record that each version owes the audit entry action by
// a caller of role, which the caller records under audit.SettingsVersionID; should it be lost
// (a crash between the two inserts), AuditPass writes it from the version.
func (st *Store) Audited(action, role string) *Store {
	c := *st
	c.owedAction, c.owedRole = action, role
	return &c
}

// NewStore returns a Store on conn.
func NewStore(conn store.Conn) *Store { return &Store{conn: conn, now: time.Now} }

// putMu serialises read-check-insert in this process. ClickHouse has no transactions, so two
// backend processes saving the same cluster at the same instant could both pass the check; one
// backend per Grafana is the supported setup.
var putMu sync.Mutex

// Get returns the cluster's latest settings, or Defaults (version 0) when none were saved. The
// time zone always comes from the connection (timeZone), never from the stored copy.
func (st *Store) Get(ctx context.Context, cluster, timeZone string) (ClusterSettings, error) {
	rows, err := st.conn.Query(ctx, `SELECT value, version, updated_by, updated_at FROM settings
		WHERE key = {key:String} ORDER BY version DESC LIMIT 1`, store.P("key", Key(cluster)))
	if err != nil {
		return ClusterSettings{}, fmt.Errorf("reading cluster %s settings: %w", cluster, err)
	}
	defer rows.Close()
	s := Defaults(cluster, timeZone)
	if rows.Next() {
		var (
			value, by string
			version   uint64
			at        time.Time
		)
		if err := rows.Scan(&value, &version, &by, &at); err != nil {
			return ClusterSettings{}, fmt.Errorf("reading cluster %s settings: %w", cluster, err)
		}
		// Decode over the defaults: a field added in a later release keeps its default.
		if err := json.Unmarshal([]byte(value), &s); err != nil {
			return ClusterSettings{}, fmt.Errorf("cluster %s settings (version %d) are not valid JSON: %w", cluster, version, err)
		}
		s.Version, s.UpdatedBy, s.UpdatedAt = version, by, at.UTC()
	}
	if err := rows.Err(); err != nil {
		return ClusterSettings{}, fmt.Errorf("reading cluster %s settings: %w", cluster, err)
	}
	s.Cluster, s.TimeZone = cluster, timeZone
	if s.Overrides == nil {
		s.Overrides = []Override{}
	}
	if s.Recommend.Overrides == nil {
		s.Recommend.Overrides = []RecommendOverride{}
	}
	return s, nil
}

// Put validates s and saves it as version expected+1 when the stored version is expected,
// else returns a *refusal.Conflict holding the current settings. Validation failures are
// *refusal.FieldError.
func (st *Store) Put(ctx context.Context, s ClusterSettings, expected uint64, by string) (ClusterSettings, error) {
	if err := s.Validate(); err != nil {
		return ClusterSettings{}, err
	}
	putMu.Lock()
	defer putMu.Unlock()
	cur, err := st.Get(ctx, s.Cluster, s.TimeZone)
	if err != nil {
		return ClusterSettings{}, err
	}
	if cur.Version != expected {
		return ClusterSettings{}, &refusal.Conflict[ClusterSettings]{Current: cur, Message: fmt.Sprintf(
			"cluster %s settings are at version %d, not %d: someone saved them meanwhile", cur.Cluster, cur.Version, expected)}
	}
	s.Version, s.UpdatedBy, s.UpdatedAt = expected+1, by, st.now().UTC().Truncate(time.Millisecond)
	if s.Overrides == nil {
		s.Overrides = []Override{}
	}
	if s.Recommend.Overrides == nil {
		s.Recommend.Overrides = []RecommendOverride{}
	}
	value, err := json.Marshal(s)
	if err != nil {
		return ClusterSettings{}, fmt.Errorf("encoding cluster %s settings: %w", s.Cluster, err)
	}
	row := []any{Key(s.Cluster), string(value), s.Version, by, s.UpdatedAt, st.owedAction, st.owedRole}
	if err := st.conn.Insert(ctx, "settings", []string{"key", "value", "version", "updated_by", "updated_at", "audit_action", "audit_role"},
		[][]any{row}); err != nil {
		return ClusterSettings{}, fmt.Errorf("saving cluster %s settings: %w", s.Cluster, err)
	}
	return s, nil
}
