package backtest

import (
	"math"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

func fieldOf(err error) string {
	if fe, ok := refusal.AsFieldError(err); ok {
		return fe.Field
	}
	return ""
}

const mib = 1 << 20

// day returns 2026-11-<d> at midnight UTC, as the store keeps days.
func day(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }

// app is a sample of container "app" on day d: 4 pods, 0.4 cores and 300 MiB at the worst pod,
// running with request 0.5 cores / 400 MiB and limit 1 core / 512 MiB.
func app(d int) peaks.Sample {
	return peaks.Sample{Cluster: "c", Namespace: "ns", Workload: "w", Container: "app", Day: day(d),
		PodsMin: 3, PodsMax: 4, CPUMax: 0.4, MemMax: 300 * mib,
		CPURequest: 0.5, CPULimit: 1, MemRequest: 400 * mib, MemLimit: 512 * mib}
}

func with(s peaks.Sample, f func(*peaks.Sample)) peaks.Sample {
	f(&s)
	return s
}

// asRan proposes nothing: every value and the replicas as they ran.
var asRan = Proposal{Replicas: -1}

func TestReplayRules(t *testing.T) {
	type want struct {
		over, throttle, oom []bool // per day, oldest first
	}
	cases := []struct {
		name    string
		p       Proposal
		samples []peaks.Sample
		want    want
	}{
		{"a day whose worst pod used more CPU than the request is over the request",
			asRan, []peaks.Sample{app(1), with(app(2), func(s *peaks.Sample) { s.CPUMax = 0.51 })},
			want{over: []bool{false, true}, throttle: []bool{false, false}, oom: []bool{false, false}}},
		{"a day exactly at the request is not over it",
			asRan, []peaks.Sample{with(app(1), func(s *peaks.Sample) { s.CPUMax, s.MemMax = 0.5, 400*mib })},
			want{over: []bool{false}, throttle: []bool{false}, oom: []bool{false}}},
		{"a day whose worst pod's working set is above the memory request is over the request",
			asRan, []peaks.Sample{with(app(1), func(s *peaks.Sample) { s.MemMax = 401 * mib })},
			want{over: []bool{true}, throttle: []bool{false}, oom: []bool{false}}},
		{"CPU at 90 % of the limit is a throttling risk and at 89 % it is not",
			asRan, []peaks.Sample{
				with(app(1), func(s *peaks.Sample) { s.CPUMax = 0.9 }),
				with(app(2), func(s *peaks.Sample) { s.CPUMax = 0.89 }),
				with(app(3), func(s *peaks.Sample) { s.CPUMax = 1.3 }),
			},
			want{over: []bool{true, true, true}, throttle: []bool{true, false, true}, oom: []bool{false, false, false}}},
		{"memory above 90 % of the limit is an OOM risk and exactly 90 % is not",
			Proposal{Replicas: -1, Containers: []Container{{Name: "app", CPURequestMillis: -1, CPULimitMillis: -1, MemRequestMiB: 600, MemLimitMiB: 1000}}},
			[]peaks.Sample{
				with(app(1), func(s *peaks.Sample) { s.MemMax = 900 * mib }),
				with(app(2), func(s *peaks.Sample) { s.MemMax = 901 * mib }),
			},
			want{over: []bool{true, true}, throttle: []bool{false, false}, oom: []bool{false, true}}},
		{"half the replicas double each pod's CPU: the most pods that ran over the proposed replicas",
			// 4 pods at 0.4 cores on 2 pods: 0.8 cores each, over the 0.5 request and within 10 % of 0.85.
			Proposal{Replicas: 2, Containers: []Container{{Name: "app", CPURequestMillis: 500, CPULimitMillis: 850, MemRequestMiB: -1, MemLimitMiB: -1}}},
			[]peaks.Sample{app(1)},
			want{over: []bool{true}, throttle: []bool{true}, oom: []bool{false}}},
		{"fewer replicas leave memory per pod as measured",
			Proposal{Replicas: 1, Containers: []Container{{Name: "app", CPURequestMillis: 2000, CPULimitMillis: -1, MemRequestMiB: -1, MemLimitMiB: -1}}},
			[]peaks.Sample{app(1)}, // 1.6 cores of 2, 300 MiB of 400 and 512
			want{over: []bool{false}, throttle: []bool{true}, oom: []bool{false}}},
		{"more replicas than ran lower each pod's CPU below the request",
			Proposal{Replicas: 8, Containers: []Container{{Name: "app", CPURequestMillis: 250, CPULimitMillis: -1, MemRequestMiB: -1, MemLimitMiB: -1}}},
			[]peaks.Sample{with(app(1), func(s *peaks.Sample) { s.CPUMax = 0.45 })}, // 0.45 × 4/8 = 0.225
			want{over: []bool{false}, throttle: []bool{false}, oom: []bool{false}}},
		{"an unset or zero proposed request keeps the request that ran that day",
			Proposal{Replicas: -1, Containers: []Container{{Name: "app", CPURequestMillis: 0, CPULimitMillis: -1, MemRequestMiB: -1, MemLimitMiB: -1}}},
			[]peaks.Sample{with(app(1), func(s *peaks.Sample) { s.CPUMax = 0.6 }), with(app(2), func(s *peaks.Sample) { s.CPURequest = 0.7; s.CPUMax = 0.6 })},
			want{over: []bool{true, false}, throttle: []bool{false, false}, oom: []bool{false, false}}},
		{"a container the proposal does not name runs with its stored values",
			Proposal{Replicas: -1, Containers: []Container{{Name: "app", CPURequestMillis: 100, CPULimitMillis: -1, MemRequestMiB: -1, MemLimitMiB: -1}}},
			[]peaks.Sample{
				with(app(1), func(s *peaks.Sample) { s.Container = "sidecar"; s.CPUMax = 0.3 }),
			},
			want{over: []bool{false}, throttle: []bool{false}, oom: []bool{false}}},
		{"a day without a request or limit is never over or at risk",
			asRan, []peaks.Sample{with(app(1), func(s *peaks.Sample) { s.CPURequest, s.CPULimit, s.MemRequest, s.MemLimit, s.CPUMax = 0, 0, 0, 0, 9 })},
			want{over: []bool{false}, throttle: []bool{false}, oom: []bool{false}}},
		{"a proposal over two containers flags the day when either is over",
			Proposal{Replicas: -1, Containers: []Container{
				{Name: "app", CPURequestMillis: 500, CPULimitMillis: -1, MemRequestMiB: -1, MemLimitMiB: -1},
				{Name: "proxy", CPURequestMillis: 50, CPULimitMillis: -1, MemRequestMiB: -1, MemLimitMiB: -1},
			}},
			[]peaks.Sample{app(1), with(app(1), func(s *peaks.Sample) { s.Container = "proxy"; s.CPUMax = 0.06 })},
			want{over: []bool{true}, throttle: []bool{false}, oom: []bool{false}}},
		{"pod totals are not replayed",
			asRan, []peaks.Sample{app(1), with(app(1), func(s *peaks.Sample) { s.Container = peaks.PodTotal; s.CPUMax = 5 })},
			want{over: []bool{false}, throttle: []bool{false}, oom: []bool{false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Replay(tc.p, tc.samples, 30)
			if len(r.Items) != len(tc.want.over) {
				t.Fatalf("got %d days, want %d: %+v", len(r.Items), len(tc.want.over), r.Items)
			}
			var over, throttle, oom int
			for i, d := range r.Items {
				if d.OverRequest != tc.want.over[i] || d.ThrottleRisk != tc.want.throttle[i] || d.OOMRisk != tc.want.oom[i] {
					t.Errorf("day %s: over/throttle/oom = %v/%v/%v, want %v/%v/%v (%+v)", d.Day, d.OverRequest, d.ThrottleRisk, d.OOMRisk,
						tc.want.over[i], tc.want.throttle[i], tc.want.oom[i], d.Containers)
				}
				over, throttle, oom = over+b2i(tc.want.over[i]), throttle+b2i(tc.want.throttle[i]), oom+b2i(tc.want.oom[i])
			}
			if r.OverRequestDays != over || r.ThrottleRiskDays != throttle || r.OOMRiskDays != oom || r.DaysWithData != len(tc.want.over) {
				t.Errorf("counts over/throttle/oom/days = %d/%d/%d/%d, want %d/%d/%d/%d", r.OverRequestDays, r.ThrottleRiskDays,
					r.OOMRiskDays, r.DaysWithData, over, throttle, oom, len(tc.want.over))
			}
		})
	}
}

func TestReplayShowsStoredThrottlingAndOOMKills(t *testing.T) {
	r := Replay(asRan, []peaks.Sample{
		with(app(1), func(s *peaks.Sample) { s.ThrottlingRatio, s.OOMKills = 0.12, 2 }),
		with(app(1), func(s *peaks.Sample) { s.Container = "proxy"; s.ThrottlingRatio, s.OOMKills = 0.3, 1 }),
		with(app(2), func(s *peaks.Sample) { s.ThrottlingRatio = math.NaN() }),
	}, 30)
	if got := r.Items[0]; got.ThrottlingRatio != 0.3 || got.OOMKills != 3 {
		t.Errorf("day 1: throttling %v, OOM kills %d; want the highest ratio 0.3 and all 3 kills", got.ThrottlingRatio, got.OOMKills)
	}
	if got := r.Items[1]; got.ThrottlingRatio != 0 || got.OOMKills != 0 {
		t.Errorf("day 2: throttling %v, OOM kills %d; want a NaN ratio shown as 0 and no kills", got.ThrottlingRatio, got.OOMKills)
	}
	if r.OOMKillDays != 1 {
		t.Errorf("OOM-kill days = %d, want 1", r.OOMKillDays)
	}
}

func TestReplayWorstDayIsTheLeastHeadroomAndTheLaterOnATie(t *testing.T) {
	r := Replay(asRan, []peaks.Sample{
		with(app(1), func(s *peaks.Sample) { s.MemMax = 360 * mib }),              // cpu 20 %, memory 10 %
		with(app(2), func(s *peaks.Sample) { s.MemMax, s.CPUMax = 360*mib, 0.3 }), // cpu 40 %, memory 10 %
		with(app(3), func(s *peaks.Sample) { s.CPUMax = 0.2 }),                    // cpu 60 %, memory 25 %
	}, 30)
	w := r.Worst
	if w == nil || w.Day != "2026-11-02" || w.Resource != "memory" || w.Container != "app" || math.Abs(w.Headroom-0.1) > 1e-9 {
		t.Fatalf("worst = %+v, want 2026-11-02 memory of app at 10 %% headroom (the later of two 10 %% days)", w)
	}
	if h := r.Items[2].Headroom; h == nil || math.Abs(*h-0.25) > 1e-9 {
		t.Errorf("day 3 headroom = %v, want 25 %% (memory, the smaller of 60 %% and 25 %%)", h)
	}
	over := Replay(asRan, []peaks.Sample{with(app(1), func(s *peaks.Sample) { s.CPUMax = 0.75 })}, 30)
	if w := over.Worst; w == nil || math.Abs(w.Headroom-(-0.5)) > 1e-9 || w.Resource != "cpu" {
		t.Errorf("worst over the request = %+v, want cpu at -50 %% headroom", w)
	}
}

func TestReplaySummarySaysTheCountsInWords(t *testing.T) {
	r := Replay(asRan, []peaks.Sample{
		app(1), with(app(2), func(s *peaks.Sample) { s.CPUMax = 0.95 }), app(3),
	}, 30)
	want := "with these values: 1 of 3 days over the request, 1 day within 10 % of the CPU limit, 0 days above 90 % of the memory limit" +
		" (3 of the last 30 days have peak data); least headroom -90 % on 2026-11-02 (app cpu)"
	if r.Summary != want {
		t.Errorf("summary\n got %q\nwant %q", r.Summary, want)
	}
}

func TestReplayWithoutHistorySaysThereIsNothingToReplay(t *testing.T) {
	r := Replay(asRan, nil, 14)
	if r.DaysWithData != 0 || r.Worst != nil || len(r.Items) != 0 {
		t.Fatalf("got %+v, want an empty replay", r)
	}
	if r.Summary != "no peak history in the last 14 days: nothing to replay" {
		t.Errorf("summary %q", r.Summary)
	}
}

func TestRequestValidationNamesTheField(t *testing.T) {
	n := func(v int) *int { return &v }
	cases := []struct {
		name  string
		req   Request
		field string
	}{
		{"no days means the default", Request{}, ""},
		{"one day is the least", Request{Days: n(1)}, ""},
		{"400 days is the most", Request{Days: n(400)}, ""},
		{"zero days is refused", Request{Days: n(0)}, "days"},
		{"401 days is refused", Request{Days: n(401)}, "days"},
		{"negative days are refused", Request{Days: n(-3)}, "days"},
		{"zero proposed replicas are refused", Request{Proposed: &Proposal{Replicas: 0}}, "proposed.replicas"},
		{"replicas below -1 are refused", Request{Proposed: &Proposal{Replicas: -2}}, "proposed.replicas"},
		{"a request above its limit is refused", Request{Proposed: &Proposal{Replicas: 2, Containers: []Container{
			{Name: "app", CPURequestMillis: 900, CPULimitMillis: 500, MemRequestMiB: -1, MemLimitMiB: -1}}}}, "proposed.containers[0].cpuRequestMillis"},
		{"a container name that is no DNS label is refused", Request{Proposed: &Proposal{Replicas: 2, Containers: []Container{
			{Name: "App_1", CPURequestMillis: -1, CPULimitMillis: -1, MemRequestMiB: -1, MemLimitMiB: -1}}}}, "proposed.containers[0].name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Validate()
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.field != "" && err == nil:
				t.Fatalf("accepted; want a refusal naming %s", tc.field)
			case tc.field != "":
				if got := fieldOf(err); got != tc.field {
					t.Errorf("field %q, want %q (%v)", got, tc.field, err)
				}
			}
		})
	}
}
