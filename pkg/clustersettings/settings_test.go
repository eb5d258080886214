package clustersettings

import (
	"math"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

func TestDefaultsAreValid(t *testing.T) {
	d := Defaults("prod-a", "Asia/Shanghai")
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.MinReplicas != 1 {
		t.Errorf("default minReplicas %d, want 1", d.MinReplicas)
	}
	if r := d.Recommend; r.Enabled || r.CPUTarget != 0.7 || r.MemTarget != 0.8 || r.MaxReplicas != 1000 || r.MaxStepDown != 0.5 || r.Overrides == nil {
		t.Errorf("default recommend %+v", r)
	}
	d.Recommend.MaxReplicas = 100_000
	for _, n := range []int32{0, 100_000} {
		d.MinReplicas = n
		if err := d.Validate(); err != nil {
			t.Errorf("minReplicas %d refused: %v", n, err)
		}
	}
}

func TestValidateNamesTheField(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*ClusterSettings)
		field string
	}{
		{"a peak start that is not HH:MM", func(s *ClusterSettings) { s.PeakWindow.Start = "10h" }, "peakWindow.start"},
		{"a peak end of 24:00", func(s *ClusterSettings) { s.PeakWindow.End = "24:00" }, "peakWindow.end"},
		{"an override without a namespace", func(s *ClusterSettings) {
			s.Overrides = []Override{{PeakWindow: Window{"20:00", "22:00"}}}
		}, "overrides[0].namespace"},
		{"an override with an upper-case workload", func(s *ClusterSettings) {
			s.Overrides = []Override{{Namespace: "shop", Workload: "Api", PeakWindow: Window{"20:00", "22:00"}}}
		}, "overrides[0].workload"},
		{"an override with a bad window", func(s *ClusterSettings) {
			s.Overrides = []Override{{Namespace: "shop", PeakWindow: Window{"20:00", "2200"}}}
		}, "overrides[0].peakWindow.end"},
		{"two overrides for one namespace", func(s *ClusterSettings) {
			s.Overrides = []Override{{Namespace: "shop", PeakWindow: Window{"20:00", "22:00"}}, {Namespace: "shop", PeakWindow: Window{"21:00", "22:00"}}}
		}, "overrides[1]"},
		{"quantile below 0.5", func(s *ClusterSettings) { s.Quantile = 0.4 }, "quantile"},
		{"quantile of 1", func(s *ClusterSettings) { s.Quantile = 1 }, "quantile"},
		{"zero days", func(s *ClusterSettings) { s.Days = 0 }, "days"},
		{"91 days", func(s *ClusterSettings) { s.Days = 91 }, "days"},
		{"an unknown mode", func(s *ClusterSettings) { s.Mode = "max" }, "mode"},
		{"negative headroom", func(s *ClusterSettings) { s.Headroom = -0.1 }, "headroom"},
		{"negative cpu floor", func(s *ClusterSettings) { s.CPUFloorMillis = -1 }, "cpuFloorMillis"},
		{"negative memory floor", func(s *ClusterSettings) { s.MemFloorMiB = -1 }, "memFloorMiB"},
		{"negative minReplicas", func(s *ClusterSettings) { s.MinReplicas = -1 }, "minReplicas"},
		{"minReplicas above the table's maximum", func(s *ClusterSettings) { s.MinReplicas = 100_001 }, "minReplicas"},
		{"retention of 29 days", func(s *ClusterSettings) { s.RetentionDays = 29 }, "retentionDays"},
		{"collection time 1:00", func(s *ClusterSettings) { s.Collect.At = "1:00" }, "collect.at"},
		{"zero concurrency", func(s *ClusterSettings) { s.Collect.Concurrency = 0 }, "collect.concurrency"},
		{"a query timeout of an hour", func(s *ClusterSettings) { s.Collect.QueryTimeoutSeconds = 3600 }, "collect.queryTimeoutSeconds"},
		{"a negative found ratio", func(s *ClusterSettings) { s.Collect.MinFoundRatio = -0.1 }, "collect.minFoundRatio"},
		{"a found ratio above 1", func(s *ClusterSettings) { s.Collect.MinFoundRatio = 1.5 }, "collect.minFoundRatio"},
		{"a CPU target of 0", func(s *ClusterSettings) { s.Recommend.CPUTarget = 0 }, "recommend.cpuTarget"},
		{"a CPU target above 1", func(s *ClusterSettings) { s.Recommend.CPUTarget = 1.01 }, "recommend.cpuTarget"},
		{"a negative memory target", func(s *ClusterSettings) { s.Recommend.MemTarget = -0.5 }, "recommend.memTarget"},
		{"maxReplicas below minReplicas", func(s *ClusterSettings) { s.MinReplicas, s.Recommend.MaxReplicas = 3, 2 }, "recommend.maxReplicas"},
		{"maxReplicas above the table's maximum", func(s *ClusterSettings) { s.Recommend.MaxReplicas = 100_001 }, "recommend.maxReplicas"},
		{"a step down of 1", func(s *ClusterSettings) { s.Recommend.MaxStepDown = 1 }, "recommend.maxStepDown"},
		{"a negative step down", func(s *ClusterSettings) { s.Recommend.MaxStepDown = -0.1 }, "recommend.maxStepDown"},
		{"a recommend override without a namespace", func(s *ClusterSettings) {
			s.Recommend.Overrides = []RecommendOverride{{CPUTarget: 0.5, MemTarget: 0.5}}
		}, "recommend.overrides[0].namespace"},
		{"a recommend override with a bad workload", func(s *ClusterSettings) {
			s.Recommend.Overrides = []RecommendOverride{{Namespace: "shop", Workload: "Web", CPUTarget: 0.5, MemTarget: 0.5}}
		}, "recommend.overrides[0].workload"},
		{"two recommend overrides for one workload", func(s *ClusterSettings) {
			s.Recommend.Overrides = []RecommendOverride{{Namespace: "shop", Workload: "web", CPUTarget: 0.5, MemTarget: 0.5},
				{Namespace: "shop", Workload: "web", CPUTarget: 0.6, MemTarget: 0.5}}
		}, "recommend.overrides[1]"},
		{"a recommend override without a memory target", func(s *ClusterSettings) {
			s.Recommend.Overrides = []RecommendOverride{{Namespace: "shop", CPUTarget: 0.5}}
		}, "recommend.overrides[0].memTarget"},
		{"a lower-case currency", func(s *ClusterSettings) { s.Prices.Currency = "usd" }, "prices.currency"},
		{"a currency name instead of a code", func(s *ClusterSettings) { s.Prices.Currency = "Dollar" }, "prices.currency"},
		{"a negative core-hour price", func(s *ClusterSettings) { s.Prices.CPUCoreHour = -0.01 }, "prices.cpuCoreHour"},
		{"an infinite core-hour price", func(s *ClusterSettings) { s.Prices.CPUCoreHour = math.Inf(1) }, "prices.cpuCoreHour"},
		{"a GiB-hour price that is not a number", func(s *ClusterSettings) { s.Prices.MemGiBHour = math.NaN() }, "prices.memGiBHour"},
		{"a GiB-hour price above the bound", func(s *ClusterSettings) { s.Prices.MemGiBHour = 1000.5 }, "prices.memGiBHour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Defaults("prod-a", "UTC")
			tt.edit(&s)
			fe, ok := refusal.AsFieldError(s.Validate())
			if !ok || fe.Field != tt.field {
				t.Fatalf("got %v, want a field error on %s", s.Validate(), tt.field)
			}
		})
	}
}

// A StatefulSet and a Deployment of one name are two workloads: an override names its kind, an
// override without one (saved before kinds existed) is a Deployment's, and a namespace's applies
// to every kind.
func TestAWorkloadOverrideIsForItsKindOnly(t *testing.T) {
	s := Defaults("prod-a", "UTC")
	s.Overrides = []Override{
		{Namespace: "data", Workload: "db", PeakWindow: Window{"20:00", "22:00"}},
		{Namespace: "data", Kind: "statefulset", Workload: "db", PeakWindow: Window{"02:00", "03:00"}},
		{Namespace: "data", PeakWindow: Window{"18:00", "19:00"}},
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ kind, wl, want string }{
		{"", "db", "20:00-22:00"},
		{workload.Deployment, "db", "20:00-22:00"},
		{workload.StatefulSet, "db", "02:00-03:00"},
		{workload.DaemonSet, "db", "18:00-19:00"},
		{workload.StatefulSet, "cache", "18:00-19:00"},
	} {
		if w, err := s.WindowFor("data", tt.kind, tt.wl); err != nil || w.String() != tt.want {
			t.Errorf("%s %s: %v %v, want %s", tt.kind, tt.wl, w, err, tt.want)
		}
	}
}

func TestOverridesNameAKindOnlyForOneWorkloadAndNoDuplicate(t *testing.T) {
	for _, tt := range []struct {
		name      string
		overrides []Override
		recommend []RecommendOverride
		field     string
	}{
		{name: "a Deployment override twice, once without the kind, is a duplicate",
			overrides: []Override{{Namespace: "data", Workload: "db", PeakWindow: Window{"01:00", "02:00"}},
				{Namespace: "data", Kind: "Deployment", Workload: "db", PeakWindow: Window{"03:00", "04:00"}}},
			field: "overrides[1]"},
		{name: "an unknown kind is refused",
			overrides: []Override{{Namespace: "data", Kind: "CronJob", Workload: "db", PeakWindow: Window{"01:00", "02:00"}}},
			field:     "overrides[0].kind"},
		{name: "a namespace override has no kind",
			recommend: []RecommendOverride{{Namespace: "data", Kind: "StatefulSet", CPUTarget: 0.5, MemTarget: 0.5}},
			field:     "recommend.overrides[0].kind"},
		{name: "a recommend override of the same kind and name twice is a duplicate",
			recommend: []RecommendOverride{{Namespace: "data", Kind: "StatefulSet", Workload: "db", CPUTarget: 0.5, MemTarget: 0.5},
				{Namespace: "data", Kind: "statefulset", Workload: "db", CPUTarget: 0.6, MemTarget: 0.6}},
			field: "recommend.overrides[1]"},
		{name: "a StatefulSet's and a Deployment's override of one name are two",
			recommend: []RecommendOverride{{Namespace: "data", Kind: "StatefulSet", Workload: "db", CPUTarget: 0.5, MemTarget: 0.5},
				{Namespace: "data", Workload: "db", CPUTarget: 0.6, MemTarget: 0.6}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := Defaults("prod-a", "UTC")
			if tt.overrides != nil {
				s.Overrides = tt.overrides
			}
			if tt.recommend != nil {
				s.Recommend.Overrides = tt.recommend
			}
			err := s.Validate()
			fe, ok := refusal.AsFieldError(err)
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.field != "" && (!ok || fe.Field != tt.field):
				t.Fatalf("error %v, want one naming %s", err, tt.field)
			}
		})
	}
}

func TestWindowForPrefersTheWorkloadThenTheNamespace(t *testing.T) {
	s := Defaults("prod-a", "UTC")
	s.Overrides = []Override{
		{Namespace: "shop", Workload: "api", PeakWindow: Window{"20:00", "22:00"}},
		{Namespace: "shop", PeakWindow: Window{"18:00", "19:00"}},
	}
	tests := []struct{ ns, wl, want string }{
		{"shop", "api", "20:00-22:00"},
		{"shop", "checkout", "18:00-19:00"},
		{"batch", "api", "10:00-11:30"},
	}
	for _, tt := range tests {
		w, err := s.WindowFor(tt.ns, "", tt.wl)
		if err != nil || w.String() != tt.want {
			t.Errorf("%s/%s: %v %v, want %s", tt.ns, tt.wl, w, err, tt.want)
		}
	}
	ws, err := s.Windows()
	if err != nil || len(ws) != 3 {
		t.Fatalf("windows %v %v", ws, err)
	}
}
