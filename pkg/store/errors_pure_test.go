package store

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseErrorText(f *testing.F) {
	for _, s := range []string{
		"Code: 60. DB::Exception: Unknown table. (UNKNOWN_TABLE) (version 26.5.1.1)",
		"Code: 62. DB::Exception: Syntax error (SYNTAX_ERROR)",
		"Code: . DB::Exception: ",
		"Code: 1",
		" (X) (version ",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		code, name, msg := ParseErrorText(text)
		if code < 0 {
			t.Errorf("negative code %d", code)
		}
		if name != "" && !isErrorName(name) {
			t.Errorf("name %q is not an error name", name)
		}
		if len(msg) > len(text) {
			t.Errorf("message %q longer than the text %q", msg, text)
		}
		if utf8.ValidString(text) && !utf8.ValidString(msg) {
			t.Errorf("message %q of valid UTF-8 text is not valid UTF-8", msg)
		}
		e := (&Error{Code: code, Name: name, Message: msg, Query: queryContext(text)}).Error()
		if !strings.HasPrefix(e, "clickhouse") {
			t.Errorf("error text %q", e)
		}
	})
}

func TestParseErrorText(t *testing.T) {
	cases := []struct {
		name     string
		text     string
		wantCode int32
		wantName string
		wantMsg  string
	}{
		{"an unknown table with name and version",
			"Code: 60. DB::Exception: Unknown table expression identifier 'nope' in scope SELECT 1 FROM nope. (UNKNOWN_TABLE) (version 26.5.1.1)",
			60, "UNKNOWN_TABLE", "Unknown table expression identifier 'nope' in scope SELECT 1 FROM nope"},
		{"a syntax error without a version",
			"Code: 62. DB::Exception: Syntax error: failed at position 1 (SELEC): SELEC 1. Expected one of: ... (SYNTAX_ERROR)",
			62, "SYNTAX_ERROR", "Syntax error: failed at position 1 (SELEC): SELEC 1. Expected one of: .."},
		{"a message that spans lines keeps them",
			"Code: 457. DB::Exception: Value a\nb cannot be parsed. (BAD_QUERY_PARAMETER)",
			457, "BAD_QUERY_PARAMETER", "Value a\nb cannot be parsed"},
		{"a stack trace is dropped",
			"Code: 159. DB::Exception: Timeout exceeded. (TIMEOUT_EXCEEDED)\nStack trace:\n0. foo",
			159, "TIMEOUT_EXCEEDED", "Timeout exceeded"},
		{"a parenthesis that is not a name stays",
			"Code: 36. DB::Exception: Bad argument (x)",
			36, "", "Bad argument (x)"},
		{"text without a code is the message",
			"connection reset by peer", 0, "", "connection reset by peer"},
		{"a server exception message without decoration",
			"Table default.x does not exist", 0, "", "Table default.x does not exist"},
		{"a code that does not fit is not a code",
			"Code: 99999999999. DB::Exception: huge", 0, "", "Code: 99999999999. DB::Exception: huge"},
		{"empty text", "", 0, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, name, msg := ParseErrorText(tc.text)
			if code != tc.wantCode || name != tc.wantName || msg != tc.wantMsg {
				t.Errorf("got (%d, %q, %q), want (%d, %q, %q)", code, name, msg, tc.wantCode, tc.wantName, tc.wantMsg)
			}
		})
	}
}

func TestQueryContextIsTheFirstLineShortened(t *testing.T) {
	long := strings.Repeat("é", 200)
	cases := []struct{ name, in, want string }{
		{"the first line only", "  SELECT 1\nFROM t", "SELECT 1"},
		{"a long line is cut on a character boundary", long, strings.Repeat("é", 60) + "…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := queryContext(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func nan() float64 { return math.NaN() }
