package synth

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestOutputHasTheSeriesAndLabelsRealClustersHave(t *testing.T) {
	r := replayScenarios(t)[0]
	iv := int64(r.s.Interval.Seconds())
	spans := dataSpans(r.s.Clusters[0].Windows(), r.s.Margin)
	for _, s := range r.om.series {
		if s.label("cluster") != "prod-a" {
			t.Fatalf("%s %v: no cluster label", s.name, s.labels)
		}
		for k, v := range s.labels {
			if v == "" {
				t.Fatalf("%s: empty label %s", s.name, k)
			}
		}
		for i, smp := range s.samples {
			if smp.t%iv != 0 || !inSpans(spans, smp.t) {
				t.Fatalf("%s %v: sample at %d off the grid or outside the data", s.name, s.labels, smp.t)
			}
			if strings.HasSuffix(s.name, "_total") && i > 0 && smp.v < s.samples[i-1].v {
				t.Fatalf("%s %v: counter goes down at %d", s.name, s.labels, smp.t)
			}
		}
	}
	perPod := map[string]map[string]bool{} // pod → kinds of cpu series seen
	for _, s := range r.om.byFamily["container_cpu_usage_seconds_total"] {
		if s.label("cpu") != "total" || s.label("job") != "kubelet" || s.label("node") == "" || !strings.HasPrefix(s.label("id"), "/kubepods") {
			t.Fatalf("cpu series without cAdvisor labels: %v", s.labels)
		}
		kind := s.label("container")
		if kind == "" {
			kind = "pod-cgroup"
			if s.label("image") != "" || s.label("name") != "" {
				t.Fatalf("pod cgroup series with image or name: %v", s.labels)
			}
		}
		if perPod[s.label("pod")] == nil {
			perPod[s.label("pod")] = map[string]bool{}
		}
		perPod[s.label("pod")][kind] = true
	}
	if len(perPod) != 9 {
		t.Fatalf("cpu series for %d pods, want 9", len(perPod))
	}
	for pod, kinds := range perPod {
		if !kinds["pod-cgroup"] || !kinds["POD"] || !kinds["app"] {
			t.Errorf("pod %s: cpu series %v, want pod cgroup, POD and app", pod, kinds)
		}
	}
	for _, s := range r.om.byFamily["kube_pod_owner"] {
		if s.label("job") != "kube-state-metrics" || s.label("uid") == "" || s.label("owner_kind") != "ReplicaSet" {
			t.Fatalf("kube_pod_owner without kube-state-metrics labels: %v", s.labels)
		}
	}
	if got := len(r.om.byFamily["kube_pod_status_phase"]); got != 9*5 {
		t.Errorf("%d phase series, want one per pod and phase (45)", got)
	}
}

func inSpans(spans []span, t int64) bool {
	for _, s := range spans {
		if t >= s.from && t < s.to {
			return true
		}
	}
	return false
}

func TestDataRangeIsTheWindowWidenedByTheMargin(t *testing.T) {
	s := ScenarioRollout(testDay)
	w := DefaultPeak.WindowOf(testDay, time.UTC)
	first, last := s.DataRange()
	if !first.Equal(w.Start.Add(-DefaultMargin)) || !last.Equal(w.End.Add(DefaultMargin)) {
		t.Errorf("data range %s – %s, want the window ± %s", first, last, DefaultMargin)
	}
}

func TestARestartedContainerGetsANewIDAndCountersFromZero(t *testing.T) {
	r := replayScenarios(t)[0]
	ws := r.rows[0].Window.Start.Unix()
	restart := ws + int64((10 * time.Minute).Seconds())
	var ids []string
	for _, s := range r.om.byFamily["container_cpu_usage_seconds_total"] {
		if strings.HasPrefix(s.label("pod"), "api-") && s.label("container") == "app" && len(s.samples) > 0 {
			if s.samples[0].t == restart {
				if s.samples[0].v != 0 {
					t.Errorf("restarted counter starts at %g", s.samples[0].v)
				}
				ids = append(ids, s.label("id"))
			}
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%d series start at the restart, want 1", len(ids))
	}
	for _, s := range r.om.byFamily["kube_pod_container_status_last_terminated_reason"] {
		if s.label("reason") != "OOMKilled" || s.label("container") != "app" {
			t.Errorf("unexpected last_terminated_reason series %v", s.labels)
		}
	}
}

func TestWindowsAreComputedInTheClustersZone(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	kathmandu, err := time.LoadLocation("Asia/Kathmandu")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name       string
		peak       PeakWindow
		loc        *time.Location
		day        Date
		start, end string
	}{
		{"the default window in UTC", DefaultPeak, time.UTC, Date{2026, 6, 10}, "2026-06-10T10:00:00Z", "2026-06-10T11:30:00Z"},
		{"a window across midnight in Asia/Shanghai ends the next local day", PeakWindow{Clock{22, 0}, Clock{2, 0}}, shanghai, Date{2026, 6, 10}, "2026-06-10T14:00:00Z", "2026-06-10T18:00:00Z"},
		{"a window across midnight in New York crosses UTC days too", PeakWindow{Clock{22, 0}, Clock{2, 0}}, newYork, Date{2026, 1, 31}, "2026-02-01T03:00:00Z", "2026-02-01T07:00:00Z"},
		{"the day daylight saving starts in New York moves the window an hour in UTC", DefaultPeak, newYork, Date{2026, 3, 8}, "2026-03-08T14:00:00Z", "2026-03-08T15:30:00Z"},
		{"a quarter-hour zone still lands on the 30s grid", DefaultPeak, kathmandu, Date{2026, 6, 10}, "2026-06-10T04:15:00Z", "2026-06-10T05:45:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.peak.WindowOf(tc.day, tc.loc)
			if !w.Start.Equal(utc(tc.start)) || !w.End.Equal(utc(tc.end)) {
				t.Errorf("window %s – %s, want %s – %s", w.Start.UTC(), w.End.UTC(), tc.start, tc.end)
			}
			c := Cluster{Name: "x", Location: tc.loc, Peak: tc.peak, Days: []Date{tc.day}}
			if err := (Scenario{Clusters: []Cluster{c}}).Validate(); err != nil {
				t.Errorf("valid cluster refused: %v", err)
			}
		})
	}
}

func TestInvalidScenariosAreRefusedWithTheReason(t *testing.T) {
	day := testDay
	ws := DefaultPeak.WindowOf(day, time.UTC).Start
	for _, tc := range []struct {
		name   string
		change func(s *Scenario)
		want   string
	}{
		{"an interval that does not divide a minute", func(s *Scenario) { s.Interval = 45 * time.Second }, "dividing a minute"},
		{"a cluster label that is not a label name", func(s *Scenario) { s.ClusterLabel = "k8s-cluster" }, "not a label name"},
		{"a pod running only 20 minutes of the window", func(s *Scenario) { pod0(s).End = ws.Add(20 * time.Minute) }, "0 or ≥ 30m"},
		{"a pod ending 2 minutes before the window", func(s *Scenario) { pod0(s).End = ws.Add(-2 * time.Minute) }, "linger"},
		{"a pod starting off the grid", func(s *Scenario) { pod0(s).Start = pod0(s).Start.Add(time.Second) }, "grid"},
		{"a plateau below the base", func(s *Scenario) { pod0(s).Usage[0][0].CPU.Plateau = 0.01 }, "base < plateau"},
		{"fractional bytes", func(s *Scenario) { pod0(s).Usage[0][0].Memory.Plateau += 0.5 }, "whole"},
		{"usage for the wrong number of days", func(s *Scenario) { pod0(s).Usage[0] = nil }, "usage for 0 days"},
		{"an OOM kill during the plateau", func(s *Scenario) {
			pod0(s).OOMKills = []OOMKill{{"app", ws.Add(45 * time.Minute)}}
		}, "plateau"},
		{"an OOM kill of a container that does not exist", func(s *Scenario) {
			pod0(s).OOMKills = []OOMKill{{"db", ws.Add(5 * time.Minute)}}
		}, "unknown container"},
		{"throttling without a CPU limit", func(s *Scenario) {
			s.Clusters[0].Namespaces[0].Deployments[0].Containers[0].CPULimit = 0
		}, "needs a CPU limit"},
		{"two days too close together", func(s *Scenario) { s.Clusters[0].Days = []Date{day, day} }, "too close"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ScenarioHalfWindow(day)
			tc.change(&s)
			err := s.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
			if _, err := s.WriteOpenMetrics(&bytes.Buffer{}); err == nil {
				t.Fatal("WriteOpenMetrics wrote an invalid scenario")
			}
		})
	}
}

func pod0(s *Scenario) *Pod {
	return &s.Clusters[0].Namespaces[0].Deployments[0].ReplicaSets[0].Pods[0]
}

func TestExpectedRefusesQuantilesTheCurvesDoNotPin(t *testing.T) {
	s := ScenarioHalfWindow(testDay)
	for _, q := range []float64{0.5, 0.69, 0.96, 0.99} {
		if _, err := s.Expected(q); err == nil {
			t.Errorf("quantile %g accepted", q)
		}
	}
	rows, err := s.Expected(0.95)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := Find(rows, Key{"prod-a", "batch", "reports", "app", ""}, testDay); !ok {
		t.Error("Find misses the reports row")
	}
}

func TestMergeCombinesNamespacesOfOneClusterAndRefusesDifferentPeaks(t *testing.T) {
	s, err := Merge(ScenarioRollout(testDay), ScenarioSidecar(testDay), ScenarioHalfWindow(testDay), ScenarioMultiDay(testDay, 2))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Clusters) != 2 || len(s.Clusters[0].Namespaces) != 2 || len(s.Clusters[0].Namespaces[0].Deployments) != 2 {
		t.Errorf("merged shape: %d clusters, %d namespaces", len(s.Clusters), len(s.Clusters[0].Namespaces))
	}
	other := ScenarioSidecar(testDay)
	other.Clusters[0].Peak = PeakWindow{Clock{9, 0}, Clock{10, 0}}
	if _, err := Merge(ScenarioRollout(testDay), other); err == nil {
		t.Error("merged clusters with different peaks")
	}
}

func TestPartsTogetherHoldExactlyTheWholeOutput(t *testing.T) {
	s, err := Merge(ScenarioMultiDay(testDay, 3), ScenarioSidecar(testDay), ScenarioHalfWindow(testDay))
	if err != nil {
		t.Fatal(err)
	}
	lines := func(write func(*bytes.Buffer) error) map[string]int {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(buf.String(), "\n# EOF\n") {
			t.Fatal("no # EOF at the end")
		}
		m := map[string]int{}
		for _, l := range strings.Split(buf.String(), "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				m[l]++
			}
		}
		return m
	}
	whole := lines(func(b *bytes.Buffer) error { _, err := s.WriteOpenMetrics(b); return err })
	parts := s.Parts(2, true)
	if len(parts) != 6 {
		t.Fatalf("%d parts, want 2 shards × 3 days", len(parts))
	}
	for _, p := range parts {
		for l, n := range lines(func(b *bytes.Buffer) error { _, err := p.WriteTo(b); return err }) {
			whole[l] -= n
		}
	}
	for l, n := range whole {
		if n != 0 {
			t.Fatalf("line in whole minus parts %d times: %s", n, l)
		}
	}
}
