package plugin

import (
	"reflect"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
)

func TestWithMissingNotes(t *testing.T) {
	row := func(cluster, ns string, notes ...string) control.Row {
		return control.Row{Cluster: cluster, Namespace: ns, Workload: "api", Notes: notes}
	}
	missing := map[string]map[string]string{"prod": {"gone": "namespace gone does not exist"}}
	tests := []struct {
		name string
		rows []control.Row
		want [][]string
	}{
		{"a row in a missing namespace gets the note after its own", []control.Row{row("prod", "gone", "collected 3 days")},
			[][]string{{"collected 3 days", "namespace gone does not exist"}}},
		{"a row in a namespace that exists keeps its notes", []control.Row{row("prod", "shop", "collected 3 days")},
			[][]string{{"collected 3 days"}}},
		{"the same namespace name in another cluster is not missing", []control.Row{row("test", "gone")}, [][]string{nil}},
		{"no rows, no notes", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := make([][]string, len(tt.rows))
			for i, r := range tt.rows {
				before[i] = r.Notes
			}
			got := withMissingNotes(tt.rows, missing)
			var notes [][]string
			for _, r := range got {
				notes = append(notes, r.Notes)
			}
			if !reflect.DeepEqual(notes, tt.want) {
				t.Fatalf("notes %q, want %q", notes, tt.want)
			}
			for i, r := range tt.rows {
				if !reflect.DeepEqual(r.Notes, before[i]) {
					t.Fatalf("the rows given were changed: %q, was %q", r.Notes, before[i])
				}
			}
		})
	}
}
