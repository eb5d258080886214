package denialwatch

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
)

func TestOnlyTheBackendHoldingAClusterSendsItsDenials(t *testing.T) {
	n := &notes{}
	l := leaderOnly{n: n, elsewhere: func(c string) bool { return c == "held-elsewhere" }}
	l.Notify(t.Context(), notify.Event{Kind: notify.EventDenied, Cluster: "held-elsewhere", Key: "shop/a"})
	l.Notify(t.Context(), notify.Event{Kind: notify.EventDenied, Cluster: "held-here", Key: "shop/b"})
	if got := n.waitFor(t, 1); len(got) != 1 || got[0].Key != "shop/b" {
		t.Fatalf("notified %+v; want only the cluster this backend holds", got)
	}
}

// notes records notifications.
type notes struct {
	mu  sync.Mutex
	got []notify.Event
}

func (n *notes) Notify(_ context.Context, e notify.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, e)
}

func (n *notes) waitFor(t *testing.T, count int) []notify.Event {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		n.mu.Lock()
		got := append([]notify.Event(nil), n.got...)
		n.mu.Unlock()
		if len(got) >= count {
			return got
		}
	}
	t.Fatalf("want %d notifications, got %d", count, len(n.got))
	return nil
}
