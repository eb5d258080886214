//go:build parts

package backend_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
)

// The actions runner itself runs as the shipped ServiceAccount here, so what it sends for each
// kind (gets, patches, the scale subresource) is what the role is checked against.

type unrecorded struct{} // a workload outside the control table: the scale is not recorded

func (unrecorded) SetManualReplicas(context.Context, actions.Workload, int32, actions.Actor) (actions.ManualChange, error) {
	return actions.ManualChange{}, nil
}

type discardAudit struct{}

func (discardAudit) Record(context.Context, audit.Entry) error { return nil }

func (discardAudit) Begin(context.Context, audit.Entry) (uuid.UUID, error) { return uuid.New(), nil }

func adminWorkloads(t *testing.T, ns string) {
	t.Helper()
	one := int32(1)
	tpl := func(name string) corev1.PodTemplateSpec {
		return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "example/app:1"}}}}
	}
	apps := cluster.Clientset().AppsV1()
	_, err := apps.StatefulSets(ns).Create(t.Context(), &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db"},
		Spec: appsv1.StatefulSetSpec{Replicas: &one, ServiceName: "db", Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}}, Template: tpl("db")}},
		metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	_, err = apps.DaemonSets(ns).Create(t.Context(), &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent"},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}}, Template: tpl("agent")}},
		metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

func TestTheShippedRoleScalesAndRestartsStatefulSetsAndRestartsDaemonSets(t *testing.T) {
	ctx := t.Context()
	adminNamespace(t, "shop")
	adminWorkloads(t, "shop")
	r := actions.New(actions.Deps{
		Kube:   func(string) (kubernetes.Interface, error) { return backendClient.Kubernetes, nil },
		Manual: unrecorded{}, Audit: discardAudit{}, Log: slog.New(slog.DiscardHandler), VerifyWait: time.Second,
	})
	by := actions.Actor{User: "rbac-test"}
	db := actions.Workload{Cluster: "prod", Namespace: "shop", Kind: "StatefulSet", Name: "db"}
	agent := actions.Workload{Cluster: "prod", Namespace: "shop", Kind: "DaemonSet", Name: "agent"}
	check := func(what string, res []actions.Result) {
		t.Helper()
		for _, it := range res {
			if !it.OK {
				t.Fatalf("%s of %s as the ServiceAccount: %s", what, it, it.Error)
			}
		}
	}
	check("a temporary scale", r.Scale(ctx, actions.ScaleRequest{Temporary: true, Items: []actions.ScaleItem{{Workload: db, Replicas: 2}}}, by))
	// A scale after a temporary one also removes its annotation (a patch) before the subresource.
	check("a scale", r.Scale(ctx, actions.ScaleRequest{Items: []actions.ScaleItem{{Workload: db, Replicas: 3}}}, by))
	check("a restart", r.Restart(ctx, actions.RestartRequest{Items: []actions.Workload{db, agent}}, by))

	s, err := cluster.Clientset().AppsV1().StatefulSets("shop").Get(ctx, "db", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, temp := s.Annotations[v1alpha1.AnnotationScaleTemp]; *s.Spec.Replicas != 3 || temp || s.Spec.Template.Annotations[actions.RestartedAtAnnotation] == "" {
		t.Fatalf("statefulset replicas %d, annotations %v, template %v", *s.Spec.Replicas, s.Annotations, s.Spec.Template.Annotations)
	}
	for what, list := range map[string]func() error{
		"StatefulSets": func() error {
			_, err := backendClient.Kubernetes.AppsV1().StatefulSets("").List(ctx, metav1.ListOptions{})
			return err
		},
		"DaemonSets": func() error {
			_, err := backendClient.Kubernetes.AppsV1().DaemonSets("").List(ctx, metav1.ListOptions{})
			return err
		},
	} {
		if err := list(); err != nil {
			t.Errorf("listing %s: %v", what, err)
		}
	}
}

func TestTheShippedRoleCannotCreateDeleteOrReplaceStatefulSetsAndDaemonSets(t *testing.T) {
	ctx := t.Context()
	adminNamespace(t, "shop")
	adminWorkloads(t, "shop")
	apps := backendClient.Kubernetes.AppsV1()
	one := int32(1)
	for name, call := range map[string]func() error{
		"creating a StatefulSet": func() error {
			_, err := apps.StatefulSets("shop").Create(ctx, &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{})
			return err
		},
		"deleting a StatefulSet": func() error { return apps.StatefulSets("shop").Delete(ctx, "db", metav1.DeleteOptions{}) },
		"replacing a StatefulSet (only patches are allowed)": func() error {
			_, err := apps.StatefulSets("shop").Update(ctx, &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db"}, Spec: appsv1.StatefulSetSpec{Replicas: &one}}, metav1.UpdateOptions{})
			return err
		},
		"patching statefulsets/scale (only get and update are allowed)": func() error {
			_, err := apps.StatefulSets("shop").Patch(ctx, "db", types.MergePatchType, []byte(`{"spec":{"replicas":2}}`), metav1.PatchOptions{}, "scale")
			return err
		},
		"watching StatefulSets": func() error {
			return stop(apps.StatefulSets("").Watch(ctx, metav1.ListOptions{TimeoutSeconds: ptr(int64(1))}))
		},
		"creating a DaemonSet": func() error {
			_, err := apps.DaemonSets("shop").Create(ctx, &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{})
			return err
		},
		"deleting a DaemonSet": func() error { return apps.DaemonSets("shop").Delete(ctx, "agent", metav1.DeleteOptions{}) },
		"replacing a DaemonSet (only patches are allowed)": func() error {
			_, err := apps.DaemonSets("shop").Update(ctx, &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent"}}, metav1.UpdateOptions{})
			return err
		},
		"reading ReplicaSets": func() error { _, err := apps.ReplicaSets("shop").List(ctx, metav1.ListOptions{}); return err },
	} {
		t.Run(name+" is forbidden", func(t *testing.T) {
			if err := call(); !apierrors.IsForbidden(err) {
				t.Fatalf("want Forbidden, got %v", err)
			}
		})
	}
}
