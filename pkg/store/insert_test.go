//go:build parts

package store

import (
	"context"
	"testing"
)

// Native blocks are binary: numbers put 0x0A bytes side by side (2570 = 0x0A0A). The embedded
// engine once cut inline INSERT data at such a "blank line", losing the block's tail.
func TestInsertKeepsBlocksWhoseBytesHoldBlankLines(t *testing.T) {
	eachTarget(t, func(t *testing.T, c Conn) {
		ctx := testCtx(t)
		table := tableName("blank_lines")
		if err := c.Exec(ctx, "CREATE TABLE "+table+" (k UInt32, v UInt64, a Array(LowCardinality(String)), s String) ENGINE = MergeTree ORDER BY k"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+table) })
		const n = 5000
		rows := make([][]any, n)
		var sum uint64
		for i := range rows {
			v := uint64(0x0A0A0A0A0A0A0A0A) + uint64(i)
			sum += v
			rows[i] = []any{uint32(i), v, []string{"manual", "collected"}, "line\n\nbreak"}
		}
		if err := c.Insert(ctx, table, []string{"k", "v", "a", "s"}, rows); err != nil {
			t.Fatal(err)
		}
		if got := queryCount(t, c, "SELECT count() FROM "+table+" WHERE s = 'line\\n\\nbreak' AND length(a) = 2"); got != n {
			t.Fatalf("%d rows stored, want %d", got, n)
		}
		if got := queryCount(t, c, "SELECT sum(v) FROM "+table); got != sum {
			t.Fatalf("sum %d, want %d", got, sum)
		}
	})
}
