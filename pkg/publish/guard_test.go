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

// An empty control table (a storage switched to an empty database, say) must not delete the
// cluster's policies; a removal of a few of them still goes through.
func TestAnEmptyControlTableDeletesNoPublishedPolicy(t *testing.T) {
	clean(t)
	ns := namespaces(t, 1)[0]
	p := publisher(t)
	var desired []Policy
	for i := range 8 {
		desired = append(desired, FromControl("prod", ns, fmt.Sprintf("svc-%d", i), 1, int64(i), nil))
	}
	wantCounts(t, reconcile(t, p, desired), 8, 0, 0, 0, 0)

	res := reconcile(t, p, nil)
	wantCounts(t, res, 0, 0, 0, 0, 0)
	if res.Held != 8 || !strings.Contains(res.HeldReason, "8 of the 8") || res.Writes != 0 {
		t.Fatalf("all 8 deletions must be held with a reason and no write: %s, reason %q", res, res.HeldReason)
	}
	for i := range 8 {
		mustGet(t, ns, fmt.Sprintf("svc-%d", i))
	}

	res = reconcile(t, p, desired[:5]) // 3 of 8: under the minimum and under half
	wantCounts(t, res, 0, 0, 3, 5, 0)
	if res.Held != 0 {
		t.Fatalf("a small removal must not be held: %s", res)
	}
}
