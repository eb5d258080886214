package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

// variant is another kubedoor-webhook measured beside ours in the same run, registered the
// same way: the webhook as built from a git revision (-before), or ours with other flags or
// environment (-variant), so a change is compared with what it replaces under the same load.
type variant struct {
	name string
	ref  string   // build from this git revision; "" is the working tree's build
	args []string // extra serve flags
	env  []string // extra environment (NAME=value)
}

// variants collects repeated -variant flags: "name=--flag=value,NAME=value,…".
type variants []variant

func (v *variants) String() string { return fmt.Sprint(*v) }

func (v *variants) Set(s string) error {
	name, spec, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return errors.New(`want name=--flag=value,ENV=value,…`)
	}
	out := variant{name: name}
	for _, tok := range strings.Split(spec, ",") {
		switch tok = strings.TrimSpace(tok); {
		case tok == "":
		case strings.HasPrefix(tok, "-"):
			out.args = append(out.args, tok)
		case strings.Contains(tok, "="):
			out.env = append(out.env, tok)
		default:
			return fmt.Errorf("variant %s: %q is neither a --flag nor NAME=value", name, tok)
		}
	}
	*v = append(*v, out)
	return nil
}

// revisions collects repeated -before flags.
type revisions []string

func (r *revisions) String() string { return strings.Join(*r, ",") }

func (r *revisions) Set(s string) error {
	if s = strings.TrimSpace(s); s == "" {
		return errors.New("want a git revision")
	}
	*r = append(*r, s)
	return nil
}

// startVariant builds (for a revision) and starts v beside ours, sharing ours's certificate.
func startVariant(ctx context.Context, dir, kubeconfig, ours string, v variant) (*webhook, error) {
	bin := ours
	if v.ref != "" {
		bin = filepath.Join(dir, "kubedoor-webhook-"+v.name)
		if err := buildAt(ctx, v.ref, bin); err != nil {
			return nil, err
		}
	}
	return startWebhook(ctx, dir, bin, v.name, kubeconfig, v.env, v.args...)
}

// buildAt builds kubedoor-webhook from the repository's files at ref (git archive into a
// temporary folder; the module cache is shared).
func buildAt(ctx context.Context, ref, out string) error {
	root, err := testenv.ModuleRoot()
	if err != nil {
		return err
	}
	src, err := os.MkdirTemp("", "kubedoor-loadtest-src-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(src)
	archive := exec.CommandContext(ctx, "sh", "-c", "git -C \"$1\" archive \"$2\" | tar -x -C \"$3\"", "sh", root, ref, src)
	if b, err := archive.CombinedOutput(); err != nil {
		return fmt.Errorf("git archive %s: %w\n%s", ref, err, b)
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", out, "./webhook")
	build.Dir = src
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./webhook at %s: %w\n%s", ref, err, b)
	}
	return nil
}

// loadAverage is the host's 1-minute load average, -1 when unreadable.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}
