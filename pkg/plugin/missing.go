package plugin

import (
	"slices"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
)

// noteMissing adds to each row whose namespace the publisher found missing in its cluster the
// note saying so (issue 17 §5: shown on the row, not only in the cluster's publish status). The
// note is part of the answer only; nothing is stored.
func (a *App) noteMissing(rows []control.Row) []control.Row {
	if a.missing == nil {
		return rows
	}
	byCluster := map[string]map[string]string{}
	for _, r := range rows {
		if _, ok := byCluster[r.Cluster]; !ok {
			byCluster[r.Cluster] = a.missing(r.Cluster)
		}
	}
	return withMissingNotes(rows, byCluster)
}

// withMissingNotes returns rows with missing[cluster][namespace]'s note appended to the notes of
// each row it names; the rows given are not changed.
func withMissingNotes(rows []control.Row, missing map[string]map[string]string) []control.Row {
	out := slices.Clone(rows)
	for i, r := range rows {
		if note, ok := missing[r.Cluster][r.Namespace]; ok {
			out[i].Notes = append(slices.Clone(r.Notes), note)
		}
	}
	return out
}
