//go:build parts

package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Every column type the schema uses goes in through Insert and comes back through Scan
// unchanged, and the same value bound as a parameter finds the row.
func TestColumnTypesRoundTrip(t *testing.T) {
	when := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	ms := time.Date(2026, 3, 14, 15, 9, 26, 535_000_000, time.UTC)
	id := uuid.MustParse("7e5d9c2a-1b2c-4d3e-8f40-0123456789ab")
	name := "sidecar"
	count := uint32(7)
	cases := []struct {
		name     string
		typ      string
		value    any // what Insert gets
		dest     func() any
		want     any  // what Scan puts in *dest
		skipBind bool // a NULL cannot be found with `=`
	}{
		{"a UInt32 keeps counts above 255", "UInt32", uint32(4_000_000_000), func() any { return new(uint32) }, uint32(4_000_000_000), false},
		{"a UInt8 flag round-trips", "UInt8", uint8(1), func() any { return new(uint8) }, uint8(1), false},
		{"a UInt64 version round-trips", "UInt64", uint64(1) << 62, func() any { return new(uint64) }, uint64(1) << 62, false},
		{"an Int32 keeps -1 for unset", "Int32", int32(-1), func() any { return new(int32) }, int32(-1), false},
		{"an Int64 keeps large millicores", "Int64", int64(-9_000_000_000), func() any { return new(int64) }, int64(-9_000_000_000), false},
		{"a Float64 keeps fractional cores", "Float64", 0.123456789, func() any { return new(float64) }, 0.123456789, false},
		{"a String keeps quotes, backslashes and newlines", "String", "it's \"x\" \\ \n\ttab", func() any { return new(string) }, "it's \"x\" \\ \n\ttab", false},
		{"a LowCardinality String round-trips", "LowCardinality(String)", "kube-system", func() any { return new(string) }, "kube-system", false},
		{"a Date comes back as midnight UTC", "Date", when, func() any { return new(time.Time) }, time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), false},
		{"a DateTime in UTC keeps seconds", "DateTime('UTC')", when, func() any { return new(time.Time) }, when, false},
		{"a DateTime64(3) keeps milliseconds", "DateTime64(3, 'UTC')", ms, func() any { return new(time.Time) }, ms, false},
		{"a UUID round-trips", "UUID", id, func() any { return new(uuid.UUID) }, id, false},
		{"a UUID scans into a string", "UUID", id, func() any { return new(string) }, id.String(), false},
		{"an Array of String keeps each element", "Array(String)", []string{"a", "b'c", "d\\e", ""}, func() any { return new([]string) }, []string{"a", "b'c", "d\\e", ""}, false},
		{"an empty Array stays empty", "Array(String)", []string{}, func() any { return new([]string) }, []string{}, false},
		{"an Array of LowCardinality String round-trips", "Array(LowCardinality(String))", []string{"manual", "collected"}, func() any { return new([]string) }, []string{"manual", "collected"}, false},
		{"an Array of Int64 round-trips", "Array(Int64)", []int64{-1, 250}, func() any { return new([]int64) }, []int64{-1, 250}, false},
		{"a Nullable String holds a value", "Nullable(String)", &name, func() any { return new(*string) }, &name, false},
		{"a Nullable String holds NULL", "Nullable(String)", nil, func() any { return new(*string) }, (*string)(nil), true},
		{"a Nullable UInt32 holds a value", "Nullable(UInt32)", &count, func() any { return new(*uint32) }, &count, false},
		{"a Nullable DateTime holds NULL", "Nullable(DateTime('UTC'))", nil, func() any { return new(*time.Time) }, (*time.Time)(nil), true},
	}
	eachTarget(t, func(t *testing.T, c Conn) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				ctx := testCtx(t)
				table := tableName("rt")
				if err := c.Exec(ctx, "CREATE TABLE "+table+" (k UInt32, v "+tc.typ+") ENGINE = MergeTree ORDER BY k"); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = c.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+table) })
				if err := c.Insert(ctx, table, []string{"k", "v"}, [][]any{{uint32(1), tc.value}}); err != nil {
					t.Fatalf("insert: %v", err)
				}
				rows, err := c.Query(ctx, "SELECT v FROM "+table+" ORDER BY k")
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				// The engine may drop a DateTime's zone from the result type; the instant is kept.
				if got := rows.ColumnTypes(); len(got) != 1 || (got[0] != tc.typ && got[0] != strings.ReplaceAll(tc.typ, "('UTC')", "")) {
					t.Errorf("column types = %q, want [%q]", got, tc.typ)
				}
				if !rows.Next() {
					t.Fatalf("no row back (err %v)", rows.Err())
				}
				dest := tc.dest()
				if err := rows.Scan(dest); err != nil {
					t.Fatalf("scan: %v", err)
				}
				if got := reflect.ValueOf(dest).Elem().Interface(); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("got %#v, want %#v", got, tc.want)
				}
				if rows.Next() {
					t.Error("more than one row")
				}
				if tc.skipBind {
					return
				}
				n := queryCount(t, c, "SELECT count() FROM "+table+" WHERE v = {v:"+tc.typ+"}", P("v", tc.value))
				if n != 1 {
					t.Errorf("binding the value as {v:%s} found %d rows, want 1", tc.typ, n)
				}
			})
		}
	})
}

// A result bigger than one Native block (65,409 rows by default) is read across blocks, and a
// result with no rows is simply empty.
func TestResultsSpanBlocksAndMayBeEmpty(t *testing.T) {
	eachTarget(t, func(t *testing.T, c Conn) {
		cases := []struct {
			name string
			rows uint64
		}{
			{"no rows", 0},
			{"one row", 1},
			{"several blocks", 200_000},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				rows, err := c.Query(testCtx(t), "SELECT number, toString(number) FROM numbers({n:UInt64})", P("n", tc.rows))
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var n, sum uint64
				for rows.Next() {
					var v uint64
					var s string
					if err := rows.Scan(&v, &s); err != nil {
						t.Fatal(err)
					}
					n, sum = n+1, sum+v
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				if want := tc.rows * (tc.rows - min(tc.rows, 1)) / 2; n != tc.rows || sum != want {
					t.Errorf("read %d rows summing to %d, want %d summing to %d", n, sum, tc.rows, want)
				}
				if tc.rows > 0 && len(rows.Columns()) != 2 {
					t.Errorf("columns = %q", rows.Columns())
				}
			})
		}
	})
}

// Scanning the wrong number or kind of destinations is an error, not a panic.
func TestScanMismatchIsAnError(t *testing.T) {
	eachTarget(t, func(t *testing.T, c Conn) {
		rows, err := c.Query(testCtx(t), "SELECT 1::UInt32 AS a, 'x' AS b")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if !rows.Next() {
			t.Fatal("no row")
		}
		var a uint32
		var b int64
		if err := rows.Scan(&a); err == nil {
			t.Error("scanning 1 destination for 2 columns succeeded")
		}
		if err := rows.Scan(&a, &b); err == nil {
			t.Error("scanning a String into *int64 succeeded")
		}
	})
}
