package pause

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestWaitWaitsOrEndsWithTheRequest(t *testing.T) {
	start := time.Now()
	if err := Wait(t.Context(), 20*time.Millisecond); err != nil || time.Since(start) < 20*time.Millisecond {
		t.Fatalf("Wait returned %v after %s, want nil after at least 20ms", err, time.Since(start))
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start = time.Now()
	if err := Wait(ctx, time.Hour); !errors.Is(err, context.Canceled) || time.Since(start) > time.Minute {
		t.Fatalf("Wait on an ended request returned %v after %s, want context.Canceled at once", err, time.Since(start))
	}
}
