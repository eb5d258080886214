// Package chdb binds the C API of libchdb (the ClickHouse engine as a shared library) with purego,
// so the plugin runs the engine in-process without cgo (CGO_ENABLED=0 builds keep working).
//
// The binding is deliberately thin: it runs one statement and hands back the raw output bytes
// or the engine's error text. Typing, decoding and error classification live in package store.
//
// Facts this package relies on (libchdb 26.5, checked by its tests):
//   - one process hosts one engine, and the engine serves one data directory at a time;
//   - a statement cannot be interrupted once it runs (the streaming cancel API only stops a
//     stream between chunks), so callers check their context before and after a call;
//   - the engine takes over crash signals (SIGSEGV, SIGBUS, …) from the Go runtime when it
//     initialises, so calls that may initialise it save and restore signal dispositions.
package chdb

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// Library is a loaded libchdb. It is process-wide: load it once and share it.
type Library struct {
	path string

	connect          func(argc int32, argv unsafe.Pointer) unsafe.Pointer
	closeConn        func(conn unsafe.Pointer)
	queryN           func(conn uintptr, q unsafe.Pointer, qlen uint64, format unsafe.Pointer, flen uint64) unsafe.Pointer
	queryWithParamsN func(conn uintptr, q unsafe.Pointer, qlen uint64, format unsafe.Pointer, flen uint64,
		names unsafe.Pointer, nameLens unsafe.Pointer, values unsafe.Pointer, valueLens unsafe.Pointer, count uint64) unsafe.Pointer
	resultBuffer  func(res unsafe.Pointer) unsafe.Pointer
	resultLength  func(res unsafe.Pointer) uint64
	resultError   func(res unsafe.Pointer) string
	resultRows    func(res unsafe.Pointer) uint64
	resultElapsed func(res unsafe.Pointer) float64
	destroyResult func(res unsafe.Pointer)
	setSignals    func(enabled int32)

	mu      sync.Mutex
	openDir string // the data directory the engine serves; "" while no connection is open
	open    int    // connections open on openDir
}

var (
	loadMu sync.Mutex
	loaded *Library
)

// Load opens libchdb at path once per process. A second call with the same path returns the
// same Library; a different path is an error because the engine's symbols are process-global.
func Load(path string) (*Library, error) {
	loadMu.Lock()
	defer loadMu.Unlock()
	if loaded != nil {
		if loaded.path != path {
			return nil, fmt.Errorf("libchdb already loaded from %s, cannot load %s too", loaded.path, path)
		}
		return loaded, nil
	}
	signals := saveSignals()
	defer signals.restore()
	handle, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, fmt.Errorf("loading libchdb from %s: %w", path, err)
	}
	lib := &Library{path: path}
	syms := []struct {
		fn   any
		name string
	}{
		{&lib.connect, "chdb_connect"},
		{&lib.closeConn, "chdb_close_conn"},
		{&lib.queryN, "chdb_query_n"},
		{&lib.queryWithParamsN, "chdb_query_with_params_n"},
		{&lib.resultBuffer, "chdb_result_buffer"},
		{&lib.resultLength, "chdb_result_length"},
		{&lib.resultError, "chdb_result_error"},
		{&lib.resultRows, "chdb_result_rows_read"},
		{&lib.resultElapsed, "chdb_result_elapsed"},
		{&lib.destroyResult, "chdb_destroy_query_result"},
		{&lib.setSignals, "chdb_set_signal_handlers_enabled"},
	}
	for _, s := range syms {
		// Dlsym first: RegisterLibFunc panics on a missing symbol, an error names it instead.
		if _, err := purego.Dlsym(handle, s.name); err != nil {
			return nil, fmt.Errorf("libchdb at %s lacks %s (needs chDB ≥ 26.5): %w", path, s.name, err)
		}
		purego.RegisterLibFunc(s.fn, handle, s.name)
	}
	// Ask the engine not to install its handlers (it then resets some to SIG_DFL instead,
	// which the deferred restore undoes).
	lib.setSignals(0)
	loaded = lib
	return lib, nil
}

// Path is where the library was loaded from.
func (l *Library) Path() string { return l.path }

// Conn is one engine connection. It is not safe for concurrent use: callers serialise calls.
type Conn struct {
	lib    *Library
	handle uintptr // chdb_connection (the pointer chdb_connect's result points at)
	ptr    unsafe.Pointer
	dir    string
}

// Connect opens a connection to the engine with its data in dir (created if missing). Extra
// arguments are passed through as engine command-line options (e.g. "--max_threads=2").
func (l *Library) Connect(dir string, args ...string) (*Conn, error) {
	if dir == "" {
		return nil, errors.New("chdb: empty data directory")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.openDir != "" && l.openDir != dir {
		return nil, fmt.Errorf("chdb: engine already serves %s; close its connections before opening %s", l.openDir, dir)
	}
	argv := append([]string{"clickhouse", "--path=" + dir}, args...)
	cstrs := make([][]byte, len(argv))
	ptrs := make([]unsafe.Pointer, len(argv)+1) // NULL-terminated like a real argv
	for i, a := range argv {
		cstrs[i] = append([]byte(a), 0)
		ptrs[i] = unsafe.Pointer(&cstrs[i][0])
	}
	signals := saveSignals()
	p := l.connect(int32(len(argv)), unsafe.Pointer(&ptrs[0]))
	signals.restore()
	runtime.KeepAlive(cstrs)
	runtime.KeepAlive(ptrs)
	if p == nil {
		return nil, fmt.Errorf("chdb: connecting with data directory %s failed (see the engine's stderr)", dir)
	}
	h := *(*uintptr)(p)
	if h == 0 {
		return nil, fmt.Errorf("chdb: connecting with data directory %s returned no handle", dir)
	}
	l.openDir = dir
	l.open++
	return &Conn{lib: l, handle: h, ptr: p, dir: dir}, nil
}

// Dir is the data directory of the connection.
func (c *Conn) Dir() string { return c.dir }

// Close closes the connection; the engine may serve another directory once all are closed.
func (c *Conn) Close() {
	if c.ptr == nil {
		return
	}
	c.lib.closeConn(c.ptr)
	c.ptr, c.handle = nil, 0
	c.lib.mu.Lock()
	if c.lib.open--; c.lib.open == 0 {
		c.lib.openDir = ""
	}
	c.lib.mu.Unlock()
}

// Result is what one statement produced: its output in the requested format and statistics.
type Result struct {
	Data     []byte  // owned by Go; the engine's buffer is already freed
	RowsRead uint64  // rows read by the statement
	Elapsed  float64 // seconds, as measured by the engine
}

// EngineError is the error text the engine reported for a statement.
type EngineError struct{ Text string }

func (e *EngineError) Error() string { return e.Text }

// Query runs one statement; query may carry binary data (e.g. an INSERT … FORMAT Native body).
func (c *Conn) Query(query []byte, format string) (Result, error) {
	return c.QueryWithParams(query, format, nil, nil)
}

// QueryWithParams runs one statement whose {name:Type} placeholders the engine binds to values
// (given as text; the engine parses them by the placeholder's type, nothing is interpolated).
func (c *Conn) QueryWithParams(query []byte, format string, names, values []string) (Result, error) {
	if c.ptr == nil {
		return Result{}, errors.New("chdb: connection is closed")
	}
	if len(names) != len(values) {
		return Result{}, fmt.Errorf("chdb: %d parameter names but %d values", len(names), len(values))
	}
	if len(query) == 0 {
		return Result{}, errors.New("chdb: empty query")
	}
	fmtBytes := []byte(format + "\x00")
	var res unsafe.Pointer
	if len(names) == 0 {
		res = c.lib.queryN(c.handle, unsafe.Pointer(&query[0]), uint64(len(query)),
			unsafe.Pointer(&fmtBytes[0]), uint64(len(format)))
	} else {
		np, nl, keepN := cArray(names)
		vp, vl, keepV := cArray(values)
		res = c.lib.queryWithParamsN(c.handle, unsafe.Pointer(&query[0]), uint64(len(query)),
			unsafe.Pointer(&fmtBytes[0]), uint64(len(format)),
			unsafe.Pointer(&np[0]), unsafe.Pointer(&nl[0]), unsafe.Pointer(&vp[0]), unsafe.Pointer(&vl[0]),
			uint64(len(names)))
		runtime.KeepAlive(np)
		runtime.KeepAlive(nl)
		runtime.KeepAlive(keepN)
		runtime.KeepAlive(vp)
		runtime.KeepAlive(vl)
		runtime.KeepAlive(keepV)
	}
	runtime.KeepAlive(query)
	runtime.KeepAlive(fmtBytes)
	if res == nil {
		return Result{}, errors.New("chdb: engine returned no result")
	}
	defer c.lib.destroyResult(res)
	if msg := c.lib.resultError(res); msg != "" {
		return Result{}, &EngineError{Text: msg}
	}
	out := Result{RowsRead: c.lib.resultRows(res), Elapsed: c.lib.resultElapsed(res)}
	if n := c.lib.resultLength(res); n > 0 {
		buf := c.lib.resultBuffer(res)
		if buf == nil {
			return Result{}, fmt.Errorf("chdb: result claims %d bytes but has no buffer", n)
		}
		// Copy out: the engine frees its buffer with the result.
		out.Data = make([]byte, n)
		copy(out.Data, unsafe.Slice((*byte)(buf), n))
	}
	return out, nil
}

// cArray lays out strings as a C array of (pointer, length) pairs. The values are copied into
// Go-allocated, NUL-terminated buffers that stay alive (and unmoved: Go's heap does not move)
// for the call; the engine copies parameters before it returns.
func cArray(ss []string) (ptrs []unsafe.Pointer, lens []uint64, keep [][]byte) {
	ptrs = make([]unsafe.Pointer, len(ss))
	lens = make([]uint64, len(ss))
	keep = make([][]byte, len(ss))
	for i, s := range ss {
		keep[i] = append([]byte(s), 0)
		ptrs[i] = unsafe.Pointer(&keep[i][0])
		lens[i] = uint64(len(s))
	}
	return ptrs, lens, keep
}
