package clustersettings

import (
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

func TestPeakWindowsBetweenReadsTheWorkloadsWindowInTheClustersZone(t *testing.T) {
	s := Defaults("prod-a", "Asia/Shanghai")
	s.Overrides = []Override{
		{Namespace: "shop", Kind: workload.StatefulSet, Workload: "db", PeakWindow: Window{"23:00", "01:00"}},
		{Namespace: "shop", PeakWindow: Window{"18:00", "19:00"}},
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	tests := []struct {
		name, ns, kind, wl string
		wantOn             string
		want               []string // UTC start/end
	}{
		{"the cluster's window without a namespace", "", "", "", SetOnCluster,
			[]string{"2026-03-01T02:00:00Z/2026-03-01T03:30:00Z"}},
		{"a namespace's own window", "shop", "", "", SetOnNamespace,
			[]string{"2026-03-01T10:00:00Z/2026-03-01T11:00:00Z"}},
		{"a workload of the namespace without its own", "shop", "", "checkout", SetOnNamespace,
			[]string{"2026-03-01T10:00:00Z/2026-03-01T11:00:00Z"}},
		// 23:00–01:00 Shanghai is 15:00–17:00 UTC: the span of 1 March (the one of 28 February ends
		// at 17:00 UTC on 28 February, before the range).
		{"a workload's window crossing midnight", "shop", workload.StatefulSet, "db", SetOnWorkload,
			[]string{"2026-03-01T15:00:00Z/2026-03-01T17:00:00Z"}},
		{"the override is for its kind only", "shop", "", "db", SetOnNamespace,
			[]string{"2026-03-01T10:00:00Z/2026-03-01T11:00:00Z"}},
		{"another namespace reads the cluster's", "pay", "", "api", SetOnCluster,
			[]string{"2026-03-01T02:00:00Z/2026-03-01T03:30:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.PeakWindowsBetween(tt.ns, tt.kind, tt.wl, from, to)
			if err != nil {
				t.Fatal(err)
			}
			var spans []string
			for _, sp := range got.Items {
				spans = append(spans, sp.Start.UTC().Format(time.RFC3339)+"/"+sp.End.UTC().Format(time.RFC3339))
			}
			if got.SetOn != tt.wantOn || strings.Join(spans, " ") != strings.Join(tt.want, " ") || got.TimeZone != "Asia/Shanghai" {
				t.Fatalf("got %s %s %v, want %s %v", got.SetOn, got.TimeZone, spans, tt.wantOn, tt.want)
			}
		})
	}
}

func TestPeakWindowsBetweenRefusesAnUnknownZone(t *testing.T) {
	s := Defaults("prod-a", "Mars/Olympus")
	if _, err := s.PeakWindowsBetween("", "", "", time.Now(), time.Now().Add(time.Hour)); err == nil {
		t.Fatal("an unknown time zone was read")
	}
}
