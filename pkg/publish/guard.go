package publish

import (
	"fmt"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// managedSelector selects the policies the publisher owns.
const managedSelector = v1alpha1.LabelManagedBy + "=" + v1alpha1.ManagedByValue

// Defaults of the mass-deletion guard (Options.MaxDeleteFraction, Options.MinGuardedDeletes).
const (
	DefaultMaxDeleteFraction = 0.5
	DefaultMinGuardedDeletes = 5
)

// guardDeletes returns why deletes of managed published policies must be held, or "" when they
// may go ahead. Deleting a policy makes its Deployment an unknown workload, which a namespace in
// deny mode refuses to update; so a desired state that suddenly lacks most policies is far more
// likely a wrong or empty control table (a storage switched to an empty database, a failed
// read) than an intent, and a wrong delete is much costlier than a late one. Like a GitOps
// tool without auto-prune, the publisher then deletes nothing and says so; removals that really
// are meant can be done by hand (the message says how) or in smaller steps.
func guardDeletes(deletes, managed int, o Options) string {
	if deletes == 0 || o.MaxDeleteFraction >= 1 || deletes < o.MinGuardedDeletes {
		return ""
	}
	if float64(deletes) <= o.MaxDeleteFraction*float64(managed) {
		return ""
	}
	return fmt.Sprintf("%d of the %d published policies are no longer in the control table; deleting more than %.0f%% at once "+
		"looks like a wrong or empty control table, so none were deleted. If the removal is intended, delete them with "+
		"`kubectl delete capacitypolicies -n <namespace> <name>` (labelled %s), or remove workloads from control in smaller steps",
		deletes, managed, o.MaxDeleteFraction*100, managedSelector)
}
