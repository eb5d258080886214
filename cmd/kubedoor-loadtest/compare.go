package main

import (
	"fmt"
	"io"
	"slices"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
)

const (
	hookNone  = "none"
	hookAllow = "allow" // reference: allowed, no patch
	hookPatch = "patch" // reference: ours's patch, precomputed
	hookOurs  = "kubedoor"
)

// hook is one configuration the CREATEs are measured under; reg is nil for none, pid the
// serving process whose CPU is read.
type hook struct {
	name string
	reg  *admissionregistrationv1.MutatingWebhookConfiguration
	pid  int
	// kubedoor is set for ours and its variants (registration is awaited by a denied probe).
	kubedoor *webhook
}

// baseline is the measurement without a webhook of r's object, clients and round.
func baseline(rs []result, r result) (result, bool) {
	return find(rs, r, hookNone)
}

func find(rs []result, r result, name string) (result, bool) {
	for _, b := range rs {
		if b.hook == name && b.object == r.object && b.clients == r.clients && b.round == r.round {
			return b, true
		}
	}
	return result{}, false
}

// added is what a webhook adds over none: apiserver + webhook CPU per create (ms; with none the
// apiserver's alone), p50 and p99 (ms).
func added(off, on result) (cpu, p50, p99 float64) {
	ms := func(v int64) float64 { return float64(v) / 1000 }
	cpu = ms((on.apiCPU + on.hookCPU - off.apiCPU).Microseconds())
	return cpu, ms((on.p50 - off.p50).Microseconds()), ms((on.p99 - off.p99).Microseconds())
}

// compare prints ours against the two references: what each adds over no webhook, and ours's
// additions and throughput as ratios to each reference's.
func compare(w io.Writer, rs []result) {
	fmt.Fprintf(w, "\nAdded over no webhook (CPU = apiserver + webhook, ms per create) and ratios of ours to the references:\n\n")
	fmt.Fprintf(w, "| object | clients | round | webhook | +CPU ms | +p50 ms | +p99 ms | creates/s | ours/this +CPU | ours/this +p50 | ours/this +p99 | ours/this creates/s |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	ratio := func(a, b float64) string {
		if b <= 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f", a/b)
	}
	for _, r := range rs {
		off, ok := baseline(rs, r)
		if !ok || !r.webhook {
			continue
		}
		ours, ok := find(rs, r, hookOurs)
		if !ok {
			continue
		}
		cpu, p50, p99 := added(off, r)
		oc, o50, o99 := added(off, ours)
		fmt.Fprintf(w, "| %s | %d | %d | %s | %.2f | %.1f | %.1f | %.0f | %s | %s | %s | %s |\n", r.object, r.clients, r.round, r.hook,
			cpu, p50, p99, r.rate, ratio(oc, cpu), ratio(o50, p50), ratio(o99, p99), ratio(ours.rate, r.rate))
	}
}

// medians prints, per object, client count and webhook, the median over the rounds of each
// figure, and each webhook's as a ratio to the constant-patch reference's medians (the issue's
// yardstick); webhook CPU is the serving process's own, +CPU adds what the apiserver spent
// over the same round without a webhook.
func medians(w io.Writer, rs []result, hooks []hook) {
	fmt.Fprintf(w, "\nMedians over the rounds, and ratios to the constant-patch reference's medians (load: 1-min load average at the measurements' start, min–max):\n\n")
	fmt.Fprintf(w, "| object | clients | webhook | load | apiserver CPU ms/create | webhook CPU ms/create | +CPU ms/create | p50 ms | p99 ms | +p50 ms | +p99 ms | creates/s | ÷ patch: webhook CPU | +CPU | +p50 | +p99 | creates/s |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	type key struct {
		object  string
		clients int
	}
	var keys []key
	for _, r := range rs {
		if k := (key{r.object, r.clients}); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	type row struct{ load, loadMax, api, hook, cpu, p50, p99, d50, d99, rate float64 }
	summarize := func(k key, name string) (row, bool) {
		var load, api, hk, cpu, p50, p99, d50, d99, rate []float64
		for _, r := range rs {
			if r.object != k.object || r.clients != k.clients || r.hook != name {
				continue
			}
			load, api, hk, p50, p99, rate = append(load, r.load), append(api, ms(r.apiCPU)), append(hk, ms(r.hookCPU)), append(p50, ms(r.p50)), append(p99, ms(r.p99)), append(rate, r.rate)
			if off, ok := baseline(rs, r); ok && r.webhook {
				c, a50, a99 := added(off, r)
				cpu, d50, d99 = append(cpu, c), append(d50, a50), append(d99, a99)
			}
		}
		if len(api) == 0 {
			return row{}, false
		}
		return row{median(load), slices.Max(load), median(api), median(hk), median(cpu), median(p50), median(p99), median(d50), median(d99), median(rate)}, true
	}
	ratio := func(a, b float64) string {
		if b <= 0 || a < 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f", a/b)
	}
	for _, k := range keys {
		ref, haveRef := summarize(k, hookPatch)
		for _, h := range hooks {
			m, ok := summarize(k, h.name)
			if !ok {
				continue
			}
			loads := fmt.Sprintf("%.1f–%.1f", minLoad(rs, k.object, k.clients, h.name), m.loadMax)
			if h.name == hookNone {
				fmt.Fprintf(w, "| %s | %d | none | %s | %.2f | (%.2f ours idle) | – | %.1f | %.1f | – | – | %.0f | | | | | |\n",
					k.object, k.clients, loads, m.api, m.hook, m.p50, m.p99, m.rate)
				continue
			}
			fmt.Fprintf(w, "| %s | %d | %s | %s | %.2f | %.2f | %.2f | %.1f | %.1f | %.1f | %.1f | %.0f |", k.object, k.clients, h.name, loads,
				m.api, m.hook, m.cpu, m.p50, m.p99, m.d50, m.d99, m.rate)
			if haveRef && h.name != hookPatch {
				fmt.Fprintf(w, " %s | %s | %s | %s | %s |\n", ratio(m.hook, ref.hook), ratio(m.cpu, ref.cpu), ratio(m.d50, ref.d50), ratio(m.d99, ref.d99), ratio(m.rate, ref.rate))
			} else {
				fmt.Fprintf(w, " | | | | |\n")
			}
		}
	}
}

func minLoad(rs []result, object string, clients int, name string) float64 {
	lo := -1.0
	for _, r := range rs {
		if r.object == object && r.clients == clients && r.hook == name && (lo < 0 || r.load < lo) {
			lo = r.load
		}
	}
	return lo
}

// median of vs (the mean of the middle two for an even count); 0 for none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}
