package registration

import (
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// docs/pods.md promises that the webhook cannot refuse a pod isolation or its replacement:
// isolation patches a pod (an UPDATE), and the replacement is a pod its ReplicaSet or DaemonSet
// creates, with no workload created or updated. So no entry may review pod UPDATEs, ReplicaSets
// or status; the only entry for pods reviews their CREATE in namespaces whose target is pods,
// where it sets the table's resources and never denies (webhook/decision.DecidePod).
func TestTheWebhookCannotRefuseAnIsolationOrItsReplacement(t *testing.T) {
	cfg := Mutating(Options{URL: "https://127.0.0.1:1/mutate"})
	for _, wh := range cfg.Webhooks {
		for _, rule := range wh.Rules {
			for _, res := range rule.Resources {
				base, sub, _ := strings.Cut(res, "/")
				switch {
				case base == "*" || base == "replicasets":
					t.Errorf("webhook %s reviews %s: a controller's replacement would be reviewed", wh.Name, res)
				case sub == "status" || sub == "*":
					t.Errorf("webhook %s reviews %s: the controllers' status updates would be reviewed", wh.Name, res)
				case base == "pods":
					if len(rule.Operations) != 1 || rule.Operations[0] != admissionregistrationv1.Create {
						t.Errorf("webhook %s reviews pods on %v: an isolation (a pod UPDATE) would be reviewed", wh.Name, rule.Operations)
					}
					if !selectsOnlyPodsTarget(wh.NamespaceSelector) {
						t.Errorf("webhook %s reviews pods outside namespaces whose target is pods: %+v", wh.Name, wh.NamespaceSelector)
					}
				}
			}
		}
	}
}

func selectsOnlyPodsTarget(sel *metav1.LabelSelector) bool {
	if sel == nil {
		return false
	}
	if sel.MatchLabels[v1alpha1.LabelControlTarget] == v1alpha1.ControlTargetPods {
		return true
	}
	for _, e := range sel.MatchExpressions {
		if e.Key == v1alpha1.LabelControlTarget && e.Operator == "In" && len(e.Values) == 1 && e.Values[0] == v1alpha1.ControlTargetPods {
			return true
		}
	}
	return false
}
