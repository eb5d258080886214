package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"
)

// logTailLines is how much of a component's log an error carries: enough for the cause, short
// enough to read in a test failure.
const logTailLines = 30

// process is one started component: its own process group (so Stop reaches its children), output
// in a log file, and an exit channel so health waits notice a crash at once instead of timing out.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	waitErr error // valid after done is closed
}

// startProcess runs bin with args, appending stdout and stderr to logPath.
func startProcess(log *slog.Logger, name, bin string, args []string, logPath string) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening log of %s: %w", name, err)
	}
	// The header separates attempts when a port clash forces a restart into the same log.
	fmt.Fprintf(logFile, "### %s %s %s\n", time.Now().Format(time.RFC3339), bin, strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	log.Debug("process started", "component", name, "pid", cmd.Process.Pid, "log", logPath)
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop asks the whole process group to terminate, then kills it after grace. It returns once the
// leader is reaped; the final group kill catches children that ignored SIGTERM.
func (p *process) stop(grace time.Duration) error {
	if !p.exited() {
		if err := signalGroup(p.pid(), sigTerm); err != nil && !p.exited() {
			return fmt.Errorf("terminating %s (pid %d): %w", p.name, p.pid(), err)
		}
		select {
		case <-p.done:
		case <-time.After(grace):
			if err := signalGroup(p.pid(), sigKill); err != nil && !p.exited() {
				return fmt.Errorf("killing %s (pid %d): %w", p.name, p.pid(), err)
			}
			<-p.done
		}
	}
	// The leader is gone; a surviving child keeps the group id reserved, so this cannot hit a
	// stranger. An error here only means the group is already empty.
	_ = signalGroup(p.pid(), sigKill)
	return nil
}

// logTail returns the last n lines of a log file, for error messages.
func logTail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(log unavailable: %v)", err)
	}
	defer f.Close()
	const window = 64 << 10
	if st, err := f.Stat(); err == nil && st.Size() > window {
		if _, err := f.Seek(st.Size()-window, io.SeekStart); err != nil {
			return fmt.Sprintf("(log unreadable: %v)", err)
		}
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return fmt.Sprintf("(log unreadable: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// errPortInUse marks a start that failed only because a port chosen as free was taken meanwhile
// (another test package started a cluster at the same moment); the caller retries with new ports.
var errPortInUse = errors.New("port taken between choosing and binding")

// waitHealthy polls check until it succeeds, the process exits or timeout passes. Errors carry
// the last log lines, because "not healthy" alone says nothing about why.
func waitHealthy(parent context.Context, p *process, timeout time.Duration, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		checkCtx, cancelCheck := context.WithTimeout(ctx, 2*time.Second)
		lastErr = check(checkCtx)
		cancelCheck()
		if lastErr == nil {
			return nil
		}
		select {
		case <-p.done:
			tail := logTail(p.logPath, logTailLines)
			err := fmt.Errorf("%s exited during start (%w); log %s, last lines:\n%s", p.name, p.waitErr, p.logPath, tail)
			if strings.Contains(tail, "address already in use") {
				return errors.Join(errPortInUse, err)
			}
			return err
		case <-ctx.Done():
			if parent.Err() != nil {
				return fmt.Errorf("start of %s cancelled: %w", p.name, context.Cause(parent))
			}
			return fmt.Errorf("%s not healthy after %s (last check: %w); log %s, last lines:\n%s",
				p.name, timeout, lastErr, p.logPath, logTail(p.logPath, logTailLines))
		case <-tick.C:
		}
	}
}

// freePorts returns n distinct ports free on 127.0.0.1 right now. Holding all listeners until
// the end keeps the n distinct; the race with other processes is handled by retrying the start.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// startWithFreePorts starts a component on nPorts fresh ports and waits for health, choosing new
// ports up to three times when the chosen ones were taken meanwhile.
func startWithFreePorts(ctx context.Context, nPorts int, start func(ctx context.Context, ports []int) (*process, error)) (*process, error) {
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		var ports []int
		if ports, err = freePorts(nPorts); err != nil {
			return nil, err
		}
		var p *process
		if p, err = start(ctx, ports); err == nil {
			return p, nil
		}
		if !errors.Is(err, errPortInUse) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("ports kept being taken, gave up after 3 attempts: %w", err)
}

// hasFlag reports whether bin's --help mentions flag, for options that older builds lack.
func hasFlag(bin, flag string) bool {
	out, _ := exec.Command(bin, "--help").CombinedOutput()
	return bytes.Contains(out, []byte(flag))
}
