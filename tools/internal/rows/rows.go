// Package rows defines where generated rows go: a Sink hands out one Table
// appender per (table, column list). Implementations write to ClickHouse
// (ClickHouseSink), compute a digest (DigestSink) or only count.
package rows

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"
	"strings"
	"sync"
)

// Table receives the rows of one table, values in the column order given to
// Sink.Table.
type Table interface {
	Append(vals ...any) error
}

// Sink hands out Table appenders and finishes the load.
type Sink interface {
	// Table returns the appender for table with the given columns. Calling
	// it twice with the same arguments returns the same appender.
	Table(name string, cols ...string) Table
	// Flush writes everything still buffered.
	Flush() error
	// Counts returns rows appended per table.
	Counts() map[string]int64
}

// DigestSink hashes every row (its %#v rendering) per table: two runs that
// produce byte-identical rows in the same order give the same digests.
type DigestSink struct {
	mu     sync.Mutex
	tables map[string]*digestTable
}

type digestTable struct {
	h    hash.Hash
	rows int64
	buf  []byte
}

// NewDigestSink returns an empty DigestSink.
func NewDigestSink() *DigestSink { return &DigestSink{tables: map[string]*digestTable{}} }

// Table implements Sink.
func (d *DigestSink) Table(name string, cols ...string) Table {
	d.mu.Lock()
	defer d.mu.Unlock()
	key := name + "(" + strings.Join(cols, ",") + ")"
	t, ok := d.tables[key]
	if !ok {
		t = &digestTable{h: sha256.New()}
		d.tables[key] = t
	}
	return t
}

func (t *digestTable) Append(vals ...any) error {
	t.buf = t.buf[:0]
	for _, v := range vals {
		t.buf = fmt.Appendf(t.buf, "%#v\x1f", v)
	}
	t.buf = append(t.buf, '\n')
	t.h.Write(t.buf)
	t.rows++
	return nil
}

// Flush implements Sink.
func (d *DigestSink) Flush() error { return nil }

// Counts implements Sink.
func (d *DigestSink) Counts() map[string]int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]int64{}
	for k, t := range d.tables {
		out[k[:strings.IndexByte(k, '(')]] += t.rows
	}
	return out
}

// Digests returns the hex digest per "table(columns)".
func (d *DigestSink) Digests() map[string]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]string{}
	for k, t := range d.tables {
		out[k] = hex.EncodeToString(t.h.Sum(nil))
	}
	return out
}

// SortedKeys returns the keys of m in order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CountSink only counts rows (dry runs and benchmarks of the generator).
type CountSink struct {
	mu     sync.Mutex
	tables map[string]*countTable
}

type countTable struct{ rows int64 }

func (c *countTable) Append(...any) error { c.rows++; return nil }

// NewCountSink returns an empty CountSink.
func NewCountSink() *CountSink { return &CountSink{tables: map[string]*countTable{}} }

// Table implements Sink.
func (c *CountSink) Table(name string, cols ...string) Table {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.tables[name]
	if !ok {
		t = &countTable{}
		c.tables[name] = t
	}
	return t
}

// Flush implements Sink.
func (c *CountSink) Flush() error { return nil }

// Counts implements Sink.
func (c *CountSink) Counts() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int64{}
	for k, t := range c.tables {
		out[k] = t.rows
	}
	return out
}
