package rows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ClickHouseSink inserts rows with PrepareBatch naming the columns. Rows
// are collected per table; a full batch is handed to the table's sender
// goroutine, which prepares, fills and sends it while the caller keeps
// producing rows. At most maxSending batches are on the wire at once, so the
// sink needs only that many connections of the pool, and at most two
// batches per table are in memory.
type ClickHouseSink struct {
	ctx    context.Context
	conn   driver.Conn
	batch  int
	slots  chan struct{}
	budget *budget

	mu         sync.Mutex
	tables     map[string]*chTable
	views      map[string]Table
	order      []*chTable
	before     map[string][]string // table -> tables to send before each of its batches
	bytesLimit map[string]int      // per-table override of maxBatchBytes

	// columns holds the insertable columns per table once LoadColumns ran;
	// nil means "trust the caller".
	columns map[string]map[string]bool
	missing map[string][]string // table -> columns not in the database ("*" = table)
}

// LoadColumns reads the insertable columns of the current database. Later
// Table calls then drop columns the database lacks and turn a missing table
// into a counting no-op (see Missing), so a loader keeps working against an
// older or partial schema.
func (s *ClickHouseSink) LoadColumns() error {
	rs, err := s.conn.Query(s.ctx, `SELECT table, name FROM system.columns
		WHERE database = currentDatabase() AND default_kind NOT IN ('MATERIALIZED', 'ALIAS')`)
	if err != nil {
		return fmt.Errorf("list columns: %w", err)
	}
	defer rs.Close()
	cols := map[string]map[string]bool{}
	for rs.Next() {
		var table, name string
		if err := rs.Scan(&table, &name); err != nil {
			return fmt.Errorf("list columns: %w", err)
		}
		if cols[table] == nil {
			cols[table] = map[string]bool{}
		}
		cols[table][name] = true
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("list columns: %w", err)
	}
	s.mu.Lock()
	s.columns = cols
	s.missing = map[string][]string{}
	s.mu.Unlock()
	return nil
}

// Missing returns, per table, the columns that were not written because
// the database lacks them ("*" = the whole table).
func (s *ClickHouseSink) Missing() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	for k, v := range s.missing {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// projTable writes a subset of the columns of its rows.
type projTable struct {
	inner *chTable
	keep  []int
}

func (p *projTable) Append(vals ...any) error {
	out := make([]any, len(p.keep))
	for i, k := range p.keep {
		out[i] = vals[k]
	}
	return p.inner.Append(out...)
}

// nullTable counts rows of a table the database does not have.
type nullTable struct{ rows *int64 }

func (n nullTable) Append(...any) error { *n.rows++; return nil }

// maxBatchBytes bounds the approximate size of one batch, whatever its row
// count (rows with long texts or big arrays are sent in smaller batches).
const maxBatchBytes = 8 << 20

// rowSize estimates the memory of a row. A slice's backing array is counted
// once per batch (a source and its binaries share their changelog arrays,
// historical packages share suffixes of one array): seen holds the end
// address of the arrays already counted.
func rowSize(vals []any, seen map[uintptr]struct{}) int {
	n := 0
	for _, v := range vals {
		n += 16
		var end uintptr
		size := 0
		switch x := v.(type) {
		case string:
			n += len(x)
			continue
		case []string:
			if len(x) == 0 {
				continue
			}
			end = uintptr(unsafe.Pointer(&x[len(x)-1]))
			for _, e := range x {
				size += 16 + len(e)
			}
		case []uint64:
			if len(x) == 0 {
				continue
			}
			end, size = uintptr(unsafe.Pointer(&x[len(x)-1])), 8*len(x)
		case []uint32:
			if len(x) == 0 {
				continue
			}
			end, size = uintptr(unsafe.Pointer(&x[len(x)-1])), 4*len(x)
		case []time.Time:
			if len(x) == 0 {
				continue
			}
			end, size = uintptr(unsafe.Pointer(&x[len(x)-1])), 24*len(x)
		default:
			continue
		}
		if _, ok := seen[end]; ok {
			continue
		}
		seen[end] = struct{}{}
		n += size
	}
	return n
}

// pendingBudget bounds the estimated bytes of all batches queued or being
// sent: producers wait (back-pressure) instead of piling batches up when the
// server is slower than the generator.
const pendingBudget = 128 << 20

// batch is a full batch and its estimated size.
type batch struct {
	rows  [][]any
	bytes int
}

// budget is a byte semaphore; a request larger than the whole budget is
// granted when nothing else is pending.
type budget struct {
	mu      sync.Mutex
	cond    *sync.Cond
	limit   int
	pending int
}

func newBudget(limit int) *budget {
	b := &budget{limit: limit}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *budget) acquire(n int) {
	b.mu.Lock()
	for b.pending > 0 && b.pending+n > b.limit {
		b.cond.Wait()
	}
	b.pending += n
	b.mu.Unlock()
}

func (b *budget) release(n int) {
	b.mu.Lock()
	b.pending -= n
	b.mu.Unlock()
	b.cond.Broadcast()
}

// maxSending bounds concurrent batch sends (connections in use).
const maxSending = 3

// NewClickHouseSink returns a sink sending batches of batchSize rows.
func NewClickHouseSink(ctx context.Context, conn driver.Conn, batchSize int) *ClickHouseSink {
	if batchSize <= 0 {
		batchSize = 50000
	}
	return &ClickHouseSink{ctx: ctx, conn: conn, batch: batchSize, tables: map[string]*chTable{}, views: map[string]Table{},
		slots: make(chan struct{}, maxSending), before: map[string][]string{}, budget: newBudget(pendingBudget)}
}

// SetMaxBatchBytes overrides the batch size bound (bytes) of table: fewer,
// bigger INSERTs for tables whose materialized views cost per INSERT.
func (s *ClickHouseSink) SetMaxBatchBytes(table string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bytesLimit == nil {
		s.bytesLimit = map[string]int{}
	}
	s.bytesLimit[table] = n
}

// SendBefore makes every batch of table after wait until the rows appended
// so far to table first are stored (materialized views fired by inserts
// into after read first).
func (s *ClickHouseSink) SendBefore(first, after string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.before[after] = append(s.before[after], first)
}

type chTable struct {
	sink     *ClickHouseSink
	name     string
	query    string
	cur      [][]any
	bytes    int                  // approximate size of cur
	seen     map[uintptr]struct{} // arrays counted in bytes
	rows     int64
	send     chan batch
	done     chan struct{}
	mu       sync.Mutex
	err      error
	limit    int
	maxBytes int
}

// Table implements Sink.
func (s *ClickHouseSink) Table(name string, cols ...string) Table {
	key := name + "(" + strings.Join(cols, ",") + ")"
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.views[key]; ok {
		return t
	}
	var keep []int
	if s.columns != nil {
		have := s.columns[name]
		if have == nil {
			if s.missing[name] == nil {
				s.missing[name] = []string{"*"}
			}
			t := nullTable{rows: new(int64)}
			s.views[key] = t
			return t
		}
		var kept []string
		for i, c := range cols {
			if have[c] {
				keep = append(keep, i)
				kept = append(kept, c)
			} else {
				s.missing[name] = append(s.missing[name], c)
			}
		}
		if len(kept) == len(cols) {
			keep = nil
		} else {
			cols = kept
		}
	}
	t := s.newTable(name, cols)
	var view Table = t
	if keep != nil {
		view = &projTable{inner: t, keep: keep}
	}
	s.views[key] = view
	return view
}

func (s *ClickHouseSink) newTable(name string, cols []string) *chTable {
	key := name + "(" + strings.Join(cols, ",") + ")"
	if t, ok := s.tables[key]; ok {
		return t
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = "`" + c + "`"
	}
	t := &chTable{
		sink:     s,
		name:     name,
		query:    fmt.Sprintf("INSERT INTO `%s` (%s)", name, strings.Join(quoted, ", ")),
		limit:    s.batch,
		maxBytes: maxBatchBytes,
	}
	if n, ok := s.bytesLimit[name]; ok {
		t.maxBytes = n
	}
	t.start()
	s.tables[key] = t
	s.order = append(s.order, t)
	return t
}

func (t *chTable) start() {
	t.send = make(chan batch, 1)
	t.done = make(chan struct{})
	go t.sender()
}

func (t *chTable) sender() {
	defer close(t.done)
	for b := range t.send {
		if t.getErr() == nil {
			if err := t.sendRows(b.rows); err != nil {
				t.setErr(err)
			}
		}
		t.sink.budget.release(b.bytes)
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
	if t.seen == nil {
		t.seen = map[uintptr]struct{}{}
	}
	t.bytes += rowSize(vals, t.seen)
	if len(t.cur) >= t.limit || t.bytes >= t.maxBytes {
		if deps := t.sink.dependencies(t.name); len(deps) > 0 {
			if err := t.sink.FlushTables(deps...); err != nil {
				return err
			}
		}
		t.queue()
	}
	return nil
}

// queue hands the current batch to the sender, waiting while the batches
// already queued or on the wire exceed the sink's memory budget.
func (t *chTable) queue() {
	t.sink.budget.acquire(t.bytes)
	t.send <- batch{rows: t.cur, bytes: t.bytes}
	t.cur, t.bytes, t.seen = nil, 0, nil
}

func (t *chTable) close() error {
	if len(t.cur) > 0 {
		t.queue()
	}
	t.cur, t.bytes, t.seen = nil, 0, nil
	close(t.send)
	<-t.done
	return t.getErr()
}

func (s *ClickHouseSink) dependencies(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.before[name]
}

// Flush sends the remaining batches and waits for every table, the tables
// named by SendBefore first; the sink cannot be used afterwards.
func (s *ClickHouseSink) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	var first, rest []*chTable
	isFirst := map[string]bool{}
	for _, deps := range s.before {
		for _, d := range deps {
			isFirst[d] = true
		}
	}
	for _, t := range s.order {
		if isFirst[t.name] {
			first = append(first, t)
		} else {
			rest = append(rest, t)
		}
	}
	for _, t := range append(first, rest...) {
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
