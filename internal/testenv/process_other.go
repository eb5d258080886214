//go:build !linux

package testenv

import (
	"errors"
	"syscall"
)

// The testbed runs on Linux (CI and the dev machines); elsewhere the package still compiles so
// that packages importing its path helpers build, but starting processes is refused.

const (
	sigTerm = syscall.Signal(15)
	sigKill = syscall.Signal(9)
)

var errUnsupported = errors.New("testenv processes are supported on linux only")

func childProcAttr() *syscall.SysProcAttr { return nil }

func signalGroup(int, syscall.Signal) error { return errUnsupported }

func processAlive(int) bool { return false }
