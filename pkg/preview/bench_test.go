//go:build parts

package preview

// The impact preview at fleet scale: 10,000 live Deployments (two containers each) in 10
// namespaces of the testbed's real kube-apiserver, and a control table of 10,000 rows. Each
// iteration of "cluster" is what GET v1/clusters/{c}/preview does without its cache: the paged
// Lists (Deployments, HPAs, CapacityPolicies; 500 per page) and Compute for every namespace;
// "namespace" is the switch dialog's question for one namespace of 1,000; "compute" is the pure
// comparison alone, the share that is ours rather than the apiserver's.
//
//	go test -run '^$' -bench BenchmarkPreview -benchtime 5x -timeout 20m ./pkg/preview/
//
// KUBEDOOR_BENCH_WORKLOADS shrinks the fleet for a quick look.

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
)

const benchNamespaces = 10

func BenchmarkPreview(b *testing.B) {
	workloads := 10_000
	if v := os.Getenv("KUBEDOOR_BENCH_WORKLOADS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < benchNamespaces {
			b.Fatalf("KUBEDOOR_BENCH_WORKLOADS=%q (at least %d)", v, benchNamespaces)
		}
		workloads = n
	}
	ctx := b.Context()
	cfg := kube.RESTConfig()
	cfg.QPS, cfg.Burst = 5000, 5000 // the fleet is created by 32 writers; the reader's defaults are untouched below
	writer, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	rows := createFleet(b, ctx, writer, workloads)

	reader := func() Reader {
		d, err := dynamic.NewForConfig(kube.RESTConfig())
		if err != nil {
			b.Fatal(err)
		}
		return Reader{Kube: kube.Clientset(), Dynamic: d}
	}
	b.Run(fmt.Sprintf("cluster/%d", workloads), func(b *testing.B) {
		r := reader()
		for b.Loop() {
			p, err := r.Preview(ctx, "bench", "", rows)
			if err != nil {
				b.Fatal(err)
			}
			if p.Totals.Workloads != workloads {
				b.Fatalf("previewed %d workloads, want %d", p.Totals.Workloads, workloads)
			}
		}
	})
	b.Run(fmt.Sprintf("namespace/%d", workloads/benchNamespaces), func(b *testing.B) {
		r := reader()
		for b.Loop() {
			p, err := r.Preview(ctx, "bench", "bench-0", rows)
			if err != nil {
				b.Fatal(err)
			}
			if p.Totals.Workloads != workloads/benchNamespaces {
				b.Fatalf("previewed %d workloads, want %d", p.Totals.Workloads, workloads/benchNamespaces)
			}
		}
	})
	b.Run(fmt.Sprintf("compute/%d", workloads), func(b *testing.B) {
		lst, err := reader().list(ctx, "")
		if err != nil {
			b.Fatal(err)
		}
		byNS := map[string][]Object{}
		for _, o := range lst.workloads {
			byNS[o.Namespace] = append(byNS[o.Namespace], o)
		}
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for ns, objs := range byNS {
				n += Compute(Live{Namespace: ns, Workloads: objs}, rows).Totals.Workloads
			}
			if n != workloads {
				b.Fatalf("computed %d workloads, want %d", n, workloads)
			}
		}
	})
}

// createFleet creates workloads Deployments spread over benchNamespaces namespaces and returns
// table rows for all of them: every third scaled down, every row with smaller requests.
func createFleet(b *testing.B, ctx context.Context, c kubernetes.Interface, workloads int) []control.Row {
	b.Helper()
	for i := range benchNamespaces {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("bench-%d", i)}}
		if _, err := c.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	rows := make([]control.Row, workloads)
	work := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range 32 {
		wg.Go(func() {
			for i := range work {
				ns, name := fmt.Sprintf("bench-%d", i%benchNamespaces), fmt.Sprintf("w-%05d", i)
				d := deploy(name, 3, ctr("app", res("500m", "512Mi", "1", "1Gi")), ctr("proxy", res("50m", "64Mi", "", "")))
				d.Namespace = ns
				d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}
				d.Spec.Template.Labels = map[string]string{"app": name}
				_, err := c.AppsV1().Deployments(ns).Create(ctx, &d, metav1.CreateOptions{})
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				r := row(name, int32(3-i%3/2), cc("app", 350, -1, 400, -1), cc("proxy", 20, -1, 32, -1))
				r.Namespace = ns
				rows[i] = r
			}
		})
	}
	for i := range workloads {
		work <- i
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	return rows
}
