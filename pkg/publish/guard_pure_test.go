package publish

import (
	"fmt"
	"strings"
	"testing"
)

func TestGuardDeletes(t *testing.T) {
	def := Options{}.withDefaults()
	for _, tc := range []struct {
		name             string
		deletes, managed int
		opts             Options
		held             bool
	}{
		{"nothing to delete is never held", 0, 100, def, false},
		{"fewer deletes than the minimum go ahead even when they are all of them", 4, 4, def, false},
		{"the minimum number of deletes that is all of the policies is held", 5, 5, def, true},
		{"an empty control table against a thousand policies is held", 1000, 1000, def, true},
		{"exactly half of the policies may be deleted", 50, 100, def, false},
		{"one more than half is held", 51, 100, def, true},
		{"a fraction of 1 turns the guard off", 1000, 1000, Options{MaxDeleteFraction: 1}.withDefaults(), false},
		{"a stricter fraction holds a smaller share", 11, 100, Options{MaxDeleteFraction: 0.1}.withDefaults(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reason := guardDeletes(tc.deletes, tc.managed, tc.opts)
			if (reason != "") != tc.held {
				t.Fatalf("guardDeletes(%d, %d) = %q; held want %v", tc.deletes, tc.managed, reason, tc.held)
			}
			if tc.held && (!strings.Contains(reason, fmt.Sprintf("%d of the %d", tc.deletes, tc.managed)) || !strings.Contains(reason, "kubectl delete")) {
				t.Fatalf("the reason must give the counts and the way out: %q", reason)
			}
		})
	}
}
