package testenv

import "syscall"

const (
	sigTerm = syscall.SIGTERM
	sigKill = syscall.SIGKILL
)

// childProcAttr puts a component in its own process group (Stop signals the group, and a Ctrl-C
// on the terminal reaches only the parent, which then stops everything in order) and has the
// kernel kill it when the parent dies, so a panicking or killed test leaves no orphan cluster.
// Pdeathsig follows the parent *thread*; Go only ends threads of goroutines that exit while
// locked to them, which nothing starting a cluster does.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func signalGroup(pgid int, sig syscall.Signal) error { return syscall.Kill(-pgid, sig) }

// processAlive reports whether pid names a live (not yet reaped) process.
func processAlive(pid int) bool { return syscall.Kill(pid, 0) == nil }
