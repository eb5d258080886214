package promql

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSelectorQuotesValues(t *testing.T) {
	tests := []struct {
		name string
		ms   []Matcher
		want string
	}{
		{"no matchers", nil, `up{}`},
		{"plain values", []Matcher{Eq("namespace", "shop"), Ne("container", "")}, `up{namespace="shop",container!=""}`},
		{"quotes and backslashes are escaped", []Matcher{Eq("cluster", `a"b\c`)}, `up{cluster="a\"b\\c"}`},
		{"a newline is escaped", []Matcher{Eq("cluster", "a\nb")}, `up{cluster="a\nb"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Selector("up", tt.ms...); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSelectorRefusesAnInvalidLabelName(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for label name with a brace")
		}
	}()
	Selector("up", Eq("a}b", "x"))
}

func TestDurationNeverShortensAWindow(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{90 * time.Minute, "5400s"},
		{1500 * time.Millisecond, "2s"},
		{0, "1s"},
	}
	for _, tt := range tests {
		if got := Duration(tt.in); got != tt.want {
			t.Errorf("Duration(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestQueriesCarryTheScope(t *testing.T) {
	s := Scope{ClusterKey: "cluster", ClusterValue: "prod-a", Namespace: "shop", Pods: []string{"api-1", "api.2"}}
	w := Window{Range: 90 * time.Minute, Step: 30 * time.Second, RateRange: 2 * time.Minute, Quantile: 0.95}
	usage := Usage(s, w)
	for _, want := range []string{
		`container_cpu_usage_seconds_total{cluster="prod-a",namespace="shop",pod=~"api-1|api\\.2",container!="",container!="POD"}`,
		`[120s]`,
		`quantile_over_time(0.95, (`,
		`)[5400s:30s])`,
		`sum by (namespace, pod) (max by (namespace, pod, container) (rate(`,
		`"kd_value", "pod_mem", "", ""`,
	} {
		if !strings.Contains(usage, want) {
			t.Errorf("usage query lacks %s:\n%s", want, usage)
		}
	}
	if n := strings.Count(usage, "\nor "); n != 3 {
		t.Errorf("usage joins %d results, want 4", n+1)
	}
	pods := ReadyPods(s)
	for _, want := range []string{
		`count by (namespace, owner_name) (max by (namespace, pod, owner_name) (kube_pod_owner{cluster="prod-a",namespace="shop",pod=~"api-1|api\\.2",owner_kind="ReplicaSet"})`,
		`and on (namespace, pod) (kube_pod_status_ready{cluster="prod-a",namespace="shop",pod=~"api-1|api\\.2",condition="true"} == 1)`,
	} {
		if !strings.Contains(pods, want) {
			t.Errorf("pods query lacks %s:\n%s", want, pods)
		}
	}
	if strings.Contains(CFS(s, w), `container=""`) {
		t.Error("CFS query reads the pod cgroup")
	}
	if got := PodOwners(Scope{}, w); got != `max by (namespace, pod, owner_name) (max_over_time(kube_pod_owner{owner_kind="ReplicaSet"}[5400s]))` {
		t.Errorf("unscoped owners query: %s", got)
	}
}

func TestKubeDoorQueriesAreTheNineOfItsCollector(t *testing.T) {
	q := KubeDoorQueries("cluster", "bench", 90*time.Minute)
	if len(q) != 9 {
		t.Fatalf("%d queries", len(q))
	}
	if !strings.Contains(q["core_usage"], `quantile_over_time(0.80, avg by (cluster, namespace, owner_name)`) ||
		!strings.HasSuffix(q["core_usage"], `[5400s:])`) {
		t.Errorf("core_usage: %s", q["core_usage"])
	}
}

// FuzzQuoting checks that a quoted label value reads back as itself with PromQL's (Go's)
// unquoting, and that an alternation of literal values matches each of them exactly.
func FuzzQuoting(f *testing.F) {
	for _, s := range []string{"", "shop", `a"b`, `a\b`, "a|b", ".*", "ümlaut", "\x00", "(?i)x"} {
		f.Add(s, "api-1")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, err := strconv.Unquote(Quote(a)); err != nil || got != a {
			t.Fatalf("Quote(%q) = %s, unquotes to %q, %v", a, Quote(a), got, err)
		}
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return // label values are UTF-8; Prometheus refuses others before any regex
		}
		re, err := regexp.Compile("^(?:" + Alternation([]string{a, b}) + ")$")
		if err != nil {
			t.Fatalf("alternation of %q and %q does not compile: %v", a, b, err)
		}
		for _, v := range []string{a, b} {
			if !re.MatchString(v) {
				t.Fatalf("alternation of %q and %q does not match %q", a, b, v)
			}
		}
		if a != b && a+"x" != b && re.MatchString(a+"x") {
			t.Fatalf("alternation of %q and %q matches %q", a, b, a+"x")
		}
	})
}

func TestDesiredReplicasIsTheWindowsMaximumPerDeployment(t *testing.T) {
	w := Window{Range: 90 * time.Minute, Step: 30 * time.Second}
	tests := []struct {
		name string
		s    Scope
		want string
	}{
		{"a whole cluster", Scope{ClusterKey: "cluster", ClusterValue: "prod-a"},
			`max by (namespace, deployment) (max_over_time(kube_deployment_spec_replicas{cluster="prod-a"}[5400s]))`},
		{"one namespace; a batch's pods do not narrow it (the series has no pod label)",
			Scope{Namespace: "shop", Pods: []string{"api-1"}},
			`max by (namespace, deployment) (max_over_time(kube_deployment_spec_replicas{namespace="shop"}[5400s]))`},
	}
	for _, tt := range tests {
		if got := DesiredReplicas(tt.s, w); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestHPAMinReplicasJoinsTheHPAToItsDeployment(t *testing.T) {
	w := Window{Range: 90 * time.Minute, Step: 30 * time.Second}
	got := HPAMinReplicas(Scope{ClusterKey: "cluster", ClusterValue: "prod-a", Pods: []string{"api-1"}}, w)
	want := `max by (namespace, deployment) (label_replace(last_over_time(kube_horizontalpodautoscaler_spec_min_replicas{cluster="prod-a"}[5400s])
* on (namespace, horizontalpodautoscaler) group_left (scaletargetref_name)
max by (namespace, horizontalpodautoscaler, scaletargetref_name) (last_over_time(kube_horizontalpodautoscaler_info{cluster="prod-a",scaletargetref_kind="Deployment"}[5400s])), "deployment", "$1", "scaletargetref_name", "(.+)"))`
	if got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}
