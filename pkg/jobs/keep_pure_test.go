package jobs

import (
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
)

func TestPlanDayReplacesOnlyWhatAnAnswerFoundAgain(t *testing.T) {
	d := peakwindow.Day{Year: 2026, Month: 3, Day: 1}
	stored := wls("shop/a", "shop/b", "shop/c", "ops/d")
	tests := []struct {
		name         string
		stored       []peaks.Workload
		found        []peaks.Workload
		ratio        float64
		write        bool
		keep         int    // stored workloads left out of the replacement
		keptReported int    // KeptWorkloads; -1 = no report
		reason       string // in the report
	}{
		{"nothing stored, nothing found: an empty day", nil, nil, 0.5, false, 0, -1, ""},
		{"nothing stored: what was found is stored", nil, wls("shop/a"), 0.5, true, 0, -1, ""},
		{"an empty answer keeps the day", stored, nil, 0.5, false, 0, 4, "no workloads"},
		{"an empty answer keeps the day even at ratio 0", stored, nil, 0, false, 0, 4, "no workloads"},
		{"one of four found again is below half", stored, wls("shop/a"), 0.5, false, 0, 4, "only 1 of the 4"},
		{"as many found, but none of the stored (another cluster)", stored, wls("x/1", "x/2", "x/3", "x/4"), 0.5, false, 0, 4, "only 0 of the 4"},
		{"half found again replaces them and keeps the rest", stored, wls("shop/a", "ops/d"), 0.5, true, 2, 2, "2 of the 4 stored workloads were not found again"},
		{"one of four at ratio 0.25", stored, wls("shop/b", "new/e"), 0.25, true, 3, 3, "the 2 found were replaced"},
		{"everything found again: a plain replacement", stored, wls("ops/d", "shop/c", "shop/b", "shop/a", "new/e"), 0.5, true, 0, -1, ""},
		{"ratio 1 needs every stored workload", stored, wls("shop/a", "shop/b", "shop/c"), 1, false, 0, 4, "only 3 of the 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planDay(d, tt.stored, tt.found, tt.ratio)
			if p.write != tt.write || len(p.keep) != tt.keep {
				t.Fatalf("write %v keep %v, want write %v and %d kept", p.write, p.keep, tt.write, tt.keep)
			}
			if tt.keptReported < 0 {
				if p.kept != nil {
					t.Fatalf("reported %+v, want nothing", *p.kept)
				}
				return
			}
			if p.kept == nil || p.kept.Day != d || p.kept.KeptWorkloads != tt.keptReported ||
				p.kept.StoredWorkloads != len(tt.stored) || p.kept.FoundWorkloads != len(tt.found) || !strings.Contains(p.kept.Reason, tt.reason) {
				t.Fatalf("reported %+v, want %d kept and a reason with %q", p.kept, tt.keptReported, tt.reason)
			}
			for _, k := range p.keep {
				for _, f := range tt.found {
					if k == f {
						t.Fatalf("%v was found and kept", k)
					}
				}
			}
		})
	}
}

func wls(names ...string) []peaks.Workload {
	out := make([]peaks.Workload, len(names))
	for i, n := range names {
		ns, name, _ := strings.Cut(n, "/")
		out[i] = peaks.Workload{Namespace: ns, Name: name}
	}
	return out
}
