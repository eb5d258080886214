//go:build parts

package preview

// Against a real etcd + kube-apiserver with the CapacityPolicy CRD installed: Deployments,
// StatefulSets, a DaemonSet, HPAs and policies whose status carries the webhook's report, read
// in pages and compared with table rows; every request the reader sends is counted.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

var kube *testenv.Kube

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var err error
	if kube, err = testenv.StartKube(ctx, testenv.KubeOptions{}); err != nil {
		fmt.Fprintf(os.Stderr, "preview tests cannot start: %v\n", err)
		return 1
	}
	defer kube.Stop()
	if err := kube.InstallCRD(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "preview tests cannot start: %v\n", err)
		return 1
	}
	return m.Run()
}

// requestLog counts the requests a client sends, as "METHOD path".
type requestLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *requestLog) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		l.mu.Lock()
		l.seen = append(l.seen, r.Method+" "+r.URL.Path)
		l.mu.Unlock()
		return rt.RoundTrip(r)
	})
}

func (l *requestLog) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.seen {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func mustCreateDeployment(t *testing.T, ctx context.Context, c kubernetes.Interface, d appsv1.Deployment) {
	t.Helper()
	d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": d.Name}}
	d.Spec.Template.Labels = map[string]string{"app": d.Name}
	if _, err := c.AppsV1().Deployments(d.Namespace).Create(ctx, &d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func mustCreateStatefulSet(t *testing.T, ctx context.Context, c kubernetes.Interface, s appsv1.StatefulSet) {
	t.Helper()
	s.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": s.Name}}
	s.Spec.Template.Labels = map[string]string{"app": s.Name}
	if _, err := c.AppsV1().StatefulSets(s.Namespace).Create(ctx, &s, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// mustCreateDaemonSet creates d and writes the pods it should run into its status, as the
// DaemonSet controller does from the nodes (this testbed runs no controller).
func mustCreateDaemonSet(t *testing.T, ctx context.Context, c kubernetes.Interface, d appsv1.DaemonSet) {
	t.Helper()
	d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": d.Name}}
	d.Spec.Template.Labels = map[string]string{"app": d.Name}
	status := d.Status
	created, err := c.AppsV1().DaemonSets(d.Namespace).Create(ctx, &d, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created.Status = status
	if _, err := c.AppsV1().DaemonSets(d.Namespace).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestPreviewAgainstTheRealAPIServer(t *testing.T) {
	ctx := t.Context()
	admin := kube.Clientset()
	for _, ns := range []corev1.Namespace{
		{ObjectMeta: metav1.ObjectMeta{Name: "shop", Labels: map[string]string{v1alpha1.LabelControl: v1alpha1.ControlObserve}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "other", Annotations: map[string]string{v1alpha1.AnnotationUnknownWorkloads: v1alpha1.UnknownWarn}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "idle"}},
	} {
		if _, err := admin.CoreV1().Namespaces().Create(ctx, &ns, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []appsv1.Deployment{
		deploy("api", 6, ctr("app", res("500m", "512Mi", "2", "1Gi"))),
		deploy("web", 2, ctr("app", res("200m", "256Mi", "", "")), ctr("proxy", res("50m", "64Mi", "", ""))),
		deploy("pay", 3, ctr("app", res("500m", "1Gi", "", ""))),
		deploy("search", 5, ctr("app", res("1", "1Gi", "", ""))),
		deploy("rogue", 2, ctr("app", res("100m", "100Mi", "", ""))),
		deploy("db", 1, ctr("app", res("100m", "", "", ""))), // not the StatefulSet db: unknown
	} {
		mustCreateDeployment(t, ctx, admin, d)
	}
	mustCreateStatefulSet(t, ctx, admin, statefulSet("db", 3, ctr("app", res("1", "2Gi", "", ""))))
	mustCreateStatefulSet(t, ctx, admin, statefulSet("queue", 4, ctr("app", res("500m", "", "", ""))))
	mustCreateDaemonSet(t, ctx, admin, daemonSet("agent", 5, ctr("agent", res("200m", "256Mi", "", ""))))
	other := deploy("tool", 1, ctr("app", res("100m", "", "", "")))
	other.Namespace = "other"
	mustCreateDeployment(t, ctx, admin, other)
	sysDep := deploy("dns", 2, ctr("app", res("100m", "", "", "")))
	sysDep.Namespace = "kube-system"
	mustCreateDeployment(t, ctx, admin, sysDep)
	minR := int32(2)
	for kind, name := range map[string]string{"Deployment": "search", "StatefulSet": "queue"} {
		if _, err := admin.AutoscalingV2().HorizontalPodAutoscalers("shop").Create(ctx, &autoscalingv2.HorizontalPodAutoscaler{
			ObjectMeta: metav1.ObjectMeta{Name: name + "-hpa", Namespace: "shop"},
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MinReplicas: &minR, MaxReplicas: 10,
				ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: kind, Name: name}},
		}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	rows := []control.Row{
		row("api", 4, cc("app", 350, -1, 400, -1)), row("web", 3), row("pay", 3, cc("app", 500, -1, 1024, -1)),
		row("search", 2, cc("app", 500, -1, -1, -1)),
		kindRow(workload.StatefulSet, "db", 2, cc("app", 750, -1, 1536, -1)), kindRow(workload.StatefulSet, "queue", 2, cc("app", 250, -1, -1, -1)),
		kindRow(workload.DaemonSet, "agent", control.Unset, cc("agent", 100, -1, 128, -1)),
		{Cluster: "prod", Namespace: "other", Workload: "tool", Replicas: control.Replicas{Manual: 1, Recommended: -1, Observed: -1}},
		{Cluster: "prod", Namespace: "other", Workload: "later", Replicas: control.Replicas{Manual: 2, Recommended: -1, Observed: -1}},
	}
	reportDecision(t, ctx, rows[0])
	reportDecision(t, ctx, rows[4]) // StatefulSet db's policy, statefulset.db

	log := &requestLog{}
	cfg := kube.RESTConfig()
	cfg.WrapTransport = log.wrap
	kc := kubernetes.NewForConfigOrDie(cfg)
	reader := Reader{Kube: kc, Dynamic: dynamic.NewForConfigOrDie(cfg), Cache: NewCache(),
		Protected: map[string]bool{"kube-system": true, "kubedoor": true}, PageSize: 2}

	got, err := reader.Preview(ctx, "prod", "shop", rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Namespaces) != 1 || got.Namespaces[0].Control != v1alpha1.ControlObserve {
		t.Fatalf("namespaces %+v, want shop (observe)", got.Namespaces)
	}
	byName := map[string]Workload{}
	for _, w := range got.Namespaces[0].Workloads {
		byName[w.Kind+"/"+w.Name] = w
		if w.Kind == workload.Deployment {
			byName[w.Name] = w
		}
	}
	for name, want := range map[string]string{"api": DirectionScaleDown, "web": DirectionScaleUp, "pay": DirectionNone,
		"search": DirectionResize, "rogue": DirectionNone, "db": DirectionNone,
		"StatefulSet/db": DirectionScaleDown, "StatefulSet/queue": DirectionResize, "DaemonSet/agent": DirectionResize} {
		if byName[name].Direction != want {
			t.Errorf("%s: direction %q, want %q (%+v)", name, byName[name].Direction, want, byName[name])
		}
	}
	// StatefulSet db: 3 × (1 core, 2 GiB) → 2 × (750m, 1536 MiB); its policy's report is its own.
	if w := byName["StatefulSet/db"]; w.Replicas != (Amount{3, 2, -1}) || w.CPURequestMillis != (Amount{3000, 1500, -1500}) ||
		w.MemRequestMiB != (Amount{6144, 3072, -3072}) || w.LastDecision == nil || w.LastDecision.Result != "observed" {
		t.Errorf("StatefulSet db: %+v", w)
	}
	if w := byName["db"]; w.Status != StatusUnknown || w.LastDecision != nil {
		t.Errorf("Deployment db: %s, decision %+v; want unknown, without the StatefulSet's decision", w.Status, w.LastDecision)
	}
	// The HPA targeting StatefulSet queue keeps its 4 replicas; 4 × 500m → 4 × 250m.
	if w := byName["StatefulSet/queue"]; w.HPA != "queue-hpa" || w.Replicas != (Amount{4, 4, 0}) || w.CPURequestMillis != (Amount{2000, 1000, -1000}) {
		t.Errorf("StatefulSet queue: %+v", w)
	}
	// DaemonSet agent: no replicas; its 5 pods × (200m, 256 MiB) → 5 × (100m, 128 MiB).
	if w := byName["DaemonSet/agent"]; w.Replicas != (Amount{}) || w.CPURequestMillis != (Amount{1000, 500, -500}) ||
		w.MemRequestMiB != (Amount{1280, 640, -640}) || fmt.Sprint(w.Changes) != "[agent requests.cpu 200m -> 100m agent requests.memory 256Mi -> 128Mi]" {
		t.Errorf("DaemonSet agent: %+v", w)
	}
	if w := byName["search"]; w.HPA != "search-hpa" || w.Replicas != (Amount{5, 5, 0}) {
		t.Errorf("search: hpa %q replicas %+v, want the HPA to keep 5", w.HPA, w.Replicas)
	}
	if w := byName["rogue"]; w.Status != StatusUnknown || w.Outcome != OutcomeDenied {
		t.Errorf("rogue: %s/%s, want unknown and denied (shop has no rule: deny)", w.Status, w.Outcome)
	}
	if d := byName["api"].LastDecision; d == nil || d.Result != "observed" || d.Reason != "template-change" {
		t.Errorf("api's last decision %+v, want the observed report from the policy's status", d)
	}
	// Deployments: replicas 6+2+3+5+2+1 = 19 → 4+3+3+5+2+1 = 18; CPU 3000+500+1500+5000+200+100
	// = 10300 → 1400+750+1500+2500+200+100 = 6450 millicores. StatefulSets: replicas 3+4 = 7 →
	// 2+4 = 6; CPU 3000+2000 = 5000 → 1500+1000 = 2500. DaemonSet: no replicas; CPU 1000 → 500.
	tt := got.Totals
	if tt.Replicas != (Amount{26, 24, -2}) || tt.CPURequestMillis != (Amount{16300, 9450, -6850}) ||
		tt.Changed != 6 || tt.ScaleDown != 2 || tt.ScaleUp != 1 || tt.Resize != 3 || tt.WouldDeny != 2 {
		t.Errorf("totals %+v", tt)
	}
	// Each kind is listed, never read one by one.
	for _, kind := range []string{"statefulsets", "daemonsets"} {
		if n := log.count("GET /apis/apps/v1/namespaces/shop/" + kind); n != 1 {
			t.Errorf("%d %s list requests, want 1: %v", n, kind, log.seen)
		}
		if n := log.count("GET /apis/apps/v1/namespaces/shop/" + kind + "/"); n != 0 {
			t.Errorf("%d GETs of single %s, want none", n, kind)
		}
	}
	// Six Deployments in pages of two: three Lists, and never a GET of one Deployment.
	if n := log.count("GET /apis/apps/v1/namespaces/shop/deployments"); n != 3 {
		t.Errorf("%d Deployment list requests, want 3 pages: %v", n, log.seen)
	}
	if n := log.count("GET /apis/apps/v1/namespaces/shop/deployments/"); n != 0 {
		t.Errorf("%d GETs of single Deployments, want none", n)
	}

	before := len(log.seen)
	if _, err := reader.Preview(ctx, "prod", "shop", rows); err != nil {
		t.Fatal(err)
	}
	if n := log.count("GET /apis/apps/v1/namespaces/shop/deployments"); n != 3 {
		t.Errorf("a second preview within %v listed Deployments again (%d lists)", CacheTTL, n)
	}
	if extra := log.seen[before:]; len(extra) != 1 || !strings.HasPrefix(extra[0], "GET /api/v1/namespaces/shop") {
		t.Errorf("a second preview sent %v, want only the namespace read", extra)
	}

	all, err := reader.Preview(ctx, "prod", "", rows)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range all.Namespaces {
		names = append(names, n.Name)
	}
	if fmt.Sprint(names) != "[other shop]" {
		t.Errorf("cluster preview namespaces %v, want [other shop] (kube-system is protected, idle and default run nothing)", names)
	}
	if all.Totals.NotRunning != 1 || all.Totals.Workloads != 10 || all.Totals.Unknown != 2 {
		t.Errorf("cluster totals %+v, want 10 running (two unknown) and other/later not running", all.Totals)
	}

	if _, err := reader.Preview(ctx, "prod", "nowhere", rows); !errors.Is(err, ErrNamespaceNotFound) {
		t.Errorf("unknown namespace: %v, want ErrNamespaceNotFound", err)
	}
}

// reportDecision publishes r's policy and writes an observe-mode decision into its status, as
// the webhook's reporter does.
func reportDecision(t *testing.T, ctx context.Context, r control.Row) {
	t.Helper()
	d := dynamic.NewForConfigOrDie(kube.RESTConfig())
	p := r.Policy()
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&p)
	if err != nil {
		t.Fatal(err)
	}
	obj := &unstructured.Unstructured{Object: m}
	created, err := d.Resource(v1alpha1.GroupVersionResource).Namespace(r.Namespace).Create(ctx, obj, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := unstructured.SetNestedMap(created.Object, map[string]any{
		"time": "2026-11-20T10:00:00Z", "operation": "deployment-update", "result": "observed", "reason": "template-change",
	}, "status", "lastDecision"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Resource(v1alpha1.GroupVersionResource).Namespace(r.Namespace).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}
