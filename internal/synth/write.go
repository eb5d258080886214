package synth

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Stats counts what WriteOpenMetrics wrote.
type Stats struct {
	Series  int64
	Samples int64
	Bytes   int64
}

// family is one metric family: OpenMetrics wants each family's samples together, so the writer
// walks the whole scenario once per family rather than holding samples in memory.
type family struct {
	name, typ, help string
	emit            func(g *gen, pc *podCtx)
	deployment      func(g *gen, ns string, d *Deployment) // instead of emit: one call per workload
}

var families = []family{
	{"container_cpu_usage_seconds", "counter", "Cumulative cpu time consumed in seconds.", emitCPU, nil},
	{"container_memory_working_set_bytes", "gauge", "Current working set in bytes.", emitMemory, nil},
	{"container_cpu_cfs_periods", "counter", "Number of elapsed enforcement period intervals.", emitCFS(false), nil},
	{"container_cpu_cfs_throttled_periods", "counter", "Number of throttled period intervals.", emitCFS(true), nil},
	{"kube_pod_owner", "gauge", "Information about the Pod's owner.", emitOwner, nil},
	{"kube_replicaset_owner", "gauge", "Information about the ReplicaSet's owner.", nil, (*gen).emitReplicaSetOwners},
	{"kube_deployment_spec_replicas", "gauge", "Number of desired pods for a deployment.", nil, emitSpec("", "deployment")},
	{"kube_statefulset_replicas", "gauge", "Number of desired pods for a StatefulSet.", nil, emitSpec(KindStatefulSet, "statefulset")},
	{"kube_daemonset_status_desired_number_scheduled", "gauge", "The number of nodes that should be running the daemon pod.", nil, emitSpec(KindDaemonSet, "daemonset")},
	{"kube_horizontalpodautoscaler_info", "gauge", "Information about this autoscaler.", nil, (*gen).emitHPAInfo},
	{"kube_horizontalpodautoscaler_spec_min_replicas", "gauge", "Lower limit for the number of pods that can be set by the autoscaler, default 1.", nil, (*gen).emitHPAMin},
	{"kube_pod_status_phase", "gauge", "The pods current phase.", emitPhase, nil},
	{"kube_pod_status_ready", "gauge", "Describes whether the pod is ready to serve requests.", emitReady, nil},
	{"kube_pod_container_resource_requests", "gauge", "The number of requested request resource by a container.", emitResources(true), nil},
	{"kube_pod_container_resource_limits", "gauge", "The number of requested limit resource by a container.", emitResources(false), nil},
	{"kube_pod_container_status_last_terminated_reason", "gauge", "Describes the last reason the container was in terminated state.", emitLastTerminated, nil},
	{"kube_pod_container_status_restarts", "counter", "The number of container restarts per container.", emitRestarts, nil},
}

// gen is the state of one WriteOpenMetrics call.
type gen struct {
	s        Scenario
	w        *bufio.Writer
	st       Stats
	iv       int64
	spans    []span // data spans of the current cluster
	cluster  *Cluster
	windows  []Window
	line     []byte // reused line buffer
	prefix   []byte // reused series prefix
	metric   string // sample name of the current family
	part     Part
	nsSeq    int // namespaces seen in this family, for sharding
	firstErr error
}

// podCtx is one pod while a family is written.
type podCtx struct {
	ns    string
	d     *Deployment
	rsIdx int
	pod   *Pod
	id    podIdentity
	life  life
	kills map[string][]int64
}

// WriteOpenMetrics validates the scenario and streams its series to w as OpenMetrics text ending
// in "# EOF". Memory stays bounded by one pod's curves whatever the scenario's size.
func (s Scenario) WriteOpenMetrics(w io.Writer) (Stats, error) {
	return s.write(w, Part{Day: -1, Shards: 1})
}

// WriteTo is WriteOpenMetrics as an io.WriterTo.
func (s Scenario) WriteTo(w io.Writer) (int64, error) {
	st, err := s.WriteOpenMetrics(w)
	return st.Bytes, err
}

func (s Scenario) write(w io.Writer, part Part) (Stats, error) {
	s = s.withDefaults()
	if err := s.Validate(); err != nil {
		return Stats{}, fmt.Errorf("synth: invalid scenario: %w", err)
	}
	cw := &countingWriter{w: w}
	g := &gen{s: s, w: bufio.NewWriterSize(cw, 1<<20), iv: int64(s.Interval / time.Second), part: part}
	for _, f := range families {
		g.metric = f.name
		if f.typ == "counter" {
			g.metric += "_total"
		}
		g.printf("# HELP %s %s\n# TYPE %s %s\n", f.name, f.help, f.name, f.typ)
		g.nsSeq = 0
		for ci := range s.Clusters {
			g.cluster = &s.Clusters[ci]
			g.windows = g.cluster.Windows()
			g.spans = dataSpans(g.windows, s.Margin)
			if part.Day >= 0 {
				if part.Day >= len(g.windows) {
					continue
				}
				// Values still come from the whole timeline, so parts agree where they meet.
				g.spans = dataSpans(g.windows[part.Day:part.Day+1], s.Margin)
			}
			g.eachPod(f)
		}
		if g.firstErr != nil {
			break
		}
	}
	g.printf("# EOF\n")
	if err := g.w.Flush(); err != nil && g.firstErr == nil {
		g.firstErr = err
	}
	g.st.Bytes = cw.n
	if g.firstErr != nil {
		return g.st, fmt.Errorf("synth: writing OpenMetrics: %w", g.firstErr)
	}
	return g.st, nil
}

// eachPod calls f.emit for every pod of the current cluster in the part's namespaces, or
// f.deployment for every Deployment.
func (g *gen) eachPod(f family) {
	emit := f.emit
	c := g.cluster
	for ni := range c.Namespaces {
		ns := &c.Namespaces[ni]
		g.nsSeq++
		if (g.nsSeq-1)%g.part.Shards != g.part.Shard {
			continue
		}
		for di := range ns.Deployments {
			d := &ns.Deployments[di]
			if f.deployment != nil {
				f.deployment(g, ns.Name, d)
				continue
			}
			for ri := range d.ReplicaSets {
				for pi := range d.ReplicaSets[ri].Pods {
					p := &d.ReplicaSets[ri].Pods[pi]
					pc := &podCtx{ns: ns.Name, d: d, rsIdx: ri, pod: p,
						id: identify(c, ns.Name, d, ri, pi), life: podLife(p, g.iv)}
					if len(p.OOMKills) > 0 {
						pc.kills = map[string][]int64{}
						for _, k := range p.OOMKills {
							pc.kills[k.Container] = append(pc.kills[k.Container], k.At.Unix())
						}
					}
					emit(g, pc)
					if g.firstErr != nil {
						return
					}
				}
			}
		}
	}
}

func (g *gen) printf(format string, args ...any) {
	if g.firstErr == nil {
		_, g.firstErr = fmt.Fprintf(g.w, format, args...)
	}
}

// series starts a series of the current family: labels are key, value pairs after the cluster
// label.
func (g *gen) series(labels ...string) {
	g.prefix = append(g.prefix[:0], g.metric...)
	g.prefix = append(g.prefix, '{')
	g.prefix = appendLabel(g.prefix, g.s.ClusterLabel, g.cluster.Name)
	for i := 0; i+1 < len(labels); i += 2 {
		if labels[i+1] == "" {
			continue // Prometheus does not store empty labels; container="" matches their absence
		}
		g.prefix = append(g.prefix, ',')
		g.prefix = appendLabel(g.prefix, labels[i], labels[i+1])
	}
	g.prefix = append(g.prefix, '}', ' ')
}

// samples writes the current series at every data instant in [from, to).
func (g *gen) samples(from, to int64, value func(t int64) float64) {
	wrote := false
	for _, sp := range g.spans {
		lo, hi := max(sp.from, from), min(sp.to, to)
		for t := alignUp(lo, g.iv); t < hi; t += g.iv {
			g.line = append(g.line[:0], g.prefix...)
			g.line = strconv.AppendFloat(g.line, value(t), 'g', -1, 64)
			g.line = append(g.line, ' ')
			g.line = strconv.AppendInt(g.line, t, 10)
			g.line = append(g.line, '\n')
			if g.firstErr == nil {
				_, g.firstErr = g.w.Write(g.line)
			}
			g.st.Samples++
			wrote = true
		}
	}
	if wrote {
		g.st.Series++
	}
}

func appendLabel(b []byte, k, v string) []byte {
	b = append(b, k...)
	b = append(b, '=', '"')
	if strings.ContainsAny(v, "\"\\\n") {
		v = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v)
	}
	b = append(b, v...)
	return append(b, '"')
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// forever stands for "until after the last window" in spans.
const forever = math.MaxInt64
