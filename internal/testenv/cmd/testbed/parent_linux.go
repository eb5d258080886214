package main

import (
	"fmt"
	"os"
	"syscall"
)

// stopWithParent asks the kernel for SIGTERM when our parent dies. Under `go run` the parent is
// the go command: a script that starts `go run … up &` and later kills $! kills only the go
// command, and without this the cluster would run on, orphaned.
func stopWithParent() error {
	const prSetPdeathsig = 1
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetPdeathsig, uintptr(syscall.SIGTERM), 0); errno != 0 {
		return fmt.Errorf("prctl(PR_SET_PDEATHSIG): %w", errno)
	}
	if os.Getppid() == 1 { // the parent died before the request took effect
		return syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}
	return nil
}
