// Package v1alpha1 is the kubedoor.io/v1alpha1 API: CapacityPolicy, the published form of one
// control-table row. Both the backend (which publishes policies) and the webhook (which enforces
// them) use these types; neither Grafana's SDK nor ClickHouse code enters this package.
//
// +kubebuilder:object:generate=true
// +groupName=kubedoor.io
package v1alpha1
