package synth

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"time"
)

var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// oomClearance keeps OOM kills this far from plateaus and spikes, so the restart's partial rates
// never sit where the quantile is decided.
const oomClearance = 2 * time.Minute

// Validate reports the first reason the scenario's Expected answers would not be exact (see the
// package doc for the rules), or nil.
func (s Scenario) Validate() error {
	s = s.withDefaults()
	if !labelName.MatchString(s.ClusterLabel) {
		return fmt.Errorf("cluster label %q is not a label name", s.ClusterLabel)
	}
	if s.Interval < time.Second || s.Interval%time.Second != 0 || time.Minute%s.Interval != 0 {
		return fmt.Errorf("interval %s must be whole seconds dividing a minute", s.Interval)
	}
	if s.Margin < 0 {
		return fmt.Errorf("margin %s is negative", s.Margin)
	}
	if len(s.Clusters) == 0 {
		return errors.New("no clusters")
	}
	seen := map[string]bool{}
	for i := range s.Clusters {
		c := &s.Clusters[i]
		if c.Name == "" || seen[c.Name] {
			return fmt.Errorf("cluster %d: name %q empty or repeated", i, c.Name)
		}
		seen[c.Name] = true
		if err := s.validateCluster(c); err != nil {
			return fmt.Errorf("cluster %s: %w", c.Name, err)
		}
	}
	return nil
}

func (s Scenario) validateCluster(c *Cluster) error {
	if len(c.Days) == 0 {
		return errors.New("no days")
	}
	iv := int64(s.Interval / time.Second)
	ws := c.Windows()
	for d, w := range ws {
		if w.Duration() < MinActive {
			return fmt.Errorf("day %s: window %s shorter than %s", w.Day, w.Duration(), MinActive)
		}
		if w.Start.Unix()%iv != 0 || w.End.Unix()%iv != 0 {
			return fmt.Errorf("day %s: window is not on the %s grid (zone offset?)", w.Day, s.Interval)
		}
		if d > 0 && w.Start.Sub(ws[d-1].End) <= 2*s.Margin+2*s.Interval {
			return fmt.Errorf("day %s: window too close to the previous day's (days ascending, gap > 2×margin)", w.Day)
		}
	}
	nsSeen := map[string]bool{}
	for _, ns := range c.Namespaces {
		if ns.Name == "" || nsSeen[ns.Name] {
			return fmt.Errorf("namespace %q empty or repeated", ns.Name)
		}
		nsSeen[ns.Name] = true
		depSeen, podSeen := map[string]bool{}, map[string]bool{}
		for di := range ns.Deployments {
			d := &ns.Deployments[di]
			// A StatefulSet may share a Deployment's name: they are two workloads.
			if d.Name == "" || depSeen[d.Kind+"/"+d.Name] {
				return fmt.Errorf("namespace %s: %s %q empty or repeated", ns.Name, d.targetKind(), d.Name)
			}
			depSeen[d.Kind+"/"+d.Name] = true
			if err := s.validateDeployment(c, ns.Name, d, ws, podSeen); err != nil {
				return fmt.Errorf("%s/%s: %w", ns.Name, d.Name, err)
			}
		}
	}
	return nil
}

func (s Scenario) validateDeployment(c *Cluster, ns string, d *Deployment, ws []Window, podSeen map[string]bool) error {
	if len(d.Containers) == 0 {
		return errors.New("no containers")
	}
	switch d.Kind {
	case "", KindStatefulSet:
	case KindDaemonSet:
		if d.HPA != nil {
			return errors.New("a DaemonSet cannot have an HPA")
		}
		for ri, rs := range d.ReplicaSets {
			if len(rs.Pods) > c.nodes() {
				return fmt.Errorf("revision %d: %d pods on %d nodes (one per node)", ri, len(rs.Pods), c.nodes())
			}
		}
	default:
		return fmt.Errorf("kind %q: want \"\" (Deployment), %s or %s", d.Kind, KindStatefulSet, KindDaemonSet)
	}
	names := map[string]bool{}
	for _, ct := range d.Containers {
		if ct.Name == "" || ct.Name == "POD" || names[ct.Name] {
			return fmt.Errorf("container name %q empty, POD or repeated", ct.Name)
		}
		names[ct.Name] = true
		if ct.CPURequest < 0 || ct.CPULimit < 0 || ct.MemoryRequest < 0 || ct.MemoryLimit < 0 {
			return fmt.Errorf("container %s: negative request or limit", ct.Name)
		}
		if ct.ThrottleRatio < 0 || ct.ThrottleRatio >= 1 || (ct.ThrottleRatio > 0 && ct.CPULimit == 0) {
			return fmt.Errorf("container %s: throttle ratio %g must be in [0,1) and needs a CPU limit", ct.Name, ct.ThrottleRatio)
		}
	}
	iv := int64(s.Interval / time.Second)
	for i, st := range d.Spec {
		if st.Replicas < 0 || st.At.Unix()%iv != 0 || (i > 0 && !st.At.After(d.Spec[i-1].At)) {
			return fmt.Errorf("spec step %d: negative, off the %s grid or not ascending", i, s.Interval)
		}
	}
	for ri, rs := range d.ReplicaSets {
		if len(rs.Images) > len(d.Containers) {
			return fmt.Errorf("replicaset %d: more images than containers", ri)
		}
		for pi := range rs.Pods {
			p := &rs.Pods[pi]
			name := d.podName(c.Name, ns, ri, pi)
			if podSeen[name] {
				return fmt.Errorf("pod name %s repeated in the namespace", name)
			}
			podSeen[name] = true
			if err := s.validatePod(p, d, ws, iv, names); err != nil {
				return fmt.Errorf("pod %s: %w", name, err)
			}
		}
	}
	return nil
}

func (s Scenario) validatePod(p *Pod, d *Deployment, ws []Window, iv int64, names map[string]bool) error {
	if p.Start.IsZero() || p.Start.Unix()%iv != 0 || (!p.End.IsZero() && p.End.Unix()%iv != 0) {
		return fmt.Errorf("start/end not on the %s grid", s.Interval)
	}
	if !p.End.IsZero() && p.End.Unix() < p.Start.Unix()+5*iv {
		return errors.New("ends before it could be ready (needs 5 intervals)")
	}
	if len(p.Usage) != len(d.Containers) {
		return fmt.Errorf("usage for %d containers, want %d", len(p.Usage), len(d.Containers))
	}
	for ci, days := range p.Usage {
		if len(days) != len(ws) {
			return fmt.Errorf("container %s: usage for %d days, want %d", d.Containers[ci].Name, len(days), len(ws))
		}
		for di, u := range days {
			if err := u.CPU.check(false); err != nil {
				return fmt.Errorf("container %s day %d cpu: %w", d.Containers[ci].Name, di, err)
			}
			if err := u.Memory.check(true); err != nil {
				return fmt.Errorf("container %s day %d memory: %w", d.Containers[ci].Name, di, err)
			}
		}
	}
	l := podLife(p, iv)
	lookback := int64(LookbackDelta / time.Second)
	for _, w := range ws {
		a0, a1 := l.active(w)
		switch {
		case p.Brief && a1-a0 > int64(BriefActive/time.Second):
			return fmt.Errorf("brief, but runs %s of the %s window (at most %s)", time.Duration(a1-a0)*time.Second, w.Day, BriefActive)
		case p.Brief:
		case a1-a0 >= int64(MinActive/time.Second):
		case a1 > a0:
			return fmt.Errorf("runs %s of the %s window (0 or ≥ %s)", time.Duration(a1-a0)*time.Second, w.Day, MinActive)
		case l.end <= w.Start.Unix() && l.end-iv+lookback >= w.Start.Unix():
			return fmt.Errorf("ends %s before the %s window: its last values would linger into it", w.Start.Sub(p.End), w.Day)
		}
	}
	for _, u := range p.Unready {
		if u[0].Unix()%iv != 0 || u[1].Unix()%iv != 0 || !u[0].Before(u[1]) {
			return fmt.Errorf("unready stretch %s–%s: off grid or empty", u[0], u[1])
		}
	}
	last := map[string]int64{}
	for _, k := range p.OOMKills {
		at := k.At.Unix()
		if !names[k.Container] {
			return fmt.Errorf("OOM kill of unknown container %q", k.Container)
		}
		if at%iv != 0 || at <= l.run || at >= l.end-iv || at <= last[k.Container] {
			return fmt.Errorf("OOM kill of %s at %s: off grid, outside the run or not ascending", k.Container, k.At)
		}
		last[k.Container] = at
		if err := clearOfPeaks(l, ws, at, iv); err != nil {
			return fmt.Errorf("OOM kill of %s at %s: %w", k.Container, k.At, err)
		}
	}
	return nil
}

// clearOfPeaks rejects an instant near a plateau or spike.
func clearOfPeaks(l life, ws []Window, at, iv int64) error {
	gap := int64(oomClearance / time.Second)
	for _, w := range ws {
		if from, to, ok := plateauSpan(l, w, iv); ok && at > from-gap && at < to+gap {
			return fmt.Errorf("within %s of the %s plateau", oomClearance, w.Day)
		}
		a0, a1 := l.active(w)
		if span := a1 - a0; span >= int64(SpikeMinActive/time.Second) {
			s0 := alignDown(a0+span*85/100, iv)
			if at > s0-gap && at < s0+2*iv+gap {
				return fmt.Errorf("within %s of the %s spike", oomClearance, w.Day)
			}
		}
	}
	return nil
}

func (lv Levels) check(whole bool) error {
	if !(lv.Base >= 0 && lv.Base < lv.Plateau && lv.Plateau < lv.Spike) || math.IsInf(lv.Spike, 0) {
		return fmt.Errorf("levels %+v: want 0 ≤ base < plateau < spike", lv)
	}
	if whole && (lv.Base != math.Trunc(lv.Base) || lv.Plateau != math.Trunc(lv.Plateau) || lv.Spike != math.Trunc(lv.Spike)) {
		return fmt.Errorf("levels %+v: bytes must be whole", lv)
	}
	return nil
}
