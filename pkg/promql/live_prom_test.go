//go:build parts

package promql_test

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/promql"
)

// liveSeries is one series of the hand-made backfill: value(t) for t seconds after the start.
type liveSeries struct {
	metric, labels string
	value          func(t int64) float64
}

// liveBackfill writes 30 minutes of samples every 30 s ending at end (OpenMetrics, seconds).
func liveBackfill(end int64, series []liveSeries) string {
	var b strings.Builder
	typed := map[string]bool{}
	for _, s := range series {
		if !typed[s.metric] {
			typed[s.metric] = true
			fmt.Fprintf(&b, "# TYPE %s gauge\n", s.metric)
		}
		for t := int64(0); t <= 1800; t += 30 {
			fmt.Fprintf(&b, "%s{%s} %g %d\n", s.metric, s.labels, s.value(t), end-1800+t)
		}
	}
	b.WriteString("# EOF\n")
	return b.String()
}

func counter(perSecond float64) func(int64) float64 {
	return func(t int64) float64 { return 1000 + perSecond*float64(t) }
}

func constant(v float64) func(int64) float64 { return func(int64) float64 { return v } }

const mi = 1 << 20

// liveScenario is Deployment shop/api with pods api-7d9f8-abcde (containers app and sidecar; app
// restarted, so two working-set series) and api-7d9f8-fghij, next to what must not count: the
// pod cgroup (container="") and pause container, Deployment api-gateway, and a pod of the same
// name in namespace stage.
func liveScenario() []liveSeries {
	pod := func(ns, pod, c string, extra ...string) string {
		return strings.Join(append([]string{`namespace="` + ns + `"`, `pod="` + pod + `"`, `container="` + c + `"`}, extra...), ",")
	}
	const a, f = "api-7d9f8-abcde", "api-7d9f8-fghij"
	cpu, wss := "container_cpu_usage_seconds_total", "container_memory_working_set_bytes"
	req, lim := "kube_pod_container_resource_requests", "kube_pod_container_resource_limits"
	cpuRes, memRes := []string{`resource="cpu"`, `unit="core"`}, []string{`resource="memory"`, `unit="byte"`}
	return []liveSeries{
		{cpu, pod("shop", a, "app"), counter(0.5)},
		{cpu, pod("shop", a, "sidecar"), counter(0.25)},
		{cpu, pod("shop", a, ""), counter(9)},
		{cpu, pod("shop", a, "POD"), counter(9)},
		{cpu, pod("shop", f, "app"), counter(0.3)},
		{cpu, pod("shop", "api-gateway-5c4b3-zzzzz", "app"), counter(9)},
		{cpu, pod("stage", a, "app"), counter(9)},
		{wss, pod("shop", a, "app", `id="new"`), constant(200 * mi)},
		{wss, pod("shop", a, "app", `id="old"`), constant(100 * mi)},
		{wss, pod("shop", a, "sidecar"), constant(50 * mi)},
		{wss, pod("shop", a, ""), constant(999 * mi)},
		{wss, pod("shop", f, "app"), constant(300 * mi)},
		{wss, pod("shop", "api-gateway-5c4b3-zzzzz", "app"), constant(999 * mi)},
		{req, pod("shop", a, "app", cpuRes...), constant(0.5)},
		{req, pod("shop", a, "sidecar", cpuRes...), constant(0.1)},
		{req, pod("shop", a, "app", memRes...), constant(256 * mi)},
		{req, pod("shop", f, "app", cpuRes...), constant(0.5)},
		{req, pod("shop", f, "app", memRes...), constant(256 * mi)},
		{lim, pod("shop", a, "app", cpuRes...), constant(1)},
		{lim, pod("shop", a, "sidecar", cpuRes...), constant(0.2)},
		{lim, pod("shop", a, "app", memRes...), constant(512 * mi)},
		{lim, pod("shop", a, "sidecar", memRes...), constant(64 * mi)},
		{lim, pod("shop", f, "app", cpuRes...), constant(1)},
		{lim, pod("shop", f, "app", memRes...), constant(512 * mi)},
	}
}

// grafana substitutes the live dashboard's variables as Grafana would for namespace shop,
// workload api and a 2-minute rate interval.
func grafana(expr string) string {
	return strings.NewReplacer(promql.VarNamespace, "shop", promql.VarWorkloadRe, regexp.QuoteMeta("api"),
		promql.VarRateInterval, "2m").Replace(expr)
}

// TestLivePanelsAnswerEachPodsUsageOnARealPrometheus runs the live dashboard's queries, as
// Grafana sends them, on each Prometheus version loaded with liveScenario, and checks each pod's
// value against the scenario's arithmetic: a counter growing c per second has rate c (a linear
// counter extrapolates exactly), working sets and resources add up over containers.
func TestLivePanelsAnswerEachPodsUsageOnARealPrometheus(t *testing.T) {
	end := time.Now().Add(-time.Hour).Truncate(time.Minute)
	want := map[string]map[string]float64{ // target legend prefix → pod → value
		"cpu":         {"api-7d9f8-abcde": 0.75, "api-7d9f8-fghij": 0.3},
		"cpu request": {"api-7d9f8-abcde": 0.6, "api-7d9f8-fghij": 0.5},
		"cpu limit":   {"api-7d9f8-abcde": 1.2, "api-7d9f8-fghij": 1},
		"mem":         {"api-7d9f8-abcde": 250 * mi, "api-7d9f8-fghij": 300 * mi},
		"mem request": {"api-7d9f8-abcde": 256 * mi, "api-7d9f8-fghij": 256 * mi},
		"mem limit":   {"api-7d9f8-abcde": 576 * mi, "api-7d9f8-fghij": 512 * mi},
	}
	panels := promql.LivePanels()
	queries := map[string]string{}
	for title, prefix := range map[string]string{"CPU per pod (cores) vs request and limit": "cpu", "Working set per pod vs request and limit": "mem"} {
		ts := panels[title]
		queries[prefix], queries[prefix+" request"], queries[prefix+" limit"] = ts[0].Expr, ts[1].Expr, ts[2].Expr
	}
	backfill := liveBackfill(end.Unix(), liveScenario())
	for _, v := range testenv.PromVersions {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
		p, err := testenv.StartPrometheus(ctx, testenv.PromOptions{Version: v, Backfill: strings.NewReader(backfill)})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.Stop() })
		client, err := api.NewClient(api.Config{Address: p.URL})
		if err != nil {
			t.Fatal(err)
		}
		a := promv1.NewAPI(client)
		t.Run(p.Name(), func(t *testing.T) {
			for name, q := range queries {
				res, warns, _, err := a.Query(t.Context(), grafana(q), end)
				if err != nil || len(warns) > 0 {
					t.Fatalf("%s: %v %v\n%s", name, err, warns, grafana(q))
				}
				got := map[string]float64{}
				for _, s := range res.(model.Vector) {
					got[string(s.Metric["pod"])] = float64(s.Value)
				}
				if len(got) != len(want[name]) {
					t.Errorf("%s: pods %v, want %v", name, got, want[name])
				}
				for pod, w := range want[name] {
					if g, ok := got[pod]; !ok || math.Abs(g-w) > 1e-9*math.Max(1, w) {
						t.Errorf("%s of %s = %v (present %v), want %v", name, pod, g, ok, w)
					}
				}
			}
		})
	}
}
