//go:build parts

package opstest

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func template(name string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1"}}}}
}

func statefulSet(t *testing.T, ns, name string, replicas int32) {
	t.Helper()
	_, err := env.kube.Clientset().AppsV1().StatefulSets(ns).Create(t.Context(), &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.StatefulSetSpec{Replicas: &replicas, ServiceName: name, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: template(name)},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func daemonSet(t *testing.T, ns, name string) *appsv1.DaemonSet {
	t.Helper()
	d, err := env.kube.Clientset().AppsV1().DaemonSets(ns).Create(t.Context(), &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}, Template: template(name)},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func getStatefulSet(t *testing.T, ns, name string) *appsv1.StatefulSet {
	t.Helper()
	s, err := env.kube.Clientset().AppsV1().StatefulSets(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func getDaemonSet(t *testing.T, ns, name string) *appsv1.DaemonSet {
	t.Helper()
	d, err := env.kube.Clientset().AppsV1().DaemonSets(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestStatefulSetsAreScaledAndRestartedAndDaemonSetsRestartedThroughTheAPI(t *testing.T) {
	ns := namespace(t)
	statefulSet(t, ns, "db", 2)
	daemonSet(t, ns, "agent")

	var res results
	status := call(t, editor, "POST", "v1/actions/scale", map[string]any{
		"items": []map[string]any{{"cluster": "prod-a", "namespace": ns, "kind": "StatefulSet", "workload": "db", "replicas": 4}},
	}, &res)
	if status != 200 || len(res.Results) != 1 || !res.Results[0].OK || res.Results[0].Kind != "StatefulSet" || string(res.Results[0].After) != `{"replicas":4}` {
		t.Fatalf("scale: %d %+v", status, res)
	}
	if got := *getStatefulSet(t, ns, "db").Spec.Replicas; got != 4 {
		t.Fatalf("the StatefulSet has %d replicas, want 4", got)
	}

	status = call(t, editor, "POST", "v1/actions/restart", map[string]any{"items": []map[string]any{
		{"cluster": "prod-a", "namespace": ns, "kind": "statefulset", "workload": "db"},
		{"cluster": "prod-a", "namespace": ns, "kind": "DaemonSet", "workload": "agent"},
	}}, &res)
	if status != 200 || len(res.Results) != 2 || !res.Results[0].OK || !res.Results[1].OK || res.Results[0].Kind != "StatefulSet" || res.Results[1].Kind != "DaemonSet" {
		t.Fatalf("restart: %d %+v", status, res)
	}
	for what, at := range map[string]string{
		"StatefulSet": getStatefulSet(t, ns, "db").Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"],
		"DaemonSet":   getDaemonSet(t, ns, "agent").Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"],
	} {
		if ts, err := time.Parse(time.RFC3339, at); err != nil || time.Since(ts) > time.Minute {
			t.Fatalf("the %s's template restartedAt %q must be an RFC 3339 time of now", what, at)
		}
	}

	var log auditList
	call(t, viewer, "GET", "v1/audit?user=ed&target="+ns+"/", nil, &log)
	seen := map[string]bool{}
	for _, e := range log.Items {
		seen[e.Action+" "+e.Target] = true
	}
	for _, want := range []string{"scale " + ns + "/StatefulSet/db", "restart " + ns + "/StatefulSet/db", "restart " + ns + "/DaemonSet/agent"} {
		if !seen[want] {
			t.Fatalf("audit lacks %q: %v", want, seen)
		}
	}
}

func TestADaemonSetScaleAndAnUnknownKindAreRefusedBeforeAnythingRuns(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "web", 1)
	before := daemonSet(t, ns, "agent")
	tests := []struct {
		name, path string
		body       map[string]any
		field, why string
	}{
		{"a DaemonSet scale", "v1/actions/scale", map[string]any{"items": []map[string]any{
			{"cluster": "prod-a", "namespace": ns, "workload": "web", "replicas": 3},
			{"cluster": "prod-a", "namespace": ns, "kind": "DaemonSet", "workload": "agent", "replicas": 3}}}, "items[1].kind", "one pod per eligible node"},
		{"a temporary DaemonSet scale", "v1/actions/scale", map[string]any{"temporary": true, "items": []map[string]any{
			{"cluster": "prod-a", "namespace": ns, "kind": "daemonset", "workload": "agent", "replicas": 3}}}, "items[0].kind", "one pod per eligible node"},
		{"an unknown kind", "v1/actions/restart", map[string]any{"items": []map[string]any{
			{"cluster": "prod-a", "namespace": ns, "workload": "web"}, {"cluster": "prod-a", "namespace": ns, "kind": "CronJob", "workload": "web"}}}, "items[1].kind", `unknown workload kind "CronJob"`},
		{"a kind that is not a string", "v1/actions/restart", map[string]any{"items": []map[string]any{
			{"cluster": "prod-a", "namespace": ns, "kind": 7, "workload": "web"}}}, "items.kind", "string"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused naming the field", func(t *testing.T) {
			var e apiErr
			wantFieldError(t, call(t, editor, "POST", tt.path, tt.body, &e), e, tt.field)
			if !strings.Contains(e.Error, tt.why) {
				t.Fatalf("the answer %q does not say %q", e.Error, tt.why)
			}
		})
	}
	// Nothing of a refused batch ran: the Deployment before the DaemonSet was not scaled.
	if got := *getDeployment(t, ns, "web").Spec.Replicas; got != 1 {
		t.Fatalf("web has %d replicas: a refused batch must not run its valid items", got)
	}
	if _, ok := getDeployment(t, ns, "web").Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"]; ok {
		t.Fatal("web was restarted by a refused batch")
	}
	if after := getDaemonSet(t, ns, "agent"); after.ResourceVersion != before.ResourceVersion {
		t.Fatalf("the DaemonSet changed: %v", after.Annotations)
	}
}

func TestAScheduleWithStatefulSetAndDaemonSetTargetsRunsAndADaemonSetScaleScheduleIsRefused(t *testing.T) {
	ns := namespace(t)
	statefulSet(t, ns, "db", 1)
	daemonSet(t, ns, "agent")

	var e apiErr
	wantFieldError(t, call(t, editor, "POST", "v1/schedules", map[string]any{"cluster": "prod-a", "action": "scale", "kind": "cron", "cron": "0 1 * * *",
		"items": []map[string]any{{"namespace": ns, "kind": "DaemonSet", "workload": "agent", "replicas": 2}}}, &e), e, "items[0].kind")
	if !strings.Contains(e.Error, "one pod per eligible node") {
		t.Fatalf("the refusal %q must say why", e.Error)
	}

	at := time.Now().Add(3 * time.Second).UTC().Truncate(time.Second)
	scale := createSchedule(t, map[string]any{"cluster": "prod-a", "action": "scale", "kind": "once", "runAt": at,
		"items": []map[string]any{{"namespace": ns, "kind": "statefulset", "workload": "db", "replicas": 3}}})
	restart := createSchedule(t, map[string]any{"cluster": "prod-a", "action": "restart", "kind": "once", "runAt": at,
		"items": []map[string]any{{"namespace": ns, "kind": "DaemonSet", "workload": "agent"}}})
	if scale.Name != "scale "+ns+"/StatefulSet/db" {
		t.Fatalf("default name %q", scale.Name)
	}
	var read struct {
		Items []struct{ Namespace, Kind, Workload string }
	}
	if call(t, viewer, "GET", "v1/schedules/"+scale.ID, nil, &read) != 200 || len(read.Items) != 1 || read.Items[0].Kind != "StatefulSet" {
		t.Fatalf("the schedule reads back %+v, want its item's canonical kind", read)
	}

	for _, sc := range []schedule{scale, restart} {
		runs := waitRun(t, sc.ID, 40*time.Second)
		if len(runs) != 1 || runs[0].Status != "succeeded" || len(runs[0].Results) != 1 || !runs[0].Results[0].OK {
			t.Fatalf("%s: runs %+v", sc.Name, runs)
		}
	}
	if got := *getStatefulSet(t, ns, "db").Spec.Replicas; got != 3 {
		t.Fatalf("the scheduled scale left the StatefulSet at %d replicas, want 3", got)
	}
	if _, ok := getDaemonSet(t, ns, "agent").Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"]; !ok {
		t.Fatal("the scheduled restart did not set restartedAt on the DaemonSet's template")
	}
}
