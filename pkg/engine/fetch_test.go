package engine

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tgz builds a gzipped tar holding files (name → content), like an npm package tarball.
func tgz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func integrity(b []byte) string {
	sum := sha512.Sum512(b)
	return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}

func fetcherFor(url, integ string) *Fetcher {
	return NewFetcher(Options{Package: &Package{Name: "@test/lib", Version: "1.0.0", URL: url, Integrity: integ, Size: 1}})
}

// entries lists dir's names, so a test sees leftovers (temporary files) as well as the library.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, d := range des {
		out = append(out, d.Name())
	}
	return out
}

const library = "\x7fELF pretend engine"

func TestFetchInstallsTheVerifiedLibraryAndNothingElse(t *testing.T) {
	body := tgz(t, map[string]string{"package/package.json": "{}", tarMember: library, "package/chdb.h": "//"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) }))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "kubedoor-engine", "1.0.0")

	f := fetcherFor(srv.URL+"/lib.tgz", integrity(body))
	path, err := f.Fetch(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != library || path != filepath.Join(dir, FileName) {
		t.Fatalf("installed %s = %q, %v", path, got, err)
	}
	if e := entries(t, dir); len(e) != 1 {
		t.Errorf("the install directory holds %v, want only %s", e, FileName)
	}
	p := f.Progress()
	if p.State != StateInstalled || p.BytesDone != int64(len(body)) || p.BytesTotal != int64(len(body)) || p.Checksum != integrity(body) || p.Error != "" {
		t.Errorf("progress %+v", p)
	}
}

func TestFetchRefusals(t *testing.T) {
	good := tgz(t, map[string]string{tarMember: library})
	noLib := tgz(t, map[string]string{"package/package.json": "{}", "package/lib/libchdb.so": library})
	cases := []struct {
		name    string
		serve   http.HandlerFunc
		integ   string
		wantErr string
		// verified: the download matched its checksum (and the progress says so) before failing.
		verified bool
	}{
		{"a download whose checksum differs from the pinned one is refused",
			func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(good) },
			integrity([]byte("something else")), "checksum mismatch", false},
		{"a body cut short is an interrupted download",
			func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(good)))
				_, _ = w.Write(good[:len(good)/2])
			},
			integrity(good), "interrupted after", false},
		{"a 404 from the registry says what the server answered",
			func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) },
			integrity(good), "answered 404 Not Found", false},
		{"a verified package without package/libchdb.so installs nothing",
			func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(noLib) },
			integrity(noLib), "has no package/libchdb.so", true},
		{"an integrity that is not sha512 is refused before downloading",
			func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(good) },
			"sha1-3e52ecb7d894d9ebb1a6a50ac03f64208cc65501", "is not sha512-<base64>", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.serve)
			defer srv.Close()
			dir := t.TempDir()
			f := fetcherFor(srv.URL+"/lib.tgz", tc.integ)
			_, err := f.Fetch(t.Context(), dir)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if e := entries(t, dir); len(e) != 0 {
				t.Errorf("a refused fetch left %v in the install directory", e)
			}
			if p := f.Progress(); p.State != StateFailed || !strings.Contains(p.Error, tc.wantErr) || (p.Checksum != "") != tc.verified {
				t.Errorf("progress %+v", p)
			}
		})
	}
}

func TestASecondFetchIsRefusedWhileOneRuns(t *testing.T) {
	body := tgz(t, map[string]string{tarMember: library})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body[:10])
		w.(http.Flusher).Flush()
		<-release
		_, _ = w.Write(body[10:])
	}))
	defer srv.Close()
	defer close(release)
	dir := t.TempDir()
	f := fetcherFor(srv.URL, integrity(body))
	done := make(chan Progress, 1)
	if _, err := f.Start(t.Context(), dir, func(p Progress) { done <- p }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for f.Progress().BytesDone < 10 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if p := f.Progress(); p.State != StateFetching || p.BytesDone != 10 || p.BytesTotal != int64(len(body)) {
		t.Fatalf("progress while fetching %+v", p)
	}
	if _, err := f.Start(t.Context(), dir, nil); !errors.Is(err, ErrBusy) {
		t.Fatalf("second start: %v, want ErrBusy", err)
	}
	if _, err := f.Fetch(t.Context(), dir); !errors.Is(err, ErrBusy) {
		t.Fatalf("second fetch: %v, want ErrBusy", err)
	}
	release <- struct{}{}
	select {
	case p := <-done:
		if p.State != StateInstalled {
			t.Fatalf("the first fetch ended %+v", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first fetch did not finish")
	}
}

func TestACancelledFetchInstallsNothing(t *testing.T) {
	body := tgz(t, map[string]string{tarMember: library})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body[:10])
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	f := fetcherFor(srv.URL, integrity(body))
	go func() {
		for f.Progress().BytesDone < 10 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	if _, err := f.Fetch(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if e := entries(t, dir); len(e) != 0 {
		t.Errorf("a cancelled fetch left %v", e)
	}
}

func TestADownloadThatStopsSendingIsAbandoned(t *testing.T) {
	body := tgz(t, map[string]string{tarMember: library})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body[:10])
		w.(http.Flusher).Flush()
		<-r.Context().Done() // a registry that stops sending but keeps the connection
	}))
	defer srv.Close()
	dir := t.TempDir()
	f := NewFetcher(Options{Package: &Package{URL: srv.URL, Integrity: integrity(body)}, Stall: 200 * time.Millisecond})
	start := time.Now()
	_, err := f.Fetch(t.Context(), dir)
	if err == nil || !strings.Contains(err.Error(), "interrupted after 10 bytes: no data for 200ms") {
		t.Fatalf("error %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("abandoned after %v", d)
	}
	if e := entries(t, dir); len(e) != 0 {
		t.Errorf("a stalled fetch left %v", e)
	}
}
