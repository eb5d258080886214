package audit

import (
	"testing"

	"github.com/google/uuid"
)

func TestTheIDOfAVersionsEntryDependsOnEveryPartOfItsName(t *testing.T) {
	base := ControlVersionID("c", "ns", "w", 1)
	tests := []struct {
		name string
		id   uuid.UUID
		same bool
	}{
		{"the same version gives the same id", ControlVersionID("c", "ns", "w", 1), true},
		{"another version gives another id", ControlVersionID("c", "ns", "w", 2), false},
		{"another workload gives another id", ControlVersionID("c", "ns", "w2", 1), false},
		{"a name cannot slide into its neighbour", ControlVersionID("c", "nsw", "", 1), false},
		{"another cluster gives another id", ControlVersionID("c2", "ns", "w", 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if (tt.id == base) != tt.same {
				t.Fatalf("id %s vs %s, same=%v wanted", tt.id, base, tt.same)
			}
		})
	}
}
