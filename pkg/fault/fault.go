// Package fault is fault injection for the reliability tests (docs/reliability.md).
// KUBEDOOR_FAULT names one point at which the process kills itself with SIGKILL, as `kill -9` or
// the OOM killer would, so a test can check what a crash there leaves behind and how the next
// start repairs it. Unset (always, outside those tests), Crash does nothing.
package fault

import (
	"log/slog"
	"os"
)

// Env names the point to crash at.
const Env = "KUBEDOOR_FAULT"

// Points.
const (
	// AfterControlWrite: a control-table version is stored, its audit entry is not yet.
	AfterControlWrite = "after-control-write"
	// AfterCollectionDay: a collection job stored a day's rows and saved its progress; the job
	// has not finished.
	AfterCollectionDay = "after-collection-day"
	// AfterActionWrite: an action on a cluster (scale, restart, …; by a user or a schedule run)
	// has begun its pending audit entry and written to Kubernetes; its result entry is not yet
	// recorded, nor, in a schedule run, the run's end.
	AfterActionWrite = "after-action-write"
	// AfterSettingsWrite: a cluster's settings version is stored, its audit entry is not yet.
	AfterSettingsWrite = "after-settings-write"
)

// point is read once: the points sit on request and job paths.
var point = os.Getenv(Env)

// Crash kills the process at name when KUBEDOOR_FAULT names it.
func Crash(log *slog.Logger, name string) {
	if point != name {
		return
	}
	log.Warn("KUBEDOOR_FAULT: killing the process", "point", name)
	p, err := os.FindProcess(os.Getpid())
	if err == nil {
		err = p.Kill() // SIGKILL on Unix: no deferred function, no flush, no goodbye
	}
	log.Error("KUBEDOOR_FAULT: the process could not kill itself", "point", name, "error", err)
}
