package gitops

import (
	"errors"
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

func deployment(ns, name string, containers ...string) *appsv1.Deployment {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	for _, c := range containers {
		d.Spec.Template.Spec.Containers = append(d.Spec.Template.Spec.Containers, corev1.Container{Name: c})
	}
	return d
}

func TestReadPositionsKeepsPodTemplateOrderOnlyInTheNamespacesAsked(t *testing.T) {
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api"}}
	sts.Spec.Template.Spec.Containers = []corev1.Container{{Name: "db"}, {Name: "exporter"}}
	kc := fake.NewClientset(deployment("shop", "api", "proxy", "app"), deployment("shop", "web", "app"), deployment("other", "x", "app"), sts)
	got, err := ReadPositions(t.Context(), kc, []string{"shop", "shop"}, []string{workload.Deployment, workload.StatefulSet})
	if err != nil {
		t.Fatal(err)
	}
	want := map[Ref][]string{
		{Namespace: "shop", Kind: workload.Deployment, Name: "api"}:  {"proxy", "app"},
		{Namespace: "shop", Kind: workload.Deployment, Name: "web"}:  {"app"},
		{Namespace: "shop", Kind: workload.StatefulSet, Name: "api"}: {"db", "exporter"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("positions %v, want %v", got, want)
	}
}

func TestReadPositionsSaysWhichNamespaceFailed(t *testing.T) {
	kc := fake.NewClientset()
	kc.PrependReactor("list", "deployments", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("forbidden")
	})
	_, err := ReadPositions(t.Context(), kc, []string{"shop"}, []string{workload.Deployment})
	if err == nil || err.Error() != "listing the Deployments of namespace shop: forbidden" {
		t.Fatalf("error %v", err)
	}
}

func TestNamespacesAreThoseOfRowsUnderControlOnceEach(t *testing.T) {
	gone := row("old", "x", 1)
	gone.Deleted = true
	got := Namespaces(Input{Rows: []control.Row{row("shop", "a", 1), gone, row("billing", "b", 1), row("shop", "c", 1)}})
	if want := []string{"shop", "billing"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("namespaces %v, want %v", got, want)
	}
}

func hpa(ns, name, kind, target string) *autoscalingv2.HorizontalPodAutoscaler {
	return &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{Kind: kind, Name: target}}}
}

func TestReadHPATargetsNamesTheWorkloadsHPAsScaleInTheNamespacesAsked(t *testing.T) {
	kc := fake.NewClientset(hpa("shop", "web-hpa", "Deployment", "web"), hpa("shop", "db-hpa", "StatefulSet", "db"), hpa("other", "x", "Deployment", "x"))
	got, err := ReadHPATargets(t.Context(), kc, []string{"shop"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[Ref]bool{{Namespace: "shop", Kind: workload.Deployment, Name: "web"}: true, {Namespace: "shop", Kind: workload.StatefulSet, Name: "db"}: true}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("HPA targets %v, want %v", got, want)
	}
}

func TestUnionKeepsBothSidesAndChangesNeither(t *testing.T) {
	a := map[Ref]bool{{Namespace: "shop", Kind: workload.Deployment, Name: "a"}: true}
	got := Union(a, map[Ref]bool{{Namespace: "shop", Kind: workload.Deployment, Name: "b"}: true})
	if want := map[Ref]bool{{Namespace: "shop", Kind: workload.Deployment, Name: "a"}: true, {Namespace: "shop", Kind: workload.Deployment, Name: "b"}: true}; !reflect.DeepEqual(got, want) || len(a) != 1 {
		t.Fatalf("union %v (a %v)", got, a)
	}
	if got := Union(nil, nil); got == nil || len(got) != 0 {
		t.Fatalf("union of nothing %v", got)
	}
}
