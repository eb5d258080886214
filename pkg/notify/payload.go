package notify

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Channel kinds.
const (
	KindWeCom    = "wecom"
	KindDingTalk = "dingtalk"
	KindFeishu   = "feishu"
	KindSlack    = "slack"
	KindWebhook  = "webhook"
)

// Where a bare key or token (not a URL) is sent, per kind: the vendors' documented robot
// webhook endpoints. A full http(s) URL in the secret is used as it is (proxies, private
// deployments, tests).
var keyEndpoints = map[string]string{
	KindWeCom:    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=",
	KindDingTalk: "https://oapi.dingtalk.com/robot/send?access_token=",
	KindFeishu:   "https://open.feishu.cn/open-apis/bot/v2/hook/",
	KindSlack:    "https://hooks.slack.com/services/",
}

// TargetURL returns where a channel of kind with secret (a webhook URL, or the bot's key/token)
// posts. It never echoes the secret in errors: secrets are credentials.
func TargetURL(kind, secret string) (string, error) {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return "", fmt.Errorf("no webhook URL or key is stored for the channel")
	}
	if strings.Contains(secret, "://") {
		u, err := url.Parse(secret)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", fmt.Errorf("the stored webhook URL is not an http(s) URL")
		}
		return u.String(), nil
	}
	prefix, ok := keyEndpoints[kind]
	if !ok {
		return "", fmt.Errorf("a %s channel needs a full http(s) URL, not a key", kind)
	}
	for _, r := range secret {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && !strings.ContainsRune("-_/", r) {
			return "", fmt.Errorf("the stored %s key has characters a key cannot have", kind)
		}
	}
	// Only Slack's key is a path (T…/B…/…); the others are one token.
	if kind != KindSlack && strings.Contains(secret, "/") {
		return "", fmt.Errorf("the stored %s key has characters a key cannot have", kind)
	}
	return prefix + secret, nil
}

// message is an Event ready to render, with the count of similar events held back before it.
type message struct {
	Event
	Suppressed int
	Since      time.Time // first suppressed event, when Suppressed > 0
}

// Limits of the receivers (bytes of text): WeCom markdown content ≤ 4096, Slack section ≤ 3000,
// header ≤ 150 characters. Longer text is cut with an ellipsis rather than refused.
const (
	maxMarkdown   = 3800
	maxSlackText  = 2900
	maxSlackTitle = 140
)

// Payload renders m as the JSON body kind's receiver expects.
func Payload(kind string, m message) ([]byte, error) {
	switch kind {
	case KindWeCom:
		return json.Marshal(map[string]any{
			"msgtype":  "markdown",
			"markdown": map[string]string{"content": truncate(markdownText(m, "### "), maxMarkdown)},
		})
	case KindDingTalk:
		return json.Marshal(map[string]any{
			"msgtype": "markdown",
			// DingTalk shows title in the conversation list; a robot with keyword security
			// needs its keyword in the message: "KubeDoor" is in every title.
			"markdown": map[string]string{"title": title(m), "text": truncate(markdownText(m, "#### "), maxMarkdown)},
		})
	case KindFeishu:
		template := "blue"
		if isFailure(m.Kind) {
			template = "red"
		}
		return json.Marshal(map[string]any{
			"msg_type": "interactive",
			"card": map[string]any{
				"config": map[string]bool{"wide_screen_mode": true},
				"header": map[string]any{
					"template": template,
					"title":    map[string]string{"tag": "plain_text", "content": title(m)},
				},
				"elements": []any{map[string]any{
					"tag":  "div",
					"text": map[string]string{"tag": "lark_md", "content": truncate(body(m, "**%s**: %s"), maxMarkdown)},
				}},
			},
		})
	case KindSlack:
		t := title(m)
		return json.Marshal(map[string]any{
			"text": slackEscape(t), // the notification and fallback text
			"blocks": []any{
				map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": truncate(t, maxSlackTitle)}},
				map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": truncate(slackEscape(body(m, "*%s*: %s")), maxSlackText)}},
			},
		})
	case KindWebhook:
		return json.Marshal(GenericMessage{
			Source: "kubedoor", Kind: m.Kind, Cluster: m.Cluster, Key: m.Key, Title: title(m), Text: m.Text,
			Fields: nonNilFields(m.Fields), Suppressed: m.Suppressed, At: m.At.UTC().Format(time.RFC3339),
		})
	}
	return nil, fmt.Errorf("unknown channel kind %q", kind)
}

// GenericMessage is the JSON object the generic webhook channel POSTs (Content-Type
// application/json). Suppressed counts similar events held back by rate limiting before this one.
type GenericMessage struct {
	Source     string  `json:"source"` // always "kubedoor"
	Kind       string  `json:"kind"`   // event kind, e.g. "actionFailed"
	Cluster    string  `json:"cluster"`
	Key        string  `json:"key"`
	Title      string  `json:"title"`
	Text       string  `json:"text"`
	Fields     []Field `json:"fields"`
	Suppressed int     `json:"suppressed"`
	At         string  `json:"at"` // RFC 3339, UTC
}

func nonNilFields(f []Field) []Field {
	if f == nil {
		return []Field{}
	}
	return f
}

func isFailure(kind string) bool {
	return kind == EventActionFailed || kind == EventScheduleFailed || kind == EventDenied
}

func title(m message) string {
	t := "KubeDoor: " + m.Title
	if m.Cluster != "" {
		t = "KubeDoor [" + m.Cluster + "]: " + m.Title
	}
	return t
}

// body is the text and fields, one "name: value" per line in fieldFormat.
func body(m message, fieldFormat string) string {
	var b strings.Builder
	if m.Text != "" {
		b.WriteString(m.Text)
		b.WriteString("\n")
	}
	for _, f := range m.Fields {
		fmt.Fprintf(&b, fieldFormat+"\n", f.Name, f.Value)
	}
	if m.Suppressed > 0 {
		fmt.Fprintf(&b, "(%d similar message(s) held back since %s)\n", m.Suppressed, m.Since.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "%s", m.At.UTC().Format(time.RFC3339))
	return b.String()
}

func markdownText(m message, heading string) string {
	return heading + title(m) + "\n" + body(m, "**%s**: %s")
}

// slackEscape escapes the three characters Slack's mrkdwn and text fields reserve.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// CheckResponse reads a receiver's answer: the HTTP status, and for the chat robots the error
// code they put in a 200 answer (WeCom/DingTalk errcode, Feishu code or StatusCode).
func CheckResponse(kind string, status int, body []byte) error {
	if status < 200 || status > 299 {
		return fmt.Errorf("receiver answered HTTP %d: %s", status, snippet(body))
	}
	switch kind {
	case KindWeCom, KindDingTalk:
		var r struct {
			ErrCode *int   `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		if err := json.Unmarshal(body, &r); err != nil || r.ErrCode == nil {
			return fmt.Errorf("receiver answered without an errcode: %s", snippet(body))
		}
		if *r.ErrCode != 0 {
			return fmt.Errorf("receiver refused the message: errcode %d: %s", *r.ErrCode, r.ErrMsg)
		}
	case KindFeishu:
		var r struct {
			Code       *int   `json:"code"`
			Msg        string `json:"msg"`
			StatusCode *int   `json:"StatusCode"`
		}
		if err := json.Unmarshal(body, &r); err != nil || (r.Code == nil && r.StatusCode == nil) {
			return fmt.Errorf("receiver answered without a code: %s", snippet(body))
		}
		if r.Code != nil && *r.Code != 0 {
			return fmt.Errorf("receiver refused the message: code %d: %s", *r.Code, r.Msg)
		}
		if r.Code == nil && *r.StatusCode != 0 {
			return fmt.Errorf("receiver refused the message: StatusCode %d", *r.StatusCode)
		}
	}
	// Slack answers 200 "ok"; errors are 4xx with a text reason. The generic webhook: any 2xx.
	return nil
}

func snippet(b []byte) string {
	s := strings.ToValidUTF8(string(b), "?")
	return truncate(strings.TrimSpace(s), 200)
}
