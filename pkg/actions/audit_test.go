//go:build parts

package actions

import (
	"log/slog"
	"testing"

	"github.com/google/uuid"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
)

// Every write to a cluster has its audit entry begun before it: a crash between the write and
// the result leaves a pending entry that the audit reconciliation settles (audit.PendingPass).

// pendingAtWrite reads, at the moment each write reaches the (fake) API, the audit entries of
// user that are still pending in the real store.
func pendingAtWrite(t *testing.T, cs *fake.Clientset, user string) *[][]audit.Record {
	t.Helper()
	var seen [][]audit.Record
	look := func(a k8stesting.Action) (bool, runtime.Object, error) {
		items, _, err := audit.New(conn).List(t.Context(), audit.Filter{User: user, Result: audit.ResultPending, Limit: 100})
		if err != nil {
			t.Error(err)
		}
		seen = append(seen, items)
		return false, nil, nil // the fake's tracker applies the write
	}
	cs.PrependReactor("patch", "deployments", look)
	cs.PrependReactor("update", "deployments", look)
	return &seen
}

func TestEveryActionBeginsItsAuditEntryBeforeItWritesAndFinishesItAfter(t *testing.T) {
	tests := []struct {
		name   string
		action string
		run    func(r *Runner, w Workload, by Actor) []Result
	}{
		{"a restart", ActionRestart, func(r *Runner, w Workload, by Actor) []Result {
			return r.Restart(t.Context(), RestartRequest{Items: []Workload{w}}, by)
		}},
		{"a temporary scale", ActionScaleTemporary, func(r *Runner, w Workload, by Actor) []Result {
			return r.Scale(t.Context(), ScaleRequest{Items: []ScaleItem{{w, 3}}, Temporary: true}, by)
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			two := int32(2)
			cs := fake.NewClientset(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "w", Namespace: "n"}, Spec: appsv1.DeploymentSpec{Replicas: &two}})
			by := Actor{User: "pending-" + uuid.NewString()[:8] + string(rune('a'+i)), Role: "Editor"}
			seen := pendingAtWrite(t, cs, by.User)
			r := New(Deps{Kube: func(string) (kubernetes.Interface, error) { return cs, nil }, Audit: audit.New(conn), Log: slog.New(slog.DiscardHandler)})
			res := tt.run(r, Workload{Cluster: "c", Namespace: "n", Name: "w"}, by)
			if !res[0].OK {
				t.Fatalf("action failed: %+v", res[0])
			}
			if len(*seen) != 1 || len((*seen)[0]) != 1 || (*seen)[0][0].Action != tt.action || (*seen)[0][0].Target != "n/w" {
				t.Fatalf("pending entries seen at the write: %+v; want exactly this %s's", *seen, tt.action)
			}
			pending := (*seen)[0][0]
			after := auditFor(t, by.User)
			if len(after) != 1 || after[0].result != audit.ResultOK || after[0].before != string(pending.Before) {
				t.Fatalf("entries after the action: %+v; want its one ok entry, with the before the pending one had (%s)", after, pending.Before)
			}
			items, _, err := audit.New(conn).List(t.Context(), audit.Filter{User: by.User, Limit: 10})
			if err != nil || len(items) != 1 || items[0].ID != pending.ID {
				t.Fatalf("the result is not recorded under the pending entry's ID %s: %+v %v", pending.ID, items, err)
			}
		})
	}
}
