//go:build parts

package jobs

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/collect"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// soon fires every 300 ms.
type soon struct{}

func (soon) Next(_ clustersettings.ClusterSettings, after time.Time) (time.Time, error) {
	return after.Add(300 * time.Millisecond), nil
}

func TestTheDailyWorkerStartsEnabledClustersOnlyFromProcessStart(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	svc := service.New(log, func(context.Context, settings.App) (store.Conn, int, error) { return conn, 1, nil }, "test")
	app := settings.App{Storage: settings.Storage{Mode: settings.StorageEmbedded}, Clusters: []settings.Cluster{
		{Name: "daily-on", PrometheusURL: promSrv.URL, TimeZone: "UTC", ClusterLabelKey: "cluster", ClusterLabelValue: "daily-on"},
		{Name: "daily-off", PrometheusURL: promSrv.URL, TimeZone: "UTC", ClusterLabelKey: "cluster", ClusterLabelValue: "daily-off"},
	}}
	if err := svc.Apply(ctx, app); err != nil {
		t.Fatal(err)
	}
	off := clustersettings.Defaults("daily-off", "UTC")
	off.Collect.Enabled = false
	if _, err := clustersettings.NewStore(conn).Put(ctx, off, 0, "ada"); err != nil {
		t.Fatal(err)
	}
	m := NewManager(ctx, svc, nil, collect.Options{}, log)
	svc.Go(ctx, &Daily{Source: svc, Manager: m, Trigger: soon{}, Log: log, Poll: 200 * time.Millisecond})

	deadline := time.Now().Add(time.Minute)
	var got []Job
	for time.Now().Before(deadline) {
		got, _, _ = m.List(ctx, Filter{Cluster: "daily-on", State: StateSucceeded})
		if len(got) > 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(got) == 0 {
		t.Fatal("no daily job succeeded within a minute")
	}
	want, _ := LatestEnded(clustersettings.Defaults("daily-on", "UTC"), time.Now())
	if j := got[0]; j.Kind != KindDaily || j.StartedBy != "scheduler" || j.LastDay != want || j.DaysTotal != 1 {
		t.Fatalf("daily job %+v, want kind daily by scheduler for %s", j, want)
	}
	if offJobs, _, _ := m.List(ctx, Filter{Cluster: "daily-off"}); len(offJobs) != 0 {
		t.Fatalf("a disabled cluster got jobs: %+v", offJobs)
	}
}

// With several backends, only the one holding a cluster's schedule lease collects it; a
// backend that gets the lease later (failover, or its election finishing after start) runs the
// collection still due.
func TestTheDailyWorkerCollectsOnlyClustersThisBackendHolds(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	svc := service.New(log, func(context.Context, settings.App) (store.Conn, int, error) { return conn, 1, nil }, "test")
	app := settings.App{Storage: settings.Storage{Mode: settings.StorageEmbedded}, Clusters: []settings.Cluster{
		{Name: "held-here", PrometheusURL: promSrv.URL, TimeZone: "UTC", ClusterLabelKey: "cluster", ClusterLabelValue: "daily-on"},
		{Name: "held-elsewhere", PrometheusURL: promSrv.URL, TimeZone: "UTC", ClusterLabelKey: "cluster", ClusterLabelValue: "daily-on"},
	}}
	if err := svc.Apply(ctx, app); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	holds := map[string]bool{"held-here": true}
	m := NewManager(ctx, svc, nil, collect.Options{}, log)
	svc.Go(ctx, &Daily{Source: svc, Manager: m, Trigger: soon{}, Log: log, Poll: 100 * time.Millisecond, Holds: func(c string) bool {
		mu.Lock()
		defer mu.Unlock()
		return holds[c]
	}})

	jobsOf := func(cluster string) []Job {
		got, _, _ := m.List(ctx, Filter{Cluster: cluster})
		return got
	}
	waitJob := func(cluster string) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if len(jobsOf(cluster)) > 0 {
				return
			}
		}
		t.Fatalf("no daily job for %s within a minute", cluster)
	}
	waitJob("held-here")
	time.Sleep(500 * time.Millisecond) // several polls
	if got := jobsOf("held-elsewhere"); len(got) != 0 {
		t.Fatalf("a cluster another backend holds got jobs: %+v", got)
	}
	mu.Lock()
	holds["held-elsewhere"] = true
	mu.Unlock()
	waitJob("held-elsewhere")
}
