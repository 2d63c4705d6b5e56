package rows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ClickHouseSink inserts rows with PrepareBatch naming the columns. Rows
// are collected per table; a full batch is handed to the table's sender
// goroutine, which prepares, fills and sends it while the caller keeps
// producing rows. At most maxSending batches are on the wire at once, so the
// sink needs only that many connections of the pool, and at most two
// batches per table are in memory.
type ClickHouseSink struct {
	ctx   context.Context
	conn  driver.Conn
	batch int
	slots chan struct{}

	mu     sync.Mutex
	tables map[string]*chTable
	order  []*chTable
}

// maxBatchBytes bounds the approximate size of one batch, whatever its row
// count (rows with long texts or big arrays are sent in smaller batches).
const maxBatchBytes = 8 << 20

// rowSize estimates the memory of a row.
func rowSize(vals []any) int {
	n := 0
	for _, v := range vals {
		n += 16
		switch x := v.(type) {
		case string:
			n += len(x)
		case []string:
			for _, e := range x {
				n += 16 + len(e)
			}
		case []uint64:
			n += 8 * len(x)
		case []uint32:
			n += 4 * len(x)
		case []time.Time:
			n += 24 * len(x)
		}
	}
	return n
}

// maxSending bounds concurrent batch sends (connections in use).
const maxSending = 3

// NewClickHouseSink returns a sink sending batches of batchSize rows.
func NewClickHouseSink(ctx context.Context, conn driver.Conn, batchSize int) *ClickHouseSink {
	if batchSize <= 0 {
		batchSize = 50000
	}
	return &ClickHouseSink{ctx: ctx, conn: conn, batch: batchSize, tables: map[string]*chTable{},
		slots: make(chan struct{}, maxSending)}
}

type chTable struct {
	sink  *ClickHouseSink
	name  string
	query string
	cur   [][]any
	bytes int // approximate size of cur
	rows  int64
	send  chan [][]any
	done  chan struct{}
	mu    sync.Mutex
	err   error
	limit int
}

// Table implements Sink.
func (s *ClickHouseSink) Table(name string, cols ...string) Table {
	key := name + "(" + strings.Join(cols, ",") + ")"
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tables[key]; ok {
		return t
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = "`" + c + "`"
	}
	t := &chTable{
		sink:  s,
		name:  name,
		query: fmt.Sprintf("INSERT INTO `%s` (%s)", name, strings.Join(quoted, ", ")),
		limit: s.batch,
	}
	t.start()
	s.tables[key] = t
	s.order = append(s.order, t)
	return t
}

func (t *chTable) start() {
	t.send = make(chan [][]any, 1)
	t.done = make(chan struct{})
	go t.sender()
}

func (t *chTable) sender() {
	defer close(t.done)
	for rows := range t.send {
		if t.getErr() != nil {
			continue
		}
		if err := t.sendRows(rows); err != nil {
			t.setErr(err)
		}
	}
}

func (t *chTable) sendRows(rows [][]any) error {
	s := t.sink
	select {
	case s.slots <- struct{}{}:
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
	defer func() { <-s.slots }()
	b, err := s.conn.PrepareBatch(s.ctx, t.query)
	if err != nil {
		return fmt.Errorf("prepare insert into %s: %w", t.name, err)
	}
	for _, r := range rows {
		if err := b.Append(r...); err != nil {
			_ = b.Abort()
			return fmt.Errorf("append to %s: %w", t.name, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert into %s: %w", t.name, err)
	}
	return nil
}

func (t *chTable) setErr(err error) {
	t.mu.Lock()
	if t.err == nil {
		t.err = err
	}
	t.mu.Unlock()
}

func (t *chTable) getErr() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// Append implements Table. vals must not be modified by the caller
// afterwards (variadic calls allocate a fresh slice).
func (t *chTable) Append(vals ...any) error {
	if err := t.getErr(); err != nil {
		return err
	}
	if t.cur == nil {
		t.cur = make([][]any, 0, min(t.limit, 4096))
	}
	t.cur = append(t.cur, vals)
	t.rows++
	t.bytes += rowSize(vals)
	if len(t.cur) >= t.limit || t.bytes >= maxBatchBytes {
		t.send <- t.cur
		t.cur, t.bytes = nil, 0
	}
	return nil
}

func (t *chTable) close() error {
	if len(t.cur) > 0 {
		t.send <- t.cur
	}
	t.cur, t.bytes = nil, 0
	close(t.send)
	<-t.done
	return t.getErr()
}

// Flush sends the remaining batches and waits for every table; the sink
// cannot be used afterwards.
func (s *ClickHouseSink) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, t := range s.order {
		if err := t.close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// FlushTables sends and waits for the named tables only (used to respect
// materialized-view insertion order); later appends start new batches.
func (s *ClickHouseSink) FlushTables(names ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var errs []error
	for _, t := range s.order {
		if !want[t.name] {
			continue
		}
		if err := t.close(); err != nil {
			errs = append(errs, err)
		}
		t.start()
	}
	return errors.Join(errs...)
}

// Counts implements Sink.
func (s *ClickHouseSink) Counts() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int64{}
	for _, t := range s.order {
		out[t.name] += t.rows
	}
	return out
}
