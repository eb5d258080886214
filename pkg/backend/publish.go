package backend

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/publish"
)

// publishVia adapts the publish worker, whose Trigger is asynchronous, to actions.Publisher: it
// triggers the workload's cluster and waits (at most timeout) for a reconcile that started after
// the trigger to end, so a scale follows a policy that already says the new replicas.
func publishVia(w *publish.Worker, timeout time.Duration) actions.Publisher {
	return publishWaiter{w: w, timeout: timeout}
}

type publishWaiter struct {
	w       *publish.Worker
	timeout time.Duration
}

func (p publishWaiter) Publish(ctx context.Context, wl actions.Workload) error {
	start := time.Now().UTC()
	p.w.Trigger(wl.Cluster)
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		// Status is written when a reconcile ends; its At is when that reconcile started.
		if st, ok := p.w.Status(wl.Cluster); ok && !st.At.Before(start) {
			if st.Error != "" {
				return fmt.Errorf("publishing cluster %s: %s", wl.Cluster, st.Error)
			}
			var mine []string
			for _, f := range st.Result.Failures {
				if f.Namespace == wl.Namespace && f.Name == wl.Name {
					mine = append(mine, f.Op+": "+f.Error)
				}
			}
			if len(mine) > 0 {
				return fmt.Errorf("publishing the policy of %s/%s: %s", wl.Namespace, wl.Name, strings.Join(mine, "; "))
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("publishing cluster %s did not finish within %v", wl.Cluster, p.timeout)
		case <-tick.C:
		}
	}
}
