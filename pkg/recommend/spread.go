package recommend

import (
	"fmt"

	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
)

// SpreadFactor is how far a DaemonSet's worst pod may use more than its average pod before the
// row says so. A DaemonSet's pods serve different nodes (a log agent on a busy node works
// harder), and its requests follow the worst pod, so a wide spread means every other node
// reserves what one node needs: worth a person's look (a per-node outlier).
const SpreadFactor = 2.0

// spreadNotes flags each container of the day whose worst pod used more than SpreadFactor × the
// average pod's CPU or memory.
func spreadNotes(day *dayData, history []peaks.Sample) []string {
	var notes []string
	for _, i := range day.containers {
		s := &history[i]
		for _, m := range []struct {
			what     string
			max, avg float64
		}{{"CPU", clean(s.CPUMax), clean(s.CPUAvg)}, {"memory", clean(s.MemMax), clean(s.MemAvg)}} {
			if m.avg > 0 && m.max > SpreadFactor*m.avg {
				notes = append(notes, fmt.Sprintf("wide spread between nodes: the busiest pod of %s used %.1f× the average pod's %s on %s (a per-node outlier; the request follows the busiest pod)",
					s.Container, m.max/m.avg, m.what, dateOf(s.Day).Format("2006-01-02")))
			}
		}
	}
	return notes
}
