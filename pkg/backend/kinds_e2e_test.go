//go:build parts

package backend_test

// docs/workload-kinds.md end to end on real parts: a StatefulSet and a DaemonSet (beside a
// Deployment of the StatefulSet's name) with a known synthetic day are collected from a real
// Prometheus, derived, published as CapacityPolicies, and enforced by the real webhook on
// kubectl-equivalent operations; actions scale and restart them through the plugin.

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/internal/synth"
)

const kindsCluster, kindsNS = "prod-k", "data" // synth.ScenarioKinds

type kindRow struct {
	Kind, Workload string
	Version        int64
	Replicas       *struct{ Observed, Effective int32 }
	Containers     []struct {
		Name                            string
		CPURequestMillis, MemRequestMiB int64
	}
	Notes []string
}

func TestStatefulSetsAndDaemonSetsAreCollectedDerivedPublishedAndEnforced(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	day := synth.DateOf(time.Now().UTC()).AddDays(-1)
	p := start(ctx, t, setup{sc: synth.ScenarioKinds(day), cluster: kindsCluster, namespace: kindsNS})

	// 1. Collect the day, named: "the last ended day" is today once today's peak window has
	// passed (the daily catch-up at boot may already be at it).
	waitNoJob(ctx, t, p.host, kindsCluster)
	var job struct{ ID, State string }
	if s := call(t, p.host, editor, "POST", "v1/clusters/"+kindsCluster+"/collections", map[string]string{"from": day.String(), "to": day.String()}, &job); s != 202 {
		t.Fatalf("starting the collection: %d", s)
	}
	for job.State != "succeeded" {
		if job.State == "failed" || job.State == "cancelled" || ctx.Err() != nil {
			t.Fatalf("collection ended %q", job.State)
		}
		time.Sleep(500 * time.Millisecond)
		call(t, p.host, viewer, "GET", "v1/collections/"+job.ID, nil, &job)
	}

	// 2. One row per workload and kind; the values are the generator's own answers.
	var table struct{ Items []kindRow }
	call(t, p.host, viewer, "GET", "v1/control?cluster="+kindsCluster, nil, &table)
	rows := map[string]kindRow{}
	for _, r := range table.Items {
		rows[r.Kind+"/"+r.Workload] = r
	}
	sts, ds, dep := rows["StatefulSet/db"], rows["DaemonSet/node-agent"], rows["Deployment/db"]
	if len(table.Items) != 4 || sts.Workload == "" || ds.Workload == "" || dep.Workload == "" || rows["StatefulSet/cache"].Workload == "" {
		t.Fatalf("control table %+v; want Deployment db, StatefulSet db and cache, DaemonSet node-agent (gpu-agent had no pod)", table.Items)
	}
	want := func(kind, name, container string) synth.Expected {
		for _, e := range p.expected {
			if e.Kind == kind && e.Deployment == name && e.Container == container && e.Window.Day == day {
				return e
			}
		}
		t.Fatalf("no expected answer for %s %s/%s", kind, name, container)
		return synth.Expected{}
	}
	cpu := func(e synth.Expected) int64 { return int64(math.Ceil(e.CPUWorst * 1000)) }
	mem := func(e synth.Expected) int64 { return int64(math.Ceil(e.MemoryWorst / (1 << 20))) }
	stsWant, dsWant := want(synth.KindStatefulSet, "db", "app"), want(synth.KindDaemonSet, "node-agent", "agent")
	if sts.Replicas == nil || sts.Replicas.Effective != 3 || len(sts.Containers) != 1 || sts.Containers[0].CPURequestMillis != cpu(stsWant) {
		t.Fatalf("StatefulSet row %+v; want 3 replicas (its spec) and %dm", sts, cpu(stsWant))
	}
	// synth's Deployments have kind "".
	if dep.Replicas == nil || dep.Replicas.Effective != 2 || dep.Containers[0].CPURequestMillis != cpu(want("", "db", "app")) {
		t.Fatalf("the same-named Deployment's row %+v", dep)
	}
	if ds.Replicas != nil || len(ds.Containers) != 1 || ds.Containers[0].CPURequestMillis != cpu(dsWant) || ds.Containers[0].MemRequestMiB != mem(dsWant) {
		t.Fatalf("DaemonSet row %+v; want no replicas, %dm and %d MiB", ds, cpu(dsWant), mem(dsWant))
	}
	if !strings.Contains(strings.Join(ds.Notes, "\n"), "wide spread between nodes") {
		t.Fatalf("DaemonSet notes %q: worker-03's pod is far busier than the others", ds.Notes)
	}

	// 3. Published under each kind's policy name, with the kind it targets.
	stsPol := waitPolicy(ctx, t, p.dyn, kindsNS, "statefulset.db", func(cp *v1alpha1.CapacityPolicy) bool { return cp.Spec.SourceVersion == sts.Version })
	dsPol := waitPolicy(ctx, t, p.dyn, kindsNS, "daemonset.node-agent", func(cp *v1alpha1.CapacityPolicy) bool { return cp.Spec.SourceVersion == ds.Version })
	if stsPol.Spec.TargetKind != "StatefulSet" || *stsPol.Spec.Replicas != 3 || dsPol.Spec.TargetKind != "DaemonSet" || dsPol.Spec.Replicas != nil {
		t.Fatalf("policies %+v / %+v", stsPol.Spec, dsPol.Spec)
	}

	// 4. kubectl create: the webhook applies each kind's row.
	apps := p.cs.AppsV1()
	if _, err := apps.StatefulSets(kindsNS).Create(ctx, statefulSet("db", 7), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create statefulset: %v", err)
	}
	if _, err := apps.DaemonSets(kindsNS).Create(ctx, daemonSet("node-agent"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create daemonset: %v", err)
	}
	gotSTS, _ := apps.StatefulSets(kindsNS).Get(ctx, "db", metav1.GetOptions{})
	gotDS, _ := apps.DaemonSets(kindsNS).Get(ctx, "node-agent", metav1.GetOptions{})
	if *gotSTS.Spec.Replicas != 3 || gotSTS.Spec.Template.Spec.Containers[0].Resources.Requests.Cpu().MilliValue() != cpu(stsWant) {
		t.Fatalf("stored StatefulSet: replicas %d, resources %+v", *gotSTS.Spec.Replicas, gotSTS.Spec.Template.Spec.Containers[0].Resources)
	}
	if r := gotDS.Spec.Template.Spec.Containers[0].Resources.Requests; r.Cpu().MilliValue() != cpu(dsWant) || r.Memory().Value() != mem(dsWant)<<20 {
		t.Fatalf("stored DaemonSet resources %+v", r)
	}

	// 5. kubectl scale statefulset db --replicas 5: held at the table's 3.
	if _, err := apps.StatefulSets(kindsNS).UpdateScale(ctx, "db", &autoscalingv1.Scale{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: kindsNS}, Spec: autoscalingv1.ScaleSpec{Replicas: 5}}, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("scale: %v", err)
	}
	if s, _ := apps.StatefulSets(kindsNS).Get(ctx, "db", metav1.GetOptions{}); *s.Spec.Replicas != 3 {
		t.Fatalf("replicas %d after kubectl scale, want the table's 3", *s.Spec.Replicas)
	}

	// 6. kubectl set image on the DaemonSet: a template change, the table's resources again.
	gotDS.Spec.Template.Spec.Containers[0].Image = "registry.example.com/infra/node-agent:0.8.0"
	gotDS.Spec.Template.Spec.Containers[0].Resources = corev1.ResourceRequirements{}
	if gotDS, err := apps.DaemonSets(kindsNS).Update(ctx, gotDS, metav1.UpdateOptions{}); err != nil ||
		gotDS.Spec.Template.Spec.Containers[0].Resources.Requests.Cpu().MilliValue() != cpu(dsWant) {
		t.Fatalf("set image on the DaemonSet: %v, resources after %+v", err, gotDS)
	}

	// 7. Actions: scale the StatefulSet to 4 (the table follows, so the webhook agrees) and
	// restart the DaemonSet.
	var scaled struct{ Results []struct{ OK bool } }
	if s := call(t, p.host, editor, "POST", "v1/actions/scale", map[string]any{"items": []map[string]any{
		{"cluster": kindsCluster, "namespace": kindsNS, "kind": "StatefulSet", "workload": "db", "replicas": 4}}}, &scaled); s != 200 || len(scaled.Results) != 1 || !scaled.Results[0].OK {
		t.Fatalf("scale action: %d %+v", s, scaled)
	}
	if s, _ := apps.StatefulSets(kindsNS).Get(ctx, "db", metav1.GetOptions{}); *s.Spec.Replicas != 4 {
		t.Fatalf("replicas %d after the scale action, want 4", *s.Spec.Replicas)
	}
	var restarted struct{ Results []struct{ OK bool } }
	if s := call(t, p.host, editor, "POST", "v1/actions/restart", map[string]any{"items": []map[string]any{
		{"cluster": kindsCluster, "namespace": kindsNS, "kind": "DaemonSet", "workload": "node-agent"}}}, &restarted); s != 200 || !restarted.Results[0].OK {
		t.Fatalf("restart action: %d %+v", s, restarted)
	}
	gotDS, _ = apps.DaemonSets(kindsNS).Get(ctx, "node-agent", metav1.GetOptions{})
	if gotDS.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] == "" ||
		gotDS.Spec.Template.Spec.Containers[0].Resources.Requests.Cpu().MilliValue() != cpu(dsWant) {
		t.Fatalf("restarted DaemonSet template %+v", gotDS.Spec.Template)
	}
}

func podTemplate(name, image string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image,
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}}}}},
	}
}

func statefulSet(name string, replicas int32) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: appsv1.StatefulSetSpec{
		Replicas: &replicas, ServiceName: name, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
		Template: podTemplate(name, "registry.example.com/data/db:15.4")}}
}

func daemonSet(name string) *appsv1.DaemonSet {
	tpl := podTemplate(name, "registry.example.com/infra/node-agent:0.7.0")
	tpl.Spec.Containers[0].Name = "agent"
	return &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: appsv1.DaemonSetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}, Template: tpl}}
}
