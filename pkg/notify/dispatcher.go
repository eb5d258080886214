package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

// Options tune a Dispatcher; zero fields take the defaults in brackets.
type Options struct {
	// Channels returns the channels in force (with their secrets); called per event, so saved
	// settings apply at once.
	Channels func() []settings.Channel
	// QueueSize bounds the messages waiting for delivery [256]; beyond it new ones are dropped
	// (and logged), so a dead receiver cannot grow memory.
	QueueSize int
	// Senders is how many deliveries run at once [2].
	Senders int
	// Timeout bounds one delivery attempt [10s].
	Timeout time.Duration
	// PerKeyEvery and PerKeyBurst limit messages per (channel, event kind, event key):
	// a burst of PerKeyBurst, then one per PerKeyEvery [3 per 10m].
	PerKeyEvery time.Duration
	PerKeyBurst int
	// PerChannelEvery and PerChannelBurst limit each channel overall, below the robots' own
	// limits (WeCom and DingTalk allow 20 a minute) [20, then one per 3s].
	PerChannelEvery time.Duration
	PerChannelBurst int
	Client          *http.Client // [a client without its own timeout; Timeout applies]
	Log             *slog.Logger
	Now             func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Channels == nil {
		o.Channels = func() []settings.Channel { return nil }
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 256
	}
	if o.Senders <= 0 {
		o.Senders = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.PerKeyEvery <= 0 {
		o.PerKeyEvery = 10 * time.Minute
	}
	if o.PerKeyBurst <= 0 {
		o.PerKeyBurst = 3
	}
	if o.PerChannelEvery <= 0 {
		o.PerChannelEvery = 3 * time.Second
	}
	if o.PerChannelBurst <= 0 {
		o.PerChannelBurst = 20
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Dispatcher is the process's Notifier. Notify queues; Run delivers. Safe for concurrent use.
type Dispatcher struct {
	o     Options
	queue chan delivery

	mu        sync.Mutex
	keys      map[string]*keyState
	lastSweep time.Time
	channels  map[string]*rate.Limiter
	dropped   uint64
}

type keyState struct {
	lim        *rate.Limiter
	suppressed int
	since      time.Time
	lastUsed   time.Time
}

type delivery struct {
	ch  settings.Channel
	msg message
}

// NewDispatcher returns a Dispatcher; start delivering with Run.
func NewDispatcher(o Options) *Dispatcher {
	o = o.withDefaults()
	return &Dispatcher{o: o, queue: make(chan delivery, o.QueueSize), keys: map[string]*keyState{}, channels: map[string]*rate.Limiter{}}
}

var _ Notifier = (*Dispatcher)(nil)

// Notify queues e for every enabled channel subscribed to its kind and cluster, unless the
// channel's rate limit for e's kind and key holds it back (it is then counted and mentioned in
// the next message that passes). It never blocks.
func (d *Dispatcher) Notify(_ context.Context, e Event) {
	if e.At.IsZero() {
		e.At = d.o.Now()
	}
	for _, ch := range d.o.Channels() {
		if !ch.Enabled || (ch.Cluster != "" && ch.Cluster != e.Cluster) || !slices.Contains(ch.Events, e.Kind) {
			continue
		}
		msg, ok := d.admit(ch.ID, e)
		if !ok {
			continue
		}
		select {
		case d.queue <- delivery{ch: ch, msg: msg}:
		default:
			d.mu.Lock()
			d.dropped++
			n := d.dropped
			d.mu.Unlock()
			d.o.Log.Warn("notification dropped: delivery queue full", "channel", ch.ID, "event", e.Kind, "key", e.Key, "droppedTotal", n)
		}
	}
}

// admit applies the per-key and per-channel limits at queueing time, so a burst never fills the
// queue, and reports the message to send with the count it absorbed.
func (d *Dispatcher) admit(channelID string, e Event) (message, bool) {
	now := d.o.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sweep(now)
	k := channelID + "\x00" + e.Kind + "\x00" + e.Key
	st, ok := d.keys[k]
	if !ok {
		st = &keyState{lim: rate.NewLimiter(rate.Every(d.o.PerKeyEvery), d.o.PerKeyBurst)}
		d.keys[k] = st
	}
	st.lastUsed = now
	cl, ok := d.channels[channelID]
	if !ok {
		cl = rate.NewLimiter(rate.Every(d.o.PerChannelEvery), d.o.PerChannelBurst)
		d.channels[channelID] = cl
	}
	// The key's limit first: a message it holds back must not use up the channel's budget.
	if !st.lim.AllowN(now, 1) {
		d.holdBack(st, now, channelID, e, "per-event limit")
		return message{}, false
	}
	if !cl.AllowN(now, 1) {
		d.holdBack(st, now, channelID, e, "per-channel limit")
		return message{}, false
	}
	m := message{Event: e, Suppressed: st.suppressed, Since: st.since}
	st.suppressed, st.since = 0, time.Time{}
	return m, true
}

func (d *Dispatcher) holdBack(st *keyState, now time.Time, channelID string, e Event, why string) {
	if st.suppressed == 0 {
		st.since = now
	}
	st.suppressed++
	d.o.Log.Debug("notification held back", "channel", channelID, "event", e.Kind, "key", e.Key, "reason", why, "heldBack", st.suppressed)
}

// Bounds of the per-key state: swept at most once a minute from sweepAt keys on, and never
// allowed past maxKeys (a flood of distinct keys).
const (
	sweepAt = 10000
	maxKeys = 100000
)

// sweep forgets keys whose limiter is full again (idle for Burst × Every) and that hold back
// nothing: forgetting those changes no decision. Only past maxKeys does it forget more (their
// held-back counts, which only shortens a later message).
func (d *Dispatcher) sweep(now time.Time) {
	if len(d.keys) < sweepAt || (now.Sub(d.lastSweep) < time.Minute && len(d.keys) < maxKeys) {
		return
	}
	d.lastSweep = now
	full := d.o.PerKeyEvery * time.Duration(d.o.PerKeyBurst)
	for k, st := range d.keys {
		if st.suppressed == 0 && now.Sub(st.lastUsed) >= full {
			delete(d.keys, k)
		}
	}
	if len(d.keys) >= maxKeys {
		d.o.Log.Warn("notification rate-limit state reset: too many distinct event keys", "keys", len(d.keys))
		clear(d.keys)
	}
}

// Name names the worker in the process's logs.
func (d *Dispatcher) Name() string { return "notifications" }

// Run delivers queued messages until ctx ends (pkg/service runs it). Channels come from
// Options.Channels.
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range d.o.Senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case job := <-d.queue:
					if _, err := d.send(ctx, job.ch, job.msg); err != nil {
						d.o.Log.Warn("notification not delivered", "channel", job.ch.ID, "kind", job.ch.Kind, "event", job.msg.Kind, "key", job.msg.Key, "error", err)
					} else {
						d.o.Log.Debug("notification delivered", "channel", job.ch.ID, "event", job.msg.Kind, "key", job.msg.Key)
					}
				}
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// TestResult is the answer of a test send.
type TestResult struct {
	OK     bool   `json:"ok"`
	Status int    `json:"status"` // the receiver's HTTP status; 0 when none was reached
	Error  string `json:"error,omitempty"`
}

// ErrNoChannel is returned by Test for an unknown channel id.
var ErrNoChannel = refusal.Kind(refusal.ErrNotFound, "no notification channel with this id")

// Test sends a test message to channel id now, bypassing queue and rate limits, and reports
// what the receiver said. A disabled channel is tested too: that is how one checks it first.
func (d *Dispatcher) Test(ctx context.Context, id, by string) (TestResult, error) {
	i := slices.IndexFunc(d.o.Channels(), func(c settings.Channel) bool { return c.ID == id })
	if i < 0 {
		return TestResult{}, fmt.Errorf("%w: %q", ErrNoChannel, id)
	}
	ch := d.o.Channels()[i]
	msg := message{Event: Event{
		Kind: EventTest, Cluster: ch.Cluster, Key: "test", Title: "test message",
		Text: fmt.Sprintf("Channel %q (%s) works. Sent by %s.", ch.Name, ch.Kind, by), At: d.o.Now(),
	}}
	status, err := d.send(ctx, ch, msg)
	if err != nil {
		return TestResult{Status: status, Error: err.Error()}, nil
	}
	return TestResult{OK: true, Status: status}, nil
}

// send delivers one message, retrying once after a network error, 429 or 5xx.
func (d *Dispatcher) send(ctx context.Context, ch settings.Channel, m message) (int, error) {
	target, err := TargetURL(ch.Kind, ch.Secret)
	if err != nil {
		return 0, fmt.Errorf("channel %s: %w", ch.ID, err)
	}
	body, err := Payload(ch.Kind, m)
	if err != nil {
		return 0, fmt.Errorf("channel %s: %w", ch.ID, err)
	}
	var status int
	for attempt := 1; ; attempt++ {
		var retry bool
		status, retry, err = d.post(ctx, ch.Kind, target, body)
		if err == nil || !retry || attempt == 2 || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	if err != nil {
		return status, fmt.Errorf("channel %s (%s): %w", ch.ID, ch.Kind, err)
	}
	return status, nil
}

func (d *Dispatcher) post(ctx context.Context, kind, target string, body []byte) (status int, retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, d.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, false, fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "kubedoor-notify")
	resp, err := d.o.Client.Do(req)
	if err != nil {
		// url.Error carries the URL, which may hold the key: report the cause only.
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) && ue.Unwrap() != nil {
			err = ue.Unwrap()
		}
		return 0, true, fmt.Errorf("posting: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err := CheckResponse(kind, resp.StatusCode, b); err != nil {
		return resp.StatusCode, resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500, err
	}
	return resp.StatusCode, false, nil
}
