//go:build parts

package collect

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/kubedoor/kubedoor-grafana/internal/synth"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/prom"
	"github.com/kubedoor/kubedoor-grafana/pkg/promql"
)

// The big benchmark: 10,000 Deployments × 2 pods × 1 day (synth.ScenarioBig, cluster "bench")
// in a real Prometheus, beside as many workloads of mixed kinds (a third each Deployments,
// StatefulSets and DaemonSets; cluster "bench-kinds") in the same TSDB, so one run compares
// them. The TSDB takes minutes to backfill, so it is built once into
// testenv.CacheDir()/bench-tsdb/<key>, keyed on the generator's source, and reused. Run with
//
//	go test -run '^$' -bench BenchmarkCollectBig -benchtime 1x -timeout 60m ./pkg/collect
//
// (BENCHMARKS.md, "Collection"). KUBEDOOR_BENCH_WORKLOADS overrides the 10,000.

// benchDay is fixed so the cached TSDB stays valid (Prometheus keeps 800 days here).
var benchDay = synth.Date{Year: 2026, Month: time.November, Day: 2}

// benchKinds is the benchmark's cluster of mixed kinds.
const benchKinds = "bench-kinds"

func benchWorkloads() int {
	n := 10000
	if v := os.Getenv("KUBEDOOR_BENCH_WORKLOADS"); v != "" {
		_, _ = fmt.Sscan(v, &n)
	}
	return n
}

// generatorKey hashes the generator's source, so a change to what it writes rebuilds the TSDB.
func generatorKey(b *testing.B, workloads int) string {
	root, err := testenv.ModuleRoot()
	if err != nil {
		b.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "internal", "synth", "*.go"))
	if err != nil {
		b.Fatal(err)
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		if filepath.Ext(f) == ".go" && !isTest(f) {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			h.Write(data)
		}
	}
	fmt.Fprintf(h, "%d workloads on %s, Deployments only and mixed kinds", workloads, benchDay)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func isTest(f string) bool { return len(f) > 8 && f[len(f)-8:] == "_test.go" }

func startBigPrometheus(b *testing.B, workloads int) *testenv.PromServer {
	dir := filepath.Join(testenv.CacheDir(), "bench-tsdb", generatorKey(b, workloads))
	done := filepath.Join(dir, "complete")
	opts := testenv.PromOptions{Dir: dir, StartTimeout: 10 * time.Minute}
	if _, err := os.Stat(done); err != nil {
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		s, err := synth.Merge(synth.ScenarioBig(synth.BigOptions{Day: benchDay, Workloads: workloads}),
			synth.ScenarioBig(synth.BigOptions{Day: benchDay, Workloads: workloads, Cluster: benchKinds, Kinds: true}))
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range s.Parts(8, false) {
			opts.Parts = append(opts.Parts, io.WriterTo(p))
		}
		opts.PartsParallel = 2
		b.Logf("building the benchmark TSDB in %s (minutes; once)", dir)
	}
	ctx, cancel := context.WithTimeout(b.Context(), 60*time.Minute)
	defer cancel()
	p, err := testenv.StartPrometheus(ctx, opts)
	if err != nil {
		b.Fatal(err)
	}
	if opts.Parts != nil {
		b.Logf("backfilled %d MiB in %s", p.BackfillBytes>>20, p.BackfillDuration)
		if err := os.WriteFile(done, []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.Cleanup(func() { _ = p.Stop() })
	return p
}

func BenchmarkCollectBig(b *testing.B) {
	workloads := benchWorkloads()
	p := startBigPrometheus(b, workloads)
	client, err := prom.New(prom.Config{URL: p.URL, Timeout: 10 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	s := clustersettings.Defaults("bench", "UTC")
	day := dayOf(benchDay)
	ctx := b.Context()
	// Warm Prometheus' page cache once, so neither side pays the cold read alone.
	if _, err := client.Query(ctx, `count(kube_pod_owner)`, time.Date(2026, 11, 2, 11, 30, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}

	for _, res := range []time.Duration{30 * time.Second, time.Minute} {
		// 30s is the default (every sample at a 30s scrape); 1m is what KubeDoor's subqueries
		// get from a default evaluation_interval, and still pins the generator's answers.
		// Deployments only, then mixed kinds, back to back on the same TSDB.
		for _, cluster := range []string{"bench", benchKinds} {
			tg := Target{Cluster: cluster, ClusterKey: "cluster", ClusterValue: cluster, Settings: s}
			b.Run("ours-step-"+res.String()+"/"+cluster, func(b *testing.B) {
				for b.Loop() {
					res, err := New(client, Options{QueryTimeout: 10 * time.Minute, Resolution: res}).Day(ctx, tg, day, time.Now())
					if err != nil {
						b.Fatal(err)
					}
					if res.Workloads != workloads {
						b.Fatalf("collected %d workloads, want %d", res.Workloads, workloads)
					}
					b.ReportMetric(float64(res.Stats.Queries), "queries/op")
					b.ReportMetric(float64(res.Stats.MaxPoints), "max-points/series")
					b.ReportMetric(float64(len(res.Samples)), "samples/op")
				}
			})
		}
	}
	b.Run("kubedoor", func(b *testing.B) {
		w, _ := s.DefaultWindow()
		sp := w.On(day, time.UTC)
		qs := promql.KubeDoorQueries("cluster", "bench", sp.Duration())
		names := make([]string, 0, len(qs))
		for n := range qs {
			names = append(names, n)
		}
		sort.Strings(names)
		for b.Loop() {
			series := 0
			for _, n := range names { // one after another, as KubeDoor runs them
				v, err := client.Query(ctx, qs[n], sp.End)
				if err != nil {
					b.Fatalf("%s: %v", n, err)
				}
				vec, ok := v.(model.Vector)
				if !ok || (n == "pod_num" && len(vec) == 0) {
					b.Fatalf("%s answered no series: the comparison would mean nothing", n)
				}
				series += len(vec)
			}
			b.ReportMetric(float64(len(names)), "queries/op")
			b.ReportMetric(float64(series), "series/op")
		}
	})
}

// BenchmarkUsageShapes measures the two ways to get one namespace's per-pod quantiles and pod
// totals (100 workloads, 200 pods): instant subqueries (what the collector does) against range
// queries of the per-(pod, container) series with the quantiles computed here.
//
//	go test -run '^$' -bench BenchmarkUsageShapes -benchtime 5x ./pkg/collect
func BenchmarkUsageShapes(b *testing.B) {
	p := startBigPrometheus(b, benchWorkloads())
	client, err := prom.New(prom.Config{URL: p.URL, Timeout: 10 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	end := time.Date(benchDay.Year, benchDay.Month, benchDay.Day, 11, 30, 0, 0, time.UTC)
	w := promql.Window{Range: 90 * time.Minute, Step: 30 * time.Second, RateRange: 2 * time.Minute, Quantile: 0.95}
	s := promql.Scope{ClusterKey: "cluster", ClusterValue: "bench", Namespace: "ns-001"}
	b.Run("instant-subqueries", func(b *testing.B) {
		for b.Loop() {
			v, err := client.Query(ctx, promql.Usage(s, w), end)
			if err != nil || len(v.(model.Vector)) == 0 {
				b.Fatal(err)
			}
		}
	})
	b.Run("range-then-go", func(b *testing.B) {
		sel := `{cluster="bench",namespace="ns-001",container!="",container!="POD"}`
		qs := []string{
			`max by (namespace, pod, container) (rate(container_cpu_usage_seconds_total` + sel + `[120s]))`,
			`max by (namespace, pod, container) (container_memory_working_set_bytes` + sel + `)`,
		}
		for b.Loop() {
			for _, q := range qs {
				v, err := client.QueryRange(ctx, q, v1.Range{Start: end.Add(-w.Range), End: end, Step: w.Step})
				if err != nil {
					b.Fatal(err)
				}
				totals := map[string][]float64{}
				for _, ser := range v.(model.Matrix) {
					vals := make([]float64, len(ser.Values))
					tot := totals[string(ser.Metric["pod"])]
					for i, pt := range ser.Values {
						vals[i] = float64(pt.Value)
						if i < len(tot) {
							tot[i] += vals[i]
						} else {
							tot = append(tot, vals[i])
						}
					}
					totals[string(ser.Metric["pod"])] = tot
					_ = quantile(0.95, vals)
				}
				for _, tot := range totals {
					_ = quantile(0.95, tot)
				}
			}
		}
	})
}
