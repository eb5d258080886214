package main

import (
	"fmt"
	"io"

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
