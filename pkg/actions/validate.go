package actions

import (
	"fmt"
	"regexp"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

var (
	dnsLabel     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

// ValidateBatch checks a request's bounds and each item's names and kind; path is the items' JSON
// path ("items"), so a problem names the field, e.g. items[2].namespace. clusterKnown says
// whether a cluster name is configured. It sets each item's Kind to its canonical name ("" and
// "statefulset" become Deployment and StatefulSet), so what runs and is audited is canonical.
func ValidateBatch(path string, items []Workload, interval time.Duration, clusterKnown func(string) bool) *refusal.FieldError {
	if len(items) == 0 || len(items) > MaxItems {
		return &refusal.FieldError{Field: path, Reason: fmt.Sprintf("need 1 to %d workloads (use a schedule for more)", MaxItems)}
	}
	if interval < 0 || interval > MaxInterval {
		return &refusal.FieldError{Field: "intervalSeconds", Reason: fmt.Sprintf("must be 0 to %d", int(MaxInterval/time.Second))}
	}
	for i, w := range items {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case w.Cluster == "":
			return &refusal.FieldError{Field: p + ".cluster", Reason: "required"}
		case !clusterKnown(w.Cluster):
			return &refusal.FieldError{Field: p + ".cluster", Reason: fmt.Sprintf("no cluster named %q", w.Cluster)}
		case len(w.Namespace) > 63 || !dnsLabel.MatchString(w.Namespace):
			return &refusal.FieldError{Field: p + ".namespace", Reason: "must be a Kubernetes namespace name"}
		case len(w.Name) > 253 || !dnsSubdomain.MatchString(w.Name):
			return &refusal.FieldError{Field: p + ".workload", Reason: "must be a Kubernetes workload name"}
		}
		kind, err := workload.ParseKind(w.Kind)
		if err != nil {
			return &refusal.FieldError{Field: p + ".kind", Reason: err.Error()}
		}
		items[i].Kind = kind
	}
	return nil
}

// ValidateScalable refuses the items whose kind has no replicas (DaemonSets), naming the first
// one's kind field; run it after ValidateBatch.
func ValidateScalable(path string, items []Workload) *refusal.FieldError {
	for i, w := range items {
		if !workload.HasReplicas(w.Kind) {
			return &refusal.FieldError{Field: fmt.Sprintf("%s[%d].kind", path, i), Reason: NoReplicasReason}
		}
	}
	return nil
}
