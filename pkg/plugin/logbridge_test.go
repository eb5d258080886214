package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// recordingLogger is the SDK's log.Logger writing lines to memory; FromContext adds the
// request's contextual attributes the way the SDK's own logger does (With of
// log.ContextualAttributesFromContext).
type recordingLogger struct {
	mu    *sync.Mutex
	lines *[]string
	with  []any
}

func newRecordingLogger() *recordingLogger {
	return &recordingLogger{mu: &sync.Mutex{}, lines: &[]string{}}
}

func (l *recordingLogger) record(level, msg string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	*l.lines = append(*l.lines, fmt.Sprint(level, " ", msg, " ", append(append([]any{}, l.with...), args...)))
}

func (l *recordingLogger) Debug(msg string, args ...any) { l.record("debug", msg, args...) }
func (l *recordingLogger) Info(msg string, args ...any)  { l.record("info", msg, args...) }
func (l *recordingLogger) Warn(msg string, args ...any)  { l.record("warn", msg, args...) }
func (l *recordingLogger) Error(msg string, args ...any) { l.record("error", msg, args...) }
func (l *recordingLogger) Level() log.Level              { return log.Debug }
func (l *recordingLogger) With(args ...any) log.Logger {
	return &recordingLogger{mu: l.mu, lines: l.lines, with: append(append([]any{}, l.with...), args...)}
}
func (l *recordingLogger) FromContext(ctx context.Context) log.Logger {
	return l.With(log.ContextualAttributesFromContext(ctx)...)
}

func (l *recordingLogger) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(*l.lines) == 0 {
		return ""
	}
	return (*l.lines)[len(*l.lines)-1]
}

// requestContext is a resource call's context as the SDK's contextual-logger middleware leaves it.
func requestContext() context.Context {
	return log.WithContextualAttributes(context.Background(), []any{
		"pluginId", ID, "endpoint", "callResource", "traceId", "4bf92f3577b34da6a3ce929d0e0e4736"})
}

func TestTheLogBridgeKeepsTheRequestsAttributes(t *testing.T) {
	rec := newRecordingLogger()
	logger := NewLogger(rec).With("part", "api")
	tests := []struct {
		name  string
		log   func()
		want  []string
		never []string
	}{
		{"a record logged with the request's context carries its plugin and trace IDs",
			func() { logger.ErrorContext(requestContext(), "saving failed", "error", "boom") },
			[]string{"error saving failed", "pluginId " + ID, "traceId 4bf92f3577b34da6a3ce929d0e0e4736", "endpoint callResource", "part api", "error boom"}, nil},
		{"a record logged without a context carries only its own attributes",
			func() { logger.Warn("background work", "cluster", "prod-a") },
			[]string{"warn background work", "part api", "cluster prod-a"}, []string{"traceId", "pluginId"}},
		{"a context without the SDK's attributes adds none",
			func() { logger.InfoContext(t.Context(), "started") },
			[]string{"info started", "part api"}, []string{"traceId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.log()
			got := rec.last()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Fatalf("%q lacks %q", got, w)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(got, n) {
					t.Fatalf("%q has %q", got, n)
				}
			}
		})
	}
}

// A handler's failure is logged with the request's context: Grafana's log line for it names
// the plugin and the trace.
func TestAFailedRequestIsLoggedWithItsTraceID(t *testing.T) {
	rec := newRecordingLogger()
	a := &App{log: NewLogger(rec)}
	req := httptest.NewRequest("POST", "/v1/control", nil).WithContext(requestContext())
	a.writeFailed(httptest.NewRecorder(), req, "saving a row", errors.New("a row without containers"))
	if got := rec.last(); !strings.Contains(got, "saving a row failed") || !strings.Contains(got, "traceId 4bf92f3577b34da6a3ce929d0e0e4736") {
		t.Fatalf("logged %q", got)
	}
}

var _ slog.Handler = (*sdkHandler)(nil)
