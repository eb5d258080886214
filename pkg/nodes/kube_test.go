//go:build parts

package nodes

// On a real kube-apiserver with kwok running the nodes and pods, and the embedded store holding
// the control rows and peaks: the worked example of compute_test.go (fleet), written as objects
// and rows, must come back with the same hand-computed numbers.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

var (
	kubeEnv *testenv.Kube
	conn    store.Conn
)

func TestMain(m *testing.M) {
	storetest.Main("nodes", &conn, func() int {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		var err error
		if kubeEnv, err = testenv.StartKube(ctx, testenv.KubeOptions{Kwok: true}); err != nil {
			fmt.Fprintf(os.Stderr, "nodes tests cannot start: %v\n", err)
			return 1
		}
		defer func() { _ = kubeEnv.Stop() }()
		return m.Run()
	})
}

func quantities(cpu, memMi int64) corev1.ResourceList {
	return corev1.ResourceList{
		corev1.ResourceCPU:    *resource.NewMilliQuantity(cpu, resource.DecimalSI),
		corev1.ResourceMemory: *resource.NewQuantity(memMi*mi, resource.BinarySI),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
}

// createFleet writes fleet() into the cluster: nodes a–c managed by kwok with their allocatable,
// node d unmanaged and without status (a node that never reported), the pods bound to their
// nodes with the owner references their controllers would set, a pod waiting for a node and a
// finished pod that no longer holds its requests.
func createFleet(t *testing.T, ctx context.Context) {
	t.Helper()
	cs := kubeEnv.Clientset()
	// The testbed's own node would be one more destination: this cluster is fleet()'s only.
	for _, n := range kubeEnv.Nodes {
		if err := cs.CoreV1().Nodes().Delete(ctx, n, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range fleet().Nodes {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n.Name}}
		if n.Allocatable != (Resources{}) {
			node.Annotations = map[string]string{testenv.KwokNodeAnnotation: "fake"}
			list := quantities(n.Allocatable.CPUMillis, n.Allocatable.MemBytes/mi)
			node.Status = corev1.NodeStatus{Capacity: list, Allocatable: list}
		}
		if _, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, ns := range []string{"shop", "kube-system"} {
		// No controller manager runs here, so the default ServiceAccount pods need is made by hand.
		_, _ = cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		_, _ = cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
	}
	yes := true
	ownerOf := map[string]metav1.OwnerReference{
		"api":   {APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "api-7d9f8c", UID: "u-api", Controller: &yes},
		"web":   {APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-5c6b7", UID: "u-web", Controller: &yes},
		"db":    {APIVersion: "apps/v1", Kind: "StatefulSet", Name: "db", UID: "u-db", Controller: &yes},
		"agent": {APIVersion: "apps/v1", Kind: "DaemonSet", Name: "agent", UID: "u-agent", Controller: &yes},
	}
	hashes := map[string]string{"api": "7d9f8c", "web": "5c6b7"}
	for _, p := range fleet().Pods {
		c := p.Containers[0]
		obj := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: p.Name, OwnerReferences: []metav1.OwnerReference{ownerOf[p.Owner.Name]}},
			Spec: corev1.PodSpec{NodeName: p.Node, Containers: []corev1.Container{{Name: c.Name, Image: "example/" + c.Name + ":1",
				Resources: corev1.ResourceRequirements{Requests: quantities(c.Request.CPUMillis, c.Request.MemBytes/mi)}}}},
		}
		delete(obj.Spec.Containers[0].Resources.Requests, corev1.ResourcePods)
		if h, ok := hashes[p.Owner.Name]; ok {
			obj.Labels = map[string]string{"pod-template-hash": h}
		}
		if _, err := cs.CoreV1().Pods(p.Namespace).Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	big := corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("64")}}
	for _, name := range []string{"queued", "finished"} {
		obj := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "example/app:1", Resources: big}}}}
		if name == "finished" {
			obj.Spec.NodeName = "d" // kwok does not manage d, so the phase set below stays
		}
		created, err := cs.CoreV1().Pods("shop").Create(ctx, obj, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if name == "finished" {
			created.Status.Phase = corev1.PodSucceeded
			if _, err := cs.CoreV1().Pods("shop").UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// kwok runs the pods on its nodes, as kubelets would.
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		pods, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, p := range pods.Items {
			if p.Spec.NodeName != "" && p.Spec.NodeName != "d" && p.Status.Phase != corev1.PodRunning {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("kwok did not run the pods: %v", err)
	}
}

// storeFleet writes fleet()'s control rows and peaks (one day, today) for cluster "prod".
func storeFleet(t *testing.T, ctx context.Context, day time.Time) {
	t.Helper()
	table := control.New(conn, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for ref, containers := range fleet().Table {
		row := control.Row{Cluster: "prod", Namespace: ref.Namespace, Kind: ref.Kind, Workload: ref.Name, Replicas: control.Replicas{Manual: 1}}
		for name, c := range containers {
			cc := control.NewContainer(name)
			cc.CPURequestMillis, cc.MemRequestMiB = c.CPURequestMillis, c.MemRequestMiB
			row.Containers = append(row.Containers, cc)
		}
		if _, err := table.Add(ctx, row, "test"); err != nil {
			t.Fatalf("adding %v: %v", ref, err)
		}
	}
	var samples []peaks.Sample
	for ref, containers := range fleet().Peaks {
		for name, p := range containers {
			samples = append(samples, peaks.Sample{Cluster: "prod", Namespace: ref.Namespace, Kind: ref.Kind, Workload: ref.Name,
				Container: name, Day: day, WindowStart: day.Add(10 * time.Hour), WindowEnd: day.Add(11 * time.Hour),
				PodsMin: 1, PodsMax: 3, CPUMax: float64(p.CPUMillis) / 1000, CPUAvg: float64(p.CPUMillis) / 2000,
				MemMax: float64(p.MemBytes), MemAvg: float64(p.MemBytes) / 2, Quantile: 0.95})
		}
	}
	if err := peaks.WriteDay(ctx, conn, "prod", day, samples, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestTheViewOfALiveClusterMatchesTheHandComputedExample(t *testing.T) {
	ctx := t.Context()
	createFleet(t, ctx)
	r := peaks.LastDays(10, time.UTC, time.Now())
	storeFleet(t, ctx, r.To)

	v, err := NewService(slog.New(slog.NewTextHandler(io.Discard, nil))).View(ctx, conn, kubeEnv.Clientset(), "prod", r)
	if err != nil {
		t.Fatal(err)
	}
	if v.PendingPods != 1 || v.Totals.Pods != 9 {
		t.Errorf("pending %d, pods %d; want 1 waiting and 9 (the finished one not counted)", v.PendingPods, v.Totals.Pods)
	}
	type line struct {
		requested, table, peak, unused Resources
		rankRequested, rankPeak        int
		drain                          Drain
	}
	want := map[string]line{
		"a": {res(2100, 4224), res(850, 2176), res(620, 1600), res(1480, 2624), 2, 2,
			Drain{Possible: true, MovablePods: 2, UnplacedNow: 1, UnderTable: true, TableFreesNode: true}},
		"b": {res(2600, 5248), res(1950, 3200), res(1520, 3392), res(1080, 1856), 1, 1,
			Drain{Possible: true, MovablePods: 2, UnplacedNow: 1, UnderTable: true, TableFreesNode: true}},
		"c": {res(600, 1152), res(550, 1152), res(20, 64), res(80, 64), 3, 3,
			Drain{Possible: true, MovablePods: 1, Now: true, UnderTable: true}},
		"d": {res(100, 128), res(50, 128), res(20, 64), res(80, 64), 0, 0, Drain{}},
	}
	if len(v.Nodes) != len(want) {
		t.Fatalf("nodes %d, want %d", len(v.Nodes), len(want))
	}
	for _, n := range v.Nodes {
		got := line{n.Requested, n.Table, n.Peak, n.UnusedAtPeak, n.RankRequested, n.RankPeak, n.Drain}
		if got != want[n.Name] {
			t.Errorf("node %s:\n got %+v\nwant %+v", n.Name, got, want[n.Name])
		}
	}
	if v.TypicalPod != res(400, 1024) || v.TypicalPodFrom != 5 {
		t.Errorf("typical pod %+v from %d", v.TypicalPod, v.TypicalPodFrom)
	}
	if want := (Fragmentation{Free: res(4200, 9856), Stranded: res(1400, 2688), TypicalPodsFit: 7}); v.Fragmentation != want {
		t.Errorf("fragmentation %+v, want %+v", v.Fragmentation, want)
	}
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(v.Drainable, want) {
		t.Errorf("drainable %v, want %v", v.Drainable, want)
	}

	t.Run("reading in pages of two gives the same view", func(t *testing.T) {
		defer func(n int64) { listPage = n }(listPage)
		listPage = 2 // 4 nodes and 11 pods: several continue tokens each
		paged, err := NewService(slog.New(slog.NewTextHandler(io.Discard, nil))).View(ctx, conn, kubeEnv.Clientset(), "prod", r)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(paged, v) {
			t.Errorf("paged view differs:\n got %+v\nwant %+v", paged, v)
		}
	})
	t.Run("cordoning a node takes it out of the destinations and the free room", func(t *testing.T) {
		if _, err := kubeEnv.Clientset().CoreV1().Nodes().Patch(ctx, "a", types.MergePatchType, []byte(`{"spec":{"unschedulable":true}}`), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		defer func() {
			_, _ = kubeEnv.Clientset().CoreV1().Nodes().Patch(ctx, "a", types.MergePatchType, []byte(`{"spec":{"unschedulable":false}}`), metav1.PatchOptions{})
		}()
		v, err := NewService(slog.New(slog.NewTextHandler(io.Discard, nil))).View(ctx, conn, kubeEnv.Clientset(), "prod", r)
		if err != nil {
			t.Fatal(err)
		}
		// b's pods under the table (db 1500m/2Gi, api 400m/1Gi) into c alone (950m/2944Mi free): db does not fit.
		// a still drains into b (2050m/4992Mi free under the table).
		if want := []string{"a", "c"}; !reflect.DeepEqual(v.Drainable, want) {
			t.Errorf("drainable %v, want %v", v.Drainable, want)
		}
		if want := res(950+2050, 2944+4992); v.FragmentationTable.Free != want {
			t.Errorf("free under the table %+v, want %+v (b and c only)", v.FragmentationTable.Free, want)
		}
	})
}
