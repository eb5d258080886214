package main

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// progress prints what is starting and for how long, because the first run takes minutes and a
// silent terminal looks hung. Every line carries the seconds since the demo started.
type progress struct {
	out   io.Writer
	start time.Time
	every time.Duration // how often a still-running part is reported

	mu  sync.Mutex
	now string // what is starting, for the page served meanwhile
}

func newProgress(out io.Writer) *progress {
	return &progress{out: out, start: time.Now(), every: 15 * time.Second}
}

func (p *progress) printf(format string, args ...any) {
	fmt.Fprintf(p.out, "[%4ds] %s\n", int(time.Since(p.start).Seconds()), fmt.Sprintf(format, args...))
}

func (p *progress) current() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.now
}

// partError is a part that could not start: which part, and where its log is.
type partError struct {
	part, log string
	err       error
}

func (e *partError) Error() string {
	msg := fmt.Sprintf("%s could not start: %v", e.part, e.err)
	if e.log != "" {
		msg += "\n  see " + e.log
	}
	return msg
}

func (e *partError) Unwrap() error { return e.err }

// step runs fn, reporting its start, every p.every while it runs, and its end. A failure names
// the part and its log (logPath may be empty when the error already says where to look).
func (p *progress) step(ctx context.Context, part, logPath string, fn func() error) error {
	p.mu.Lock()
	p.now = part
	p.mu.Unlock()
	t0 := time.Now()
	p.printf("starting %s …", part)
	done := make(chan error, 1)
	go func() { done <- fn() }()
	tick := time.NewTicker(p.every)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				if errors.Is(err, context.Canceled) || ctx.Err() != nil {
					return context.Canceled
				}
				return &partError{part: part, log: logPath, err: err}
			}
			p.printf("%s ready (%.0fs)", part, time.Since(t0).Seconds())
			return nil
		case <-tick.C:
			p.printf("  still starting %s (%.0fs so far)", part, time.Since(t0).Seconds())
		}
	}
}

// portTaken says the demo's address is in use, with what to do about it.
type portTaken struct {
	addr string
	err  error
}

func (e *portTaken) Error() string {
	return fmt.Sprintf("cannot serve the demo on %s: the port is taken (%v).\n"+
		"  Stop what listens there (`ss -ltnp 'sport = :%s'` shows it), or run the demo on another address:\n"+
		"  bin/kubedoor-demo --addr 127.0.0.1:3030 (built by `go tool mage demo`)",
		e.addr, e.err, port(e.addr))
}

func port(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i+1:]
		}
	}
	return addr
}

// Exit codes: 2 when the address is taken (nothing was started), 1 when a part failed.
const (
	exitFailed    = 1
	exitPortTaken = 2
)

func exitCode(err error) int {
	var pt *portTaken
	if errors.As(err, &pt) || errors.Is(err, syscall.EADDRINUSE) {
		return exitPortTaken
	}
	return exitFailed
}

// startingPage answers every request while the parts start, so the URL printed first already
// says something, then hands over to the app's host once it is ready.
type startingPage struct {
	p   *progress
	mu  sync.RWMutex
	app http.Handler
}

func (s *startingPage) ready(h http.Handler) {
	s.mu.Lock()
	s.app = h
	s.mu.Unlock()
}

func (s *startingPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	app := s.app
	s.mu.RUnlock()
	if app != nil {
		app.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Retry-After", "5")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintf(w, `<!doctype html><meta http-equiv="refresh" content="5"><title>KubeDoor demo · starting</title>
<p style="font-family:sans-serif">The KubeDoor demo is starting (%ds): %s. This page reloads itself.</p>`,
		int(time.Since(s.p.start).Seconds()), html.EscapeString(s.p.current()))
}
