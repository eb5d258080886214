package synth

import (
	"runtime"
	"testing"
)

// heapWatcher discards output and records the live heap every few MiB written.
type heapWatcher struct {
	written, next int64
	maxLive       uint64
}

func (h *heapWatcher) Write(p []byte) (int, error) {
	h.written += int64(len(p))
	if h.written >= h.next {
		h.next = h.written + 64<<20
		runtime.GC() // live heap only: garbage is not what "bounded" is about
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		h.maxLive = max(h.maxLive, ms.HeapAlloc)
	}
	return len(p), nil
}

func TestTheBigScenarioStreamsWithoutHoldingSamples(t *testing.T) {
	s := ScenarioBig(BigOptions{Day: testDay, Workloads: 300, PodsPerWorkload: 1})
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w := &heapWatcher{}
	st, err := s.WriteOpenMetrics(w)
	if err != nil {
		t.Fatal(err)
	}
	if st.Bytes < 400<<20 || st.Bytes != w.written {
		t.Fatalf("wrote %d bytes (counted %d), want > 400 MiB for the test to mean anything", st.Bytes, w.written)
	}
	if grown := int64(w.maxLive) - int64(ms.HeapAlloc); grown > 16<<20 {
		t.Errorf("live heap grew by %d MiB while writing %d MiB", grown>>20, st.Bytes>>20)
	}
	if want := int64(300 * 26); st.Series != want {
		t.Errorf("%d series, want %d (24 per single-container pod + 1 ReplicaSet owner and 1 spec per workload)", st.Series, want)
	}
}

func TestTheBigScenarioWithKindsHasNoReplicaSetsForStatefulSetsAndDaemonSets(t *testing.T) {
	s := ScenarioBig(BigOptions{Day: testDay, Workloads: 30, PodsPerWorkload: 1, Kinds: true})
	kinds := map[string]int{}
	for _, d := range s.Clusters[0].Namespaces[0].Deployments {
		kinds[d.Kind]++
	}
	if kinds[""] != 10 || kinds[KindStatefulSet] != 10 || kinds[KindDaemonSet] != 10 {
		t.Fatalf("kinds %v, want 10 of each", kinds)
	}
	st, err := s.WriteOpenMetrics(&heapWatcher{next: 1 << 62})
	if err != nil {
		t.Fatal(err)
	}
	// 24 per pod and 1 desired-pods series per workload; only Deployments have a ReplicaSet.
	if want := int64(30*25 + 10); st.Series != want {
		t.Errorf("%d series, want %d", st.Series, want)
	}
}

func BenchmarkWriteOpenMetricsPerWorkload(b *testing.B) {
	s := ScenarioBig(BigOptions{Day: testDay, Workloads: 100})
	var st Stats
	for b.Loop() {
		var err error
		if st, err = s.WriteOpenMetrics(&heapWatcher{next: 1 << 62}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.Bytes)/100, "bytes/workload")
	b.ReportMetric(float64(st.Samples)/100, "samples/workload")
}
