package store

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func FuzzPlaceholders(f *testing.F) {
	for _, s := range []string{"SELECT {a:String}", "{ b : Array(String) } {", "{:}", "{a:{b:c}}", "}{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		for name, typ := range Placeholders(query) {
			if !isIdent(name) || typ == "" || strings.ContainsAny(typ, "{}\n") {
				t.Errorf("placeholder %q:%q from %q", name, typ, query)
			}
		}
	})
}

func TestFormatParam(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	instant := time.Date(2023, 11, 14, 22, 13, 20, 123_456_789, time.UTC)
	n := 5
	cases := []struct {
		name  string
		value any
		typ   string
		want  string
	}{
		{"a plain string is sent as is", "kube-system", "String", "kube-system"},
		{"a backslash, tab and newline are escaped", "a\\b\tc\nd", "String", `a\\b\tc\nd`},
		{"a quote needs no escaping outside an array", "it's", "String", "it's"},
		{"a NUL byte is escaped", "a\x00b", "String", `a\0b`},
		{"a signed integer", int32(-1), "Int32", "-1"},
		{"an unsigned integer", uint64(18446744073709551615), "UInt64", "18446744073709551615"},
		{"a float keeps its shortest form", 0.1, "Float64", "0.1"},
		{"NaN is the engine's nan", nan(), "Float64", "nan"},
		{"a bool is 1 or 0", true, "UInt8", "1"},
		{"nil is NULL", nil, "Nullable(String)", `\N`},
		{"a nil pointer is NULL", (*int)(nil), "Nullable(Int64)", `\N`},
		{"a pointer is followed", &n, "Int64", "5"},
		{"a DateTime takes whole Unix seconds", instant, "DateTime", "1700000000"},
		{"a DateTime with a zone still takes Unix seconds", instant, "DateTime('Asia/Shanghai')", "1700000000"},
		{"a DateTime64(3) takes milliseconds, truncated", instant, "DateTime64(3, 'UTC')", "1700000000.123"},
		{"a DateTime64(6) takes microseconds", instant, "DateTime64(6)", "1700000000.123456"},
		{"a DateTime64 drops a zero fraction", instant.Truncate(time.Second), "DateTime64(3)", "1700000000"},
		{"an instant before 1970 keeps its fraction exact", time.Unix(-3, 500_000_000), "DateTime64(3)", "-2.5"},
		{"a Date is the day in the time's own zone", instant.In(shanghai), "Date", "2023-11-15"},
		{"a Nullable Date is still a day", instant, "Nullable(Date)", "2023-11-14"},
		{"a Date value is a day whatever the placeholder", DateOf(instant), "String", "2023-11-14"},
		{"a Stringer such as a UUID is its text", uuid.MustParse("7e5d9c2a-0000-4000-8000-000000000001"), "UUID", "7e5d9c2a-0000-4000-8000-000000000001"},
		{"a string array quotes and escapes each element", []string{"a", "b'c", `d\e`, "n\nl"}, "Array(String)", `['a','b\'c','d\\e','n\nl']`},
		{"an int array is bare numbers", []int64{1, -2}, "Array(Int64)", "[1,-2]"},
		{"an empty array", []string{}, "Array(String)", "[]"},
		{"an array of days quotes each day", []time.Time{instant}, "Array(Date)", "['2023-11-14']"},
		{"an array of instants takes seconds", []time.Time{instant}, "Array(DateTime)", "[1700000000]"},
		{"an array may hold NULL", []*string{nil}, "Array(Nullable(String))", "[NULL]"},
		{"nested arrays nest", [][]string{{"a"}, {}}, "Array(Array(String))", "[['a'],[]]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FormatParam(tc.value, tc.typ)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("FormatParam(%#v, %q) = %q, want %q", tc.value, tc.typ, got, tc.want)
			}
		})
	}
}

func TestFormatParamRefusesUnknownTypes(t *testing.T) {
	if _, err := FormatParam(struct{}{}, "String"); err == nil {
		t.Fatal("a struct was formatted")
	}
	if _, err := FormatParam(map[string]int{}, "Map(String, Int32)"); err == nil {
		t.Fatal("a map was formatted")
	}
}

func TestPlaceholders(t *testing.T) {
	got := Placeholders("SELECT * FROM t WHERE a = {a:String} AND d >= { d : Date } AND x IN {xs:Array(String)} AND s = '{notaparam}'")
	want := map[string]string{"a": "String", "d": "Date", "xs": "Array(String)"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
}
