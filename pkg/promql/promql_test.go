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
		`count by (namespace, owner_kind, owner_name) (max by (namespace, pod, owner_kind, owner_name) (kube_pod_owner{cluster="prod-a",namespace="shop",pod=~"api-1|api\\.2",owner_kind="ReplicaSet"} or kube_pod_owner{cluster="prod-a",namespace="shop",pod=~"api-1|api\\.2",owner_kind=~"StatefulSet|DaemonSet",owner_is_controller="true"})`,
		`and on (namespace, pod) (kube_pod_status_ready{cluster="prod-a",namespace="shop",pod=~"api-1|api\\.2",condition="true"} == 1)`,
	} {
		if !strings.Contains(pods, want) {
			t.Errorf("pods query lacks %s:\n%s", want, pods)
		}
	}
	if strings.Contains(CFS(s, w), `container=""`) {
		t.Error("CFS query reads the pod cgroup")
	}
}

func TestPodOwnersAreReplicaSetsOrTheStatefulSetOrDaemonSetControllingThePod(t *testing.T) {
	w := Window{Range: 90 * time.Minute, Step: 30 * time.Second}
	tests := []struct {
		name string
		s    Scope
		want string
	}{
		{"no scope", Scope{}, `max by (namespace, pod, owner_kind, owner_name) (max_over_time(kube_pod_owner{owner_kind="ReplicaSet"}[5400s])` +
			` or max_over_time(kube_pod_owner{owner_kind=~"StatefulSet|DaemonSet",owner_is_controller="true"}[5400s]))`},
		{"a cluster; a batch's pods do not narrow it (owners are read once per window)",
			Scope{ClusterKey: "cluster", ClusterValue: "prod-a", Pods: []string{"api-1"}},
			`max by (namespace, pod, owner_kind, owner_name) (max_over_time(kube_pod_owner{cluster="prod-a",owner_kind="ReplicaSet"}[5400s])` +
				` or max_over_time(kube_pod_owner{cluster="prod-a",owner_kind=~"StatefulSet|DaemonSet",owner_is_controller="true"}[5400s]))`},
	}
	for _, tt := range tests {
		if got := PodOwners(tt.s, w); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestReadyPodsAreCountedPerOwnerKindAndName(t *testing.T) {
	got := ReadyPods(Scope{Namespace: "shop", Pods: []string{"db-0"}})
	want := `count by (namespace, owner_kind, owner_name) (max by (namespace, pod, owner_kind, owner_name) (` +
		`kube_pod_owner{namespace="shop",pod=~"db-0",owner_kind="ReplicaSet"} or ` +
		`kube_pod_owner{namespace="shop",pod=~"db-0",owner_kind=~"StatefulSet|DaemonSet",owner_is_controller="true"})
and on (namespace, pod) (kube_pod_status_phase{namespace="shop",pod=~"db-0",phase="Running"} == 1)
and on (namespace, pod) (kube_pod_status_ready{namespace="shop",pod=~"db-0",condition="true"} == 1))`
	if got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
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

func TestDesiredReplicasIsTheWindowsMaximumPerWorkloadOfEachKind(t *testing.T) {
	w := Window{Range: 90 * time.Minute, Step: 30 * time.Second}
	tests := []struct {
		name string
		s    Scope
		want string
	}{
		{"a whole cluster", Scope{ClusterKey: "cluster", ClusterValue: "prod-a"},
			`label_replace(max by (namespace, workload) (label_replace(max_over_time(kube_deployment_spec_replicas{cluster="prod-a"}[5400s]), "workload", "$1", "deployment", "(.+)")), "kind", "Deployment", "", "")
or label_replace(max by (namespace, workload) (label_replace(max_over_time(kube_statefulset_replicas{cluster="prod-a"}[5400s]), "workload", "$1", "statefulset", "(.+)")), "kind", "StatefulSet", "", "")
or label_replace(max by (namespace, workload) (label_replace(max_over_time(kube_daemonset_status_desired_number_scheduled{cluster="prod-a"}[5400s]), "workload", "$1", "daemonset", "(.+)")), "kind", "DaemonSet", "", "")`},
		{"one namespace; a batch's pods do not narrow it (the series have no pod label)",
			Scope{Namespace: "shop", Pods: []string{"api-1"}},
			`label_replace(max by (namespace, workload) (label_replace(max_over_time(kube_deployment_spec_replicas{namespace="shop"}[5400s]), "workload", "$1", "deployment", "(.+)")), "kind", "Deployment", "", "")
or label_replace(max by (namespace, workload) (label_replace(max_over_time(kube_statefulset_replicas{namespace="shop"}[5400s]), "workload", "$1", "statefulset", "(.+)")), "kind", "StatefulSet", "", "")
or label_replace(max by (namespace, workload) (label_replace(max_over_time(kube_daemonset_status_desired_number_scheduled{namespace="shop"}[5400s]), "workload", "$1", "daemonset", "(.+)")), "kind", "DaemonSet", "", "")`},
	}
	for _, tt := range tests {
		if got := DesiredReplicas(tt.s, w); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestHPAMinReplicasJoinsTheHPAToItsDeploymentOrStatefulSet(t *testing.T) {
	w := Window{Range: 90 * time.Minute, Step: 30 * time.Second}
	got := HPAMinReplicas(Scope{ClusterKey: "cluster", ClusterValue: "prod-a", Pods: []string{"api-1"}}, w)
	want := `max by (namespace, kind, workload) (label_replace(label_replace(last_over_time(kube_horizontalpodautoscaler_spec_min_replicas{cluster="prod-a"}[5400s])
* on (namespace, horizontalpodautoscaler) group_left (scaletargetref_kind, scaletargetref_name)
max by (namespace, horizontalpodautoscaler, scaletargetref_kind, scaletargetref_name) (last_over_time(kube_horizontalpodautoscaler_info{cluster="prod-a",scaletargetref_kind=~"Deployment|StatefulSet"}[5400s])), "workload", "$1", "scaletargetref_name", "(.+)"), "kind", "$1", "scaletargetref_kind", "(.+)"))`
	if got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

// On a left-open Prometheus (3.x) every instant query over the window reaches 1 ms further back,
// so it sees the sample at exactly the window start as 2.x does; rate() keeps its own range.
func TestALeftOpenWindowReachesOneMillisecondFurther(t *testing.T) {
	s := Scope{Namespace: "shop"}
	closed := Window{Range: 90 * time.Minute, Step: 30 * time.Second, RateRange: 2 * time.Minute, Quantile: 0.95}
	open := closed
	open.LeftOpen = true
	for _, tt := range []struct {
		name         string
		query        func(Window) string
		closed, open string
	}{
		{"pod owners", func(w Window) string { return PodOwners(s, w) }, "[5400s]", "[5400001ms]"},
		{"ReplicaSet owners", func(w Window) string { return ReplicaSetOwners(s, w) }, "[5400s]", "[5400001ms]"},
		{"resources", func(w Window) string { return Resources(s, w) }, "[5400s]", "[5400001ms]"},
		{"CFS", func(w Window) string { return CFS(s, w) }, "[5400s]", "[5400001ms]"},
		{"desired replicas", func(w Window) string { return DesiredReplicas(s, w) }, "[5400s]", "[5400001ms]"},
		{"HPA", func(w Window) string { return HPAMinReplicas(s, w) }, "[5400s]", "[5400001ms]"},
		{"restarts look back 5 more minutes", func(w Window) string { return Restarted(s, w) }, "[5700s]", "[5700001ms]"},
		{"the subquery form", func(w Window) string { return Usage(s, w) }, "[5400s:30s]", "[5400001ms:30s]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, o := tt.query(closed), tt.query(open)
			if !strings.Contains(c, tt.closed) || strings.Contains(c, "ms]") {
				t.Errorf("closed: %s", c)
			}
			if !strings.Contains(o, tt.open) || strings.Contains(o, tt.closed) {
				t.Errorf("left-open: %s", o)
			}
		})
	}
	if q := UsageSeries(s, open); !strings.Contains(q, "[120s]") {
		t.Errorf("the rate range changed: %s", q)
	}
}
