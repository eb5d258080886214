package nodes

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"

	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// ErrCluster marks a failure to read the cluster itself (as opposed to the store).
var ErrCluster = errors.New("reading the cluster")

// View is the API's answer: the report plus what it was computed from.
type View struct {
	Cluster string `json:"cluster"`
	// From and To are the days (YYYY-MM-DD) peaks were read from: each workload's day with the
	// highest load in them, as the derivation picks it.
	From string `json:"from"`
	To   string `json:"to"`
	Report
	// PendingPods wait for a node; they are not in any node's sums.
	PendingPods int `json:"pendingPods"`
}

// Service joins a cluster's live nodes and pods with the store's control rows and peaks.
type Service struct {
	log *slog.Logger
}

// NewService returns a Service logging to log.
func NewService(log *slog.Logger) *Service { return &Service{log: log} }

// View reads the cluster (k) and the store (conn) and computes the view.
func (s *Service) View(ctx context.Context, conn store.Conn, k kubernetes.Interface, cluster string, r peaks.Range) (View, error) {
	live, err := Read(ctx, k)
	if err != nil {
		return View{}, fmt.Errorf("cluster %s: %w: %w", cluster, ErrCluster, err)
	}
	rows, _, err := control.New(conn, s.log).Current(ctx, cluster, control.Filter{})
	if err != nil {
		return View{}, fmt.Errorf("reading the control table of %s: %w", cluster, err)
	}
	samples, err := peaks.WorstDays(ctx, conn, cluster, r)
	if err != nil {
		return View{}, fmt.Errorf("reading the peaks of %s: %w", cluster, err)
	}
	rep := Compute(Input{Nodes: live.Nodes, Pods: live.Pods, Table: TableOf(rows), Peaks: PeaksOf(samples)})
	s.log.Debug("node view computed", "cluster", cluster, "nodes", len(live.Nodes), "pods", len(live.Pods),
		"controlRows", len(rows), "peakSamples", len(samples))
	return View{Cluster: cluster, From: r.From.Format("2006-01-02"), To: r.To.Format("2006-01-02"),
		Report: rep, PendingPods: live.Pending}, nil
}

// TableOf indexes the control table's current rows (deleted ones are not control).
func TableOf(rows []control.Row) map[workload.Ref]TableRequests {
	out := make(map[workload.Ref]TableRequests, len(rows))
	for _, r := range rows {
		if r.Deleted {
			continue
		}
		t := make(TableRequests, len(r.Containers))
		for _, c := range r.Containers {
			t[c.Name] = TableContainer{CPURequestMillis: c.CPURequestMillis, MemRequestMiB: c.MemRequestMiB}
		}
		out[r.Key().Ref()] = t
	}
	return out
}

// PeaksOf indexes container samples by workload and container: the worst pod's quantile
// (CPUMax, MemMax), so a node's sum assumes each pod peaks like the workload's worst one — an
// upper bound, which keeps "unused at the peak" from being overstated. Pod totals and values
// that are not numbers are skipped.
func PeaksOf(samples []peaks.Sample) map[workload.Ref]map[string]Peak {
	out := map[workload.Ref]map[string]Peak{}
	for _, s := range samples {
		if s.Container == peaks.PodTotal || !usable(s.CPUMax) || !usable(s.MemMax) {
			continue
		}
		ref := workload.Ref{Namespace: s.Namespace, Kind: workload.Kind(s.Kind), Name: s.Workload}
		if out[ref] == nil {
			out[ref] = map[string]Peak{}
		}
		out[ref][s.Container] = Peak{CPUMillis: int64(math.Round(s.CPUMax * 1000)), MemBytes: int64(math.Round(s.MemMax))}
	}
	return out
}

func usable(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 }
