//go:build parts

package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
)

// BenchmarkRunnerTick1000: one look of the runner at 1,000 cron schedules (none due) with 1,000
// recorded runs, on the embedded engine: the store work the runner repeats at most every 30 s.
func BenchmarkRunnerTick1000(b *testing.B) {
	ctx := b.Context()
	cluster := fmt.Sprintf("bench-%d", time.Now().UnixNano()%100000)
	clusters := []settings.Cluster{{Name: cluster, TimeZone: "UTC", KubeAccess: settings.KubeAccessInCluster}}
	now := time.Now().UTC()
	st := NewStore(conn)
	for i := range 1000 {
		sc, err := (Spec{Cluster: cluster, Action: ActionRestart, Kind: KindCron, Cron: fmt.Sprintf("%d %d * * *", i%60, (now.Hour()+12)%24),
			Items: []Item{{Namespace: "ns", Workload: fmt.Sprintf("w%d", i)}}}).Validate(now, clusters)
		if err != nil {
			b.Fatal(err)
		}
		sc, err = st.Create(ctx, sc, "bench", now)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.RecordRun(ctx, Run{ID: RunID(sc.ID, now.Add(-24*time.Hour)), ScheduleID: sc.ID, Cluster: cluster,
			ScheduledFor: now.Add(-24 * time.Hour), StartedAt: now, Status: StatusSucceeded}, now); err != nil {
			b.Fatal(err)
		}
	}
	r := NewRunner(RunnerOptions{ID: "bench", Log: slog.New(slog.DiscardHandler),
		Execute: func(context.Context, Schedule, actions.Actor) ([]actions.Result, error) {
			b.Fatal("nothing is due")
			return nil, nil
		}})
	snap := snapshot.Snapshot{Conn: conn, App: settings.App{Clusters: clusters}}
	b.ResetTimer()
	for b.Loop() {
		if next := r.Tick(ctx, snap); next.IsZero() {
			b.Fatal("no next run found")
		}
	}
}
