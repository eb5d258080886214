package main

import (
	"io"
	"log/slog"
	"strings"
	"testing"
)

func TestUpRejectsBadArguments(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand prints the usage", nil, "usage: testbed up"},
		{"an unknown subcommand prints the usage", []string{"down"}, "usage: testbed up"},
		{"an unknown flag is refused", []string{"up", "-frobnicate"}, "frobnicate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			err := run(t.Context(), tc.args, io.Discard, log)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
