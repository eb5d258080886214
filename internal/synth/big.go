package synth

import "fmt"

// BigOptions sizes ScenarioBig.
type BigOptions struct {
	Day             Date
	Workloads       int  // Deployments; default 10,000
	PodsPerWorkload int  // default 2
	PerNamespace    int  // Deployments per namespace; default 100
	Sidecar         bool // add an istio-proxy container to every pod
	Cluster         string
	// Kinds makes every third workload a StatefulSet and every third a DaemonSet (the rest stay
	// Deployments), to measure what the other kinds cost the collector.
	Kinds bool
}

// ScenarioBig is (f): a cluster "bench" with opts.Workloads Deployments (or, with opts.Kinds,
// a mix of kinds) of opts.PodsPerWorkload pods and as many desired replicas, all running the
// whole default window (so every curve has its spike). Plateaus vary by index so no two
// neighbours agree. WriteOpenMetrics streams it: memory is bounded by one pod.
func ScenarioBig(opts BigOptions) Scenario {
	if opts.Workloads <= 0 {
		opts.Workloads = 10000
	}
	if opts.PodsPerWorkload <= 0 {
		opts.PodsPerWorkload = 2
	}
	if opts.PerNamespace <= 0 {
		opts.PerNamespace = 100
	}
	if opts.Cluster == "" {
		opts.Cluster = "bench"
	}
	c := Cluster{Name: opts.Cluster, Peak: DefaultPeak, Days: []Date{opts.Day}, Nodes: 50}
	start := windowOf(c).Start.AddDate(0, 0, -1)
	containers := []Container{{Name: "app", CPURequest: 0.25, CPULimit: 1, MemoryRequest: 256 * mi,
		MemoryLimit: 512 * mi, ThrottleRatio: 0.1}}
	if opts.Sidecar {
		containers = append(containers, Container{Name: "istio-proxy", Image: "docker.io/istio/proxyv2:1.22.0",
			CPURequest: 0.1, MemoryRequest: 128 * mi, MemoryLimit: 256 * mi})
	}
	for i := range opts.Workloads {
		if i%opts.PerNamespace == 0 {
			c.Namespaces = append(c.Namespaces, Namespace{Name: fmt.Sprintf("ns-%03d", i/opts.PerNamespace)})
		}
		name := fmt.Sprintf("svc-%05d", i)
		cs := append([]Container(nil), containers...)
		cs[0].Image = "registry.example.com/bench/" + name + ":1.0.0"
		pods := make([]Pod, opts.PodsPerWorkload)
		for p := range pods {
			f := 1 + 0.25*float64(p)
			u := []Usage{usage((0.05+0.001*float64(i%1000))*f, int64(64+i%512)*mi*int64(4+p)/4)}
			if opts.Sidecar {
				u = append(u, usage(0.02+0.0001*float64(i%100), int64(48+p)*mi))
			}
			pods[p] = Pod{Start: start, Usage: oneDay(u...)}
		}
		ns := &c.Namespaces[len(c.Namespaces)-1]
		d := Deployment{Name: name, Containers: cs, ReplicaSets: []ReplicaSet{{Pods: pods}},
			Spec: []SpecStep{{At: start, Replicas: opts.PodsPerWorkload}}}
		if opts.Kinds {
			d.Kind = []string{"", KindStatefulSet, KindDaemonSet}[i%3]
		}
		ns.Deployments = append(ns.Deployments, d)
	}
	return Scenario{Clusters: []Cluster{c}}
}

// Merge combines scenarios into one (one Prometheus holding them all). Settings must agree;
// clusters of the same name must share zone, peak and days, and their namespaces are merged.
func Merge(scs ...Scenario) (Scenario, error) {
	if len(scs) == 0 {
		return Scenario{}, fmt.Errorf("synth: nothing to merge")
	}
	out := scs[0].withDefaults()
	out.Clusters = nil
	for i, s := range scs {
		s = s.withDefaults()
		if s.ClusterLabel != out.ClusterLabel || s.Interval != out.Interval || s.Margin != out.Margin {
			return Scenario{}, fmt.Errorf("synth: merging scenario %d: label, interval or margin differ", i)
		}
		for _, c := range s.Clusters {
			if err := mergeCluster(&out, c); err != nil {
				return Scenario{}, fmt.Errorf("synth: merging scenario %d: %w", i, err)
			}
		}
	}
	return out, nil
}

func mergeCluster(out *Scenario, c Cluster) error {
	for i := range out.Clusters {
		o := &out.Clusters[i]
		if o.Name != c.Name {
			continue
		}
		if o.location().String() != c.location().String() || o.Peak != c.Peak || fmt.Sprint(o.Days) != fmt.Sprint(c.Days) {
			return fmt.Errorf("cluster %s: zone, peak or days differ", c.Name)
		}
		for _, ns := range c.Namespaces {
			merged := false
			for j := range o.Namespaces {
				if o.Namespaces[j].Name == ns.Name {
					// Copy first: the Deployments slice still belongs to the scenario it came from.
					ds := append([]Deployment(nil), o.Namespaces[j].Deployments...)
					o.Namespaces[j].Deployments = append(ds, ns.Deployments...)
					merged = true
				}
			}
			if !merged {
				o.Namespaces = append(o.Namespaces, ns)
			}
		}
		return nil
	}
	c.Namespaces = append([]Namespace(nil), c.Namespaces...)
	out.Clusters = append(out.Clusters, c)
	return nil
}
