package main

import (
	"os"
	"runtime/debug"
)

// defaultGCPercent is the webhook's GOGC unless the environment sets one. The webhook's live
// heap is its informer caches (~27 MiB with 10,000 policies and 10,000 workloads); at Go's
// default 100 the heap grows to twice that between collections and the process sat at 66–68
// MiB resident, over the 64 MiB budget; at 50 it sat at 53–56 MiB (BENCHMARKS.md, Webhook →
// Memory). The extra collections cost little on a heap this small.
const defaultGCPercent = 50

// gcPercent is the GOGC to apply and whether to apply it: none when GOGC is set, so an
// operator's choice wins.
func gcPercent(lookup func(string) (string, bool)) (int, bool) {
	if _, set := lookup("GOGC"); set {
		return 0, false
	}
	return defaultGCPercent, true
}

func applyGCDefault() {
	if p, ok := gcPercent(os.LookupEnv); ok {
		debug.SetGCPercent(p)
	}
}
