package pods

import (
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/webhook/registration"
)

// docs/pods.md promises that the webhook's replicas rule cannot refuse an isolation's replacement:
// isolation patches a pod, and the replacement is a pod its ReplicaSet or DaemonSet creates, with
// no workload created or updated. That holds while the webhook is registered for neither pods nor
// ReplicaSets nor workload status; this fails when a registration change breaks the promise.
func TestTheWebhookNeverReviewsWhatIsolationChanges(t *testing.T) {
	cfg := registration.Mutating(registration.Options{URL: "https://127.0.0.1:1/mutate"})
	for _, wh := range cfg.Webhooks {
		for _, rule := range wh.Rules {
			for _, group := range rule.APIGroups {
				if group == "" || group == "*" {
					t.Errorf("webhook %s is registered for API group %q, which holds pods", wh.Name, group)
				}
			}
			for _, res := range rule.Resources {
				base, sub, _ := strings.Cut(res, "/")
				switch {
				case base == "*" || base == "pods" || base == "replicasets":
					t.Errorf("webhook %s reviews %s: an isolation's replacement would be reviewed", wh.Name, res)
				case sub == "status" || sub == "*":
					t.Errorf("webhook %s reviews %s: the controllers' status updates would be reviewed", wh.Name, res)
				}
			}
		}
	}
}
