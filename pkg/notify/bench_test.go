package notify

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

// BenchmarkNotifyBurst is the cost to a caller (e.g. the denial path) of one Notify during a
// burst: three subscribed channels, the same key, so nearly every call is held back. Nothing is
// delivered (no Run), which is the worst case for the queue: it stays full.
func BenchmarkNotifyBurst(b *testing.B) {
	chans := []settings.Channel{
		channel("a", KindWebhook, "http://127.0.0.1:1/a", EventDenied),
		channel("b", KindSlack, "http://127.0.0.1:1/b", EventDenied),
		channel("c", KindWeCom, "http://127.0.0.1:1/c", EventDenied),
	}
	d := NewDispatcher(Options{Channels: func() []settings.Channel { return chans }, Log: slog.New(slog.DiscardHandler)})
	e := Event{Kind: EventDenied, Cluster: "prod-a", Key: "shop/checkout", Title: "denied"}
	b.ReportAllocs()
	for b.Loop() {
		d.Notify(b.Context(), e)
	}
}

// BenchmarkNotifyManyKeys: every call a new key (10,000 workloads denied once each).
func BenchmarkNotifyManyKeys(b *testing.B) {
	chans := []settings.Channel{channel("a", KindWebhook, "http://127.0.0.1:1/a", EventDenied)}
	d := NewDispatcher(Options{Channels: func() []settings.Channel { return chans }, QueueSize: 1 << 20, Log: slog.New(slog.DiscardHandler)})
	keys := make([]string, 10000)
	for i := range keys {
		keys[i] = fmt.Sprintf("ns%d/w%d", i%50, i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Notify(b.Context(), Event{Kind: EventDenied, Key: keys[i%len(keys)], Title: "denied"})
		i++
	}
}
