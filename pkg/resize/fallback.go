package resize

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
)

// Fallback says whether a workload with skipped pods was restarted instead, and why (not).
type Fallback struct {
	Restarted bool   `json:"restarted"`
	Reason    string `json:"reason"`
}

// WithFallback returns a runner like r that, when some of a workload's pods are skipped, rolls
// the workload out instead — only while its namespace's maintenance window
// (AnnotationMaintenanceWindow) is open. The new pods get the table's values from the webhook.
func (r *Runner) WithFallback() *Runner {
	c := *r
	c.fallback = true
	return &c
}

func (r *Runner) fallbackRestart(ctx context.Context, kc kubernetes.Interface, w actions.Workload, by actions.Actor) *Fallback {
	if r.d.Restart == nil {
		return &Fallback{Reason: "not run: restarts are not available in this backend"}
	}
	ns, err := kc.CoreV1().Namespaces().Get(ctx, w.Namespace, metav1.GetOptions{})
	if err != nil {
		return &Fallback{Reason: "not run: reading the namespace's maintenance window: " + err.Error()}
	}
	spec, ok := ns.Annotations[AnnotationMaintenanceWindow]
	if !ok {
		return &Fallback{Reason: "not run: namespace " + w.Namespace + " has no maintenance window (annotation " + AnnotationMaintenanceWindow + ")"}
	}
	win, err := ParseWindow(spec)
	if err != nil {
		return &Fallback{Reason: "not run: " + err.Error()}
	}
	now := r.d.Now()
	if !win.Open(now) {
		return &Fallback{Reason: "not run: outside the maintenance window (" + spec + "); it next opens at " + win.Next(now).Format(time.RFC3339)}
	}
	res := r.d.Restart(ctx, w, by)
	if !res.OK {
		return &Fallback{Reason: "restart inside the maintenance window failed: " + res.Error}
	}
	return &Fallback{Restarted: true, Reason: "restarted inside the maintenance window (" + spec + "): new pods get the table's values from the webhook"}
}
