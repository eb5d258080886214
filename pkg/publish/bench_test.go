//go:build parts

package publish

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"
)

// BenchmarkPublish publishes N policies (default 10,000; KUBEDOOR_BENCH_POLICIES) spread over
// 100 namespaces to the real kube-apiserver started by TestMain, then reconciles again with
// nothing to do, then removes them all. Each phase reports its wall time and the API calls
// counted on the wire. Run it once:
//
//	go test -p 1 -run '^$' -bench BenchmarkPublish -benchtime 1x ./pkg/publish/
//
// Sub-benchmarks vary the client's rate limit (50 QPS is pkg/kube's setting for every cluster
// client; "unlimited" shows what the apiserver itself sustains) and the write concurrency.
func BenchmarkPublish(b *testing.B) {
	n := 10000
	if v := os.Getenv("KUBEDOOR_BENCH_POLICIES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name        string
		qps         float32
		concurrency int
	}{
		{"qps=50/concurrency=8", 50, 8},
		{"qps=unlimited/concurrency=8", -1, 8},
		{"qps=unlimited/concurrency=32", -1, 32},
	} {
		b.Run(fmt.Sprintf("policies=%d/%s", n, tc.name), func(b *testing.B) {
			for range b.N {
				benchmarkCycle(b, n, tc.qps, tc.concurrency)
			}
		})
	}
}

func benchmarkCycle(b *testing.B, n int, qps float32, concurrency int) {
	b.StopTimer()
	clean(b)
	ns := namespaces(b, 100)
	desired := make([]Policy, n)
	for i := range desired {
		desired[i] = FromControl("prod", ns[i%len(ns)], fmt.Sprintf("workload-%05d", i), 1, int64(1+i%5), []Container{
			{Name: "app", CPURequestMillis: int64(10 + i%900), CPULimitMillis: 2000, MemRequestMiB: int64(64 + i%512), MemLimitMiB: 2048},
		})
	}
	b.StartTimer()
	ctx := b.Context()
	for _, phase := range []struct {
		name    string
		desired []Policy
		check   func(Result) bool
	}{
		{"create", desired, func(r Result) bool { return r.Created == n }},
		{"noop", desired, func(r Result) bool { return r.Unchanged == n && r.Writes == 0 }},
		{"delete", nil, func(r Result) bool { return r.Deleted == n }},
	} {
		cc := newCountingClient(b, qps)
		start := time.Now()
		res, err := New(cc, "prod", Options{Concurrency: concurrency, MaxDeleteFraction: 1}).Reconcile(ctx, phase.desired) // the removal phase is meant
		took := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if !phase.check(res) {
			b.Fatalf("%s: %s", phase.name, res)
		}
		cc.mu.Lock()
		gets, writes := cc.counts[http.MethodGet], 0
		for m, v := range cc.counts {
			if m != http.MethodGet {
				writes += v
			}
		}
		cc.mu.Unlock()
		b.ReportMetric(took.Seconds(), phase.name+"-s")
		b.ReportMetric(float64(gets), phase.name+"-reads")
		b.ReportMetric(float64(writes), phase.name+"-writes")
		b.Logf("%s: %s; %d reads, %d writes on the wire", phase.name, res, gets, writes)
	}
}
