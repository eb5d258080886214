package recommend

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/snapshot"
)

// ParamsOf maps a cluster's saved settings onto the derivation's parameters.
func ParamsOf(cs clustersettings.ClusterSettings) (Params, error) {
	loc, err := cs.Location()
	if err != nil {
		return Params{}, err
	}
	p := Params{
		Days: cs.Days, Mode: cs.Mode, Headroom: cs.Headroom,
		CPUFloorMillis: cs.CPUFloorMillis, MemFloorMiB: cs.MemFloorMiB, OOMBump: cs.OOMBump,
		MinReplicas: cs.MinReplicas, Location: loc,
		Recommend: RecommendParams{
			Enabled: cs.Recommend.Enabled, CPUTarget: cs.Recommend.CPUTarget, MemTarget: cs.Recommend.MemTarget,
			// Settings saved with minReplicas above maxReplicas before the recommend block
			// existed must still derive: the floor wins.
			MaxReplicas: max(cs.Recommend.MaxReplicas, cs.MinReplicas), MaxStepDown: cs.Recommend.MaxStepDown,
		},
	}
	for _, o := range cs.Recommend.Overrides {
		p.Recommend.Overrides = append(p.Recommend.Overrides, TargetOverride{
			Namespace: o.Namespace, Kind: o.Kind, Workload: o.Workload, CPUTarget: o.CPUTarget, MemTarget: o.MemTarget})
	}
	if err := p.Validate(); err != nil {
		return Params{}, fmt.Errorf("cluster %s settings: %w", cs.Cluster, err)
	}
	return p, nil
}

// ClusterDeriver derives one cluster's control table with its saved settings; it is what the
// collection jobs call after storing days (jobs.Deriver). After, when set, gets every report
// that wrote something: the place to notify about report.New and to publish the cluster.
type ClusterDeriver struct {
	Svc interface {
		Snapshot() (snapshot.Snapshot, error)
	}
	Log   *slog.Logger
	After func(ctx context.Context, rep Report)
	Now   func() time.Time // nil = time.Now
}

// Derive implements jobs.Deriver.
func (c ClusterDeriver) Derive(ctx context.Context, cluster string) error {
	snap, err := c.Svc.Snapshot()
	if err != nil {
		return fmt.Errorf("deriving the control table of %s: %w", cluster, err)
	}
	tz := ""
	if conf, ok := snap.App.Cluster(cluster); ok {
		tz = conf.TimeZone
	}
	cs, err := clustersettings.NewStore(snap.Conn).Get(ctx, cluster, tz)
	if err != nil {
		return fmt.Errorf("deriving the control table of %s: %w", cluster, err)
	}
	p, err := ParamsOf(cs)
	if err != nil {
		return fmt.Errorf("deriving the control table of %s: %w", cluster, err)
	}
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	rep, err := Deriver{Log: c.Log}.Derive(ctx, snap.Conn, cluster, p, now)
	if err != nil {
		return err
	}
	if c.After != nil && rep.Written() > 0 {
		c.After(ctx, rep)
	}
	return nil
}
