package plugin

import (
	"context"
	"log/slog"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// NewLogger returns a *slog.Logger whose records go to Grafana through the SDK's logger, so the
// product packages log with the standard library and still land in Grafana's plugin log. A
// record logged with a context (InfoContext, ErrorContext, …) carries the attributes the SDK put
// on it for the request (plugin ID and version, endpoint, trace ID, user), as the SDK's own
// logger.FromContext does.
func NewLogger(l log.Logger) *slog.Logger {
	return slog.New(&sdkHandler{l: l})
}

type sdkHandler struct {
	l     log.Logger
	attrs []any
	group string
}

func (h *sdkHandler) Enabled(_ context.Context, lvl slog.Level) bool {
	switch h.l.Level() {
	case log.Info:
		return lvl >= slog.LevelInfo
	case log.Warn:
		return lvl >= slog.LevelWarn
	case log.Error:
		return lvl >= slog.LevelError
	default:
		return true
	}
}

func (h *sdkHandler) Handle(ctx context.Context, r slog.Record) error {
	l := h.l
	if ctx != nil && log.ContextualAttributesFromContext(ctx) != nil {
		l = l.FromContext(ctx)
	}
	args := make([]any, 0, len(h.attrs)+2*r.NumAttrs())
	args = append(args, h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		args = append(args, h.key(a.Key), a.Value.Resolve().Any())
		return true
	})
	switch {
	case r.Level >= slog.LevelError:
		l.Error(r.Message, args...)
	case r.Level >= slog.LevelWarn:
		l.Warn(r.Message, args...)
	case r.Level >= slog.LevelInfo:
		l.Info(r.Message, args...)
	default:
		l.Debug(r.Message, args...)
	}
	return nil
}

func (h *sdkHandler) WithAttrs(as []slog.Attr) slog.Handler {
	n := &sdkHandler{l: h.l, group: h.group, attrs: append([]any{}, h.attrs...)}
	for _, a := range as {
		n.attrs = append(n.attrs, h.key(a.Key), a.Value.Resolve().Any())
	}
	return n
}

func (h *sdkHandler) WithGroup(name string) slog.Handler {
	g := name
	if h.group != "" {
		g = h.group + "." + name
	}
	return &sdkHandler{l: h.l, group: g, attrs: h.attrs}
}

func (h *sdkHandler) key(k string) string {
	if h.group == "" {
		return k
	}
	return h.group + "." + k
}
