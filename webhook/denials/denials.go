// Package denials records a Kubernetes Warning Event (reason KubeDoorDenied) on the workload
// (Deployment, StatefulSet or DaemonSet) for every change the webhook refuses, so `kubectl get events` shows it and the backend can
// send "denied" notifications. Recording goes through client-go's event broadcaster: it never
// blocks the admission (a full queue drops), and repeated denials of one Deployment are
// aggregated into one Event with a count instead of a flood of objects.
//
// The Event's involvedObject names the workload's kind, so `kubectl describe statefulset`
// shows it; the backend's watcher reads the same fields.
package denials

import (
	"context"
	"log/slog"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/record"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// Recorder records denial Events.
type Recorder struct {
	broadcaster record.EventBroadcaster
	recorder    record.EventRecorder
}

// New starts a broadcaster writing Events through cs; Stop ends it.
func New(ctx context.Context, cs kubernetes.Interface, log *slog.Logger) *Recorder {
	b := record.NewBroadcaster(record.WithContext(ctx))
	b.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: cs.CoreV1().Events("")})
	rec := b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: v1alpha1.EventComponent})
	log.Debug("denial events recorded", "reason", v1alpha1.EventReasonDenied)
	return &Recorder{broadcaster: b, recorder: rec}
}

// Denied records that operation on Deployment namespace/name was refused with message.
func (r *Recorder) Denied(namespace, name, operation, message string) {
	r.DeniedKind(v1alpha1.KindDeployment, namespace, name, operation, message)
}

// DeniedKind records that operation on the apps/v1 workload kind namespace/name was refused
// with message.
func (r *Recorder) DeniedKind(kind, namespace, name, operation, message string) {
	if name == "" {
		return // a CREATE by generateName has no object to attach the Event to
	}
	if kind == "" {
		kind = v1alpha1.KindDeployment
	}
	ref := &corev1.ObjectReference{Kind: kind, APIVersion: "apps/v1", Namespace: namespace, Name: name}
	r.recorder.Eventf(ref, corev1.EventTypeWarning, v1alpha1.EventReasonDenied, "%s refused: %s", operation, message)
}

// Stop flushes what it can and stops the broadcaster.
func (r *Recorder) Stop() { r.broadcaster.Shutdown() }
