package v1alpha1

import (
	"strings"
	"testing"
	"time"
)

func TestParseScaleTemp(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		value   string
		want    ScaleTemp
		wantErr string
	}{
		{name: "a value in the documented form is read", value: "2026-03-01T10:04:05Z@4->8", want: ScaleTemp{At: at, From: 4, To: 8}},
		{name: "a zone offset is honoured", value: "2026-03-01T18:04:05+08:00@0->3", want: ScaleTemp{At: at, From: 0, To: 3}},
		{name: "a value without @ is refused", value: "2026-03-01T10:04:05Z", wantErr: "want <RFC 3339 time>@"},
		{name: "KubeDoor's space-separated time is refused", value: "2026-03-01 10:04:05@4-->8", wantErr: "time"},
		{name: "replicas without an arrow are refused", value: "2026-03-01T10:04:05Z@4-8", wantErr: "want <old>-><new>"},
		{name: "a negative count is refused", value: "2026-03-01T10:04:05Z@-1->8", wantErr: "negative"},
		{name: "a non-number is refused", value: "2026-03-01T10:04:05Z@4->many", wantErr: "new replicas"},
		{name: "a count beyond int32 is refused", value: "2026-03-01T10:04:05Z@4->99999999999", wantErr: "whole number"},
		{name: "a time before year 1 in UTC is refused (it could not be written back)", value: "0001-01-01T00:00:00+01:00@4->8", wantErr: "outside the years"},
		{name: "a time after 9999 in UTC is refused", value: "9999-12-31T23:30:00-01:00@4->8", wantErr: "outside the years"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseScaleTemp(tt.value)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.At.Equal(tt.want.At) || got.From != tt.want.From || got.To != tt.want.To {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestScaleTempStringRoundTrips(t *testing.T) {
	in := ScaleTemp{At: time.Date(2026, 3, 1, 18, 4, 5, 0, time.FixedZone("CST", 8*3600)), From: 4, To: 12}
	if got := in.String(); got != "2026-03-01T10:04:05Z@4->12" {
		t.Fatalf("String() = %q", got)
	}
	out, err := ParseScaleTemp(in.String())
	if err != nil || !out.At.Equal(in.At) || out.From != 4 || out.To != 12 {
		t.Fatalf("round trip gave %+v, %v", out, err)
	}
}

func FuzzParseScaleTemp(f *testing.F) {
	f.Add("2026-03-01T10:04:05Z@4->8")
	f.Add("2026-03-01 10:04:05@4-->8")
	f.Add("@->")
	f.Add("2026-03-01T10:04:05.25+08:00@1->2")
	f.Fuzz(func(t *testing.T, v string) {
		st, err := ParseScaleTemp(v)
		if err != nil {
			return
		}
		if st.From < 0 || st.To < 0 {
			t.Fatalf("accepted negative replicas from %q: %+v", v, st)
		}
		again, err := ParseScaleTemp(st.String())
		if err != nil || !again.At.Equal(st.At) || again.From != st.From || again.To != st.To {
			t.Fatalf("%q parsed to %+v, whose String %q does not round-trip: %+v %v", v, st, st.String(), again, err)
		}
	})
}
