package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzTargetURL: any secret gives a URL of the right host or an error that does not echo it.
func FuzzTargetURL(f *testing.F) {
	for _, s := range []string{"abc", "T0/B0/X", "https://h/x?k=1", "file:///x", "a b", "http://", "%zz", "://"} {
		f.Add(KindWeCom, s)
		f.Add(KindSlack, s)
		f.Add(KindWebhook, s)
	}
	f.Fuzz(func(t *testing.T, kind, secret string) {
		u, err := TargetURL(kind, secret)
		if err != nil {
			// A marked secret shows whether any part of it reaches the message.
			_, err2 := TargetURL(kind, "Qz9"+secret)
			if err2 != nil && strings.Contains(strings.ReplaceAll(err2.Error(), kind, ""), "Qz9") {
				t.Fatalf("error echoes the secret: %v", err2)
			}
			return
		}
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			t.Fatalf("%q gave %q", secret, u)
		}
		if !strings.Contains(secret, "://") {
			if p, ok := keyEndpoints[kind]; !ok || !strings.HasPrefix(u, p) {
				t.Fatalf("a key for %q gave %q", kind, u)
			}
		}
	})
}

// FuzzCheckResponse: any answer is judged without panicking, and a non-2xx is never success.
func FuzzCheckResponse(f *testing.F) {
	for _, b := range []string{`{"errcode":0}`, `{"errcode":1,"errmsg":"x"}`, `{"code":0}`, `{"StatusCode":0}`, `ok`, ``, `{"errcode":null}`, `[]`} {
		f.Add(KindWeCom, 200, []byte(b))
		f.Add(KindFeishu, 200, []byte(b))
		f.Add(KindSlack, 500, []byte(b))
	}
	f.Fuzz(func(t *testing.T, kind string, status int, body []byte) {
		err := CheckResponse(kind, status, body)
		if (status < 200 || status > 299) && err == nil {
			t.Fatalf("status %d accepted", status)
		}
		if err != nil && !utf8.ValidString(err.Error()) {
			t.Fatalf("error is not UTF-8: %q", err)
		}
	})
}

// FuzzPayload: any event text renders valid JSON for every kind.
func FuzzPayload(f *testing.F) {
	f.Add("scale failed", "shop/checkout: <not found> & more", "By", "ed*_`", 3)
	f.Add("", "", "", "", 0)
	f.Fuzz(func(t *testing.T, title, text, name, value string, suppressed int) {
		m := message{Event: Event{Kind: EventActionFailed, Title: title, Text: text, Fields: []Field{{name, value}}, At: time.Unix(0, 0)}, Suppressed: suppressed}
		for _, kind := range []string{KindWeCom, KindDingTalk, KindFeishu, KindSlack, KindWebhook} {
			b, err := Payload(kind, m)
			if err != nil || !json.Valid(b) {
				t.Fatalf("%s: %v %s", kind, err, b)
			}
		}
	})
}
