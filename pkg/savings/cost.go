// Package savings puts a monthly price on what workloads request — as they run now, as the
// control table would run them, and with the recommended replica counts — and scores how much
// of it their stored peak history says is idle (a waste score) against how risky their current
// rows already are. The pricing and the score are pure functions (cost.go, score.go); Service
// reads a whole cluster in two queries: the table, and the engine's replay of every row over
// its peak days (history.go).
package savings

import (
	"math"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
)

// HoursPerMonth is the average month (365 × 24 / 12), as cloud price lists count it.
const HoursPerMonth = 730

// Cost is what some pods request and what that costs a month.
type Cost struct {
	CPUCores float64 `json:"cpuCores"`
	MemGiB   float64 `json:"memGiB"`
	Monthly  float64 `json:"monthly"`
}

// Pod is one pod's summed requests.
type Pod struct {
	CPUCores float64
	MemGiB   float64
}

// Price is replicas pods of pod for a month at p. Negative replicas (unset) count as 0.
func Price(p clustersettings.Prices, replicas int32, pod Pod) Cost {
	n := float64(max(replicas, 0))
	c := Cost{CPUCores: n * pod.CPUCores, MemGiB: n * pod.MemGiB}
	c.Monthly = c.cpuMonthly(p) + c.memMonthly(p)
	return c
}

func (c Cost) cpuMonthly(p clustersettings.Prices) float64 {
	return c.CPUCores * p.CPUCoreHour * HoursPerMonth
}

func (c Cost) memMonthly(p clustersettings.Prices) float64 {
	return c.MemGiB * p.MemGiBHour * HoursPerMonth
}

// TablePod is a control-table row's pod: its containers' requests, an unset one (-1) counting
// as 0; unset says how many were, so the answer can say its price is a floor.
func TablePod(cs []control.Container) (pod Pod, unset int) {
	for _, c := range cs {
		if c.CPURequestMillis < 0 {
			unset++
		} else {
			pod.CPUCores += float64(c.CPURequestMillis) / 1000
		}
		if c.MemRequestMiB < 0 {
			unset++
		} else {
			pod.MemGiB += float64(c.MemRequestMiB) / 1024
		}
	}
	return pod, unset
}

func (c *Cost) add(o Cost) {
	c.CPUCores += o.CPUCores
	c.MemGiB += o.MemGiB
	c.Monthly += o.Monthly
}

// rounded is c as the API shows it: thousandths of a core and GiB, cents.
func (c Cost) rounded() Cost {
	return Cost{CPUCores: round(c.CPUCores, 3), MemGiB: round(c.MemGiB, 3), Monthly: round(c.Monthly, 2)}
}

func round(v float64, digits int) float64 {
	f := math.Pow10(digits)
	return math.Round(v*f) / f
}
