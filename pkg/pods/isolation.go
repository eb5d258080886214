package pods

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Annotations Isolate sets on the pod it takes out of its workload.
const (
	AnnotationIsolatedAt = "kubedoor.io/isolated-at"
	AnnotationIsolatedBy = "kubedoor.io/isolated-by"
	// AnnotationIsolatedFrom names the workload ("Kind/name") the pod was taken out of; the pod's
	// owner lets go of it, so this is what still ties the two together.
	AnnotationIsolatedFrom = "kubedoor.io/isolated-from"
	// LabelIsolated marks isolated pods so they can be listed by label, without reading every
	// pod of a namespace.
	LabelIsolated = "kubedoor.io/isolated"
	// IsolatedSuffix is appended to the chosen selector label's value.
	IsolatedSuffix = "-isolated"
)

// preferredSelectorKeys are tried first when choosing the label to change: the ones people
// recognise as a workload's name, so an isolated pod reads as "app=web-isolated".
var preferredSelectorKeys = []string{"app.kubernetes.io/name", "app", "k8s-app", "name", "app.kubernetes.io/instance"}

// ErrNoMatchLabels: a selector made only of expressions has no label whose value can be
// changed predictably.
var ErrNoMatchLabels = errors.New("the workload's selector has no matchLabels, so no label can be changed to take a pod out of it")

// SelectorLabel chooses the selector label Isolate changes: a well-known name label when the
// selector has one, else the first key in sorted order, so the choice is the same on every call
// (ListIsolated finds isolated pods by it).
func SelectorLabel(sel *metav1.LabelSelector) (string, error) {
	if sel == nil || len(sel.MatchLabels) == 0 {
		return "", ErrNoMatchLabels
	}
	for _, k := range preferredSelectorKeys {
		if _, ok := sel.MatchLabels[k]; ok {
			return k, nil
		}
	}
	keys := make([]string, 0, len(sel.MatchLabels))
	for k := range sel.MatchLabels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys[0], nil
}

// IsolatedValue is the label value an isolated pod gets: value with IsolatedSuffix, shortened
// to fit a label value's 63 characters (a value must start and end alphanumeric, which the
// suffix's last letter keeps).
func IsolatedValue(value string) string {
	const maxLabelValue = 63
	if value == "" {
		return strings.TrimPrefix(IsolatedSuffix, "-")
	}
	if len(value)+len(IsolatedSuffix) > maxLabelValue {
		value = strings.TrimRight(value[:maxLabelValue-len(IsolatedSuffix)], "-_.")
	}
	return value + IsolatedSuffix
}

// IsolatedSelector is the label set isolated pods of a workload with selector sel carry: sel's
// matchLabels with key's value isolated, and LabelIsolated. Listing with it finds them after their owner let go.
func IsolatedSelector(sel *metav1.LabelSelector, key string) map[string]string {
	out := make(map[string]string, len(sel.MatchLabels))
	for k, v := range sel.MatchLabels {
		out[k] = v
	}
	out[key] = IsolatedValue(sel.MatchLabels[key])
	out[LabelIsolated] = "true"
	return out
}

// Isolation is the change Isolate makes to one pod.
type Isolation struct {
	Label string `json:"label"`
	From  string `json:"from"`
	To    string `json:"to"`
	At    string `json:"isolatedAt"`
	By    string `json:"isolatedBy"`
	// Workload is "Kind/name" of the workload the pod is taken out of.
	Workload string `json:"isolatedFrom"`
}

// Patch is the JSON merge patch of iso. It carries the pod's resourceVersion, so the apiserver
// refuses it (409) when the pod changed since it was checked to belong to the workload.
func (iso Isolation) Patch(resourceVersion string) ([]byte, error) {
	if iso.Label == "" || iso.To == "" {
		return nil, fmt.Errorf("isolation patch needs a label and its new value")
	}
	patch := map[string]any{"metadata": map[string]any{
		"resourceVersion": resourceVersion,
		"labels":          map[string]string{iso.Label: iso.To, LabelIsolated: "true"},
		"annotations": map[string]string{
			AnnotationIsolatedAt: iso.At, AnnotationIsolatedBy: iso.By, AnnotationIsolatedFrom: iso.Workload,
		},
	}}
	b, err := json.Marshal(patch)
	if err != nil {
		return nil, fmt.Errorf("encoding the isolation patch: %w", err)
	}
	return b, nil
}
