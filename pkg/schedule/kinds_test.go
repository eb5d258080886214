//go:build parts

package schedule

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

func storedTargets(t *testing.T, id string) []string {
	t.Helper()
	rows, err := conn.Query(t.Context(), `SELECT targets FROM schedules FINAL WHERE id = {id:UUID}`, store.P("id", id))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var targets []string
	if !rows.Next() {
		t.Fatalf("schedule %s not stored", id)
	}
	if err := rows.Scan(&targets); err != nil {
		t.Fatal(err)
	}
	return targets
}

func TestAStoredScheduleKeepsItsItemsKindsAndTargetsNamespaceKindName(t *testing.T) {
	f := newFixture(t, start)
	ctx := t.Context()
	at := start.Add(time.Hour)
	sc, err := f.mgr.Create(ctx, Spec{Cluster: f.clusters[0].Name, Action: ActionRestart, Kind: KindOnce, RunAt: &at, Items: []Item{
		{Namespace: "demo", Kind: "statefulset", Workload: "db"}, {Namespace: "demo", Kind: "DaemonSet", Workload: "agent"}, {Namespace: "demo", Workload: "api"},
	}}, f.clusters, "ed")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := storedTargets(t, sc.ID), []string{"demo/StatefulSet/db", "demo/DaemonSet/agent", "demo/api"}; !slices.Equal(got, want) {
		t.Fatalf("targets %v, want %v (a Deployment keeps namespace/name)", got, want)
	}
	back, err := f.mgr.Get(ctx, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if k := []string{back.Items[0].Kind, back.Items[1].Kind, back.Items[2].Kind}; !slices.Equal(k, []string{"StatefulSet", "DaemonSet", "Deployment"}) {
		t.Fatalf("kinds read back %v", k)
	}
}

func TestAnItemStoredBeforeKindsExistedReadsBackAsADeployment(t *testing.T) {
	st := NewStore(conn)
	sc := Schedule{ID: uuid.NewString(), Version: 1, Cluster: "old", Name: "restart demo/api", Action: ActionRestart, Kind: KindCron,
		Cron: "0 3 * * *", TimeZone: "UTC", Items: []Item{{Namespace: "demo", Workload: "api"}}, Enabled: true, CreatedAt: start, UpdatedAt: start}
	if err := st.insert(t.Context(), sc, false); err != nil {
		t.Fatal(err)
	}
	got, err := st.Get(t.Context(), sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Items[0].Kind != "Deployment" || storedTargets(t, sc.ID)[0] != "demo/api" {
		t.Fatalf("items %+v, targets %v", got.Items, storedTargets(t, sc.ID))
	}
}
