//go:build parts

package store

import (
	"strings"
	"testing"
	"time"
)

func TestParameterMistakesAreCaughtBeforeTheEngine(t *testing.T) {
	cases := []struct {
		name   string
		query  string
		params []Param
		want   string
	}{
		{"a parameter without a placeholder", "SELECT 1", []Param{P("a", 1)}, "no {a:Type} placeholder"},
		{"a name that is not an identifier", "SELECT {a:UInt8}", []Param{P("a;b", 1)}, "not an identifier"},
		{"an unsupported value", "SELECT {a:String}", []Param{P("a", struct{}{})}, "unsupported parameter type"},
	}
	eachTarget(t, func(t *testing.T, c Conn) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := c.Exec(testCtx(t), tc.query, tc.params...)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want one containing %q", err, tc.want)
				}
			})
		}
	})
}

// Hostile values bound as parameters come back byte for byte and change nothing: the engine
// parses them by type, they are never part of the SQL text.
func TestParametersAreDataNotSQL(t *testing.T) {
	hostile := []struct {
		name  string
		value string
	}{
		{"a value closing the quote and dropping a table", "x'); DROP TABLE victim; --"},
		{"a value with backslashes", `C:\new\table\`},
		{"a value with newlines and tabs", "line1\nline2\r\n\tend"},
		{"a value with a brace placeholder", "{v:String}"},
		{"a value with a NUL byte", "a\x00b"},
		{"a value in another script", "命名空间 ✓"},
		{"an empty value", ""},
	}
	eachTarget(t, func(t *testing.T, c Conn) {
		ctx := testCtx(t)
		if err := c.Exec(ctx, "CREATE TABLE IF NOT EXISTS victim (s String) ENGINE = MergeTree ORDER BY s"); err != nil {
			t.Fatal(err)
		}
		for _, h := range hostile {
			t.Run(h.name, func(t *testing.T) {
				got := scanAll(t, c, "SELECT {v:String}, {arr:Array(String)}", func(r Rows) ([2]any, error) {
					var s string
					var arr []string
					err := r.Scan(&s, &arr)
					return [2]any{s, arr}, err
				}, P("v", h.value), P("arr", []string{h.value, "ok"}))
				if len(got) != 1 || got[0][0] != h.value {
					t.Fatalf("scalar came back as %q, want %q", got, h.value)
				}
				if arr := got[0][1].([]string); len(arr) != 2 || arr[0] != h.value || arr[1] != "ok" {
					t.Errorf("array came back as %q", arr)
				}
				if err := c.Insert(ctx, "victim", []string{"s"}, [][]any{{h.value}}); err != nil {
					t.Fatal(err)
				}
				if n := queryCount(t, c, "SELECT count() FROM victim WHERE s = {v:String}", P("v", h.value)); n < 1 {
					t.Errorf("the inserted value was not found by the same value bound (%d rows)", n)
				}
			})
		}
		if n := queryCount(t, c, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'victim'"); n != 1 {
			t.Errorf("victim table count = %d, want 1", n)
		}
	})
}

// Time parameters mean the same instant whatever the zone of the Go value.
func TestTimeParametersAreInstants(t *testing.T) {
	instant := time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	eachTarget(t, func(t *testing.T, c Conn) {
		for _, loc := range []*time.Location{time.UTC, time.FixedZone("UTC+8", 8*3600), time.FixedZone("UTC-5", -5*3600)} {
			t.Run(loc.String(), func(t *testing.T) {
				got := scanAll(t, c, "SELECT {a:DateTime}, {b:DateTime64(3)}, {c:DateTime64(3, 'Asia/Shanghai')}", func(r Rows) ([3]time.Time, error) {
					var v [3]time.Time
					return v, r.Scan(&v[0], &v[1], &v[2])
				}, P("a", instant.In(loc)), P("b", instant.In(loc)), P("c", instant.In(loc)))
				if !got[0][0].Equal(instant.Truncate(time.Second)) || !got[0][1].Equal(instant) || !got[0][2].Equal(instant) {
					t.Errorf("got %v, want %v", got[0], instant)
				}
			})
		}
	})
}
