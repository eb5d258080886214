package engine

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

// Fetch states.
const (
	StateIdle      = "idle"
	StateFetching  = "fetching"
	StateInstalled = "installed"
	StateFailed    = "failed"
)

// Fetch phases while StateFetching.
const (
	PhaseDownloading = "downloading"
	PhaseVerifying   = "verifying"
	PhaseExtracting  = "extracting"
)

// maxLibrarySize bounds the extracted library (the real one is about 534 MB) so a hostile or
// broken tarball cannot fill the disk.
const maxLibrarySize = 2 << 30

// defaultStall is how long a download may receive nothing before it is abandoned: a registry
// that stops sending must fail the fetch, not leave the page's progress bar still forever.
const defaultStall = time.Minute

// ErrBusy is returned by Start while a fetch runs: only one at a time.
var ErrBusy = refusal.Kind(refusal.ErrConflict, "an engine fetch is already running")

// Progress is the state of the last fetch, as the config page shows it.
type Progress struct {
	State      string     `json:"state"`
	Phase      string     `json:"phase,omitempty"`
	BytesDone  int64      `json:"bytesDone"`
	BytesTotal int64      `json:"bytesTotal"`
	Target     string     `json:"target,omitempty"`   // where the library goes
	Checksum   string     `json:"checksum,omitempty"` // the verified integrity, once verified
	Error      string     `json:"error,omitempty"`
	StartedAt  *time.Time `json:"startedAt,omitempty"`
	FinishedAt *time.Time `json:"finishedAt,omitempty"`
}

// Fetcher downloads and installs a Package. It is safe for concurrent use; one per process.
type Fetcher struct {
	pkg    Package
	client *http.Client
	log    *slog.Logger
	stall  time.Duration

	mu sync.Mutex
	p  Progress
}

// Options configure a Fetcher; the zero value fetches Pinned() with http.DefaultClient.
type Options struct {
	Package *Package // nil: Pinned()
	Client  *http.Client
	Log     *slog.Logger
	// Stall abandons a download that receives nothing for this long (default 1 min).
	Stall time.Duration
}

// NewFetcher returns an idle fetcher.
func NewFetcher(o Options) *Fetcher {
	f := &Fetcher{pkg: Pinned(), client: o.Client, log: o.Log, stall: o.Stall, p: Progress{State: StateIdle}}
	if f.stall <= 0 {
		f.stall = defaultStall
	}
	if o.Package != nil {
		f.pkg = *o.Package
	}
	if f.client == nil {
		f.client = http.DefaultClient
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	return f
}

// Package is what this fetcher installs.
func (f *Fetcher) Package() Package { return f.pkg }

// Progress returns the state of the running or last fetch.
func (f *Fetcher) Progress() Progress {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.p
}

// Start begins fetching into dir in the background, on ctx (the process's, not a request's),
// and calls done with the final progress. It returns ErrBusy while another fetch runs.
func (f *Fetcher) Start(ctx context.Context, dir string, done func(Progress)) (Progress, error) {
	if err := f.begin(dir); err != nil {
		return f.Progress(), err
	}
	go func() {
		final := f.finish(f.install(ctx, dir))
		if done != nil {
			done(final)
		}
	}()
	return f.Progress(), nil
}

// Fetch is Start that waits for the result: the installed library's path, or why nothing was
// installed.
func (f *Fetcher) Fetch(ctx context.Context, dir string) (string, error) {
	if err := f.begin(dir); err != nil {
		return "", err
	}
	path, err := f.install(ctx, dir)
	f.finish(path, err)
	return path, err
}

func (f *Fetcher) begin(dir string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.p.State == StateFetching {
		return ErrBusy
	}
	now := time.Now().UTC()
	f.p = Progress{State: StateFetching, Phase: PhaseDownloading, BytesTotal: f.pkg.Size,
		Target: filepath.Join(dir, FileName), StartedAt: &now}
	return nil
}

func (f *Fetcher) finish(path string, err error) Progress {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now().UTC()
	f.p.FinishedAt, f.p.Phase = &now, ""
	if err != nil {
		f.p.State, f.p.Error = StateFailed, err.Error()
		f.log.Error("engine fetch failed; nothing installed", "package", f.pkg.Name+"@"+f.pkg.Version, "error", err)
	} else {
		f.p.State = StateInstalled
		f.log.Info("engine installed", "package", f.pkg.Name+"@"+f.pkg.Version, "path", path, "checksum", f.pkg.Integrity)
	}
	return f.p
}

func (f *Fetcher) set(update func(p *Progress)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	update(&f.p)
}

// install downloads the tarball to a temporary file in dir, verifies it, extracts the library to
// another temporary file and renames that into place. Every failure removes both temporary
// files, so either the verified library is at dir/libchdb.so or nothing new is.
func (f *Fetcher) install(ctx context.Context, dir string) (string, error) {
	want, err := parseIntegrity(f.pkg.Integrity)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	tgz, err := os.CreateTemp(dir, ".engine-*.tgz.part")
	if err != nil {
		return "", fmt.Errorf("creating a temporary file in %s: %w", dir, err)
	}
	defer func() {
		_ = tgz.Close()
		_ = os.Remove(tgz.Name())
	}()
	got, err := f.download(ctx, tgz)
	if err != nil {
		return "", err
	}
	f.set(func(p *Progress) { p.Phase = PhaseVerifying })
	if !bytes.Equal(got, want) {
		return "", fmt.Errorf("checksum mismatch: %s must be %s but the download is sha512-%s; nothing installed",
			f.pkg.URL, f.pkg.Integrity, base64.StdEncoding.EncodeToString(got))
	}
	f.set(func(p *Progress) { p.Phase, p.Checksum = PhaseExtracting, f.pkg.Integrity })
	if _, err := tgz.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("rereading the download: %w", err)
	}
	return extract(tgz, dir)
}

// download streams the tarball into w, counting progress, and returns its SHA-512.
func (f *Fetcher) download(ctx context.Context, w io.Writer) ([]byte, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	errStalled := fmt.Errorf("no data for %v", f.stall)
	watchdog := time.AfterFunc(f.stall, func() { cancel(errStalled) })
	defer watchdog.Stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.pkg.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("requesting %s: %w", f.pkg.URL, err)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w", f.pkg.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("downloading %s: the server answered %s", f.pkg.URL, resp.Status)
	}
	if resp.ContentLength > 0 {
		f.set(func(p *Progress) { p.BytesTotal = resp.ContentLength })
	}
	h := sha512.New()
	n, err := io.Copy(io.MultiWriter(w, h, progressWriter{f, watchdog}), resp.Body)
	if err != nil {
		if cause := context.Cause(ctx); errors.Is(cause, errStalled) {
			err = cause
		}
		return nil, fmt.Errorf("downloading %s: interrupted after %d bytes: %w", f.pkg.URL, n, err)
	}
	return h.Sum(nil), nil
}

// progressWriter counts the bytes received and restarts the stall watchdog with each chunk.
type progressWriter struct {
	f        *Fetcher
	watchdog *time.Timer
}

func (p progressWriter) Write(b []byte) (int, error) {
	p.watchdog.Reset(p.f.stall)
	p.f.set(func(p *Progress) { p.BytesDone += int64(len(b)) })
	return len(b), nil
}

// extract copies package/libchdb.so out of the verified tarball into dir, atomically.
func extract(r io.Reader, dir string) (string, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return "", fmt.Errorf("reading the package: %w", err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("the package has no %s; nothing installed", tarMember)
		}
		if err != nil {
			return "", fmt.Errorf("reading the package: %w", err)
		}
		if hdr.Name != tarMember || hdr.Typeflag != tar.TypeReg {
			continue
		}
		return writeAtomically(tr, dir)
	}
}

func writeAtomically(r io.Reader, dir string) (string, error) {
	tmp, err := os.CreateTemp(dir, ".libchdb-*.so.part")
	if err != nil {
		return "", fmt.Errorf("creating a temporary file in %s: %w", dir, err)
	}
	installed := false
	defer func() {
		if !installed {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	n, err := io.Copy(tmp, io.LimitReader(r, maxLibrarySize+1))
	if err != nil {
		return "", fmt.Errorf("extracting %s: %w", tarMember, err)
	}
	if n > maxLibrarySize {
		return "", fmt.Errorf("%s is larger than %d bytes; nothing installed", tarMember, maxLibrarySize)
	}
	if err := tmp.Chmod(0o755); err != nil {
		return "", fmt.Errorf("making %s readable: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return "", fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	final := filepath.Join(dir, FileName)
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", fmt.Errorf("installing %s: %w", final, err)
	}
	installed = true
	return final, nil
}

// parseIntegrity decodes npm's "sha512-<base64>" form; other algorithms are refused.
func parseIntegrity(s string) ([]byte, error) {
	b64, ok := strings.CutPrefix(s, "sha512-")
	if !ok {
		return nil, fmt.Errorf("integrity %q is not sha512-<base64>", s)
	}
	sum, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sum) != sha512.Size {
		return nil, fmt.Errorf("integrity %q is not a base64 SHA-512", s)
	}
	return sum, nil
}
