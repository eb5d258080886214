//go:build parts

package collect

// These tests run the collector against a real Prometheus loaded with synthetic clusters whose
// right answers the generator computes by its own arithmetic (synth.Expected), not by PromQL.

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/synth"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
	"github.com/kubedoor/kubedoor-grafana/pkg/prom"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

var (
	// proms are the Prometheus versions (testenv.PromVersions) loaded with the same scenarios:
	// the collector's PromQL must give the generator's answers on 2.x's closed range selectors
	// and 3.x's left-open ones. promClient is the first, for tests no version can change.
	proms      []promUnderTest
	promClient prom.Client
	synthDay   synth.Date
	expected   []synth.Expected
	// scaledToZero are the Deployments and StatefulSets at 0 desired replicas the whole window,
	// without pods.
	scaledToZero []synth.Expected
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintf(os.Stderr, "collect tests cannot start: %v\n", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	synthDay = synth.DateOf(time.Now().UTC()).AddDays(-3)
	mid, err := synth.ScenarioMidnight(synthDay)
	if err != nil {
		return 0, err
	}
	s, err := synth.Merge(synth.ScenarioRollout(synthDay), synth.ScenarioSidecar(synthDay), synth.ScenarioHalfWindow(synthDay), mid,
		synth.ScenarioReplicaTraps(synthDay), synth.ScenarioKinds(synthDay))
	if err != nil {
		return 0, err
	}
	if expected, err = s.Expected(0.95); err != nil {
		return 0, err
	}
	scaledToZero = s.ScaledToZero()
	var buf bytes.Buffer
	if _, err := s.WriteOpenMetrics(&buf); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, v := range testenv.PromVersions {
		srv, err := testenv.StartPrometheus(ctx, testenv.PromOptions{Version: v, Backfill: bytes.NewReader(buf.Bytes())})
		if err != nil {
			return 0, err
		}
		defer srv.Stop()
		client, err := prom.New(prom.Config{URL: srv.URL})
		if err != nil {
			return 0, err
		}
		proms = append(proms, promUnderTest{srv.Name(), client})
	}
	promClient = proms[0].client
	return m.Run(), nil
}

type promUnderTest struct {
	name   string
	client prom.Client
}

// eachProm runs f as a subtest per Prometheus version, named after it (prometheus-2.42.0, …).
func eachProm(t *testing.T, f func(t *testing.T, client prom.Client)) {
	t.Helper()
	for _, p := range proms {
		t.Run(p.name, func(t *testing.T) { f(t, p.client) })
	}
}

func dayOf(d synth.Date) peakwindow.Day {
	return peakwindow.Day{Year: d.Year, Month: d.Month, Day: d.Day}
}

func target(t *testing.T, cluster, zone string, peak clustersettings.Window) Target {
	t.Helper()
	s := clustersettings.Defaults(cluster, zone)
	s.PeakWindow = peak
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return Target{Cluster: cluster, ClusterKey: "cluster", ClusterValue: cluster, Settings: s}
}

func closeTo(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(math.Abs(a), math.Abs(b))
}

// find returns a Deployment's row; findKind any workload's.
func find(samples []peaks.Sample, ns, wl, ctr string) (peaks.Sample, bool) {
	return findKind(samples, ns, workload.Deployment, wl, ctr)
}

func findKind(samples []peaks.Sample, ns, kind, wl, ctr string) (peaks.Sample, bool) {
	for _, s := range samples {
		if s.Namespace == ns && s.Kind == kind && s.Workload == wl && s.Container == ctr {
			return s, true
		}
	}
	return peaks.Sample{}, false
}

// kindOf is the kind the collector must write for a generator's row ("" is a Deployment).
func kindOf(e synth.Expected) string { return workload.Kind(e.Kind) }

// checkAgainstExpected compares every row the generator expects for cluster with the collector's
// and checks that the collector produced no other container rows.
func checkAgainstExpected(t *testing.T, cluster string, res DayResult) {
	t.Helper()
	n := 0
	for _, e := range expected {
		if e.Cluster != cluster {
			continue
		}
		n++
		s, ok := findKind(res.Samples, e.Namespace, kindOf(e), e.Deployment, e.Container)
		name := fmt.Sprintf("%s/%s/%s/%s", e.Namespace, kindOf(e), e.Deployment, e.Container)
		if !ok {
			t.Errorf("%s: no sample", name)
			continue
		}
		for _, c := range []struct {
			what      string
			got, want float64
		}{
			{"cpu worst pod", s.CPUMax, e.CPUWorst}, {"cpu pod average", s.CPUAvg, e.CPUPodAvg},
			{"memory worst pod", s.MemMax, e.MemoryWorst}, {"memory pod average", s.MemAvg, e.MemoryPodAvg},
			{"cpu request", s.CPURequest, e.CPURequest}, {"cpu limit", s.CPULimit, e.CPULimit},
			{"memory request", s.MemRequest, e.MemoryRequest}, {"memory limit", s.MemLimit, e.MemoryLimit},
			{"throttling", s.ThrottlingRatio, e.ThrottleRatio},
			{"cpu % of limit", s.CPUPctOfLimit, pctOf(e.CPUWorst, e.CPULimit)},
			{"memory % of limit", s.MemPctOfLimit, pctOf(e.MemoryWorst, e.MemoryLimit)},
		} {
			if !closeTo(c.got, c.want) {
				t.Errorf("%s: %s %g, want %g", name, c.what, c.got, c.want)
			}
		}
		if int(s.PodsMin) != e.PodsMin || int(s.PodsMax) != e.PodsMax {
			t.Errorf("%s: pods %d..%d, want %d..%d", name, s.PodsMin, s.PodsMax, e.PodsMin, e.PodsMax)
		}
		if !sameCount(s.ReplicasDesired, e.ReplicasDesired) || s.PodsReadyMedian == nil || int(*s.PodsReadyMedian) != e.PodsReadyMedian {
			t.Errorf("%s: desired replicas %s, Ready median %s; want %s and %d", name,
				count(s.ReplicasDesired), count(s.PodsReadyMedian), countInt(e.ReplicasDesired), e.PodsReadyMedian)
		}
		if int(s.OOMKills) != e.OOMKills {
			t.Errorf("%s: OOM kills %d, want %d", name, s.OOMKills, e.OOMKills)
		}
		if !s.WindowStart.Equal(e.Window.Start) || !s.WindowEnd.Equal(e.Window.End) {
			t.Errorf("%s: window %s–%s, want %s–%s", name, s.WindowStart, s.WindowEnd, e.Window.Start, e.Window.End)
		}
		if got := s.Day.Format(time.DateOnly); got != e.Window.Day.String() {
			t.Errorf("%s: day %s, want %s", name, got, e.Window.Day)
		}
		checkPodTotal(t, res, e)
	}
	containers := 0
	for _, s := range res.Samples {
		if s.Container != peaks.PodTotal {
			containers++
		}
	}
	if n == 0 || containers != n {
		t.Errorf("%d container rows, want %d", containers, n)
	}
}

func sameCount(got *uint32, want *int) bool {
	return (got == nil) == (want == nil) && (got == nil || int(*got) == *want)
}

func count(n *uint32) string {
	if n == nil {
		return "null"
	}
	return fmt.Sprint(*n)
}

func countInt(n *int) string {
	if n == nil {
		return "null"
	}
	return fmt.Sprint(*n)
}

func pctOf(v, limit float64) float64 {
	if limit == 0 {
		return 0
	}
	return v / limit * 100
}

// checkPodTotal checks the pod-total row against the generator's per-pod values: each pod's
// containers share one lifetime, so their plateaus coincide and the total's quantile is the
// sum of the containers' (package doc of synth).
func checkPodTotal(t *testing.T, res DayResult, e synth.Expected) {
	t.Helper()
	perPod := map[string][2]float64{}
	for _, o := range expected {
		if o.Cluster == e.Cluster && o.Namespace == e.Namespace && o.Kind == e.Kind && o.Deployment == e.Deployment && o.Window.Day == e.Window.Day {
			for _, p := range o.PerPod {
				v := perPod[p.Pod]
				perPod[p.Pod] = [2]float64{v[0] + p.CPU, v[1] + p.Memory}
			}
		}
	}
	var cpuMax, memMax, cpuSum, memSum float64
	for _, v := range perPod {
		cpuMax, memMax = max(cpuMax, v[0]), max(memMax, v[1])
		cpuSum, memSum = cpuSum+v[0], memSum+v[1]
	}
	s, ok := findKind(res.Samples, e.Namespace, kindOf(e), e.Deployment, peaks.PodTotal)
	if !ok {
		t.Errorf("%s/%s/%s: no pod-total row", e.Namespace, kindOf(e), e.Deployment)
		return
	}
	n := float64(len(perPod))
	if !closeTo(s.CPUMax, cpuMax) || !closeTo(s.CPUAvg, cpuSum/n) || !closeTo(s.MemMax, memMax) || !closeTo(s.MemAvg, memSum/n) {
		t.Errorf("%s/%s pod total: cpu %g/%g mem %g/%g, want %g/%g and %g/%g", e.Namespace, e.Deployment,
			s.CPUMax, s.CPUAvg, s.MemMax, s.MemAvg, cpuMax, cpuSum/n, memMax, memSum/n)
	}
}

func TestCollectorMatchesTheGeneratorsAnswers(t *testing.T) {
	ctx := t.Context()
	tests := []struct {
		name, cluster, zone string
		peak                clustersettings.Window
	}{
		{"rollout, sidecar and half-window workloads in UTC", "prod-a", "UTC", clustersettings.Window{Start: "10:00", End: "11:30"}},
		{"a window crossing midnight in Asia/Shanghai", "prod-sh", "Asia/Shanghai", clustersettings.Window{Start: "22:00", End: "02:00"}},
	}
	eachProm(t, func(t *testing.T, client prom.Client) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := New(client, Options{})
				res, err := c.Day(ctx, target(t, tt.cluster, tt.zone, tt.peak), dayOf(synthDay), time.Now())
				if err != nil {
					t.Fatal(err)
				}
				if res.Skipped != "" {
					t.Fatalf("skipped: %s", res.Skipped)
				}
				checkAgainstExpected(t, tt.cluster, res)
				if res.Stats.MaxPoints > MaxPointsPerSeries || res.Stats.MaxPoints < 2 {
					t.Errorf("max points per series %d", res.Stats.MaxPoints)
				}
			})
		}
	})
}

func TestRolloutIsOneWorkloadAndTheSidecarItsOwnRow(t *testing.T) {
	eachProm(t, func(t *testing.T, client prom.Client) {
		res, err := New(client, Options{}).Day(t.Context(), target(t, "prod-a", "UTC", clustersettings.Window{Start: "10:00", End: "11:30"}), dayOf(synthDay), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var checkout, api []string
		for _, s := range res.Samples {
			switch s.Workload {
			case "checkout":
				checkout = append(checkout, s.Container)
			case "api":
				api = append(api, s.Container)
			}
			if strings.HasPrefix(s.Workload, "checkout-") {
				t.Errorf("a ReplicaSet became a workload: %s", s.Workload)
			}
		}
		if strings.Join(checkout, ",") != ",app" || strings.Join(api, ",") != ",app,istio-proxy" {
			t.Fatalf("checkout rows %q, api rows %q", checkout, api)
		}
		app, _ := find(res.Samples, "shop", "api", "app")
		side, _ := find(res.Samples, "shop", "api", "istio-proxy")
		if app.CPUMax == side.CPUMax || side.CPULimit != 0 || side.ThrottlingRatio != 0 || side.OOMKills != 0 {
			t.Errorf("sidecar row mixes with the app: app %+v sidecar %+v", app, side)
		}
		if res.Workloads != 3 {
			t.Errorf("%d workloads, want 3", res.Workloads)
		}
	})
}

func TestADayWhoseWindowHasNotEndedIsSkipped(t *testing.T) {
	tg := target(t, "prod-a", "UTC", clustersettings.Window{Start: "10:00", End: "11:30"})
	w, _ := tg.Settings.DefaultWindow()
	sp := w.On(dayOf(synthDay), time.UTC)
	res, err := New(promClient, Options{}).Day(t.Context(), tg, dayOf(synthDay), sp.End.Add(-time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped == "" || len(res.Samples) != 0 || res.Stats.Queries != 0 {
		t.Fatalf("collected a day whose window had not ended: %+v", res)
	}
}

func TestAnOverrideWindowCollectsItsWorkloadInItsOwnWindow(t *testing.T) {
	// shop/api's own window is the first hour of the default one: its values are still the
	// plateau (the curve's plateau is the middle half), while the window recorded is its own.
	tg := target(t, "prod-a", "UTC", clustersettings.Window{Start: "10:00", End: "11:30"})
	tg.Settings.Overrides = []clustersettings.Override{{Namespace: "batch", PeakWindow: clustersettings.Window{Start: "09:00", End: "09:30"}}}
	eachProm(t, func(t *testing.T, client prom.Client) {
		res, err := New(client, Options{}).Day(t.Context(), tg, dayOf(synthDay), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range res.Samples {
			if s.Namespace == "batch" && s.WindowStart.Hour() != 9 {
				t.Errorf("batch collected in %s–%s", s.WindowStart, s.WindowEnd)
			}
			if s.Namespace == "shop" && s.WindowStart.Hour() != 10 {
				t.Errorf("shop collected in %s–%s", s.WindowStart, s.WindowEnd)
			}
		}
		if _, ok := find(res.Samples, "shop", "checkout", "app"); !ok {
			t.Error("shop/checkout missing")
		}
	})
}

func TestBatchingWorkloadsGivesTheSameRows(t *testing.T) {
	tg := target(t, "prod-a", "UTC", clustersettings.Window{Start: "10:00", End: "11:30"})
	eachProm(t, func(t *testing.T, client prom.Client) {
		whole, err := New(client, Options{}).Day(t.Context(), tg, dayOf(synthDay), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		split, err := New(client, Options{BatchPods: 1, Concurrency: 2}).Day(t.Context(), tg, dayOf(synthDay), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if split.Stats.Queries <= whole.Stats.Queries {
			t.Errorf("batches of one pod made %d queries, whole namespaces %d", split.Stats.Queries, whole.Stats.Queries)
		}
		checkAgainstExpected(t, "prod-a", split)
	})
}

func TestAStoppedPrometheusFailsTheDayWithAClearMessage(t *testing.T) {
	dead, err := prom.New(prom.Config{URL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	tg := target(t, "prod-a", "UTC", clustersettings.Window{Start: "10:00", End: "11:30"})
	res, err := New(dead, Options{Retries: 2, RetryBase: 10 * time.Millisecond}).Day(t.Context(), tg, dayOf(synthDay), time.Now())
	if err == nil {
		t.Fatal("no error from an unreachable Prometheus")
	}
	for _, want := range []string{"prod-a", synthDay.String(), "after 3 attempts", "127.0.0.1:1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if len(res.Samples) != 0 {
		t.Errorf("samples returned with the error: %d", len(res.Samples))
	}
}

// The probe the collector widens its windows by: Prometheus 2 keeps a range's lower bound, 3
// leaves it out. A wrong answer on either would shift every window by one sample.
func TestTheRangeProbeTellsPrometheus2From3(t *testing.T) {
	for _, p := range proms {
		r := &runner{prom: p.client, opts: Options{}.withDefaults(), sem: make(chan struct{}, 1), stats: &statsCounter{}}
		got, err := leftOpenRanges(t.Context(), r, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.HasPrefix(p.name, "prometheus-3."); got != want {
			t.Errorf("%s: left-open %v, want %v", p.name, got, want)
		}
	}
}

func TestABadQueryIsNotRetried(t *testing.T) {
	r := &runner{prom: promClient, opts: Options{Retries: 3, RetryBase: time.Hour}.withDefaults(), sem: make(chan struct{}, 1), stats: &statsCounter{}}
	_, err := r.instant(t.Context(), "sum(", time.Now(), 1)
	if err == nil || r.stats.retries.Load() != 0 {
		t.Fatalf("err %v after %d retries", err, r.stats.retries.Load())
	}
}
