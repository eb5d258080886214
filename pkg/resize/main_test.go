//go:build parts

package resize

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// The package's tests run against a real kube-apiserver 1.34 (etcd + apiserver; the test
// creates the pods itself, as a ReplicaSet, StatefulSet or DaemonSet controller would, and —
// where a test needs the kubelet's answer — writes the pod status a kubelet would) and the
// embedded ClickHouse engine for the control table, the peaks and the audit log.
var (
	kube *testenv.Kube
	conn store.Conn
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if testing.Short() {
		return m.Run() // the pure tests only
	}
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		return m.Run() // a fuzz worker runs FuzzParseWindow only
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "resize tests cannot start:", err)
		return 1
	}
	var closeStore func()
	var err error
	if conn, closeStore, err = storetest.Open(ctx, "resize"); err != nil {
		return fail(err)
	}
	defer closeStore()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if kube, err = testenv.StartKube(ctx, testenv.KubeOptions{Logger: log}); err != nil {
		return fail(err)
	}
	defer kube.Stop()
	return m.Run()
}

func needKube(t testing.TB) {
	t.Helper()
	if kube == nil {
		t.Skip("-short: no apiserver")
	}
}

var nsSeq atomic.Int32

func namespace(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("rs%d-%d", nsSeq.Add(1), time.Now().UnixNano()%100000)
	ctx := t.Context()
	_, err := kube.Clientset().CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Pods need the namespace's default ServiceAccount, which no controller creates here.
	_, err = kube.Clientset().CoreV1().ServiceAccounts(name).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return name
}

func kubeFor(cluster string) (kubernetes.Interface, error) {
	if cluster != "test" {
		return nil, fmt.Errorf("no cluster named %q", cluster)
	}
	return kube.Clientset(), nil
}

// res is requests/limits "cpu/mem" pairs, e.g. res("100m/256Mi", "/512Mi").
func res(req, lim string) corev1.ResourceRequirements {
	parse := func(s string) corev1.ResourceList {
		cpu, mem, _ := strings.Cut(s, "/")
		l := corev1.ResourceList{}
		if cpu != "" {
			l[corev1.ResourceCPU] = resource.MustParse(cpu)
		}
		if mem != "" {
			l[corev1.ResourceMemory] = resource.MustParse(mem)
		}
		return l
	}
	return corev1.ResourceRequirements{Requests: parse(req), Limits: parse(lim)}
}

// createWorkload creates a workload of kind named name whose pods are labelled app=name.
func createWorkload(t testing.TB, ns, kind, name string) metav1.Object {
	t.Helper()
	ctx := t.Context()
	labels := map[string]string{"app": name}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1"}}}}
	sel := &metav1.LabelSelector{MatchLabels: labels}
	apps := kube.Clientset().AppsV1()
	var obj metav1.Object
	var err error
	switch kind {
	case workload.StatefulSet:
		obj, err = apps.StatefulSets(ns).Create(ctx, &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec: appsv1.StatefulSetSpec{Selector: sel, Template: tmpl, ServiceName: name}}, metav1.CreateOptions{})
	case workload.DaemonSet:
		obj, err = apps.DaemonSets(ns).Create(ctx, &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec: appsv1.DaemonSetSpec{Selector: sel, Template: tmpl}}, metav1.CreateOptions{})
	default:
		obj, err = apps.Deployments(ns).Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec: appsv1.DeploymentSpec{Selector: sel, Template: tmpl}}, metav1.CreateOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

// createPod creates a pod of the workload as its controller would (labels, controller owner
// reference: the ReplicaSet <name>-hash1 for a Deployment).
func createPod(t testing.TB, ns, kind, name, pod string, r corev1.ResourceRequirements) *corev1.Pod {
	t.Helper()
	labels := map[string]string{"app": name}
	owner := metav1.OwnerReference{APIVersion: "apps/v1", Kind: kind, Name: name, UID: types.UID(uuid.NewString()), Controller: ptr(true)}
	if kind == workload.Deployment {
		labels[appsv1.DefaultDeploymentUniqueLabelKey] = "hash1"
		owner.Kind, owner.Name = "ReplicaSet", name+"-hash1"
	}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: pod, Namespace: ns, Labels: labels, OwnerReferences: []metav1.OwnerReference{owner}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1", Resources: r}}},
	}
	out, err := kube.Clientset().CoreV1().Pods(ns).Create(t.Context(), p, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func getPod(t testing.TB, ns, name string) *corev1.Pod {
	t.Helper()
	p, err := kube.Clientset().CoreV1().Pods(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// addRow puts the workload's app container values (millicores, MiB; control.Unset = not set)
// into the control table.
func addRow(t testing.TB, ns, kind, name string, cpuReq, cpuLim, memReq, memLim int64) {
	t.Helper()
	c := control.NewContainer("app")
	c.CPURequestMillis, c.CPULimitMillis, c.MemRequestMiB, c.MemLimitMiB = cpuReq, cpuLim, memReq, memLim
	manual := int32(1)
	if !workload.HasReplicas(kind) {
		manual = control.Unset
	}
	row, err := control.NewRow(control.Row{Cluster: "test", Namespace: ns, Kind: kind, Workload: name,
		Replicas: control.Replicas{Manual: manual}, Containers: []control.Container{c}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := control.New(conn, nil).Add(t.Context(), row, "test"); err != nil {
		t.Fatal(err)
	}
}

// storePeak stores the app container's memory peak (MiB) for the given day.
func storePeak(t testing.TB, ns, kind, name string, day time.Time, memMiB float64) {
	t.Helper()
	s := peaks.Sample{Cluster: "test", Namespace: ns, Kind: kind, Workload: name, Container: "app", Day: day,
		WindowStart: day.Add(time.Hour), WindowEnd: day.Add(2 * time.Hour), PodsMin: 1, PodsMax: 1,
		MemMax: memMiB * (1 << 20), MemAvg: memMiB * (1 << 20), Quantile: 0.95, CollectedAt: day.Add(24 * time.Hour)}
	if err := conn.Insert(t.Context(), "peak_samples", peaks.Columns, [][]any{s.Row()}); err != nil {
		t.Fatal(err)
	}
}

func runner(o func(*Deps)) *Runner {
	d := Deps{Kube: kubeFor, Rows: control.New(conn, nil), Peaks: StoredPeaks{Conn: conn}, Audit: audit.New(conn),
		Log: slog.New(slog.DiscardHandler), Settle: -1}
	if o != nil {
		o(&d)
	}
	return New(d)
}

func auditOf(t testing.TB, user string) []audit.Record {
	t.Helper()
	recs, _, err := audit.New(conn).List(t.Context(), audit.Filter{User: user, Action: ActionResize, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func outcome(t testing.TB, r any) Outcome {
	t.Helper()
	o, ok := r.(Outcome)
	if !ok {
		t.Fatalf("result After is %T, want Outcome", r)
	}
	return o
}
