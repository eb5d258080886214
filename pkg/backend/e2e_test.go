//go:build parts

package backend_test

// The product's main thread, end to end, on real parts: the plugin executable (started as
// Grafana starts it, on the embedded ClickHouse engine) collects 12 days of peaks from a real
// Prometheus, derives the control table, publishes it to a real kube-apiserver as
// CapacityPolicies, and the real kubedoor-webhook makes Deployment operations obey it.

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/synth"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
	"github.com/kubedoor/kubedoor-grafana/webhook/deploy/crd"
)

const cluster = "prod-b" // synth.ScenarioMultiDay's cluster: shop/search, two pods, 12 days

var (
	editor = pluginhost.User{Login: "ed", Role: "Editor"}
	viewer = pluginhost.User{Login: "vera", Role: "Viewer"}
)

type parts struct {
	host     *pluginhost.Host
	cs       kubernetes.Interface
	dyn      dynamic.Interface
	expected []synth.Expected
}

func TestCollectDerivePublishEnforce(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	first := synth.DateOf(time.Now().UTC()).AddDays(-12)
	p := start(ctx, t, setup{sc: synth.ScenarioMultiDay(first, 12), cluster: cluster, namespace: "shop"})

	// 1. An operator backfills the 12 generated days, named: "the last 12 ended days" ends today
	// once today's peak window has passed. The job runs to the end.
	waitNoJob(ctx, t, p.host, cluster)
	var job struct{ ID, State string }
	if s := call(t, p.host, editor, "POST", "v1/clusters/"+cluster+"/collections", map[string]string{"from": first.String(), "to": first.AddDays(11).String()}, &job); s != 202 {
		t.Fatalf("starting the backfill: %d", s)
	}
	for job.State != "succeeded" {
		if job.State == "failed" || job.State == "cancelled" || ctx.Err() != nil {
			t.Fatalf("backfill ended %q", job.State)
		}
		time.Sleep(500 * time.Millisecond)
		call(t, p.host, viewer, "GET", "v1/collections/"+job.ID, nil, &job)
	}

	// The derivation warmed the recommendations: the page's first read is answered from the cache.
	var rec struct{ Replay struct{ From string } }
	if s := call(t, p.host, viewer, "GET", "v1/clusters/"+cluster+"/recommendations", nil, &rec); s != 200 || rec.Replay.From != "cache" {
		t.Fatalf("first recommendations read after the backfill: %d, replay from %q, want the warmed cache", s, rec.Replay.From)
	}

	// 2. The control table holds the worst day's values, computed here from the generator's
	// own arithmetic: the day with the most pods × pod-average CPU among the last 10 days
	// (later day on a tie); requests = that day's worst pod, rounded up.
	want := worstDay(t, p.expected, time.Now().UTC(), 10)
	var table struct {
		Items []struct {
			Namespace, Workload string
			Version             int64
			Replicas            struct{ Observed, Effective int32 }
			Containers          []struct {
				Name                                                         string
				CPURequestMillis, CPULimitMillis, MemRequestMiB, MemLimitMiB int64
			}
			PeakDay string
		}
	}
	call(t, p.host, viewer, "GET", "v1/control?cluster="+cluster, nil, &table)
	if len(table.Items) != 1 || len(table.Items[0].Containers) != 1 {
		t.Fatalf("control table: %+v", table.Items)
	}
	row, c := table.Items[0], table.Items[0].Containers[0]
	wantCPU := int64(math.Ceil(want.CPUWorst * 1000))
	wantMem := int64(math.Ceil(want.MemoryWorst / (1 << 20)))
	if row.PeakDay != want.Window.Day.String() || c.CPURequestMillis != wantCPU || c.MemRequestMiB != wantMem ||
		c.CPULimitMillis != int64(want.CPULimit*1000) || c.MemLimitMiB != int64(want.MemoryLimit/(1<<20)) ||
		row.Replicas.Observed != int32(sizedTo(want)) || row.Replicas.Effective != int32(sizedTo(want)) {
		t.Fatalf("row %+v %+v; want day %s cpu %dm mem %dMi limits %g/%g replicas %d",
			row, c, want.Window.Day, wantCPU, wantMem, want.CPULimit, want.MemoryLimit, sizedTo(want))
	}

	// 3. The derivation was published to the cluster.
	pol := waitPolicy(ctx, t, p.dyn, "shop", "search", func(cp *v1alpha1.CapacityPolicy) bool { return cp.Spec.SourceVersion == row.Version })
	if *pol.Spec.Replicas != int32(sizedTo(want)) || pol.Spec.Containers[0].CPURequest.MilliValue() != wantCPU {
		t.Fatalf("published policy %+v", pol.Spec)
	}

	// 4. kubectl create deployment: the webhook applies the table.
	if _, err := p.cs.AppsV1().Deployments("shop").Create(ctx, deployment("search", 7), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}
	got := getDeployment(ctx, t, p.cs)
	res := got.Spec.Template.Spec.Containers[0].Resources
	if *got.Spec.Replicas != int32(sizedTo(want)) || res.Requests.Cpu().MilliValue() != wantCPU ||
		res.Requests.Memory().Value() != wantMem<<20 || res.Limits.Cpu().MilliValue() != int64(want.CPULimit*1000) {
		t.Fatalf("stored deployment: replicas %d resources %+v", *got.Spec.Replicas, res)
	}

	// 5. An operator sets 5 replicas by hand; the next kubectl scale to 3 is held at 5.
	var edited struct{ Version int64 }
	if s := call(t, p.host, editor, "PUT", "v1/control/"+cluster+"/shop/search",
		map[string]any{"expectedVersion": row.Version, "replicasManual": 5}, &edited); s != 200 {
		t.Fatalf("edit: %d", s)
	}
	waitPolicy(ctx, t, p.dyn, "shop", "search", func(cp *v1alpha1.CapacityPolicy) bool { return cp.Spec.Replicas != nil && *cp.Spec.Replicas == 5 })
	deadline := time.Now().Add(30 * time.Second)
	for {
		scale := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: "search", Namespace: "shop"}, Spec: autoscalingv1.ScaleSpec{Replicas: 3}}
		if _, err := p.cs.AppsV1().Deployments("shop").UpdateScale(ctx, "search", scale, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("scale: %v", err)
		}
		// The webhook's informer sees the new policy a moment after it is stored.
		if r := *getDeployment(ctx, t, p.cs).Spec.Replicas; r == 5 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("replicas %d after kubectl scale, want the table's 5", r)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// worstDay picks shop/search's app row the derivation must choose, from synth's answers.
// sizedTo is the replicas a row observes (docs/design.md §6): the desired replicas when the series
// exists, else the median of the Ready pods, floored at the default minReplicas 1.
func sizedTo(r synth.Expected) int {
	n := r.PodsReadyMedian
	if r.ReplicasDesired != nil {
		n = *r.ReplicasDesired
	}
	return max(n, 1)
}

func worstDay(t *testing.T, rows []synth.Expected, now time.Time, days int) synth.Expected {
	t.Helper()
	today := synth.DateOf(now)
	first := today.AddDays(-days)
	var best synth.Expected
	bestScore := -1.0
	for _, r := range rows {
		d := r.Window.Day
		if r.Deployment != "search" || r.Container != "app" || d.String() < first.String() || d.String() >= today.String() {
			continue
		}
		if score := float64(sizedTo(r)) * r.CPUPodAvg; score >= bestScore { // later day wins a tie
			best, bestScore = r, score
		}
	}
	if bestScore < 0 {
		t.Fatal("no expected row in the window")
	}
	return best
}

// setup is what start loads: the scenario into Prometheus, its cluster into the settings (with
// Kubernetes access), and namespace, created enforced.
type setup struct {
	sc                 synth.Scenario
	cluster, namespace string
}

func start(ctx context.Context, t *testing.T, s setup) parts {
	t.Helper()
	lib, err := testenv.LibCHDB()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	kube, err := testenv.StartKube(ctx, testenv.KubeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kube.Stop() })
	cs := kube.Clientset()
	dyn, err := dynamic.NewForConfig(kube.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := crd.Install(ctx, dyn); err != nil {
		t.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: s.namespace, Labels: map[string]string{v1alpha1.LabelControl: v1alpha1.ControlEnforce}}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	sc := s.sc
	expected, err := sc.Expected(0.95)
	if err != nil {
		t.Fatal(err)
	}
	var backfill []io.WriterTo
	for _, part := range sc.Parts(1, true) {
		backfill = append(backfill, part)
	}
	prom, err := testenv.StartPrometheus(ctx, testenv.PromOptions{Parts: backfill})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = prom.Stop() })

	startWebhook(ctx, t, dir, kube, cs, s.cluster)

	exe := filepath.Join(dir, "gpx_kubedoor")
	if err := testenv.GoBuild(ctx, "./pkg", exe); err != nil {
		t.Fatal(err)
	}
	kubeconfig, err := os.ReadFile(kube.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	settingsJSON, _ := json.Marshal(map[string]any{
		"storage":  map[string]string{"mode": "embedded"},
		"clusters": []map[string]string{{"name": s.cluster, "prometheusUrl": prom.URL, "kubeAccess": "kubeconfig"}},
	})
	logFile, err := os.Create(filepath.Join(dir, "plugin.log"))
	if err != nil {
		t.Fatal(err)
	}
	host, err := pluginhost.Start(pluginhost.Options{
		Executable: exe, PluginID: plugin.ID, JSONData: settingsJSON, Log: logFile,
		Secure: map[string]string{"clusters." + s.cluster + ".kubeconfig": string(kubeconfig)},
		Env:    []string{"KUBEDOOR_LIBCHDB=" + lib, "KUBEDOOR_DATA_DIR=" + filepath.Join(dir, "data")},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		host.Stop()
		if t.Failed() {
			b, _ := os.ReadFile(logFile.Name())
			t.Logf("plugin log:\n%s", tail(b, 20000))
		}
	})
	return parts{host: host, cs: cs, dyn: dyn, expected: expected}
}

// startWebhook runs the webhook built from this checkout against kube and registers it.
func startWebhook(ctx context.Context, t *testing.T, dir string, kube *testenv.Kube, cs kubernetes.Interface, cluster string) {
	t.Helper()
	hook, err := testenv.StartWebhook(ctx, testenv.WebhookOptions{Dir: dir, Kubeconfig: kube.Kubeconfig, Cluster: cluster})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		hook.Stop()
		if t.Failed() {
			t.Logf("webhook log:\n%s", tail([]byte(hook.Log()), 8000))
		}
	})
	if err := hook.Register(ctx, cs, 0); err != nil {
		t.Fatal(err)
	}
}

func call(t *testing.T, h *pluginhost.Host, u pluginhost.User, method, path string, body, out any) int {
	t.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	res, err := h.Call(t.Context(), u, method, path, raw)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if out != nil && res.Status < 300 {
		if err := json.Unmarshal(res.Body, out); err != nil {
			t.Fatalf("%s %s: decoding %s: %v", method, path, res.Body, err)
		}
	}
	if res.Status >= 300 {
		t.Logf("%s %s → %d %s", method, path, res.Status, res.Body)
	}
	return res.Status
}

// waitNoJob waits until no collection job runs (the daily catch-up may start one at boot).
func waitNoJob(ctx context.Context, t *testing.T, h *pluginhost.Host, cluster string) {
	t.Helper()
	for {
		var list struct{ Items []struct{ State string } }
		call(t, h, viewer, "GET", "v1/collections?cluster="+cluster+"&state=running", nil, &list)
		if len(list.Items) == 0 || ctx.Err() != nil {
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func waitPolicy(ctx context.Context, t *testing.T, dyn dynamic.Interface, ns, name string, ok func(*v1alpha1.CapacityPolicy) bool) *v1alpha1.CapacityPolicy {
	t.Helper()
	for {
		u, err := dyn.Resource(v1alpha1.GroupVersionResource).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			var cp v1alpha1.CapacityPolicy
			raw, _ := u.MarshalJSON()
			if err := json.Unmarshal(raw, &cp); err == nil && ok(&cp) {
				return &cp
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("the policy never reached the wanted state (last error %v)", err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func deployment(name string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "app", Image: "registry.example.com/shop/search:3.1.0",
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceCPU: resource.MustParse("3"), corev1.ResourceMemory: resource.MustParse("3Gi"),
					}},
				}}},
			},
		},
	}
}

func getDeployment(ctx context.Context, t *testing.T, cs kubernetes.Interface) *appsv1.Deployment {
	t.Helper()
	d, err := cs.AppsV1().Deployments("shop").Get(ctx, "search", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
