//go:build parts

package resize

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// A workload with a pod the API server refuses is restarted instead only when the caller chose
// the fallback and the namespace's maintenance window is open; otherwise the reason is given.
func TestFallbackRestartOnlyInsideTheMaintenanceWindow(t *testing.T) {
	needKube(t)
	ns := namespace(t)
	createWorkload(t, ns, workload.Deployment, "legacy")
	createPod(t, ns, workload.Deployment, "legacy", "legacy-g", res("1/512Mi", "1/512Mi")) // Guaranteed: a request-only change is refused
	addRow(t, ns, workload.Deployment, "legacy", 200, u, u, u)
	annotate := func(v string) {
		patch := `{"metadata":{"annotations":{"` + AnnotationMaintenanceWindow + `":"` + v + `"}}}`
		if _, err := kube.Clientset().CoreV1().Namespaces().Patch(t.Context(), ns, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	restarts := actions.New(actions.Deps{Kube: kubeFor, Audit: audit.New(conn), Log: slog.New(slog.DiscardHandler)})
	sat3am := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	r := func(now time.Time) *Runner {
		return runner(func(d *Deps) {
			d.Now = func() time.Time { return now }
			d.Restart = func(ctx context.Context, w actions.Workload, by actions.Actor) actions.Result {
				return restarts.Restart(ctx, actions.RestartRequest{Items: []actions.Workload{w}}, by)[0]
			}
		})
	}
	w := actions.Workload{Cluster: "test", Namespace: ns, Name: "legacy"}
	restartedAt := func() string {
		d, err := kube.Clientset().AppsV1().Deployments(ns).Get(t.Context(), "legacy", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return d.Spec.Template.Annotations[actions.RestartedAtAnnotation]
	}

	// Not chosen: skipped, nothing restarted.
	if got := r(sat3am).Workload(t.Context(), w, 0, actions.Actor{User: "t"}); got.OK || outcome(t, got.After).Fallback != nil {
		t.Fatalf("without the fallback: %+v", got)
	}
	// Chosen, but the namespace has no window.
	got := r(sat3am).WithFallback().Workload(t.Context(), w, 0, actions.Actor{User: "t"})
	if fb := outcome(t, got.After).Fallback; got.OK || fb == nil || fb.Restarted || !strings.Contains(fb.Reason, "no maintenance window") {
		t.Fatalf("no window: %+v %+v", got, fb)
	}
	// Chosen, outside the window.
	annotate("0 2 * * 6; 2h; UTC")
	got = r(sat3am.Add(3*time.Hour)).WithFallback().Workload(t.Context(), w, 0, actions.Actor{User: "t"})
	if fb := outcome(t, got.After).Fallback; got.OK || fb.Restarted || !strings.Contains(fb.Reason, "outside the maintenance window") || restartedAt() != "" {
		t.Fatalf("outside the window: %+v %+v, restartedAt %q", got, fb, restartedAt())
	}
	// Chosen, inside the window: the Deployment is rolled out and the workload reported done.
	got = r(sat3am).WithFallback().Workload(t.Context(), w, 0, actions.Actor{User: "t"})
	if fb := outcome(t, got.After).Fallback; !got.OK || !fb.Restarted || restartedAt() == "" {
		t.Fatalf("inside the window: %+v %+v, restartedAt %q", got, fb, restartedAt())
	}
}
