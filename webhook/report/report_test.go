package report

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// patches records the status patches the reporter sends; policies named "gone" answer NotFound.
type patches struct {
	mu   sync.Mutex
	seen map[string]v1alpha1.Decision
	sub  []string
}

func newReporter(t *testing.T, maxPending int) (*Reporter, *patches) {
	t.Helper()
	client := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{v1alpha1.GroupVersionResource: "CapacityPolicyList"})
	p := &patches{seen: map[string]v1alpha1.Decision{}}
	client.PrependReactor("patch", v1alpha1.Resource, func(a k8stesting.Action) (bool, runtime.Object, error) {
		pa := a.(k8stesting.PatchAction)
		if pa.GetName() == "gone" {
			return true, nil, apierrors.NewNotFound(v1alpha1.GroupVersionResource.GroupResource(), "gone")
		}
		var body struct {
			Status struct{ LastDecision v1alpha1.Decision } `json:"status"`
		}
		if err := json.Unmarshal(pa.GetPatch(), &body); err != nil {
			t.Errorf("patch %s is not a status merge patch: %v", pa.GetPatch(), err)
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		p.seen[pa.GetNamespace()+"/"+pa.GetName()] = body.Status.LastDecision
		p.sub = append(p.sub, pa.GetSubresource())
		return true, nil, nil
	})
	r, err := New(client, prometheus.NewRegistry(), Options{MaxPending: maxPending})
	if err != nil {
		t.Fatal(err)
	}
	return r, p
}

func decisionAt(min int, result string) v1alpha1.Decision {
	return v1alpha1.Decision{Time: metav1.NewTime(time.Date(2026, 11, 22, 10, min, 0, 0, time.UTC)), Operation: "CREATE", Result: result, Reason: "policy"}
}

func TestReports(t *testing.T) {
	t.Run("many decisions for one policy between flushes become one write of the newest", func(t *testing.T) {
		r, p := newReporter(t, 0)
		r.Record("shop", "api", decisionAt(1, "patched"))
		r.Record("shop", "api", decisionAt(2, "allowed"))
		r.Record("shop", "web", decisionAt(3, "observed"))
		r.Flush(t.Context())
		if len(p.sub) != 2 || p.sub[0] != "status" || p.seen["shop/api"].Result != "allowed" || p.seen["shop/web"].Result != "observed" {
			t.Fatalf("writes %v to subresources %v", p.seen, p.sub)
		}
		if got := testutil.ToFloat64(r.written); got != 2 {
			t.Fatalf("written counter %v", got)
		}
		r.Flush(t.Context())
		if len(p.sub) != 2 {
			t.Fatal("a flush with nothing pending must write nothing")
		}
	})
	t.Run("decisions beyond the pending bound are dropped and counted, not queued", func(t *testing.T) {
		r, p := newReporter(t, 2)
		r.Record("a", "1", decisionAt(1, "patched"))
		r.Record("a", "2", decisionAt(1, "patched"))
		r.Record("a", "3", decisionAt(1, "patched"))
		r.Record("a", "1", decisionAt(2, "allowed")) // a policy already waiting is updated, never dropped
		r.Flush(t.Context())
		if len(p.seen) != 2 || p.seen["a/1"].Result != "allowed" || testutil.ToFloat64(r.dropped) != 1 {
			t.Fatalf("writes %v, dropped %v", p.seen, testutil.ToFloat64(r.dropped))
		}
	})
	t.Run("a policy deleted since its decision is neither written nor a failure", func(t *testing.T) {
		r, _ := newReporter(t, 0)
		r.Record("a", "gone", decisionAt(1, "patched"))
		r.Flush(t.Context())
		if testutil.ToFloat64(r.failed) != 0 || testutil.ToFloat64(r.written) != 0 {
			t.Fatalf("failed %v written %v", testutil.ToFloat64(r.failed), testutil.ToFloat64(r.written))
		}
	})
}

func TestStatusPatchSetsOnlyTheLastDecision(t *testing.T) {
	b, err := StatusPatch(decisionAt(5, "patched"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"status":{"lastDecision":{"time":"2026-11-22T10:05:00Z","operation":"CREATE","result":"patched","reason":"policy"}}}`
	if string(b) != want {
		t.Fatalf("patch %s\nwant  %s", b, want)
	}
}
