package savings

import (
	"math"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

var listPrices = clustersettings.Prices{Currency: "USD", CPUCoreHour: 0.0316, MemGiBHour: 0.0042}

func container(name string, cpuMillis, memMiB int64) control.Container {
	c := control.NewContainer(name)
	c.CPURequestMillis, c.MemRequestMiB = cpuMillis, memMiB
	return c
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*max(1, math.Abs(b)) }

func TestPriceOfTableRequests(t *testing.T) {
	tests := []struct {
		name       string
		prices     clustersettings.Prices
		replicas   int32
		containers []control.Container
		want       Cost
		unset      int
	}{
		{"two containers at 3 replicas price both containers' requests three times", listPrices, 3,
			[]control.Container{container("app", 500, 1024), container("sidecar", 100, 256)},
			// 3 × (0.5 + 0.1) cores, 3 × (1 + 0.25) GiB; (1.8 × 0.0316 + 3.75 × 0.0042) × 730.
			Cost{CPUCores: 1.8, MemGiB: 3.75, Monthly: (0.05688 + 0.01575) * 730}, 0},
		{"unset requests count as zero and are counted", listPrices, 2,
			[]control.Container{container("app", 500, -1), container("sidecar", -1, 256)},
			// 2 × 0.5 cores, 2 × 0.25 GiB: (0.0316 + 0.5 × 0.0042) × 730.
			Cost{CPUCores: 1, MemGiB: 0.5, Monthly: 0.0337 * 730}, 2},
		{"unset replicas price nothing", listPrices, -1,
			[]control.Container{container("app", 500, 1024)}, Cost{}, 0},
		{"zero prices price the requests at nothing", clustersettings.Prices{Currency: "EUR"}, 4,
			[]control.Container{container("app", 250, 512)}, Cost{CPUCores: 1, MemGiB: 2}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod, unset := TablePod(tt.containers)
			got := Price(tt.prices, tt.replicas, pod)
			if !near(got.CPUCores, tt.want.CPUCores) || !near(got.MemGiB, tt.want.MemGiB) || !near(got.Monthly, tt.want.Monthly) || unset != tt.unset {
				t.Errorf("got %+v unset %d, want %+v unset %d", got, unset, tt.want, tt.unset)
			}
		})
	}
}

func TestRoundedCostsShowCentsAndThousandths(t *testing.T) {
	got := Cost{CPUCores: 1.23456, MemGiB: 0.0004, Monthly: 53.0199}.rounded()
	if got != (Cost{CPUCores: 1.235, MemGiB: 0, Monthly: 53.02}) {
		t.Errorf("got %+v", got)
	}
}

func asFieldError(err error) (string, bool) {
	fe, ok := refusal.AsFieldError(err)
	if !ok {
		return "", false
	}
	return fe.Field, true
}
