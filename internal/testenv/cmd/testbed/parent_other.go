//go:build !linux

package main

// stopWithParent is Linux-only (prctl); elsewhere the testbed stops on its own signals only.
func stopWithParent() error { return nil }
