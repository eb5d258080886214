package chdb

import (
	"syscall"
	"unsafe"
)

// The engine installs (or, when told not to, resets to SIG_DFL) handlers for SIGSEGV, SIGBUS,
// SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGTSTP and SIGSYS while it initialises. Either way the Go
// runtime loses them, and a nil dereference anywhere in the process then kills it instead of
// panicking (checked by TestGoRuntimeKeepsItsSignals). So the dispositions are saved before
// the engine is called and written back after.

// kernelSigaction holds the kernel's struct sigaction (handler, flags, restorer, mask) on
// 64-bit Linux; it is only ever read from and written back to the kernel, never interpreted.
type kernelSigaction [4]uint64

const maxSignal = 64

type signalState [maxSignal + 1]*kernelSigaction

func saveSignals() *signalState {
	var s signalState
	for sig := 1; sig <= maxSignal; sig++ {
		var act kernelSigaction
		if rtSigaction(sig, nil, &act) == nil {
			s[sig] = &act
		}
	}
	return &s
}

func (s *signalState) restore() {
	for sig := 1; sig <= maxSignal; sig++ {
		if s[sig] != nil && sig != int(syscall.SIGKILL) && sig != int(syscall.SIGSTOP) {
			_ = rtSigaction(sig, s[sig], nil)
		}
	}
}

func rtSigaction(sig int, act, old *kernelSigaction) error {
	const sigsetSize = 8 // the kernel's sigset_t on 64-bit Linux
	_, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig),
		uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), sigsetSize, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
