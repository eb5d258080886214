//go:build parts

package publish

import (
	"fmt"
	"strings"
	"testing"
)

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
