//go:build parts

package recommend

import (
	"slices"
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
)

// scaledToZero is the pod-total row the collector writes for a Deployment whose spec was at 0
// replicas the whole window (it had no pods, so no container rows).
func scaledToZero(ns, wl string, d int) peaks.Sample {
	x := s{ns: ns, wl: wl, c: peaks.PodTotal, d: d}.sample()
	x.PodsMin, x.PodsMax = 0, 0
	x.ReplicasDesired, x.PodsReadyMedian = peaks.Uint32(0), peaks.Uint32(0)
	return x
}

// replicaTraps are one workload per rule; every container sample's fewest Ready pods are half
// its pods figure (s.sample), so following the dip would show.
func replicaTraps() []peaks.Sample {
	h := samples(
		// A rollout that dipped Ready pods to 0: the spec asked for 4 throughout.
		s{ns: "t", wl: "rollout", c: "app", d: 20, pods: 4, cpuAvg: 0.2, cpuMax: 0.3, memMiB: 100},
		// No kube_deployment_spec_replicas series: the Ready median (3) is used.
		s{ns: "t", wl: "no-spec", c: "app", d: 20, pods: 3, cpuAvg: 0.2, cpuMax: 0.3, memMiB: 100, ready: "median"},
		// Collected before the counts were stored: the most Ready pods (5).
		s{ns: "t", wl: "legacy", c: "app", d: 20, pods: 5, cpuAvg: 0.2, cpuMax: 0.3, memMiB: 100, ready: "legacy"},
		// Without the spec series and no Ready pod at any step: 0, which the floor raises.
		s{ns: "t", wl: "never-ready", c: "app", d: 20, pods: 0, cpuAvg: 0.2, cpuMax: 0.3, memMiB: 100, ready: "median"},
		// Sized to 1 and minReplicas 2 in the cases below.
		s{ns: "t", wl: "single", c: "app", d: 20, pods: 1, cpuAvg: 0.2, cpuMax: 0.3, memMiB: 100},
		// At 0 on its latest day only: an earlier day had load, so that day is chosen.
		s{ns: "t", wl: "paused", c: "app", d: 18, pods: 2, cpuAvg: 0.2, cpuMax: 0.3, memMiB: 100},
		// The dip day is the peak: its load counts the 6 desired replicas, not the 3 fewest
		// Ready pods, so it beats day 17's 4 × 0.3.
		s{ns: "t", wl: "dip-day", c: "app", d: 17, pods: 4, cpuAvg: 0.3, cpuMax: 0.3, memMiB: 100},
		s{ns: "t", wl: "dip-day", c: "app", d: 19, pods: 6, cpuAvg: 0.25, cpuMax: 0.5, memMiB: 100},
	)
	h[len(h)-1].PodsMin = 0 // dip-day's day 19 dipped to 0 Ready pods: by the fewest, day 17 would win
	h = append(h, scaledToZero("t", "paused", 21), scaledToZero("t", "off", 19), scaledToZero("t", "off", 21))
	return h
}

func TestReplicasObservedFollowWhatTheDeploymentWasSizedTo(t *testing.T) {
	type want struct {
		observed int32
		from     string
		day      string
		floored  bool
	}
	tests := []struct {
		name string
		min  int32
		want map[string]want
	}{
		{"the default floor of 1", 1, map[string]want{
			"rollout":     {4, control.ObservedDesired, "2026-11-20", false},
			"no-spec":     {3, control.ObservedReadyMedian, "2026-11-20", false},
			"legacy":      {5, control.ObservedReadyMax, "2026-11-20", false},
			"never-ready": {1, control.ObservedFloor, "2026-11-20", true},
			"single":      {1, control.ObservedDesired, "2026-11-20", false},
			"paused":      {2, control.ObservedDesired, "2026-11-18", false},
			"dip-day":     {6, control.ObservedDesired, "2026-11-19", false},
			"off":         {0, control.ObservedDesired, "2026-11-21", false},
		}},
		{"a floor of 2", 2, map[string]want{
			"rollout":     {4, control.ObservedDesired, "2026-11-20", false},
			"never-ready": {2, control.ObservedFloor, "2026-11-20", true},
			"single":      {2, control.ObservedFloor, "2026-11-20", true},
			"off":         {0, control.ObservedDesired, "2026-11-21", false}, // scaled to zero on purpose
		}},
		{"no floor", 0, map[string]want{
			"never-ready": {0, control.ObservedReadyMedian, "2026-11-20", false},
			"single":      {1, control.ObservedDesired, "2026-11-20", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultParams()
			p.MinReplicas = tt.min
			next, _ := mustDerive(t, p, replicaTraps(), nil)
			for wl, w := range tt.want {
				r := find(t, next, "t", wl)
				if r.Replicas.Observed != w.observed || r.Replicas.ObservedFrom != w.from || r.PeakDay != w.day {
					t.Errorf("%s: observed %d from %q on %s, want %d from %q on %s", wl,
						r.Replicas.Observed, r.Replicas.ObservedFrom, r.PeakDay, w.observed, w.from, w.day)
				}
				noted := slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "minReplicas") })
				if noted != w.floored {
					t.Errorf("%s: notes %q, want a minReplicas note: %v", wl, r.Notes, w.floored)
				}
			}
		})
	}
	next, _ := mustDerive(t, DefaultParams(), replicaTraps(), nil)
	if n := find(t, next, "t", "never-ready").Notes; !slices.Equal(n, []string{
		"replicas observed raised from 0 (median Ready pods on 2026-11-20) to the cluster's minReplicas 1"}) {
		t.Errorf("never-ready notes %q", n)
	}
	// The only 0 is the Deployment at 0 every day of the window; it keeps the containers a
	// person or an earlier day gave it.
	for _, r := range next {
		if r.Replicas.Observed == 0 && r.Workload != "off" {
			t.Errorf("%s derived to 0 replicas", r.Workload)
		}
	}
	cur := row("t", "off", 3, 2, ctr("app", 100, -1, 64, -1))
	next, _ = mustDerive(t, DefaultParams(), replicaTraps(), []control.Row{cur})
	off := find(t, next, "t", "off")
	if off.Replicas.Observed != 0 || off.Version != 4 {
		t.Fatalf("off: %+v version %d", off.Replicas, off.Version)
	}
	wantContainers(t, off, ctr("app", 100, -1, 64, -1))
}

// The store's day choice and the derived rows agree with Derive in Go, and the observed source
// survives the round trip through control_rows.
func TestTheStoreDerivesTheReplicaTrapsAsDeriveDoes(t *testing.T) {
	const cluster = "replica-traps"
	hist := withCluster(replicaTraps(), cluster)
	insertSamples(t, cluster, hist)
	for _, mode := range []string{ModePerWorkload, ModeKubeDoor} {
		p := DefaultParams()
		p.Mode = mode
		want, err := Choose(p, hist, now)
		if err != nil {
			t.Fatal(err)
		}
		got, err := choose(ctxT(t), conn, cluster, p, now)
		if err != nil {
			t.Fatal(err)
		}
		key := func(x peaks.Sample) string { return x.Workload + "/" + x.Container + "@" + x.Day.Format("01-02") }
		gk, wk := make([]string, 0), make([]string, 0)
		for _, x := range got.Samples {
			gk = append(gk, key(x))
		}
		for _, x := range want.Samples {
			wk = append(wk, key(x))
		}
		slices.Sort(gk)
		slices.Sort(wk)
		if !slices.Equal(gk, wk) || !got.ClusterDay.Equal(want.ClusterDay) {
			t.Fatalf("%s: store chose %v (day %v), Choose chose %v (day %v)", mode, gk, got.ClusterDay, wk, want.ClusterDay)
		}
		if mode == ModePerWorkload && !slices.Contains(gk, "off/@11-21") {
			t.Fatalf("the scaled-to-zero row was not read: %v", gk)
		}
	}
	if _, err := (Deriver{Log: testLog()}).Derive(ctxT(t), conn, cluster, DefaultParams(), now); err != nil {
		t.Fatal(err)
	}
	stored := current(t, cluster)
	wantRows, _ := mustDerive(t, DefaultParams(), hist, nil)
	if len(stored) != len(wantRows) {
		t.Fatalf("%d stored rows, want %d", len(stored), len(wantRows))
	}
	for _, w := range wantRows {
		g := find(t, stored, w.Namespace, w.Workload)
		if g.Replicas != w.Replicas || !slices.Equal(g.Notes, w.Notes) || g.PeakDay != w.PeakDay {
			t.Errorf("%s: stored %+v %q %s, derived %+v %q %s", w.Workload, g.Replicas, g.Notes, g.PeakDay, w.Replicas, w.Notes, w.PeakDay)
		}
	}
}
