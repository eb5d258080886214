package service

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

type flakyWorker struct {
	runs  atomic.Int32
	panic bool
}

func (f *flakyWorker) Name() string { return "flaky" }

func (f *flakyWorker) Run(ctx context.Context) error {
	n := f.runs.Add(1)
	if n == 1 {
		if f.panic {
			panic("first run blows up")
		}
		return errors.New("first run fails")
	}
	<-ctx.Done()
	return ctx.Err()
}

func TestAFailedOrPanickingWorkerIsRestarted(t *testing.T) {
	for _, panics := range []bool{false, true} {
		w := &flakyWorker{panic: panics}
		s := newTestService(&recordingOpener{})
		ctx, cancel := context.WithCancel(t.Context())
		s.Go(ctx, w)
		deadline := time.Now().Add(5 * time.Second)
		for w.runs.Load() < 2 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		if got := w.runs.Load(); got != 2 {
			t.Fatalf("panics=%v: runs %d, want a restart after the failure", panics, got)
		}
	}
}

func TestChangedFiresOnApply(t *testing.T) {
	s := newTestService(&recordingOpener{})
	ch := s.Changed()
	select {
	case <-ch:
		t.Fatal("fired before any Apply")
	default:
	}
	if err := s.Apply(t.Context(), settings.Default()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	case <-time.After(time.Second):
		t.Fatal("Apply did not signal the change")
	}
	if s.Changed() == ch {
		t.Fatal("the next Changed must be a fresh channel")
	}
}
