package config

import (
	"flag"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "cert and key with defaults is valid", args: []string{"--tls-cert-file=c", "--tls-key-file=k"}},
		{name: "missing TLS files are reported", args: nil, wantErr: "--tls-cert-file"},
		{name: "a deadline above 4s is refused", args: []string{"--tls-cert-file=c", "--tls-key-file=k", "--deadline=6s"}, wantErr: "--deadline"},
		{name: "a zero deadline is refused", args: []string{"--tls-cert-file=c", "--tls-key-file=k", "--deadline=0s"}, wantErr: "--deadline"},
		{name: "a tiny body cap is refused", args: []string{"--tls-cert-file=c", "--tls-key-file=k", "--max-body-bytes=10"}, wantErr: "--max-body-bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Defaults()
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			c.Bind(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			err := c.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("want error mentioning %q, got %v", tt.wantErr, err)
			}
		})
	}
}

func TestDefaultsAreSafe(t *testing.T) {
	d := Defaults()
	if d.Deadline >= 5*time.Second {
		t.Fatalf("default deadline %s must stay below the 5s registration timeout", d.Deadline)
	}
}
