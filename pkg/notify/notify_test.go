package notify

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

// receiver is a local HTTP server standing in for a chat robot: it records each body and
// answers what the real one answers on success.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	paths  []string
	got    chan struct{}
}

func newReceiver(t *testing.T, answer string, status int, delay time.Duration) *receiver {
	r := &receiver{got: make(chan struct{}, 1000)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		if ct := req.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("content type %q", ct)
		}
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-req.Context().Done():
			}
		}
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.paths = append(r.paths, req.URL.Path)
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
		r.got <- struct{}{}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) wait(t *testing.T, n int) [][]byte {
	t.Helper()
	for range n {
		select {
		case <-r.got:
		case <-time.After(10 * time.Second):
			t.Fatalf("receiver got %d of %d messages", len(r.all()), n)
		}
	}
	return r.all()
}

func (r *receiver) all() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...)
}

// okAnswers are the success answers of each robot.
var okAnswers = map[string]string{
	KindWeCom:    `{"errcode":0,"errmsg":"ok"}`,
	KindDingTalk: `{"errcode":0,"errmsg":"ok"}`,
	KindFeishu:   `{"code":0,"msg":"success","data":{}}`,
	KindSlack:    `ok`,
	KindWebhook:  ``,
}

func start(t *testing.T, o Options) *Dispatcher {
	t.Helper()
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	d := NewDispatcher(o)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { _ = d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return d
}

func channel(id, kind, secret string, events ...string) settings.Channel {
	return settings.Channel{ID: id, Kind: kind, Name: id, Events: events, Enabled: true, Secret: secret}
}

var failedScale = Event{
	Kind: EventActionFailed, Cluster: "prod-a", Key: "scale", Title: "scale failed for 1 of 2 workloads",
	Text: "shop/checkout: deployments.apps \"checkout\" not found", At: time.Date(2026, 3, 1, 15, 30, 0, 0, time.UTC),
	Fields: []Field{{"Cluster", "prod-a"}, {"By", "ed"}},
}

func TestEachChannelKindReceivesItsOwnPayloadShape(t *testing.T) {
	tests := []struct {
		kind  string
		check func(t *testing.T, v map[string]any)
	}{
		{KindWeCom, func(t *testing.T, v map[string]any) {
			md := v["markdown"].(map[string]any)["content"].(string)
			if v["msgtype"] != "markdown" || !strings.HasPrefix(md, "### KubeDoor [prod-a]: scale failed") || !strings.Contains(md, "**By**: ed") {
				t.Fatalf("wecom payload %v", v)
			}
		}},
		{KindDingTalk, func(t *testing.T, v map[string]any) {
			md := v["markdown"].(map[string]any)
			if v["msgtype"] != "markdown" || md["title"] != "KubeDoor [prod-a]: scale failed for 1 of 2 workloads" || !strings.Contains(md["text"].(string), "not found") {
				t.Fatalf("dingtalk payload %v", v)
			}
		}},
		{KindFeishu, func(t *testing.T, v map[string]any) {
			card := v["card"].(map[string]any)
			header := card["header"].(map[string]any)
			el := card["elements"].([]any)[0].(map[string]any)["text"].(map[string]any)
			if v["msg_type"] != "interactive" || header["template"] != "red" ||
				header["title"].(map[string]any)["content"] != "KubeDoor [prod-a]: scale failed for 1 of 2 workloads" ||
				el["tag"] != "lark_md" || !strings.Contains(el["content"].(string), "**Cluster**: prod-a") {
				t.Fatalf("feishu payload %v", v)
			}
		}},
		{KindSlack, func(t *testing.T, v map[string]any) {
			blocks := v["blocks"].([]any)
			head := blocks[0].(map[string]any)
			sec := blocks[1].(map[string]any)["text"].(map[string]any)
			if v["text"] != "KubeDoor [prod-a]: scale failed for 1 of 2 workloads" || head["type"] != "header" ||
				sec["type"] != "mrkdwn" || !strings.Contains(sec["text"].(string), "*By*: ed") {
				t.Fatalf("slack payload %v", v)
			}
		}},
		{KindWebhook, func(t *testing.T, v map[string]any) {
			var g GenericMessage
			b, _ := json.Marshal(v)
			if err := json.Unmarshal(b, &g); err != nil {
				t.Fatal(err)
			}
			if g.Source != "kubedoor" || g.Kind != EventActionFailed || g.Cluster != "prod-a" || g.Key != "scale" ||
				g.At != "2026-03-01T15:30:00Z" || len(g.Fields) != 2 || g.Fields[1] != (Field{"By", "ed"}) {
				t.Fatalf("generic payload %+v", g)
			}
		}},
	}
	for _, tt := range tests {
		t.Run("a "+tt.kind+" channel gets its payload", func(t *testing.T) {
			rcv := newReceiver(t, okAnswers[tt.kind], 200, 0)
			d := start(t, Options{Channels: func() []settings.Channel {
				return []settings.Channel{channel("c", tt.kind, rcv.URL+"/hook", EventActionFailed)}
			}})
			d.Notify(t.Context(), failedScale)
			got := rcv.wait(t, 1)
			var v map[string]any
			if err := json.Unmarshal(got[0], &v); err != nil {
				t.Fatalf("not JSON: %s", got[0])
			}
			tt.check(t, v)
		})
	}
}

func TestOnlySubscribedEnabledChannelsOfTheClusterGetAnEvent(t *testing.T) {
	rcv := newReceiver(t, "", 200, 0)
	all := []settings.Channel{
		channel("subscribed", KindWebhook, rcv.URL+"/subscribed", EventActionFailed),
		channel("other-event", KindWebhook, rcv.URL+"/other-event", EventDenied),
		{ID: "disabled", Kind: KindWebhook, Events: []string{EventActionFailed}, Secret: rcv.URL + "/disabled"},
		{ID: "other-cluster", Kind: KindWebhook, Cluster: "prod-b", Events: []string{EventActionFailed}, Enabled: true, Secret: rcv.URL + "/other-cluster"},
		{ID: "same-cluster", Kind: KindWebhook, Cluster: "prod-a", Events: []string{EventActionFailed}, Enabled: true, Secret: rcv.URL + "/same-cluster"},
	}
	d := start(t, Options{Channels: func() []settings.Channel { return all }})
	d.Notify(t.Context(), failedScale)
	rcv.wait(t, 2)
	time.Sleep(200 * time.Millisecond) // a wrongly sent third message would arrive by now
	rcv.mu.Lock()
	paths := rcv.paths
	rcv.mu.Unlock()
	if len(paths) != 2 || !strings.Contains(strings.Join(paths, ","), "/subscribed") || !strings.Contains(strings.Join(paths, ","), "/same-cluster") {
		t.Fatalf("delivered to %v", paths)
	}
}

func TestABurstOfOneEventIsHeldBackAndCountedInTheNextMessage(t *testing.T) {
	rcv := newReceiver(t, "", 200, 0)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var clock sync.Mutex
	d := start(t, Options{
		Channels:    func() []settings.Channel { return []settings.Channel{channel("c", KindWebhook, rcv.URL, EventDenied)} },
		PerKeyEvery: time.Minute, PerKeyBurst: 2,
		Now: func() time.Time { clock.Lock(); defer clock.Unlock(); return now },
	})
	denied := Event{Kind: EventDenied, Cluster: "prod-a", Key: "shop/checkout", Title: "denied shop/checkout"}
	for range 100 { // e.g. one per admission of a crash-looping rollout
		d.Notify(t.Context(), denied)
	}
	d.Notify(t.Context(), Event{Kind: EventDenied, Cluster: "prod-a", Key: "shop/cart", Title: "denied shop/cart"})
	got := rcv.wait(t, 3)
	time.Sleep(200 * time.Millisecond)
	if n := len(rcv.all()); n != 3 {
		t.Fatalf("101 events gave %d messages; want 2 for shop/checkout (the burst) and 1 for shop/cart", n)
	}
	_ = got

	clock.Lock()
	now = now.Add(time.Minute) // one token back
	clock.Unlock()
	d.Notify(t.Context(), denied)
	last := rcv.wait(t, 1)
	var g GenericMessage
	if err := json.Unmarshal(last[len(last)-1], &g); err != nil {
		t.Fatal(err)
	}
	if g.Key != "shop/checkout" || g.Suppressed != 98 {
		t.Fatalf("the message after the burst must count the 98 held back: %+v", g)
	}
}

func TestASlowReceiverNeverBlocksTheCaller(t *testing.T) {
	rcv := newReceiver(t, "", 200, 3*time.Second)
	d := start(t, Options{
		Channels: func() []settings.Channel {
			return []settings.Channel{channel("slow", KindWebhook, rcv.URL, EventActionDone)}
		},
		QueueSize: 2, Senders: 1, Timeout: 500 * time.Millisecond, PerKeyBurst: 1000, PerChannelBurst: 1000,
	})
	begin := time.Now()
	for i := range 50 {
		d.Notify(t.Context(), Event{Kind: EventActionDone, Key: string(rune('a' + i%26)), Title: "done"})
	}
	if took := time.Since(begin); took > 100*time.Millisecond {
		t.Fatalf("50 Notify calls against a slow receiver took %v; they must only queue", took)
	}
	d.mu.Lock()
	dropped := d.dropped
	d.mu.Unlock()
	if dropped < 40 {
		t.Fatalf("a full queue of 2 must drop the rest, dropped %d of 50", dropped)
	}
}

func TestATestSendReportsWhatTheReceiverSaid(t *testing.T) {
	refusing := newReceiver(t, `{"errcode":93000,"errmsg":"invalid webhook url"}`, 200, 0)
	accepting := newReceiver(t, okAnswers[KindFeishu], 200, 0)
	broken := newReceiver(t, `invalid_token`, 403, 0)
	chans := []settings.Channel{
		channel("wecom", KindWeCom, refusing.URL),
		channel("feishu", KindFeishu, accepting.URL),
		channel("slack", KindSlack, broken.URL),
		{ID: "nosecret", Kind: KindSlack},
	}
	d := NewDispatcher(Options{Channels: func() []settings.Channel { return chans }, Log: slog.New(slog.DiscardHandler)})
	tests := []struct {
		name, id   string
		wantOK     bool
		wantStatus int
		wantErr    string
	}{
		{"a robot that answers errcode 93000 is a failure naming it", "wecom", false, 200, "errcode 93000: invalid webhook url"},
		{"a robot that answers code 0 is a success", "feishu", true, 200, ""},
		{"a 403 is a failure with the receiver's reason", "slack", false, 403, "HTTP 403: invalid_token"},
		{"a channel without a stored URL says so", "nosecret", false, 0, "no webhook URL or key is stored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := d.Test(t.Context(), tt.id, "ada")
			if err != nil {
				t.Fatal(err)
			}
			if res.OK != tt.wantOK || res.Status != tt.wantStatus || !strings.Contains(res.Error, tt.wantErr) {
				t.Fatalf("got %+v", res)
			}
		})
	}
	if _, err := d.Test(t.Context(), "nope", "ada"); err == nil {
		t.Fatal("an unknown channel must be an error")
	}
	var v map[string]any
	if err := json.Unmarshal(accepting.all()[0], &v); err != nil || !strings.Contains(string(accepting.all()[0]), "works. Sent by ada") {
		t.Fatalf("test message %s", accepting.all()[0])
	}
}

func TestTargetURLs(t *testing.T) {
	tests := []struct {
		name, kind, secret, want, wantErr string
	}{
		{"a WeCom key becomes the robot URL", KindWeCom, "693a91f6-7xxx", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx", ""},
		{"a DingTalk token becomes the robot URL", KindDingTalk, "abc123", "https://oapi.dingtalk.com/robot/send?access_token=abc123", ""},
		{"a Feishu token becomes the hook URL", KindFeishu, "0f1e-22", "https://open.feishu.cn/open-apis/bot/v2/hook/0f1e-22", ""},
		{"a Slack key path becomes the hooks URL", KindSlack, "T000/B000/XXXX", "https://hooks.slack.com/services/T000/B000/XXXX", ""},
		{"a full URL is used as it is", KindWeCom, "https://proxy.example/wecom?key=1", "https://proxy.example/wecom?key=1", ""},
		{"the generic webhook needs a URL", KindWebhook, "token", "", "needs a full http(s) URL"},
		{"a key with a slash is refused for WeCom", KindWeCom, "a/b", "", "characters a key cannot have"},
		{"a key with a query is refused", KindDingTalk, "a&x=1", "", "characters a key cannot have"},
		{"a non-http URL is refused", KindWebhook, "file:///etc/passwd", "", "not an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TargetURL(tt.kind, tt.secret)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %q, %v; want error %q", got, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), tt.secret) {
					t.Fatalf("the error echoes the secret: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestLongTextIsCutOnARuneBoundary(t *testing.T) {
	m := message{Event: Event{Kind: EventDenied, Title: "t", Text: strings.Repeat("资源", 3000), At: time.Now()}}
	for _, kind := range []string{KindWeCom, KindDingTalk, KindFeishu, KindSlack} {
		b, err := Payload(kind, m)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 13000 || !json.Valid(b) || !strings.Contains(string(b), "…") {
			t.Fatalf("%s: %d bytes", kind, len(b))
		}
	}
}

func TestRateLimitStateStaysBoundedUnderManyKeys(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	d := NewDispatcher(Options{
		Channels: func() []settings.Channel {
			return []settings.Channel{channel("c", KindWebhook, "http://127.0.0.1:1/", EventDenied)}
		},
		PerKeyEvery: time.Minute, PerKeyBurst: 1, QueueSize: 1,
		Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler),
	})
	for i := range 3 * maxKeys {
		if i%1000 == 0 {
			now = now.Add(time.Second)
		}
		d.Notify(t.Context(), Event{Kind: EventDenied, Key: "k" + strconv.Itoa(i)})
	}
	if n := len(d.keys); n >= maxKeys {
		t.Fatalf("%d keys kept", n)
	}
}
