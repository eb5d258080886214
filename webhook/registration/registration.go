// Package registration builds the MutatingWebhookConfiguration that routes Deployment,
// StatefulSet and DaemonSet changes to kubedoor-webhook, with the safety defaults of docs/design.md §7: only labelled namespaces, never
// kube-system or the webhook's own namespace, no side effects, fail open, short timeout.
// A second entry routes Pod creations, and only those of namespaces whose enforcement target is
// pods (kubedoor.io/control-target=pods), which the first entry in turn leaves out: no other Pod
// creation in the cluster waits on the webhook, and in those namespaces workload objects are
// never reviewed.
package registration

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

const (
	// ControlLabel on a namespace switches enforcement: "enforce" or "observe".
	ControlLabel = "kubedoor.io/control"
	// TargetLabel on a namespace chooses where enforcement writes: "pods" or the template.
	TargetLabel = v1alpha1.LabelControlTarget
	// Name of the configuration object and of its webhook.
	Name        = v1alpha1.WebhookConfigurationName
	WebhookName = "deployments.kubedoor.io"
	// PodsWebhookName is the entry for Pod CREATE in namespaces whose target is pods.
	PodsWebhookName = "pods.kubedoor.io"
	// Path the webhook serves.
	Path = "/mutate"
	// CapacityConditionName names the workload entry's match condition.
	CapacityConditionName = "capacity-relevant"
)

// CapacityCondition is the CEL match condition of the workload entry: the API server calls the
// webhook for every CREATE, every scale subresource request, and only those UPDATEs that change
// the pod template, spec.replicas or a kubedoor.io/ annotation. Every other UPDATE (the
// deployment controller's revision annotation during a rollout, label edits, finalizers) is
// admitted unchanged by webhook/decision (rule 7, ReasonNoCapacityChange), so the call is saved.
// Conditions that error count as a failed call (failurePolicy); || absorbs the errors of fields
// a Scale lacks because the subresource test comes first.
const CapacityCondition = `request.operation != 'UPDATE' || request.subResource != '' || oldObject == null || ` +
	`!has(object.spec) || !has(oldObject.spec) || ` +
	`(has(object.spec.template) ? object.spec.template : null) != (has(oldObject.spec.template) ? oldObject.spec.template : null) || ` +
	`(has(object.spec.replicas) ? object.spec.replicas : -1) != (has(oldObject.spec.replicas) ? oldObject.spec.replicas : -1) || ` +
	`(has(object.metadata.annotations) && object.metadata.annotations.exists(k, k.startsWith('kubedoor.io/') && ` +
	`!(has(oldObject.metadata.annotations) && k in oldObject.metadata.annotations && oldObject.metadata.annotations[k] == object.metadata.annotations[k]))) || ` +
	`(has(oldObject.metadata.annotations) && oldObject.metadata.annotations.exists(k, k.startsWith('kubedoor.io/') && ` +
	`!(has(object.metadata.annotations) && k in object.metadata.annotations)))`

// Options shape the configuration. Exactly one of URL or Service must be set.
type Options struct {
	URL      string            // e.g. https://127.0.0.1:8443/mutate (out-of-cluster, tests, demo)
	Service  *ServiceRef       // in-cluster Service
	CABundle []byte            // PEM CA that signed the serving certificate
	Timeout  int32             // seconds, 1..5; default 3
	Fail     bool              // failurePolicy Fail instead of the default Ignore
	Exclude  []string          // namespaces never selected besides kube-system (e.g. the webhook's own)
	Labels   map[string]string // labels on the configuration object
}

// ServiceRef points at the webhook's Service.
type ServiceRef struct {
	Namespace, Name string
	Port            int32
}

// Mutating returns the configuration object.
func Mutating(o Options) *admissionregistrationv1.MutatingWebhookConfiguration {
	policy := admissionregistrationv1.Ignore
	if o.Fail {
		policy = admissionregistrationv1.Fail
	}
	timeout := o.Timeout
	if timeout <= 0 || timeout > 5 {
		timeout = 3
	}
	sideEffects := admissionregistrationv1.SideEffectClassNone
	scope := admissionregistrationv1.NamespacedScope
	reinvoke := admissionregistrationv1.NeverReinvocationPolicy
	match := admissionregistrationv1.Equivalent
	client := admissionregistrationv1.WebhookClientConfig{CABundle: o.CABundle}
	if o.Service != nil {
		path := Path
		port := o.Service.Port
		if port == 0 {
			port = 443
		}
		client.Service = &admissionregistrationv1.ServiceReference{
			Namespace: o.Service.Namespace, Name: o.Service.Name, Path: &path, Port: &port,
		}
	} else {
		url := o.URL
		client.URL = &url
	}
	excluded := append([]string{"kube-system"}, o.Exclude...)
	controlled := metav1.LabelSelectorRequirement{Key: ControlLabel, Operator: metav1.LabelSelectorOpIn, Values: []string{"enforce", "observe"}}
	notExcluded := metav1.LabelSelectorRequirement{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: excluded}
	entry := func(name string, selector []metav1.LabelSelectorRequirement, rule admissionregistrationv1.RuleWithOperations, conds ...admissionregistrationv1.MatchCondition) admissionregistrationv1.MutatingWebhook {
		return admissionregistrationv1.MutatingWebhook{
			Name:                    name,
			ClientConfig:            client,
			AdmissionReviewVersions: []string{"v1"},
			SideEffects:             &sideEffects,
			FailurePolicy:           &policy,
			TimeoutSeconds:          &timeout,
			ReinvocationPolicy:      &reinvoke,
			MatchPolicy:             &match,
			NamespaceSelector:       &metav1.LabelSelector{MatchExpressions: selector},
			Rules:                   []admissionregistrationv1.RuleWithOperations{rule},
			MatchConditions:         conds,
		}
	}
	return &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: Name, Labels: o.Labels},
		Webhooks: []admissionregistrationv1.MutatingWebhook{
			entry(WebhookName, []metav1.LabelSelectorRequirement{controlled, notExcluded,
				// NotIn also matches namespaces without the label: the template is the default.
				{Key: TargetLabel, Operator: metav1.LabelSelectorOpNotIn, Values: []string{v1alpha1.ControlTargetPods}},
			}, admissionregistrationv1.RuleWithOperations{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
				Rule: admissionregistrationv1.Rule{
					APIGroups: []string{"apps"}, APIVersions: []string{"v1"},
					// Without a workload's /scale subresource, kubectl scale bypasses the webhook.
					// DaemonSets have no replicas and no scale subresource.
					Resources: []string{"deployments", "deployments/scale", "statefulsets", "statefulsets/scale", "daemonsets"}, Scope: &scope,
				},
			}, admissionregistrationv1.MatchCondition{Name: CapacityConditionName, Expression: CapacityCondition}),
			entry(PodsWebhookName, []metav1.LabelSelectorRequirement{controlled, notExcluded,
				{Key: TargetLabel, Operator: metav1.LabelSelectorOpIn, Values: []string{v1alpha1.ControlTargetPods}},
			}, admissionregistrationv1.RuleWithOperations{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule: admissionregistrationv1.Rule{
					APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}, Scope: &scope,
				},
			}),
		},
	}
}
