package plugin

import (
	"log/slog"
	"os"
)

// Fault injection for the reliability tests (docs/reliability.md). KUBEDOOR_FAULT names one
// point at which the process kills itself with SIGKILL, as `kill -9` or the OOM killer would,
// so a test can check what a crash there leaves behind and how the next start repairs it.
// Unset (always, outside those tests), crashPoint does nothing.
const envFault = "KUBEDOOR_FAULT"

// Fault points.
const (
	// faultAfterControlWrite: a control-table version is stored, its audit entry is not yet.
	faultAfterControlWrite = "after-control-write"
)

// fault is read once: the points sit on request paths.
var fault = os.Getenv(envFault)

// crashPoint kills the process at point when KUBEDOOR_FAULT names it.
func crashPoint(log *slog.Logger, point string) {
	if fault != point {
		return
	}
	log.Warn("KUBEDOOR_FAULT: killing the process", "point", point)
	p, err := os.FindProcess(os.Getpid())
	if err == nil {
		err = p.Kill() // SIGKILL on Unix: no deferred function, no flush, no goodbye
	}
	log.Error("KUBEDOOR_FAULT: the process could not kill itself", "point", point, "error", err)
}
