//go:build parts

package testenv_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/kubedoor/kubedoor-grafana/internal/synth"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

// promAPI starts Prometheus with opts and returns its query API; Stop runs at cleanup.
func promAPI(t testing.TB, opts testenv.PromOptions) (*testenv.PromServer, promv1.API) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Minute)
	defer cancel()
	p, err := testenv.StartPrometheus(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Errorf("stopping prometheus: %v", err)
		}
	})
	client, err := api.NewClient(api.Config{Address: p.URL})
	if err != nil {
		t.Fatal(err)
	}
	return p, promv1.NewAPI(client)
}

// eachVersion starts one Prometheus per testenv.PromVersions with opts and the backfill (each start
// reads it anew) and runs f as a subtest named after the version each reports.
func eachVersion(t *testing.T, backfill []byte, opts testenv.PromOptions, f func(t *testing.T, a promv1.API)) {
	t.Helper()
	for _, v := range testenv.PromVersions {
		opts.Version, opts.Backfill = v, bytes.NewReader(backfill)
		p, a := promAPI(t, opts)
		t.Run(p.Name(), func(t *testing.T) { f(t, a) })
	}
}

// promQuantile is quantile_over_time's arithmetic, for points fetched with query_range.
func promQuantile(q float64, vs []float64) float64 {
	sort.Float64s(vs)
	rank := q * float64(len(vs)-1)
	lo := math.Max(0, math.Floor(rank))
	hi := math.Min(float64(len(vs)-1), lo+1)
	w := rank - math.Floor(rank)
	return vs[int(lo)]*(1-w) + vs[int(hi)]*w
}

func closeTo(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }

func rangeValues(ctx context.Context, t *testing.T, a promv1.API, q string, w synth.Window, step time.Duration) []float64 {
	t.Helper()
	v, warns, _, err := a.QueryRange(ctx, q, promv1.Range{Start: w.Start, End: w.End, Step: step})
	if err != nil || len(warns) > 0 {
		t.Fatalf("%s: %v %v", q, err, warns)
	}
	m, ok := v.(model.Matrix)
	if !ok || len(m) != 1 {
		t.Fatalf("%s: want one series, got %v", q, v)
	}
	var vs []float64
	for _, p := range m[0].Values {
		vs = append(vs, float64(p.Value))
	}
	return vs
}

func scalarAt(ctx context.Context, t *testing.T, a promv1.API, q string, at time.Time) float64 {
	t.Helper()
	v, warns, _, err := a.Query(ctx, q, at)
	if err != nil || len(warns) > 0 {
		t.Fatalf("%s: %v %v", q, err, warns)
	}
	vec, ok := v.(model.Vector)
	if !ok || len(vec) != 1 {
		t.Fatalf("%s: want one sample, got %v", q, v)
	}
	return float64(vec[0].Value)
}

// podsReady counts a Deployment's Running and Ready pods through the owner chain.
const podsReady = `count(
  (kube_pod_status_phase{cluster="prod-a",namespace="%[1]s",phase="Running"} == 1
    and on (cluster, namespace, pod) kube_pod_status_ready{condition="true"} == 1)
  * on (cluster, namespace, pod) group_left (replicaset)
    label_replace(kube_pod_owner{owner_kind="ReplicaSet"}, "replicaset", "$1", "owner_name", "(.*)")
  * on (cluster, namespace, replicaset) group_left (deployment)
    label_replace(kube_replicaset_owner{owner_kind="Deployment",owner_name="%[2]s"}, "deployment", "$1", "owner_name", "(.*)")
)`

func TestPrometheusAnswersWhatTheGeneratorExpectsForABackfilledPastDay(t *testing.T) {
	day := synth.DateOf(time.Now().UTC()).AddDays(-3)
	s, err := synth.Merge(synth.ScenarioRollout(day), synth.ScenarioSidecar(day), synth.ScenarioHalfWindow(day))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := s.WriteOpenMetrics(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Expected(0.95)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	eachVersion(t, buf.Bytes(), testenv.PromOptions{}, func(t *testing.T, prom promv1.API) {
		for _, row := range rows {
			t.Run(fmt.Sprintf("%s/%s/%s", row.Namespace, row.Deployment, row.Container), func(t *testing.T) {
				w := row.Window
				sel := fmt.Sprintf(`cluster="prod-a",namespace=%q,container=%q`, row.Namespace, row.Container)
				worst := 0.0
				for _, pod := range row.PerPod {
					podSel := fmt.Sprintf(`%s,pod=%q`, sel, pod.Pod)
					// P95 in Go from query_range points: max by container folds a restart's two ids.
					cpu := rangeValues(ctx, t, prom, fmt.Sprintf(`max by (pod, container) (rate(container_cpu_usage_seconds_total{%s}[1m]))`, podSel), w, 30*time.Second)
					mem := rangeValues(ctx, t, prom, fmt.Sprintf(`max by (pod, container) (container_memory_working_set_bytes{%s})`, podSel), w, time.Minute)
					if got := promQuantile(0.95, cpu); !closeTo(got, pod.CPU) {
						t.Errorf("pod %s: cpu P95 %g, want %g", pod.Pod, got, pod.CPU)
					}
					if got := promQuantile(0.95, mem); !closeTo(got, pod.Memory) {
						t.Errorf("pod %s: memory P95 %g, want %g", pod.Pod, got, pod.Memory)
					}
					worst = max(worst, promQuantile(0.95, cpu))
				}
				if !closeTo(worst, row.CPUWorst) {
					t.Errorf("worst pod cpu %g, want %g", worst, row.CPUWorst)
				}
				// The same in PromQL alone: a subquery over the window, evaluated at its end.
				q := fmt.Sprintf(`max(quantile_over_time(0.95, (max by (pod, container) (rate(container_cpu_usage_seconds_total{%s,pod=~"%s-.*"}[1m])))[90m:30s]))`, sel, row.Deployment)
				if got := scalarAt(ctx, t, prom, q, w.End); !closeTo(got, row.CPUWorst) {
					t.Errorf("subquery worst pod cpu %g, want %g", got, row.CPUWorst)
				}
				pods := rangeValues(ctx, t, prom, fmt.Sprintf(podsReady, row.Namespace, row.Deployment), w, time.Minute)
				sort.Float64s(pods)
				if int(pods[0]) != row.PodsMin || int(pods[len(pods)-1]) != row.PodsMax {
					t.Errorf("running+ready pods %g..%g, want %d..%d", pods[0], pods[len(pods)-1], row.PodsMin, row.PodsMax)
				}
				depSel := fmt.Sprintf(`%s,pod=~"%s-.*"`, sel, row.Deployment)
				if row.CPULimit > 0 {
					q := fmt.Sprintf(`sum(increase(container_cpu_cfs_throttled_periods_total{%[1]s}[90m])) / sum(increase(container_cpu_cfs_periods_total{%[1]s}[90m]))`, depSel)
					if got := scalarAt(ctx, t, prom, q, w.End); !closeTo(got, row.ThrottleRatio) {
						t.Errorf("throttling %g, want %g", got, row.ThrottleRatio)
					}
				}
				q = fmt.Sprintf(`sum(changes(kube_pod_container_status_restarts_total{%s}[90m]))`, depSel)
				if got := scalarAt(ctx, t, prom, q, w.End); int(got) != row.OOMKills {
					t.Errorf("OOM kills %g, want %d", got, row.OOMKills)
				}
				q = fmt.Sprintf(`max(kube_pod_container_resource_requests{%s,resource="cpu",unit="core"})`, depSel)
				if got := scalarAt(ctx, t, prom, q, w.End); got != row.CPURequest {
					t.Errorf("cpu request %g, want %g", got, row.CPURequest)
				}
			})
		}
	})
}

func TestBackfillInPartsLoadedInParallelHoldsTheWholeScenario(t *testing.T) {
	day := synth.DateOf(time.Now().UTC()).AddDays(-4)
	s := synth.ScenarioMultiDay(day, 2)
	var parts []io.WriterTo
	for _, p := range s.Parts(2, true) {
		parts = append(parts, p)
	}
	var whole bytes.Buffer
	if _, err := s.WriteOpenMetrics(&whole); err != nil {
		t.Fatal(err)
	}
	p, prom := promAPI(t, testenv.PromOptions{Parts: parts, PartsParallel: 2})
	if p.BackfillBytes <= int64(whole.Len()) {
		t.Errorf("parts hold %d bytes, the whole %d: each part repeats the HELP/TYPE lines, so more", p.BackfillBytes, whole.Len())
	}
	rows, err := s.Expected(0.95)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	const q = `max(quantile_over_time(0.95, (max by (pod) (rate(container_cpu_usage_seconds_total{cluster="prod-b",container="app"}[1m])))[90m:30s]))`
	for _, row := range rows {
		if got := scalarAt(ctx, t, prom, q, row.Window.End); !closeTo(got, row.CPUWorst) {
			t.Errorf("day %s: worst pod cpu %g, want %g", row.Window.Day, got, row.CPUWorst)
		}
	}
}

func TestPrometheusStartFailsWithPromtoolsWordsOnABadBackfill(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	_, err := testenv.StartPrometheus(ctx, testenv.PromOptions{Dir: dir,
		Backfill: strings.NewReader("this is not openmetrics\n")})
	if err == nil {
		t.Fatal("started with a bad backfill")
	}
	if !strings.Contains(err.Error(), "promtool") || !strings.Contains(err.Error(), "last lines") {
		t.Errorf("error does not carry promtool's log tail: %v", err)
	}
}

func TestPrometheus3IsThePinnedBuild(t *testing.T) {
	p, _ := promAPI(t, testenv.PromOptions{Version: testenv.Prom3})
	if p.Version != testenv.Prometheus3Version || p.Name() != "prometheus-"+testenv.Prometheus3Version {
		t.Errorf("runs %s (%s), want %s", p.Version, p.Name(), testenv.Prometheus3Version)
	}
}

func TestAMissingPrometheus3PartNamesItsBuild(t *testing.T) {
	t.Setenv("KUBEDOOR_CACHE", t.TempDir())
	_, err := testenv.StartPrometheus(t.Context(), testenv.PromOptions{Version: testenv.Prom3})
	if err == nil || !strings.Contains(err.Error(), "scripts/build-prometheus3.sh") || !strings.Contains(err.Error(), "mage deps") {
		t.Fatalf("error %v does not say how to build the part", err)
	}
}

func TestPrometheusStopsAndRemovesItsDir(t *testing.T) {
	p, _ := promAPI(t, testenv.PromOptions{ExtraScrapeConfigs: []testenv.ScrapeConfig{
		{JobName: "self", Targets: []string{"127.0.0.1:1"}, Interval: 5 * time.Second}}})
	resp, err := http.Get(p.URL + "/-/ready")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("not ready: %v %v", err, resp)
	}
	resp.Body.Close()
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(p.URL + "/-/ready"); err == nil {
		t.Error("still answering after Stop")
	}
	if _, err := os.Stat(p.Dir); !os.IsNotExist(err) {
		t.Errorf("dir %s left after Stop: %v", p.Dir, err)
	}
}

var (
	benchWorkloads = flag.Int("synth.workloads", 10000, "Deployments in BenchmarkBackfillAndStartBigScenario")
	benchShards    = flag.Int("synth.shards", 10, "backfill parts (namespace shards) for the big scenario")
	benchParallel  = flag.Int("synth.parallel", 1, "promtool runs at once")
)

// BenchmarkBackfillAndStartBigScenario measures what a collection benchmark pays before its
// first query: go test ./internal/testenv -run '^$' -bench BackfillAndStart -benchtime 1x.
func BenchmarkBackfillAndStartBigScenario(b *testing.B) {
	day := synth.DateOf(time.Now().UTC()).AddDays(-2)
	s := synth.ScenarioBig(synth.BigOptions{Day: day, Workloads: *benchWorkloads})
	var parts []io.WriterTo
	for _, p := range s.Parts(*benchShards, true) {
		parts = append(parts, p)
	}
	for b.Loop() {
		p, prom := promAPI(b, testenv.PromOptions{Parts: parts, PartsParallel: *benchParallel})
		w := synth.DefaultPeak.WindowOf(day, time.UTC)
		t0 := time.Now()
		q := `quantile_over_time(0.95, (max by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{container!="",container!="POD",namespace="ns-000"}[1m])))[90m:30s])`
		v, _, _, err := prom.Query(b.Context(), q, w.End)
		if err != nil {
			b.Fatal(err)
		}
		first := time.Since(t0)
		t1 := time.Now()
		all, _, _, err := prom.Query(b.Context(), `count(kube_pod_owner)`, w.End)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(p.BackfillBytes)/(1<<20), "MiB-openmetrics")
		b.ReportMetric(p.BackfillDuration.Seconds(), "s-backfill")
		b.ReportMetric(p.StartDuration.Seconds(), "s-start")
		b.ReportMetric(first.Seconds(), "s-first-query")
		b.Logf("first query: %d series in %s; count(kube_pod_owner) = %v in %s; TSDB %s",
			len(v.(model.Vector)), first, all, time.Since(t1), p.DataDir)
	}
}
