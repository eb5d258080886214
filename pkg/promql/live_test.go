package promql

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestLivePodRegexMatchesTheWorkloadsPodsOnly(t *testing.T) {
	re := regexp.MustCompile("^(?:" + LivePodRegex("api") + ")$")
	tests := []struct {
		pod  string
		want bool
	}{
		{"api-7d9f8-abcde", true},          // a Deployment's pod
		{"api-x2k7p", true},                // a DaemonSet's pod
		{"api-0", true},                    // a StatefulSet's pod
		{"api-gateway-5c4b3-zzzzz", false}, // another Deployment whose name starts with api-
		{"api", false},
		{"web-7d9f8-abcde", false},
		{"api-7d9f8-abcde-x", false},
	}
	for _, tt := range tests {
		if got := re.MatchString(tt.pod); got != tt.want {
			t.Errorf("pod %s: match = %v, want %v", tt.pod, got, tt.want)
		}
	}
}

func TestLiveQueriesSumEachPodsContainersWithoutThePodCgroup(t *testing.T) {
	pods := LivePodRegex(VarWorkloadRe)
	sel := `namespace="$namespace",pod=~"${workload:regex}-([a-z0-9]+-)?[a-z0-9]+",container!="",container!="POD"`
	tests := []struct {
		name, got, want string
	}{
		{"cpu is a rate over Grafana's rate interval", LiveCPU(VarNamespace, pods, VarRateInterval),
			`sum by (pod) (max by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{` + sel + `}[$__rate_interval])))`},
		{"memory is the working set", LiveMemory(VarNamespace, pods),
			`sum by (pod) (max by (namespace, pod, container) (container_memory_working_set_bytes{` + sel + `}))`},
		{"a cpu request is in cores", LiveRequest(VarNamespace, pods, ResourceCPU),
			`sum by (pod) (max by (namespace, pod, container) (kube_pod_container_resource_requests{` + sel + `,resource="cpu",unit="core"}))`},
		{"a memory limit is in bytes", LiveLimit(VarNamespace, pods, ResourceMemory),
			`sum by (pod) (max by (namespace, pod, container) (kube_pod_container_resource_limits{` + sel + `,resource="memory",unit="byte"}))`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, tt.got, tt.want)
		}
	}
}

// TestLiveDashboardMatchesTheBuilders keeps the provisioned live dashboard's PromQL equal to
// LivePanels: the dashboard is generated in TypeScript, the queries are built here. Only the
// Prometheus targets are compared: the panels also read the control table from the app.
func TestLiveDashboardMatchesTheBuilders(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "provisioning", "dashboards", "kubedoor-live.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Datasource struct {
					Type string `json:"type"`
				} `json:"datasource"`
				Expr   string `json:"expr"`
				Legend string `json:"legendFormat"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	want := LivePanels()
	seen := 0
	for _, p := range d.Panels {
		targets, ok := want[p.Title]
		if !ok {
			continue
		}
		seen++
		prom := p.Targets[:0:0]
		for _, tg := range p.Targets {
			if tg.Datasource.Type == "prometheus" {
				prom = append(prom, tg)
			}
		}
		if len(prom) != len(targets) {
			t.Errorf("panel %q has %d Prometheus targets, want %d", p.Title, len(prom), len(targets))
			continue
		}
		for i, tg := range targets {
			if prom[i].Expr != tg.Expr || prom[i].Legend != tg.Legend {
				t.Errorf("panel %q target %d:\n got %q %s\nwant %q %s", p.Title, i, prom[i].Legend, prom[i].Expr, tg.Legend, tg.Expr)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("dashboard has %d of the %d live panels", seen, len(want))
	}
}
