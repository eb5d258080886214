package actions

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
)

func TestAnActionWhoseAuditEntryIsRefusedIsNotRun(t *testing.T) {
	two := int32(2)
	cs := fake.NewClientset(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "w", Namespace: "n"}, Spec: appsv1.DeploymentSpec{Replicas: &two}})
	r := New(Deps{Kube: func(string) (kubernetes.Interface, error) { return cs, nil }, Manual: recordedManual{}, Audit: refusingAudit{}, Log: slog.New(slog.DiscardHandler)})
	w := Workload{Cluster: "c", Namespace: "n", Name: "w"}
	results := append(r.Restart(t.Context(), RestartRequest{Items: []Workload{w}}, Actor{User: "u"}),
		r.Scale(t.Context(), ScaleRequest{Items: []ScaleItem{{w, 5}}}, Actor{User: "u"})...)
	results = append(results, r.Scale(t.Context(), ScaleRequest{Items: []ScaleItem{{w, 6}}, Temporary: true}, Actor{User: "u"})...)
	for _, res := range results {
		if res.OK || !strings.Contains(res.Error, "not run: the audit log refused its entry") || !strings.Contains(res.Error, "read-only") {
			t.Errorf("result %+v: want not run, saying the audit log refused the entry", res)
		}
	}
	for _, a := range cs.Actions() {
		if v := a.GetVerb(); v != "get" && v != "list" && v != "watch" {
			t.Errorf("the cluster was written (%s %s/%s) though the audit entry was refused", v, a.GetResource().Resource, a.GetSubresource())
		}
	}
}

type refusingAudit struct{ nopAudit }

func (refusingAudit) Begin(context.Context, audit.Entry) (uuid.UUID, error) {
	return uuid.Nil, errors.New("store is read-only")
}
