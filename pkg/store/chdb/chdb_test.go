//go:build parts

package chdb

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

var conn *Conn

// TestMain connects once: one engine per process. A missing libchdb fails the run.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	path, err := testenv.LibCHDB()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chdb tests need libchdb:", err)
		return 1
	}
	lib, err := Load(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "kubedoor-chdb-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if conn, err = lib.Connect(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer conn.Close()
	return m.Run()
}

func TestStatements(t *testing.T) {
	cases := []struct {
		name    string
		query   string
		format  string
		names   []string
		values  []string
		want    string
		wantErr string
	}{
		{name: "a plain query returns its output", query: "SELECT 1 + 1", format: "TSV", want: "2\n"},
		{name: "the engine binds named parameters", query: "SELECT {a:UInt32} * 2, {s:String}", format: "TSV",
			names: []string{"a", "s"}, values: []string{"21", `it's \\ "q"`}, want: "42\tit\\'s \\\\ \"q\"\n"},
		{name: "a parameter value stays data", query: "SELECT length({s:String})", format: "TSV",
			names: []string{"s"}, values: []string{"'); DROP TABLE t; --"}, want: "20\n"},
		{name: "an error comes back as the engine's text", query: "SELECT * FROM no_such_table", format: "TSV",
			wantErr: "Code: 60."},
		{name: "a missing parameter is an engine error", query: "SELECT {a:UInt8}", format: "TSV",
			wantErr: "Code: 456."},
		{name: "mismatched names and values are refused", query: "SELECT 1", format: "TSV",
			names: []string{"a"}, wantErr: "1 parameter names but 0 values"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := conn.QueryWithParams([]byte(tc.query), tc.format, tc.names, tc.values)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Data) != tc.want {
				t.Errorf("got %q, want %q", res.Data, tc.want)
			}
		})
	}
}

// A statement may carry binary data after its text (an INSERT … FORMAT RowBinary body with
// NUL bytes): the binding passes lengths, not C strings.
func TestInsertCarriesBinaryData(t *testing.T) {
	if _, err := conn.Query([]byte("CREATE TABLE bin (v UInt32) ENGINE = Memory"), "TSV"); err != nil {
		t.Fatal(err)
	}
	stmt := append([]byte("INSERT INTO bin FORMAT RowBinary\n"), 0, 1, 0, 0, 7, 0, 0, 0)
	if _, err := conn.Query(stmt, "TSV"); err != nil {
		t.Fatal(err)
	}
	res, err := conn.Query([]byte("SELECT sum(v), count() FROM bin"), "TSV")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res.Data); got != "263\t2\n" {
		t.Errorf("got %q, want 256+7 over 2 rows", got)
	}
}

func TestEngineErrorIsTyped(t *testing.T) {
	_, err := conn.Query([]byte("SELEC 1"), "TSV")
	var ee *EngineError
	if !errors.As(err, &ee) || !strings.HasPrefix(ee.Text, "Code: 62.") {
		t.Fatalf("err = %#v, want an *EngineError with code 62", err)
	}
}

func TestLoadingAnotherLibraryIsRefused(t *testing.T) {
	if _, err := Load("/nonexistent/libchdb.so"); err == nil {
		t.Fatal("loading a second library succeeded")
	}
}

// The engine must leave the Go runtime its signals: a nil dereference after loading and
// connecting is still a recoverable panic, not a crash in the engine's handler.
func TestGoRuntimeKeepsItsSignals(t *testing.T) {
	var p *Result
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("dereferencing nil did not panic")
		}
	}()
	_ = p.RowsRead
}
