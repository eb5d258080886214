package testenv

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestStartWithFreePortsRetriesOnlyPortClashes(t *testing.T) {
	otherErr := errors.New("config is wrong")
	for _, tc := range []struct {
		name      string
		failures  []error // returned by successive attempts; then success
		wantCalls int
		wantErr   error
	}{
		{"a start that works is tried once", nil, 1, nil},
		{"a port clash is retried with new ports", []error{errPortInUse}, 2, nil},
		{"other errors are returned at once", []error{otherErr}, 1, otherErr},
		{"three clashes in a row give up", []error{errPortInUse, errPortInUse, errPortInUse}, 3, errPortInUse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var seen [][]int
			_, err := startWithFreePorts(t.Context(), 2, func(_ context.Context, ports []int) (*process, error) {
				seen = append(seen, ports)
				if i := len(seen) - 1; i < len(tc.failures) {
					return nil, tc.failures[i]
				}
				return &process{name: "fake"}, nil
			})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if len(seen) != tc.wantCalls {
				t.Fatalf("start called %d times, want %d", len(seen), tc.wantCalls)
			}
			for _, ports := range seen {
				if len(ports) != 2 || ports[0] == ports[1] || slices.Contains(ports, 0) {
					t.Errorf("ports %v are not two distinct real ports", ports)
				}
			}
		})
	}
}

func TestWaitHealthyExplainsAnExitedProcess(t *testing.T) {
	for _, tc := range []struct {
		name        string
		script      string
		wantPortErr bool
		wantText    string
	}{
		{
			name:        "a bind failure is recognised as a port clash",
			script:      "echo 'listen tcp 127.0.0.1:4242: bind: address already in use'; exit 1",
			wantPortErr: true, wantText: "address already in use",
		},
		{
			name:     "any other exit carries the log tail",
			script:   "echo 'flag provided but not defined: -frobnicate'; exit 2",
			wantText: "-frobnicate",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			p, err := startProcess(log, "fake", "/bin/sh", []string{"-c", tc.script}, filepath.Join(t.TempDir(), "fake.log"))
			if err != nil {
				t.Fatal(err)
			}
			err = waitHealthy(t.Context(), p, 10*time.Second, func(context.Context) error { return errors.New("not yet") })
			if err == nil {
				t.Fatal("waitHealthy succeeded for a process that exited")
			}
			if errors.Is(err, errPortInUse) != tc.wantPortErr {
				t.Errorf("errors.Is(err, errPortInUse) = %v, want %v (err: %v)", !tc.wantPortErr, tc.wantPortErr, err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q lacks %q", err, tc.wantText)
			}
		})
	}
}
