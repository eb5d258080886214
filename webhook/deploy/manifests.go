// Package deploy prints kubedoor-webhook's installation for `kubedoor-manifests`: the
// Helm chart in deploy/helm/kubedoor rendered with the Helm SDK from its embedded copy, the
// command's flags mapped onto chart values, plus the Namespace. So `helm template` and the
// subcommand give the same objects; every render makes its own CA and serving certificate and
// no key is ever committed.
package deploy

import (
	"errors"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubedoor/kubedoor-grafana/deploy/helm/kubedoor"
)

// Names of the installed objects (fixed by the chart).
const (
	Name       = "kubedoor-webhook" // ServiceAccount, ClusterRole(Binding), Service, Deployment, PDB
	SecretName = "kubedoor-webhook-tls"
)

// Options shape an installation.
type Options struct {
	Namespace string // default "kubedoor"
	Image     string // required
	Replicas  int32  // default 2
	// ClusterName is this cluster's name in the control table (named in denial messages).
	ClusterName        string
	ReplicasOnlyUpdate string // "enforce" (default) or "allow"
	TimeoutSeconds     int32  // registration timeout, 3..5, default 3 (the webhook's deadline is 2s)
	FailClosed         bool   // failurePolicy Fail instead of Ignore
}

func (o Options) withDefaults() (Options, error) {
	if o.Namespace == "" {
		o.Namespace = "kubedoor"
	}
	if o.Replicas == 0 {
		o.Replicas = 2
	}
	if o.ReplicasOnlyUpdate == "" {
		o.ReplicasOnlyUpdate = "enforce"
	}
	if o.TimeoutSeconds == 0 {
		o.TimeoutSeconds = 3
	}
	// Checked here too (the chart's schema checks the values) so errors name the flags.
	var errs []error
	if o.Image == "" {
		errs = append(errs, errors.New("--image is required (the kubedoor-webhook image to run)"))
	}
	if msgs := validation.IsDNS1123Label(o.Namespace); len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("--namespace %q: %v", o.Namespace, msgs))
	}
	if o.Namespace == "kube-system" {
		errs = append(errs, errors.New("--namespace kube-system: the webhook never runs where it would have to exclude itself from core components"))
	}
	if o.Replicas < 1 {
		errs = append(errs, fmt.Errorf("--replicas %d must be ≥ 1 (2 or more for availability)", o.Replicas))
	}
	if o.ReplicasOnlyUpdate != "enforce" && o.ReplicasOnlyUpdate != "allow" {
		errs = append(errs, fmt.Errorf("--replicas-only-update %q must be enforce or allow", o.ReplicasOnlyUpdate))
	}
	if o.TimeoutSeconds < 3 || o.TimeoutSeconds > 5 {
		errs = append(errs, fmt.Errorf("--timeout-seconds %d must be 3..5 (the webhook answers within its 2s deadline)", o.TimeoutSeconds))
	}
	return o, errors.Join(errs...)
}

// Values maps options onto the chart's values (see deploy/helm/kubedoor/values.schema.json);
// namespace.create makes the output self-contained, as `helm install --create-namespace` would.
func Values(o Options) (map[string]any, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"image":              o.Image,
		"replicas":           int64(o.Replicas),
		"clusterName":        o.ClusterName,
		"replicasOnlyUpdate": o.ReplicasOnlyUpdate,
		"timeoutSeconds":     int64(o.TimeoutSeconds),
		"failClosed":         o.FailClosed,
		"namespace":          map[string]any{"create": true},
	}, nil
}

// Write renders the chart for o (a fresh CA and serving certificate each time) and writes every
// object as one YAML stream in Helm's install order (Namespace first, the webhook configuration
// last), which `kubectl apply --server-side -f -` can create in one pass.
func Write(w io.Writer, o Options) error {
	vals, err := Values(o)
	if err != nil {
		return err
	}
	o, _ = o.withDefaults()
	out, err := kubedoor.Render(o.Namespace, vals)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, out)
	return err
}
