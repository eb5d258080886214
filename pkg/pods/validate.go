package pods

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

// ValidateNamespace checks a namespace named in a request.
func ValidateNamespace(namespace string) *refusal.FieldError {
	if len(namespace) > 63 || !dnsLabel.MatchString(namespace) {
		return &refusal.FieldError{Field: "namespace", Reason: "must be a Kubernetes namespace name"}
	}
	return nil
}

// ValidateRef checks a workload named in a request and returns it with its kind canonical
// ("" is a Deployment).
func ValidateRef(namespace, kind, name string) (workload.Ref, *refusal.FieldError) {
	if fe := ValidateNamespace(namespace); fe != nil {
		return workload.Ref{}, fe
	}
	k, err := workload.ParseKind(kind)
	if err != nil {
		return workload.Ref{}, &refusal.FieldError{Field: "kind", Reason: err.Error()}
	}
	if len(name) > 253 || !dnsSubdomain.MatchString(name) {
		return workload.Ref{}, &refusal.FieldError{Field: "workload", Reason: "must be a Kubernetes workload name"}
	}
	return workload.Ref{Namespace: namespace, Kind: k, Name: name}, nil
}

// ValidatePodName checks one pod name; field is its JSON path.
func ValidatePodName(field, name string) *refusal.FieldError {
	if len(name) > 253 || !dnsSubdomain.MatchString(name) {
		return &refusal.FieldError{Field: field, Reason: "must be a Kubernetes pod name"}
	}
	return nil
}

// ValidateDelete checks a delete request's pods (1 to MaxDeletes, no repeats) and interval.
func ValidateDelete(pods []string, interval time.Duration) *refusal.FieldError {
	if len(pods) == 0 || len(pods) > MaxDeletes {
		return &refusal.FieldError{Field: "pods", Reason: fmt.Sprintf("need 1 to %d pod names", MaxDeletes)}
	}
	if interval < 0 || interval > MaxInterval {
		return &refusal.FieldError{Field: "intervalSeconds", Reason: fmt.Sprintf("must be 0 to %d", int(MaxInterval/time.Second))}
	}
	seen := make(map[string]bool, len(pods))
	for i, p := range pods {
		field := fmt.Sprintf("pods[%d]", i)
		if fe := ValidatePodName(field, p); fe != nil {
			return fe
		}
		if seen[p] {
			return &refusal.FieldError{Field: field, Reason: fmt.Sprintf("pod %s is named twice", p)}
		}
		seen[p] = true
	}
	return nil
}
