//go:build parts

package opstest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type result struct {
	Cluster, Namespace, Kind, Workload string
	OK                                 bool
	Error                              string
	Before, After                      json.RawMessage
}

type results struct{ Results []result }

var nsSeq int

func namespace(t *testing.T) string {
	t.Helper()
	nsSeq++
	name := fmt.Sprintf("ops%d-%d", nsSeq, time.Now().UnixNano()%100000)
	if _, err := env.kube.Clientset().CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return name
}

func deployment(t *testing.T, ns, name string, replicas int32) {
	t.Helper()
	labels := map[string]string{"app": name}
	_, err := env.kube.Clientset().AppsV1().Deployments(ns).Create(t.Context(), &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1"}}}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func getDeployment(t *testing.T, ns, name string) *appsv1.Deployment {
	t.Helper()
	d, err := env.kube.Clientset().AppsV1().Deployments(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

type auditList struct {
	Items []struct {
		User, Role, Action, Cluster, Target, Result, Error string
		Before, After                                      json.RawMessage
	}
	Total int
}

func TestScaleTemporaryScaleAndRestartThroughTheAPI(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "checkout", 2)
	deployment(t, ns, "cart", 3)
	deployment(t, ns, "web", 1)

	var res results
	status := call(t, editor, "POST", "v1/actions/scale", map[string]any{
		"items": []map[string]any{{"cluster": "prod-a", "namespace": ns, "workload": "checkout", "replicas": 5}},
	}, &res)
	if status != 200 || len(res.Results) != 1 || !res.Results[0].OK || string(res.Results[0].Before) != `{"replicas":2}` || string(res.Results[0].After) != `{"replicas":5}` {
		t.Fatalf("scale: %d %+v", status, res)
	}
	if got := *getDeployment(t, ns, "checkout").Spec.Replicas; got != 5 {
		t.Fatalf("the deployment has %d replicas, want 5", got)
	}

	status = call(t, editor, "POST", "v1/actions/scale", map[string]any{
		"temporary": true, "items": []map[string]any{{"cluster": "prod-a", "namespace": ns, "workload": "cart", "replicas": 9}},
	}, &res)
	d := getDeployment(t, ns, "cart")
	if status != 200 || !res.Results[0].OK || *d.Spec.Replicas != 9 || !strings.HasSuffix(d.Annotations["kubedoor.io/scale-temp"], "@3->9") {
		t.Fatalf("temporary scale: %d %+v, deployment replicas %d annotations %v", status, res, *d.Spec.Replicas, d.Annotations)
	}

	status = call(t, editor, "POST", "v1/actions/restart", map[string]any{
		"items": []map[string]any{{"cluster": "prod-a", "namespace": ns, "workload": "web"}},
	}, &res)
	at := getDeployment(t, ns, "web").Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"]
	if status != 200 || !res.Results[0].OK {
		t.Fatalf("restart: %d %+v", status, res)
	}
	if ts, err := time.Parse(time.RFC3339, at); err != nil || time.Since(ts) > time.Minute {
		t.Fatalf("restartedAt %q must be an RFC 3339 time of now", at)
	}

	var log auditList
	if call(t, viewer, "GET", "v1/audit?user=ed&target="+ns+"/", nil, &log) != 200 {
		t.Fatal("audit list")
	}
	actions := map[string]bool{}
	for _, e := range log.Items {
		actions[e.Action+" "+e.Target+" "+e.Result] = true
	}
	for _, want := range []string{"scale " + ns + "/checkout ok", "temporary scale " + ns + "/cart ok", "restart " + ns + "/web ok"} {
		if !actions[want] {
			t.Fatalf("audit lacks %q: %v", want, actions)
		}
	}

	// The batch's message reached the generic webhook channel, in its documented shape.
	body := env.hook.waitFor(t, `"kind":"actionDone"`, ns+"/checkout")
	var msg struct {
		Source, Kind, Cluster, Title, At string
		Fields                           []struct{ Name, Value string }
	}
	if err := json.Unmarshal([]byte(body), &msg); err != nil || msg.Source != "kubedoor" || msg.Cluster != "prod-a" || len(msg.Fields) != 1 {
		t.Fatalf("webhook message %s (%v)", body, err)
	}
}

func TestABatchWithAFailingItemReportsItAndCarriesOn(t *testing.T) {
	ns := namespace(t)
	deployment(t, ns, "a", 1)
	deployment(t, ns, "c", 1)
	var res results
	begin := time.Now()
	status := call(t, editor, "POST", "v1/actions/restart", map[string]any{
		"intervalSeconds": 1,
		"items": []map[string]any{
			{"cluster": "prod-a", "namespace": ns, "workload": "a"},
			{"cluster": "prod-a", "namespace": ns, "workload": "missing"},
			{"cluster": "prod-a", "namespace": ns, "workload": "c"},
		},
	}, &res)
	took := time.Since(begin)
	if status != 200 || len(res.Results) != 3 || !res.Results[0].OK || res.Results[1].OK || !res.Results[2].OK ||
		!strings.Contains(res.Results[1].Error, "not found") {
		t.Fatalf("%d %+v", status, res)
	}
	if took < 2*time.Second {
		t.Fatalf("3 items 1 s apart took %v", took)
	}
	// A failed batch goes to the Slack channel (subscribed to failures of prod-a) in Slack's shape.
	body := env.slack.waitFor(t, "restart failed for 1 of 3", `"blocks"`)
	var msg struct {
		Text   string
		Blocks []struct{ Type string }
	}
	if err := json.Unmarshal([]byte(body), &msg); err != nil || len(msg.Blocks) != 2 || msg.Blocks[0].Type != "header" || msg.Blocks[1].Type != "section" {
		t.Fatalf("slack message %s", body)
	}
}

func TestBadActionBodiesNameTheField(t *testing.T) {
	tests := []struct {
		name, path string
		body       any
		field      string
	}{
		{"replicas are required to scale", "v1/actions/scale", map[string]any{"items": []map[string]any{{"cluster": "prod-a", "namespace": "n", "workload": "w"}}}, "items[0].replicas"},
		{"negative replicas are refused", "v1/actions/scale", map[string]any{"items": []map[string]any{{"cluster": "prod-a", "namespace": "n", "workload": "w", "replicas": -1}}}, "items[0].replicas"},
		{"an unknown cluster is refused", "v1/actions/restart", map[string]any{"items": []map[string]any{{"cluster": "prod-z", "namespace": "n", "workload": "w"}}}, "items[0].cluster"},
		{"a bad namespace is refused", "v1/actions/restart", map[string]any{"items": []map[string]any{{"cluster": "prod-a", "namespace": "Bad_NS", "workload": "w"}}}, "items[0].namespace"},
		{"an empty batch is refused", "v1/actions/restart", map[string]any{"items": []any{}}, "items"},
		{"an interval over a minute is refused", "v1/actions/restart", map[string]any{"intervalSeconds": 61, "items": []map[string]any{{"cluster": "prod-a", "namespace": "n", "workload": "w"}}}, "intervalSeconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e apiErr
			wantFieldError(t, call(t, editor, "POST", tt.path, tt.body, &e), e, tt.field)
		})
	}
	var e apiErr
	if s := call(t, editor, "POST", "v1/actions/scale", `{"items":[],"bogus":1}`, &e); s != 400 || !strings.Contains(e.Error, "unknown field") {
		t.Fatalf("an unknown field: %d %+v", s, e)
	}
}
