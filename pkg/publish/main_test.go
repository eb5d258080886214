//go:build parts

package publish

// The publisher's tests run against a real etcd + kube-apiserver with the CapacityPolicy CRD
// installed from webhook/deploy/crd, started once for the package.

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

var kube *testenv.Kube

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	if testenv.Fuzzing() {
		return m.Run() // fuzz targets are pure: no apiserver in every fuzz worker
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var err error
	kube, err = testenv.StartKube(ctx, testenv.KubeOptions{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "publish tests cannot start: %v\n", err)
		return 1
	}
	defer kube.Stop()
	if err := kube.InstallCRD(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "publish tests cannot start: %v\n", err)
		return 1
	}
	return m.Run()
}

// countingClient is a dynamic client whose requests are counted by verb, so tests can assert
// how many API writes a reconcile made independently of the publisher's own bookkeeping.
type countingClient struct {
	dynamic.Interface
	mu     sync.Mutex
	counts map[string]int
	total  atomic.Int64
}

func newCountingClient(t testing.TB, qps float32) *countingClient {
	t.Helper()
	cc := &countingClient{counts: map[string]int{}}
	cfg := kube.RESTConfig()
	cfg.QPS, cfg.Burst = qps, int(max(qps*2, 1))
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			cc.mu.Lock()
			cc.counts[r.Method]++
			cc.mu.Unlock()
			cc.total.Add(1)
			return rt.RoundTrip(r)
		})
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cc.Interface = dyn
	return cc
}

// writes is the number of non-GET requests so far.
func (c *countingClient) writes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for m, v := range c.counts {
		if m != http.MethodGet {
			n += v
		}
	}
	return n
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

var nsSeq atomic.Int64

// namespaces creates fresh namespaces for one test and returns their names.
func namespaces(t testing.TB, n int) []string {
	t.Helper()
	var out []string
	for range n {
		name := fmt.Sprintf("pub-%d", nsSeq.Add(1))
		_, err := kube.Clientset().CoreV1().Namespaces().Create(t.Context(),
			&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, name)
	}
	return out
}

func adminDynamic(t testing.TB) dynamic.Interface {
	t.Helper()
	d, err := dynamic.NewForConfig(kube.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// clean deletes every managed policy now and after the test: a reconcile is cluster-wide, so
// each test starts from a cluster without published policies.
func clean(t testing.TB) {
	t.Helper()
	wipe := func() {
		if _, err := New(adminDynamic(t), "test", Options{MaxDeleteFraction: 1}).Reconcile(context.WithoutCancel(t.Context()), nil); err != nil {
			t.Fatalf("wiping published policies: %v", err)
		}
	}
	wipe()
	t.Cleanup(wipe)
}
