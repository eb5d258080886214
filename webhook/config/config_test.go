package config

import (
	"flag"
	"io"
	"log/slog"
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
		{name: "the rule settings are accepted", args: []string{"--tls-cert-file=c", "--tls-key-file=k", "--cluster-name=prod-a", "--replicas-only-update=allow", "--temp-scale-window=10m", "--observe-warnings=false"}},
		{name: "a replicas-only mode other than enforce or allow is refused", args: []string{"--tls-cert-file=c", "--tls-key-file=k", "--replicas-only-update=revert"}, wantErr: "--replicas-only-update"},
		{name: "a zero temporary-scale window is refused", args: []string{"--tls-cert-file=c", "--tls-key-file=k", "--temp-scale-window=0s"}, wantErr: "--temp-scale-window"},
		{name: "a temporary-scale window over an hour is refused", args: []string{"--tls-cert-file=c", "--tls-key-file=k", "--temp-scale-window=2h"}, wantErr: "--temp-scale-window"},
		{name: "decision reports can be turned off", args: []string{"--tls-cert-file=c", "--tls-key-file=k", "--report-interval=0"}},
		{name: "a report interval under 100ms is refused", args: []string{"--tls-cert-file=c", "--tls-key-file=k", "--report-interval=10ms"}, wantErr: "--report-interval"},
		{name: "a zero report rate is refused", args: []string{"--tls-cert-file=c", "--tls-key-file=k", "--report-qps=0"}, wantErr: "--report-qps"},
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
	if d.ReplicasOnlyUpdate != "enforce" || d.TempScaleWindow != 5*time.Minute || !d.ObserveWarnings {
		t.Fatalf("rule defaults %+v differ from docs/design.md §7", d)
	}
	if d.Deadline >= 5*time.Second {
		t.Fatalf("default deadline %s must stay below the 5s registration timeout", d.Deadline)
	}
}

func TestTheLogLevelIsInfoUnlessSetAndAnUnknownOneIsRefused(t *testing.T) {
	c := Defaults()
	if c.LogLevel != slog.LevelInfo {
		t.Fatalf("default log level %v, want INFO", c.LogLevel)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Bind(fs)
	if err := fs.Parse([]string{"--log-level=debug"}); err != nil || c.LogLevel != slog.LevelDebug {
		t.Fatalf("--log-level=debug: level %v, error %v", c.LogLevel, err)
	}
	if err := fs.Parse([]string{"--log-level=loud"}); err == nil {
		t.Fatal("--log-level=loud was accepted")
	}
}
