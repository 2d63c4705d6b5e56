package rows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ClickHouseSink inserts rows with PrepareBatch naming the columns. A full
// batch is sent by a per-table goroutine while the caller keeps producing
// rows into the next batch, so at most two batches per table are in memory.
type ClickHouseSink struct {
	ctx   context.Context
	conn  driver.Conn
	batch int

	mu     sync.Mutex
	tables map[string]*chTable
	order  []*chTable
}

// NewClickHouseSink returns a sink sending batches of batchSize rows.
func NewClickHouseSink(ctx context.Context, conn driver.Conn, batchSize int) *ClickHouseSink {
	if batchSize <= 0 {
		batchSize = 50000
	}
	return &ClickHouseSink{ctx: ctx, conn: conn, batch: batchSize, tables: map[string]*chTable{}}
}

type chTable struct {
	sink  *ClickHouseSink
	name  string
	query string
	cur   driver.Batch
	n     int
	rows  int64
	send  chan driver.Batch
	done  chan struct{}
	mu    sync.Mutex
	err   error
	// limit per batch (bytes-heavy tables use smaller batches)
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
		send:  make(chan driver.Batch, 1),
		done:  make(chan struct{}),
		limit: s.batch,
	}
	go t.sender()
	s.tables[key] = t
	s.order = append(s.order, t)
	return t
}

func (t *chTable) sender() {
	defer close(t.done)
	for b := range t.send {
		if err := b.Send(); err != nil {
			t.setErr(fmt.Errorf("insert into %s: %w", t.name, err))
		}
	}
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

// Append implements Table.
func (t *chTable) Append(vals ...any) error {
	if err := t.getErr(); err != nil {
		return err
	}
	if t.cur == nil {
		b, err := t.sink.conn.PrepareBatch(t.sink.ctx, t.query)
		if err != nil {
			return fmt.Errorf("prepare insert into %s: %w", t.name, err)
		}
		t.cur = b
	}
	if err := t.cur.Append(vals...); err != nil {
		return fmt.Errorf("append to %s: %w", t.name, err)
	}
	t.n++
	t.rows++
	if t.n >= t.limit {
		t.send <- t.cur
		t.cur, t.n = nil, 0
	}
	return nil
}

func (t *chTable) close() error {
	if t.cur != nil && t.n > 0 {
		t.send <- t.cur
	} else if t.cur != nil {
		_ = t.cur.Abort()
	}
	t.cur, t.n = nil, 0
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
		t.send = make(chan driver.Batch, 1)
		t.done = make(chan struct{})
		go t.sender()
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
