package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	chproto "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
)

// Native-format blocks exchanged with the embedded engine. Revision 0 is the plain Native
// format (no block info, no per-column serialization flags), which is what ClickHouse's
// Native input/output format speaks outside the TCP protocol.
const nativeRevision = 0

// serverContext gives columns without a declared zone UTC. Without one, decoding Date and
// DateTime columns does not terminate.
func serverContext() *column.ServerContext {
	return &column.ServerContext{Timezone: time.UTC}
}

// nativeRows reads a Native-format result block by block, decoding lazily.
type nativeRows struct {
	reader *chproto.Reader
	block  *proto.Block
	row    int // 1-based index of the current row in block; 0 before the first Next
	names  []string
	types  []string
	err    error
	done   bool
}

// newNativeRows decodes the first block, so Columns is known before the first Next.
func newNativeRows(data []byte) (*nativeRows, error) {
	r := &nativeRows{reader: chproto.NewReader(bytes.NewReader(data))}
	if len(data) == 0 {
		r.done = true
		return r, nil
	}
	if err := r.nextBlock(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *nativeRows) nextBlock() error {
	b := &proto.Block{ServerContext: serverContext()}
	if err := b.Decode(r.reader, nativeRevision); err != nil {
		if errors.Is(err, io.EOF) {
			r.done = true
			return nil
		}
		return fmt.Errorf("decoding Native result: %w", err)
	}
	r.block, r.row = b, 0
	if r.names == nil {
		r.names = b.ColumnsNames()
		r.types = make([]string, len(b.Columns))
		for i, c := range b.Columns {
			r.types[i] = string(c.Type())
		}
	}
	return nil
}

func (r *nativeRows) Next() bool {
	for r.err == nil && !r.done {
		if r.block != nil && r.row < r.block.Rows() {
			r.row++
			return true
		}
		r.err = r.nextBlock()
	}
	return false
}

func (r *nativeRows) Scan(dest ...any) error {
	if r.block == nil || r.row == 0 || r.row > r.block.Rows() {
		return errors.New("store: Scan called without a current row (call Next first)")
	}
	if len(dest) != len(r.block.Columns) {
		return fmt.Errorf("store: Scan got %d destinations for %d columns", len(dest), len(r.block.Columns))
	}
	for i, d := range dest {
		if err := r.block.Columns[i].ScanRow(d, r.row-1); err != nil {
			return fmt.Errorf("store: scanning column %s: %w", r.names[i], err)
		}
	}
	return nil
}

func (r *nativeRows) Columns() []string     { return r.names }
func (r *nativeRows) ColumnTypes() []string { return r.types }
func (r *nativeRows) Err() error            { return r.err }

func (r *nativeRows) Close() error {
	r.done, r.block = true, nil
	return nil
}

// encodeNative builds one Native block of rows for columns of the given ClickHouse types.
func encodeNative(columns, types []string, rows [][]any) ([]byte, error) {
	b := &proto.Block{ServerContext: serverContext()}
	for i, name := range columns {
		if err := b.AddColumn(name, column.Type(types[i])); err != nil {
			return nil, fmt.Errorf("column %s of type %s: %w", name, types[i], err)
		}
	}
	for i, row := range rows {
		if err := b.Append(row...); err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
	}
	var buf chproto.Buffer
	if err := b.Encode(&buf, nativeRevision); err != nil {
		return nil, fmt.Errorf("encoding Native block: %w", err)
	}
	return buf.Buf, nil
}
