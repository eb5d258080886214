//go:build !linux

package chdb

// signalState is a no-op where libchdb is not shipped (it is built for Linux only).
type signalState struct{}

func saveSignals() *signalState { return &signalState{} }

func (*signalState) restore() {}
