package service

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"
)

// Worker is background work that lives as long as the process: daily collection, schedules,
// policy reconciliation. It must not wait for Grafana to create an app instance.
type Worker interface {
	Name() string
	// Run works until ctx ends. Its dependencies (often this Service, as a source of snapshots
	// and of settings changes) are given when it is built, by pkg/backend.
	Run(ctx context.Context) error
}

// Go runs w in its own goroutine until ctx ends, restarting it after an error or a panic with
// a capped exponential backoff, so one failing worker neither dies silently nor spins.
func (s *Service) Go(ctx context.Context, w Worker) {
	go func() {
		backoff := time.Second
		for ctx.Err() == nil {
			start := time.Now()
			err := runGuarded(ctx, w)
			if ctx.Err() != nil {
				return
			}
			if time.Since(start) > time.Minute {
				backoff = time.Second // it ran for a while: a fresh failure, not a crash loop
			}
			s.log.Error("background worker stopped; restarting", "worker", w.Name(), "error", err, "in", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 5*time.Minute)
		}
	}()
}

func runGuarded(ctx context.Context, w Worker) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	if err := w.Run(ctx); err != nil {
		return err
	}
	return fmt.Errorf("returned before its context ended")
}

// Changed returns a channel that is closed the next time settings are applied.
func (s *Service) Changed() <-chan struct{} {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.changed
}
