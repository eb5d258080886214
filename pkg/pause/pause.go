// Package pause waits between the items of a batch (actions, pod operations, pod resizes),
// returning early when the request ends.
package pause

import (
	"context"
	"time"
)

// Wait waits d, or returns ctx's error as soon as ctx ends.
func Wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
