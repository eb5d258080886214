package demofleet

import (
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/synth"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

func TestTheScenarioHoldsEveryWorkloadWithItsPodsAndDays(t *testing.T) {
	sc := Scenario("demo", time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC), 14)
	if len(sc.Clusters) != 1 || sc.Clusters[0].Name != "demo" || len(sc.Clusters[0].Days) != 14 {
		t.Fatalf("clusters %+v", sc.Clusters)
	}
	c := sc.Clusters[0]
	if last := c.Days[13]; last.Year != 2026 || last.Month != 11 || last.Day != 21 {
		t.Fatalf("the history must end yesterday, ends %+v", last)
	}
	found := map[string]int{} // namespace/name → pods
	for _, ns := range c.Namespaces {
		for _, d := range ns.Deployments {
			for _, rs := range d.ReplicaSets {
				found[ns.Name+"/"+d.Name] += len(rs.Pods)
				for _, p := range rs.Pods {
					if len(p.Usage) != len(d.Containers) || len(p.Usage[0]) != 14 {
						t.Fatalf("%s/%s: usage for %d containers × %d days", ns.Name, d.Name, len(p.Usage), len(p.Usage[0]))
					}
				}
			}
		}
	}
	for _, w := range Workloads {
		if found[w.Namespace+"/"+w.Name] != w.Replicas {
			t.Fatalf("%s/%s has %d pods, want %d", w.Namespace, w.Name, found[w.Namespace+"/"+w.Name], w.Replicas)
		}
	}
	if len(found) != len(Workloads) || len(Namespaces()) != 2 {
		t.Fatalf("workloads %v, namespaces %v", found, Namespaces())
	}
}

func TestADeploymentCarriesRequestsLimitsAndOnlyTheLimitsThatAreSet(t *testing.T) {
	api := Workloads[2] // shop/api: an app and a sidecar without a CPU limit
	d := api.Deployment()
	if d.Namespace != "shop" || d.Name != "api" || *d.Spec.Replicas != 2 || len(d.Spec.Template.Spec.Containers) != 2 {
		t.Fatalf("deployment %+v", d.ObjectMeta)
	}
	app, sidecar := d.Spec.Template.Spec.Containers[0], d.Spec.Template.Spec.Containers[1]
	if app.Resources.Requests.Cpu().String() != "250m" || app.Resources.Limits.Cpu().String() != "1" || app.Resources.Limits.Memory().String() != "512Mi" {
		t.Fatalf("app resources %+v", app.Resources)
	}
	if _, ok := sidecar.Resources.Limits["cpu"]; ok {
		t.Fatalf("a 0 CPU limit must be no limit: %+v", sidecar.Resources)
	}
	if d.Spec.Template.Annotations["kwok.x-k8s.io/usage-cpu"] != "200m" {
		t.Fatalf("kwok usage annotation %v", d.Spec.Template.Annotations)
	}
}

func TestTheFleetRunsAStatefulSetAndADaemonSetWithTheirKind(t *testing.T) {
	sc := Scenario("demo", time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC), 14)
	if err := sc.Validate(); err != nil {
		t.Fatalf("the scenario is not valid: %v", err)
	}
	kinds := map[string]string{} // namespace/name → synth kind
	for _, ns := range sc.Clusters[0].Namespaces {
		for _, d := range ns.Deployments {
			kinds[ns.Name+"/"+d.Name] = d.Kind
		}
	}
	if kinds["pay/ledger"] != synth.KindStatefulSet || kinds["shop/log-agent"] != synth.KindDaemonSet || kinds["shop/checkout"] != "" {
		t.Fatalf("kinds in the history %v", kinds)
	}
	var sts, ds Workload
	for _, w := range Workloads {
		switch w.Kind {
		case workload.StatefulSet:
			sts = w
		case workload.DaemonSet:
			ds = w
		}
	}
	s := sts.StatefulSet()
	if s.Name != "ledger" || *s.Spec.Replicas != 2 || s.Spec.Template.Labels["app"] != "ledger" || s.Spec.Selector.MatchLabels["app"] != "ledger" {
		t.Fatalf("statefulset %+v", s)
	}
	d := ds.DaemonSet()
	if d.Name != "log-agent" || d.Namespace != "shop" || d.Spec.Template.Spec.Containers[0].Resources.Requests.Cpu().String() != "200m" {
		t.Fatalf("daemonset %+v", d)
	}
}
