package synth

import (
	"bytes"
	"testing"
	"time"
)

// The kinds scenario's answers, worked out by hand from its description, agree with Expected.
func TestKindsAnswers(t *testing.T) {
	s := ScenarioKinds(Date{2026, time.November, 20})
	rows, err := s.Expected(0.95)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		desired, pods, ooms        int
		cpuWorst, cpuAvg, memWorst float64
	}
	wants := map[Key]want{
		{"prod-k", "data", "db", "app", ""}:                      {2, 2, 0, 0.18, 0.165, 170 * mi},
		{"prod-k", "data", "db", "app", KindStatefulSet}:         {3, 3, 1, 0.42, (0.38 + 0.42 + 0.35) / 3, 420 * mi},
		{"prod-k", "data", "node-agent", "agent", KindDaemonSet}: {3, 3, 0, 0.24, (0.02 + 0.03 + 0.24) / 3, 150 * mi},
	}
	for _, r := range rows {
		w, ok := wants[r.Key]
		if !ok {
			t.Errorf("unexpected row %+v", r.Key)
			continue
		}
		delete(wants, r.Key)
		if r.ReplicasDesired == nil || *r.ReplicasDesired != w.desired || r.Pods != w.pods || r.PodsMax != w.pods ||
			r.OOMKills != w.ooms || r.CPUWorst != w.cpuWorst || !relEqual(r.CPUPodAvg, w.cpuAvg) || r.MemoryWorst != w.memWorst {
			t.Errorf("%+v: %+v; want %+v", r.Key, r, w)
		}
	}
	if len(wants) != 0 {
		t.Errorf("rows missing: %v", wants)
	}
	zero := s.ScaledToZero()
	if len(zero) != 1 || zero[0].Deployment != "cache" || zero[0].Kind != KindStatefulSet {
		t.Errorf("scaled to zero: %+v; want the StatefulSet cache only (a DaemonSet has no replicas)", zero)
	}
}

// StatefulSet and DaemonSet pods are owned by the workload itself, named as their controllers
// name them, and a DaemonSet's pods sit one per node; the desired-pods series carry each kind's
// own metric and label.
func TestKindsOutputHasEachControllersOwnerAndDesiredSeries(t *testing.T) {
	var buf bytes.Buffer
	if _, err := ScenarioKinds(testDay).WriteOpenMetrics(&buf); err != nil {
		t.Fatal(err)
	}
	om, err := parseOpenMetrics(&buf)
	if err != nil {
		t.Fatal(err)
	}
	owners := map[string]string{}
	for _, s := range om.byFamily["kube_pod_owner"] {
		owners[s.label("pod")] = s.label("owner_kind") + "/" + s.label("owner_name")
	}
	for _, pod := range []string{"db-0", "db-1", "db-2"} {
		if owners[pod] != "StatefulSet/db" {
			t.Errorf("pod %s owned by %q, want StatefulSet/db", pod, owners[pod])
		}
	}
	ds, rs := 0, 0
	for _, o := range owners {
		switch o {
		case "DaemonSet/node-agent":
			ds++
		case "StatefulSet/db":
		default:
			rs++
		}
	}
	if ds != 3 || rs != 2 || len(om.byFamily["kube_replicaset_owner"]) != 1 {
		t.Errorf("%d DaemonSet pods, %d ReplicaSet pods, %d ReplicaSets; want 3, 2 and 1 (the Deployment's)",
			ds, rs, len(om.byFamily["kube_replicaset_owner"]))
	}
	nodes := map[string]bool{}
	for _, s := range om.byFamily["container_memory_working_set_bytes"] {
		if owners[s.label("pod")] == "DaemonSet/node-agent" {
			nodes[s.label("node")] = true
		}
	}
	if len(nodes) != 3 {
		t.Errorf("node-agent's pods on nodes %v, want one on each of 3", nodes)
	}
	for family, want := range map[string]string{
		"kube_deployment_spec_replicas":                  "deployment=db",
		"kube_statefulset_replicas":                      "statefulset=db statefulset=cache",
		"kube_daemonset_status_desired_number_scheduled": "daemonset=node-agent daemonset=gpu-agent",
	} {
		got := ""
		for _, s := range om.byFamily[family] {
			for _, l := range []string{"deployment", "statefulset", "daemonset"} {
				if v := s.label(l); v != "" {
					got += " " + l + "=" + v
				}
			}
		}
		if got != " "+want {
			t.Errorf("%s:%s, want %s", family, got, want)
		}
	}
	for _, s := range om.byFamily["kube_horizontalpodautoscaler_info"] {
		if s.label("scaletargetref_kind") != KindStatefulSet || s.label("scaletargetref_name") != "db" {
			t.Errorf("HPA info %v, want the StatefulSet db as target", s.labels)
		}
	}
}

func TestAnInvalidKindOrADaemonSetWithAnHPAIsRefused(t *testing.T) {
	s := ScenarioKinds(testDay)
	s.Clusters[0].Namespaces[0].Deployments[2].HPA = &HPA{Name: "x", MinReplicas: 1}
	if err := s.Validate(); err == nil {
		t.Error("a DaemonSet with an HPA was accepted")
	}
	s = ScenarioKinds(testDay)
	s.Clusters[0].Namespaces[0].Deployments[0].Kind = "CronJob"
	if err := s.Validate(); err == nil {
		t.Error("kind CronJob was accepted")
	}
	s = ScenarioKinds(testDay)
	s.Clusters[0].Namespaces[0].Deployments[0].Kind = KindStatefulSet
	if err := s.Validate(); err == nil {
		t.Error("two StatefulSets named db were accepted")
	}
}
