// Package notify sends short operational messages (new workloads, actions, schedule failures,
// enforcement switches, denials) to chat webhooks: WeCom, DingTalk, Feishu, Slack, or a generic
// JSON webhook. Delivery is asynchronous through a bounded queue with per-request timeouts, so a
// slow receiver never holds up an action, and rate-limited per channel and event key, so a burst
// of identical events (one per admission, say) becomes one message and a count.
package notify

import (
	"context"
	"time"
)

// Event kinds; a channel subscribes to some of them (settings.Channel.Events).
const (
	EventNewWorkload        = "newWorkload"
	EventActionDone         = "actionDone"
	EventActionFailed       = "actionFailed"
	EventScheduleFailed     = "scheduleFailed"
	EventEnforcementChanged = "enforcementChanged"
	EventDenied             = "denied"
	// EventTest is sent only by Dispatcher.Test, to the one channel being tested.
	EventTest = "test"
)

// Kinds lists the event kinds a channel may subscribe to.
var Kinds = []string{EventNewWorkload, EventActionDone, EventActionFailed, EventScheduleFailed, EventEnforcementChanged, EventDenied}

// Event is one thing worth telling people about.
type Event struct {
	Kind    string
	Cluster string // "" when not about one cluster
	// Key groups events for rate limiting together with Kind, e.g. "shop/checkout" for a denial
	// of that workload; "" groups every event of the kind.
	Key    string
	Title  string
	Text   string  // a sentence or a few lines of plain text
	Fields []Field // shown as "name: value" lines, in order
	At     time.Time
}

// Field is one labelled value in a message.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Notifier is what the rest of the backend calls. Notify never blocks on delivery and never
// fails: a message that cannot be queued or delivered is logged.
type Notifier interface {
	Notify(ctx context.Context, e Event)
}

// Discard is a Notifier that drops everything (no channels wired).
type Discard struct{}

// Notify drops e.
func (Discard) Notify(context.Context, Event) {}
