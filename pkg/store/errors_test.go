//go:build parts

package store

import (
	"errors"
	"strings"
	"testing"
)

// The engine's failures come back as *Error with ClickHouse's code, in both modes.
func TestEngineErrorsAreTyped(t *testing.T) {
	cases := []struct {
		name  string
		query string
		code  int32
	}{
		{"an unknown table", "SELECT * FROM no_such_table", CodeUnknownTable},
		{"a syntax error", "SELEC 1", CodeSyntaxError},
		{"a value the placeholder type cannot parse", "SELECT {a:UInt8}", CodeBadQueryParameter},
		{"a table that exists already", "CREATE TABLE dup_table (a UInt8) ENGINE = Memory", CodeTableAlreadyExists},
	}
	eachTarget(t, func(t *testing.T, c Conn) {
		if err := c.Exec(testCtx(t), "CREATE TABLE IF NOT EXISTS dup_table (a UInt8) ENGINE = Memory"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var params []Param
				if strings.Contains(tc.query, "{a:") {
					params = []Param{P("a", "not a number")}
				}
				_, err := c.Query(testCtx(t), tc.query, params...)
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("err = %v (%T), want *store.Error", err, err)
				}
				if e.Code != tc.code || !IsCode(err, tc.code) {
					t.Errorf("code = %d, want %d (%v)", e.Code, tc.code, err)
				}
				if e.Message == "" || !strings.Contains(err.Error(), strings.SplitN(tc.query, " ", 2)[0]) {
					t.Errorf("error %q lacks a message or the statement", err)
				}
			})
		}
	})
}
