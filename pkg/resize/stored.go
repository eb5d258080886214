package resize

import (
	"context"

	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// StoredPeaks reads the newest stored memory peaks from the store (Peaks).
type StoredPeaks struct{ Conn store.Conn }

// MemoryPeaks returns the newest day's memory peak of each of ref's containers, in bytes.
func (s StoredPeaks) MemoryPeaks(ctx context.Context, cluster string, ref workload.Ref) (map[string]float64, error) {
	got, err := peaks.LatestMemory(ctx, s.Conn, cluster, peaks.Workload{Namespace: ref.Namespace, Kind: ref.Kind, Name: ref.Name})
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64, len(got))
	for _, p := range got {
		out[p.Container] = p.Bytes
	}
	return out, nil
}
