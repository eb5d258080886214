package admission

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kubedoor/kubedoor-grafana/webhook/server"
)

// BenchmarkHandler measures the whole in-process path — HTTP body read, review decoding, cache
// lookups, decision, patch and response encoding — with 64 requests in flight (and with one per
// core, which shows the service time without queueing), reporting latency percentiles per
// request (BENCHMARKS.md, Webhook). The lookup is an in-memory map, as the informer indexer is;
// TLS and the network are not included.
func BenchmarkHandler(b *testing.B) {
	for _, bc := range []struct {
		name string
		body []byte
	}{
		{"create-patched", reviewJSON(createReq("demo", "api", 1))},
		{"create-patched-as-sent", apiserverCreate(b)}, // defaults, managedFields: what kube-apiserver sends
		{"scale-patched", reviewJSON(scaleReq("demo", "api", 9))},
		{"create-denied", reviewJSON(createReq("demo", "newsvc", 1))},
	} {
		for _, perCPU := range []int{32, 1} {
			b.Run(fmt.Sprintf("%s/inflight=%d", bc.name, perCPU*runtime.GOMAXPROCS(0)), func(b *testing.B) { benchHandler(b, bc.body, perCPU) })
		}
	}
}

func benchHandler(b *testing.B, body []byte, perCPU int) {
	reg := prometheus.NewRegistry()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil)) // JSON encoding cost included
	d, err := New(lookup(), Options{ObserveWarnings: true}, reg, log)
	if err != nil {
		b.Fatal(err)
	}
	h := &server.AdmissionHandler{Decider: d, Deadline: 2 * time.Second, MaxBodyBytes: 3 << 20, Metrics: server.NewMetrics(reg), Log: log}
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.SetParallelism(perCPU) // × GOMAXPROCS requests in flight
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/mutate", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			t0 := time.Now()
			h.ServeHTTP(rec, req)
			local = append(local, time.Since(t0))
			if rec.Code != http.StatusOK {
				b.Errorf("status %d", rec.Code)
			}
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	b.StopTimer()
	// CPU time per request is what the machine's other load does not inflate (much):
	// wall-clock percentiles on a shared 2-core host include waiting for a core.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		b.ReportMetric(float64(lat[n/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[min(n-1, n*99/100)].Microseconds()), "p99-µs")
	}
}

// cpuTime is the user+system CPU this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
