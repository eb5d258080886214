// Package deploy builds kubedoor-webhook's installation: Namespace, ServiceAccount, a
// least-privilege ClusterRole and binding, a TLS Secret with a CA and serving certificate made
// for this install, Service, Deployment (2 replicas, PDB, anti-affinity, probes, non-root,
// read-only root filesystem), the CapacityPolicy CRD and the MutatingWebhookConfiguration with
// its caBundle filled in. `kubedoor-webhook manifests` prints it; no key is ever committed.
package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/webhook/certs"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
	"github.com/kubedoor/kubedoor-grafana/webhook/registration"
)

// Names of the installed objects.
const (
	Name       = "kubedoor-webhook" // ServiceAccount, ClusterRole(Binding), Service, Deployment, PDB
	SecretName = "kubedoor-webhook-tls"
	certDir    = "/etc/kubedoor-webhook/tls"
	httpsPort  = 8443
	healthPort = 8080
)

// Options shape an installation.
type Options struct {
	Namespace string // default "kubedoor"
	Image     string // required
	Replicas  int32  // default 2
	// ClusterName is this cluster's name in the control table (named in denial messages).
	ClusterName        string
	ReplicasOnlyUpdate string // "enforce" (default) or "allow"
	TimeoutSeconds     int32  // registration timeout, 1..5, default 3 (the webhook's deadline is 2s)
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

// Write generates a fresh CA and serving certificate and writes every object as one YAML
// stream, in an order `kubectl apply -f -` can create them.
func Write(w io.Writer, o Options) error {
	o, err := o.withDefaults()
	if err != nil {
		return err
	}
	bundle, err := certs.Generate(certs.Request{DNSNames: certs.ServiceDNSNames(Name, o.Namespace)})
	if err != nil {
		return err
	}
	objs, err := Objects(o, bundle)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, obj := range objs {
		b, err := yaml.Marshal(obj)
		if err != nil {
			return fmt.Errorf("encoding manifests: %w", err)
		}
		buf.WriteString("---\n")
		buf.Write(b)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// Objects returns the installation's objects for the given certificates.
func Objects(o Options, b *certs.Bundle) ([]any, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	crdObj, err := crd.Object()
	if err != nil {
		return nil, err
	}
	labels := map[string]string{"app.kubernetes.io/name": Name, "app.kubernetes.io/part-of": "kubedoor"}
	meta := func(kind, apiVersion string, namespaced bool) (metav1.TypeMeta, metav1.ObjectMeta) {
		om := metav1.ObjectMeta{Name: Name, Labels: labels}
		if namespaced {
			om.Namespace = o.Namespace
		}
		return metav1.TypeMeta{Kind: kind, APIVersion: apiVersion}, om
	}
	ns := &corev1.Namespace{TypeMeta: metav1.TypeMeta{Kind: "Namespace", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Name: o.Namespace, Labels: map[string]string{"app.kubernetes.io/part-of": "kubedoor"}}}

	sa := &corev1.ServiceAccount{}
	sa.TypeMeta, sa.ObjectMeta = meta("ServiceAccount", "v1", true)

	role := &rbacv1.ClusterRole{Rules: Rules()}
	role.TypeMeta, role.ObjectMeta = meta("ClusterRole", "rbac.authorization.k8s.io/v1", false)

	binding := &rbacv1.ClusterRoleBinding{
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: Name},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: Name, Namespace: o.Namespace}},
	}
	binding.TypeMeta, binding.ObjectMeta = meta("ClusterRoleBinding", "rbac.authorization.k8s.io/v1", false)

	secret := &corev1.Secret{Type: corev1.SecretTypeTLS, Data: map[string][]byte{
		"ca.crt": b.CACert, corev1.TLSCertKey: b.ServingCert, corev1.TLSPrivateKeyKey: b.ServingKey,
	}}
	secret.TypeMeta, secret.ObjectMeta = meta("Secret", "v1", true)
	secret.Name = SecretName

	svc := &corev1.Service{Spec: corev1.ServiceSpec{
		Selector: labels,
		Ports: []corev1.ServicePort{
			{Name: "https", Port: 443, TargetPort: intstr.FromString("https")},
			{Name: "metrics", Port: healthPort, TargetPort: intstr.FromString("health")},
		},
	}}
	svc.TypeMeta, svc.ObjectMeta = meta("Service", "v1", true)

	dep := deployment(o, labels)
	dep.TypeMeta, dep.ObjectMeta = meta("Deployment", "apps/v1", true)

	one := intstr.FromInt32(1)
	pdb := &policyv1.PodDisruptionBudget{Spec: policyv1.PodDisruptionBudgetSpec{
		MinAvailable: &one, Selector: &metav1.LabelSelector{MatchLabels: labels},
	}}
	pdb.TypeMeta, pdb.ObjectMeta = meta("PodDisruptionBudget", "policy/v1", true)

	hook := registration.Mutating(registration.Options{
		Service:  &registration.ServiceRef{Namespace: o.Namespace, Name: Name, Port: 443},
		CABundle: b.CACert, Timeout: o.TimeoutSeconds, Fail: o.FailClosed,
		Exclude: []string{o.Namespace}, Labels: labels,
	})
	hook.TypeMeta = metav1.TypeMeta{Kind: "MutatingWebhookConfiguration", APIVersion: "admissionregistration.k8s.io/v1"}

	// The webhook configuration comes last: registering before the pods are ready only costs a
	// timeout per review (fail open), but ordering it last avoids even that on a fresh install.
	return []any{ns, crdObj.Object, sa, role, binding, secret, svc, dep, pdb, hook}, nil
}

// Rules is the webhook's whole access: read and watch what it decides from, and patch the
// status of CapacityPolicies (status.lastDecision), and record Events of its denials; nothing else.
func Rules() []rbacv1.PolicyRule {
	read := []string{"get", "list", "watch"}
	return []rbacv1.PolicyRule{
		{APIGroups: []string{v1alpha1.GroupVersion.Group}, Resources: []string{v1alpha1.Resource}, Verbs: read},
		{APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: read},
		// Deployments and StatefulSets are cached (metadata only) for their scale-temp annotation,
		// which a Scale review lacks; DaemonSets have no scale subresource, so no access.
		{APIGroups: []string{"apps"}, Resources: []string{"deployments", "statefulsets"}, Verbs: read},
		{APIGroups: []string{"autoscaling"}, Resources: []string{"horizontalpodautoscalers"}, Verbs: read},
		{APIGroups: []string{v1alpha1.GroupVersion.Group}, Resources: []string{v1alpha1.Resource + "/status"}, Verbs: []string{"patch"}},
		{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
	}
}

func deployment(o Options, labels map[string]string) *appsv1.Deployment {
	yes, no := true, false
	uid := int64(65532) // the distroless "nonroot" user
	zero := intstr.FromInt32(0)
	surge := intstr.FromInt32(1)
	probe := func(path string, period int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString("health")}},
			PeriodSeconds: period, TimeoutSeconds: 2, FailureThreshold: 3,
		}
	}
	args := []string{
		"serve",
		fmt.Sprintf("--listen=:%d", httpsPort), fmt.Sprintf("--health-listen=:%d", healthPort),
		"--tls-cert-file=" + certDir + "/tls.crt", "--tls-key-file=" + certDir + "/tls.key",
		"--replicas-only-update=" + o.ReplicasOnlyUpdate,
	}
	if o.ClusterName != "" {
		args = append(args, "--cluster-name="+o.ClusterName)
	}
	replicas := o.Replicas
	return &appsv1.Deployment{Spec: appsv1.DeploymentSpec{
		Replicas: &replicas,
		Selector: &metav1.LabelSelector{MatchLabels: labels},
		Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
			RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: &zero, MaxSurge: &surge}},
		Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec: corev1.PodSpec{
				ServiceAccountName: Name,
				SecurityContext: &corev1.PodSecurityContext{
					RunAsNonRoot: &yes, RunAsUser: &uid, RunAsGroup: &uid,
					SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
				},
				Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
					// Preferred, not required: a one-node cluster must still run both replicas.
					PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
						Weight: 100, PodAffinityTerm: corev1.PodAffinityTerm{
							LabelSelector: &metav1.LabelSelector{MatchLabels: labels}, TopologyKey: "kubernetes.io/hostname",
						},
					}},
				}},
				Containers: []corev1.Container{{
					Name: "webhook", Image: o.Image, Args: args,
					// The Go GC keeps the heap under the container limit instead of being OOM-killed.
					Env: []corev1.EnvVar{{Name: "GOMEMLIMIT", Value: "200MiB"}},
					Ports: []corev1.ContainerPort{
						{Name: "https", ContainerPort: httpsPort, Protocol: corev1.ProtocolTCP},
						{Name: "health", ContainerPort: healthPort, Protocol: corev1.ProtocolTCP},
					},
					Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
						Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")},
					},
					ReadinessProbe: probe("/readyz", 5),
					LivenessProbe:  probe("/healthz", 10),
					SecurityContext: &corev1.SecurityContext{
						AllowPrivilegeEscalation: &no, ReadOnlyRootFilesystem: &yes, RunAsNonRoot: &yes,
						Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
					},
					VolumeMounts: []corev1.VolumeMount{{Name: "tls", MountPath: certDir, ReadOnly: true}},
				}},
				Volumes: []corev1.Volume{{Name: "tls", VolumeSource: corev1.VolumeSource{
					Secret: &corev1.SecretVolumeSource{SecretName: SecretName},
				}}},
			},
		},
	}}
}
