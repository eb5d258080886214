//go:build parts

package backend_test

// rbac.yaml is applied to a real kube-apiserver; the backend's code then runs as the shipped
// ServiceAccount (a token from the TokenRequest API, in a kubeconfig, through pkg/kube as the
// product does), which proves the role sufficient, and the apiserver's own rules review and a
// list of refused calls prove it minimal.

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/enforce"
	"github.com/kubedoor/kubedoor-grafana/pkg/kube"
	"github.com/kubedoor/kubedoor-grafana/pkg/nodes"
	"github.com/kubedoor/kubedoor-grafana/pkg/publish"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/backend"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
)

var (
	cluster       *testenv.Kube
	backendClient *kube.Client // the backend as the shipped ServiceAccount
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "rbac tests cannot start: %v\n", err)
		return 1
	}
	var err error
	if cluster, err = testenv.StartKube(ctx, testenv.KubeOptions{}); err != nil {
		return fail(err)
	}
	defer cluster.Stop()
	admin, err := dynamic.NewForConfig(cluster.RESTConfig())
	if err != nil {
		return fail(err)
	}
	if err := crd.Install(ctx, admin); err != nil {
		return fail(err)
	}
	if err := testenv.ApplyYAML(ctx, cluster.RESTConfig(), bytes.NewReader(backend.RBAC)); err != nil {
		return fail(err)
	}
	if backendClient, err = serviceAccountClient(ctx); err != nil {
		return fail(err)
	}
	return m.Run()
}

// serviceAccountClient builds the product's client from a kubeconfig holding a token of the
// shipped ServiceAccount, as an operator following README.md would store it.
func serviceAccountClient(ctx context.Context) (*kube.Client, error) {
	exp := int64(3600)
	tr, err := cluster.Clientset().CoreV1().ServiceAccounts(backend.Namespace).CreateToken(ctx, backend.ServiceAccount,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &exp}}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("token for the backend's ServiceAccount: %w", err)
	}
	kubeconfig := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q, certificate-authority-data: %q}}]
users: [{name: kubedoor-backend, user: {token: %q}}]
contexts: [{name: c, context: {cluster: c, user: kubedoor-backend}}]
current-context: c
`, cluster.APIServerURL, base64.StdEncoding.EncodeToString(cluster.CACertPEM), tr.Status.Token)
	return kube.NewClients().For(settings.Cluster{Name: "prod", KubeAccess: settings.KubeAccessKubeconfig, Kubeconfig: kubeconfig})
}

func adminNamespace(t *testing.T, name string) {
	t.Helper()
	_, err := cluster.Clientset().CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

func adminDeployment(t *testing.T, ns, name string) {
	t.Helper()
	labels := map[string]string{"app": name}
	one := int32(1)
	_, err := cluster.Clientset().AppsV1().Deployments(ns).Create(t.Context(), &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "example/app:1"}}},
			},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTheShippedRoleIsEnoughForEverythingTheBackendDoes(t *testing.T) {
	ctx := t.Context()
	adminNamespace(t, "shop")
	adminDeployment(t, "shop", "api")
	k := backendClient.Kubernetes

	t.Run("publishing creates, updates and deletes policies and writes their status", func(t *testing.T) {
		p := publish.New(backendClient.Dynamic, "prod", publish.Options{})
		desired := []publish.Policy{
			publish.FromControl("prod", "shop", "api", 1, 2, []publish.Container{{Name: "app", CPURequestMillis: 100, CPULimitMillis: 500, MemRequestMiB: 64, MemLimitMiB: 256}}),
			publish.FromControl("prod", "shop", "web", 1, 1, nil),
		}
		for i, want := range []struct {
			desired                   []publish.Policy
			created, updated, deleted int
		}{
			{desired, 2, 0, 0},
			{append([]publish.Policy{publish.FromControl("prod", "shop", "api", 2, 3, nil)}, desired[1]), 0, 1, 0},
			{desired[1:], 0, 0, 1},
		} {
			res, err := p.Reconcile(ctx, want.desired)
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if res.Failed != 0 || res.Created != want.created || res.Updated != want.updated || res.Deleted != want.deleted {
				t.Fatalf("step %d: %s %+v", i, res, res.Failures)
			}
		}
	})
	t.Run("the enforcement switch lists namespaces with counts and patches one", func(t *testing.T) {
		meta, err := metadata.NewForConfig(backendClient.Config)
		if err != nil {
			t.Fatal(err)
		}
		sw := enforce.New(k, meta, backend.Namespace)
		items, warnings, err := sw.List(ctx)
		if err != nil || len(warnings) > 0 || len(items) == 0 {
			t.Fatalf("list: %v %v", err, warnings)
		}
		if _, after, err := sw.Set(ctx, "shop", enforce.Change{Control: v1alpha1.ControlEnforce}); err != nil || after.Control != "enforce" || after.Workloads != 1 {
			t.Fatalf("switch: %+v %v", after, err)
		}
	})
	t.Run("a scale goes through the scale subresource", func(t *testing.T) {
		sc, err := k.AppsV1().Deployments("shop").GetScale(ctx, "api", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sc.Spec.Replicas = 3
		if _, err := k.AppsV1().Deployments("shop").UpdateScale(ctx, "api", sc, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		if d, _ := cluster.Clientset().AppsV1().Deployments("shop").Get(ctx, "api", metav1.GetOptions{}); *d.Spec.Replicas != 3 {
			t.Fatalf("replicas %d", *d.Spec.Replicas)
		}
	})
	t.Run("a restart and a temporary scale are Deployment patches", func(t *testing.T) {
		restart := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":%q}}}}}`, time.Now().UTC().Format(time.RFC3339))
		if _, err := k.AppsV1().Deployments("shop").Patch(ctx, "api", types.StrategicMergePatchType, []byte(restart), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		temp := fmt.Sprintf(`{"metadata":{"annotations":{%q:"%s@3->5"}},"spec":{"replicas":5}}`, v1alpha1.AnnotationScaleTemp, time.Now().UTC().Format(time.RFC3339))
		if _, err := k.AppsV1().Deployments("shop").Patch(ctx, "api", types.MergePatchType, []byte(temp), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Deployments, namespaces, HPAs and denial Events can be watched, as informers do", func(t *testing.T) {
		for what, watch := range map[string]func() error{
			"deployments": func() error {
				return stop(k.AppsV1().Deployments("").Watch(ctx, metav1.ListOptions{TimeoutSeconds: ptr(int64(1))}))
			},
			"namespaces": func() error {
				return stop(k.CoreV1().Namespaces().Watch(ctx, metav1.ListOptions{TimeoutSeconds: ptr(int64(1))}))
			},
			"hpas": func() error {
				return stop(k.AutoscalingV2().HorizontalPodAutoscalers("").Watch(ctx, metav1.ListOptions{TimeoutSeconds: ptr(int64(1))}))
			},
			"denial events": func() error {
				return stop(k.CoreV1().Events("").Watch(ctx, metav1.ListOptions{FieldSelector: "reason=" + v1alpha1.EventReasonDenied, TimeoutSeconds: ptr(int64(1))}))
			},
		} {
			if err := watch(); err != nil {
				t.Errorf("watching %s: %v", what, err)
			}
		}
	})
	t.Run("the node view lists nodes and every unfinished pod", func(t *testing.T) {
		if _, err := nodes.Read(ctx, k); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("cluster health reads the webhook's registration", func(t *testing.T) {
		_, err := k.AdmissionregistrationV1().MutatingWebhookConfigurations().Get(ctx, "kubedoor-webhook", metav1.GetOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Fatalf("want the object or NotFound, got %v", err)
		}
	})
	t.Run("the schedule lock takes and renews a Lease in the kubedoor namespace", func(t *testing.T) {
		leases := k.CoordinationV1().Leases(backend.Namespace)
		holder := "backend-1"
		l, err := leases.Create(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: "kubedoor-schedules-prod"},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: &holder}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if l, err = leases.Get(ctx, l.Name, metav1.GetOptions{}); err != nil {
			t.Fatal(err)
		}
		now := metav1.NewMicroTime(time.Now())
		l.Spec.RenewTime = &now
		if _, err := leases.Update(ctx, l, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	})
}

type stopper interface{ Stop() }

func stop[W stopper](w W, err error) error {
	if err != nil {
		return err
	}
	w.Stop()
	return nil
}

func ptr[T any](v T) *T { return &v }

func TestTheShippedRoleRefusesEverythingElse(t *testing.T) {
	ctx := t.Context()
	adminNamespace(t, "shop")
	k := backendClient.Kubernetes
	one := int32(1)
	tests := []struct {
		name string
		call func() error
	}{
		{"listing Secrets", func() error { _, err := k.CoreV1().Secrets("").List(ctx, metav1.ListOptions{}); return err }},
		{"reading a Secret in kubedoor", func() error {
			_, err := k.CoreV1().Secrets(backend.Namespace).Get(ctx, "kubedoor-webhook-tls", metav1.GetOptions{})
			return err
		}},
		{"creating a Pod", func() error {
			_, err := k.CoreV1().Pods("shop").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{})
			return err
		}},
		{"replacing a Pod (only patches are allowed)", func() error {
			_, err := k.CoreV1().Pods("shop").Update(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.UpdateOptions{})
			return err
		}},
		{"deleting all Pods at once", func() error {
			return k.CoreV1().Pods("shop").DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
		}},
		{"watching Pods", func() error {
			return stop(k.CoreV1().Pods("").Watch(ctx, metav1.ListOptions{TimeoutSeconds: ptr(int64(1))}))
		}},
		{"reading a Pod's log", func() error { return k.CoreV1().Pods("shop").GetLogs("x", &corev1.PodLogOptions{}).Do(ctx).Error() }},
		{"evicting a Pod", func() error {
			return k.CoreV1().Pods("shop").EvictV1(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: "shop"}})
		}},
		{"writing a Pod's status", func() error {
			_, err := k.CoreV1().Pods("shop").Patch(ctx, "x", types.MergePatchType, []byte(`{}`), metav1.PatchOptions{}, "status")
			return err
		}},
		{"writing a PodDisruptionBudget", func() error {
			return k.PolicyV1().PodDisruptionBudgets("shop").Delete(ctx, "x", metav1.DeleteOptions{})
		}},
		{"cordoning a Node (a patch)", func() error {
			_, err := k.CoreV1().Nodes().Patch(ctx, "x", types.MergePatchType, []byte(`{"spec":{"unschedulable":true}}`), metav1.PatchOptions{})
			return err
		}},
		{"deleting a Node", func() error { return k.CoreV1().Nodes().Delete(ctx, "x", metav1.DeleteOptions{}) }},
		{"listing ConfigMaps", func() error { _, err := k.CoreV1().ConfigMaps("shop").List(ctx, metav1.ListOptions{}); return err }},
		{"creating a Deployment", func() error {
			_, err := k.AppsV1().Deployments("shop").Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{})
			return err
		}},
		{"deleting a Deployment", func() error { return k.AppsV1().Deployments("shop").Delete(ctx, "api", metav1.DeleteOptions{}) }},
		{"replacing a Deployment (only patches are allowed)", func() error {
			_, err := k.AppsV1().Deployments("shop").Update(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "api"}, Spec: appsv1.DeploymentSpec{Replicas: &one}}, metav1.UpdateOptions{})
			return err
		}},
		{"patching the scale subresource (only get and update are allowed)", func() error {
			_, err := k.AppsV1().Deployments("shop").Patch(ctx, "api", types.MergePatchType, []byte(`{"spec":{"replicas":2}}`), metav1.PatchOptions{}, "scale")
			return err
		}},
		{"writing an HPA", func() error {
			_, err := k.AutoscalingV1().HorizontalPodAutoscalers("shop").Create(ctx, &autoscalingv1.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{})
			return err
		}},
		{"deleting a namespace", func() error { return k.CoreV1().Namespaces().Delete(ctx, "shop", metav1.DeleteOptions{}) }},
		{"replacing a namespace (only patches are allowed)", func() error {
			_, err := k.CoreV1().Namespaces().Update(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.UpdateOptions{})
			return err
		}},
		{"taking a Lease outside kubedoor", func() error {
			_, err := k.CoordinationV1().Leases("default").Create(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{})
			return err
		}},
		{"deleting a Lease", func() error {
			return k.CoordinationV1().Leases(backend.Namespace).Delete(ctx, "x", metav1.DeleteOptions{})
		}},
		{"listing webhook registrations", func() error {
			_, err := k.AdmissionregistrationV1().MutatingWebhookConfigurations().List(ctx, metav1.ListOptions{})
			return err
		}},
		{"reading another webhook registration", func() error {
			_, err := k.AdmissionregistrationV1().MutatingWebhookConfigurations().Get(ctx, "someone-elses", metav1.GetOptions{})
			return err
		}},
		{"deleting all CapacityPolicies at once", func() error {
			return backendClient.Dynamic.Resource(v1alpha1.GroupVersionResource).Namespace("shop").DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
		}},
		{"granting itself more (a ClusterRoleBinding)", func() error {
			_, err := k.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "x"},
				RoleRef: rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"}}, metav1.CreateOptions{})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is forbidden", func(t *testing.T) {
			if err := tt.call(); !apierrors.IsForbidden(err) {
				t.Fatalf("want Forbidden, got %v", err)
			}
		})
	}
}

// The apiserver's own account of what the ServiceAccount may do must be exactly the role plus
// what every authenticated user may do: nothing slipped in through another binding or a wildcard.
func TestTheApiserverGrantsExactlyTheShippedRules(t *testing.T) {
	everyone := []string{
		"authentication.k8s.io/selfsubjectreviews:create",
		"authorization.k8s.io/selfsubjectaccessreviews:create",
		"authorization.k8s.io/selfsubjectrulesreviews:create",
	}
	clusterWide := []string{
		"kubedoor.io/capacitypolicies:create", "kubedoor.io/capacitypolicies:delete", "kubedoor.io/capacitypolicies:get",
		"kubedoor.io/capacitypolicies:list", "kubedoor.io/capacitypolicies:patch", "kubedoor.io/capacitypolicies:update",
		"kubedoor.io/capacitypolicies:watch",
		"kubedoor.io/capacitypolicies/status:get", "kubedoor.io/capacitypolicies/status:patch", "kubedoor.io/capacitypolicies/status:update",
		"/namespaces:get", "/namespaces:list", "/namespaces:patch", "/namespaces:watch",
		"apps/deployments:get", "apps/deployments:list", "apps/deployments:patch", "apps/deployments:watch",
		"apps/deployments/scale:get", "apps/deployments/scale:update",
		"apps/statefulsets:get", "apps/statefulsets:list", "apps/statefulsets:patch",
		"apps/statefulsets/scale:get", "apps/statefulsets/scale:update",
		"apps/daemonsets:get", "apps/daemonsets:list", "apps/daemonsets:patch",
		"autoscaling/horizontalpodautoscalers:get", "autoscaling/horizontalpodautoscalers:list", "autoscaling/horizontalpodautoscalers:watch",
		"/events:get", "/events:list", "/events:watch",
		"/pods:delete", "/pods:get", "/pods:list", "/pods:patch",
		"admissionregistration.k8s.io/mutatingwebhookconfigurations[kubedoor-webhook]:get",
		"/pods/resize:patch", "policy/poddisruptionbudgets:list",
		"/nodes:get", "/nodes:list",
	}
	leases := []string{"coordination.k8s.io/leases:create", "coordination.k8s.io/leases:get", "coordination.k8s.io/leases:update"}
	tests := []struct {
		name      string
		namespace string
		want      []string
	}{
		{"in the kubedoor namespace: the role and the lease lock", backend.Namespace, concat(everyone, clusterWide, leases)},
		{"in any other namespace: the role only", "shop", concat(everyone, clusterWide)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := backendClient.Kubernetes.AuthorizationV1().SelfSubjectRulesReviews().Create(t.Context(),
				&authorizationv1.SelfSubjectRulesReview{Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: tt.namespace}}, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Status.Incomplete {
				t.Fatalf("the rules review is incomplete: %s", r.Status.EvaluationError)
			}
			var got []string
			for _, rule := range r.Status.ResourceRules {
				names := ""
				if len(rule.ResourceNames) > 0 {
					names = "[" + strings.Join(rule.ResourceNames, ",") + "]"
				}
				for _, g := range rule.APIGroups {
					for _, res := range rule.Resources {
						for _, v := range rule.Verbs {
							got = append(got, g+"/"+res+names+":"+v)
						}
					}
				}
			}
			sort.Strings(got)
			got = slices.Compact(got)
			want := slices.Sorted(slices.Values(tt.want))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("granted:\n%s\n\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func concat(lists ...[]string) []string { return slices.Concat(lists...) }
