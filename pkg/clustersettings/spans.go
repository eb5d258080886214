package clustersettings

import (
	"fmt"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
)

// PeakWindows is the peak window one workload (or a namespace, or the cluster) is read in, and
// its spans over a time range: what a dashboard shades.
type PeakWindows struct {
	Cluster  string `json:"cluster"`
	TimeZone string `json:"timeZone"`
	Window   Window `json:"window"`
	// SetOn says which setting gives the window: SetOnWorkload, SetOnNamespace or SetOnCluster.
	SetOn string     `json:"setOn"`
	Items []PeakSpan `json:"items"`
}

// PeakSpan is one day's window as instants (in the cluster's zone).
type PeakSpan struct {
	Day   peakwindow.Day `json:"day"`
	Start time.Time      `json:"start"`
	End   time.Time      `json:"end"`
}

// PeakWindowsBetween is the window of namespace/kind/name (name "" = the namespace's, namespace
// "" = the cluster's) with each day's span overlapping [from, to), earliest first.
func (s ClusterSettings) PeakWindowsBetween(namespace, kind, name string, from, to time.Time) (PeakWindows, error) {
	set, on, path := s.windowSetting(namespace, kind, name)
	w, err := set.parse(path)
	if err != nil {
		return PeakWindows{}, fmt.Errorf("cluster %s: %w", s.Cluster, err)
	}
	loc, err := s.Location()
	if err != nil {
		return PeakWindows{}, err
	}
	out := PeakWindows{Cluster: s.Cluster, TimeZone: s.TimeZone, Window: set, SetOn: on, Items: []PeakSpan{}}
	for _, sp := range w.Between(from, to, loc) {
		out.Items = append(out.Items, PeakSpan{Day: sp.Day, Start: sp.Start, End: sp.End})
	}
	return out, nil
}
