package jobs

import (
	"fmt"

	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
)

// KeptDay is a day whose stored peak rows a job left in place, entirely (an empty or too small
// answer, or a day Prometheus no longer holds) or for the stored workloads the answer lacked.
type KeptDay struct {
	Day             peakwindow.Day `json:"day"`
	StoredWorkloads int            `json:"storedWorkloads"` // workloads stored for the day before the job
	FoundWorkloads  int            `json:"foundWorkloads"`  // workloads Prometheus answered for it now
	KeptWorkloads   int            `json:"keptWorkloads"`   // stored workloads whose rows were kept as they were
	Reason          string         `json:"reason"`
}

// dayPlan is what a job does with one collected day.
type dayPlan struct {
	write bool             // store the samples: they replace the stored rows of the workloads found
	keep  []peaks.Workload // stored workloads not found again, whose rows stay
	kept  *KeptDay         // the report; nil when no stored row was left out of the replacement
}

// planDay decides how a collection that found the workloads found may touch a day that has the
// workloads stored. The rule (docs/api.md, "Collection jobs"):
//   - nothing stored: whatever was found is stored (nothing found is simply an empty day);
//   - fewer than minFoundRatio × stored of the stored workloads found again (none at all being
//     the extreme: a wrong cluster label or URL, a relabelled metric, data past retention): the
//     answer is not trusted and the stored day stays exactly as it was;
//   - otherwise the found workloads' rows are replaced and the stored workloads the answer lacks
//     keep their rows, so a re-run never removes a row it does not replace with found data.
//
// Counting the stored workloads found again, not just how many were found, also keeps a day
// that an answer of the same size but of other workloads (another cluster's data) would replace.
func planDay(day peakwindow.Day, stored, found []peaks.Workload, minFoundRatio float64) dayPlan {
	if len(stored) == 0 {
		return dayPlan{write: len(found) > 0}
	}
	inFound := make(map[peaks.Workload]bool, len(found))
	for _, w := range found {
		inFound[w] = true
	}
	var missing []peaks.Workload
	for _, w := range stored {
		if !inFound[w] {
			missing = append(missing, w)
		}
	}
	again := len(stored) - len(missing)
	report := &KeptDay{Day: day, StoredWorkloads: len(stored), FoundWorkloads: len(found)}
	switch {
	case len(found) == 0:
		report.KeptWorkloads = len(stored)
		report.Reason = fmt.Sprintf("Prometheus answered no workloads for this day; the %d stored workloads were kept", len(stored))
		return dayPlan{kept: report}
	case again == 0 || float64(again) < minFoundRatio*float64(len(stored)):
		report.KeptWorkloads = len(stored)
		report.Reason = fmt.Sprintf("only %d of the %d stored workloads were found again (fewer than collect.minFoundRatio %g of them); the stored day was kept",
			again, len(stored), minFoundRatio)
		return dayPlan{kept: report}
	case len(missing) > 0:
		report.KeptWorkloads = len(missing)
		report.Reason = fmt.Sprintf("%d of the %d stored workloads were not found again; their stored rows were kept, the %d found were replaced",
			len(missing), len(stored), len(found))
		return dayPlan{write: true, keep: missing, kept: report}
	default:
		return dayPlan{write: true}
	}
}

// unavailableDay is the report of a day Prometheus holds nothing of, when rows are stored for it.
func unavailableDay(day peakwindow.Day, stored int) *KeptDay {
	return &KeptDay{Day: day, StoredWorkloads: stored, KeptWorkloads: stored,
		Reason: fmt.Sprintf("Prometheus holds no pod series for this day (beyond its retention, or a wrong cluster label or URL); the %d stored workloads were kept", stored)}
}
