package app

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"altrepo/libs/api"
	"altrepo/libs/chdb"
	"altrepo/libs/model"
)

// streamSpec describes a possibly huge list answered without holding it in
// memory (streamQuery), with a per-row transform and extra keys around the list:
// {<head keys>, "request_args": args, <mid keys>, "<key>": [...], "length": n, <tail keys>}.
// The first row is read before the status is sent, so an empty result is
// a proper notFound answer.
//
// Reading and rendering overlap: one goroutine scans rows from the driver
// into small batches, the handler's goroutine renders and writes them. At
// most streamQueue batches wait, so memory stays flat.
type streamSpec struct {
	args     any
	key      string
	elem     *model.Model
	notFound error
	// transform maps a result row to the record rendered through elem (nil: the row itself).
	transform func(model.Row) model.Record
	// tail holds keys written after "length", in order.
	tailKeys []string
	tailVals []any
	// head holds keys written before "request_args" (e.g. "branch").
	headKeys []string
	headVals []any
	// mid holds keys written between "request_args" and the list.
	midKeys []string
	midVals []any
	// noArgs omits request_args and length (bodies without them).
	noArgs bool
}

const (
	streamBatch = 512
	streamQueue = 4
)

// streamRowBatch is a batch of scanned rows or the read error that ended the result.
type streamRowBatch struct {
	rows []model.Row
	err  error
}

// streamReadRows scans rows (positioned on the first one) into batches until
// the result ends or stop is closed; it closes rows and out.
func streamReadRows(rows *chdb.Rows, next func() (model.Row, error), out chan<- streamRowBatch, stop <-chan struct{}) {
	defer close(out)
	send := func(b streamRowBatch) bool {
		select {
		case out <- b:
			return true
		case <-stop:
			return false
		}
	}
	batch := make([]model.Row, 0, streamBatch)
	for ok := true; ok; ok = rows.Next() {
		row, err := next()
		if err != nil {
			rows.Close()
			send(streamRowBatch{err: err})
			return
		}
		batch = append(batch, row)
		if len(batch) == streamBatch {
			if !send(streamRowBatch{rows: batch}) {
				rows.Close()
				return
			}
			batch = make([]model.Row, 0, streamBatch)
		}
	}
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	if len(batch) > 0 && !send(streamRowBatch{rows: batch}) {
		return
	}
	if err != nil {
		send(streamRowBatch{err: err})
	}
}

// streamBlockRows bounds the rows of the blocks ClickHouse sends for a
// streamed answer: the driver holds a few blocks at a time, so the block
// size, not the answer size, sets the memory used.
const streamBlockRows = 2048

// streamSQL is the SQL a streamed answer runs: the query with small result blocks.
func streamSQL(sql string) string {
	return sql + fmt.Sprintf("\nSETTINGS max_block_size = %d", streamBlockRows)
}

// queryFirst runs sql and advances to its first row (next scans the
// current row); an empty result is closed and answered with notFound, so a
// streamed answer can still be a proper 404 before its status is sent.
func (a *App) queryFirst(ctx context.Context, notFound error, name, sql string, params ...any) (*chdb.Rows, func() (model.Row, error), error) {
	rows, err := a.db.Query(ctx, name, sql, params...)
	if err != nil {
		return nil, nil, err
	}
	next, first, err := peek(rows)
	if err != nil {
		rows.Close()
		return nil, nil, err
	}
	if !first {
		if err := rows.Close(); err != nil {
			return nil, nil, err
		}
		return nil, nil, notFound
	}
	return rows, next, nil
}

// streamQuery runs sql (with small result blocks) and streams its rows as
// st describes.
func (a *App) streamQuery(ctx context.Context, st streamSpec, name, sql string, params ...any) (*api.Response, error) {
	rows, next, err := a.queryFirst(ctx, st.notFound, name, streamSQL(sql), params...)
	if err != nil {
		return nil, err
	}
	return &api.Response{Stream: func(ctx context.Context, s *api.Stream) error {
		batches := make(chan streamRowBatch, streamQueue)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); streamReadRows(rows, next, batches, stop) }()
		defer func() {
			close(stop)
			for range batches { // let the reader finish and close the result
			}
			wg.Wait()
		}()
		s.Raw("{")
		sep := ""
		for i, k := range st.headKeys {
			s.Raw(sep)
			s.Key(k)
			s.Value(st.headVals[i])
			sep = ","
		}
		if !st.noArgs {
			s.Raw(sep)
			s.Key("request_args")
			s.Value(st.args)
			sep = ","
		}
		for i, k := range st.midKeys {
			s.Raw(sep)
			s.Key(k)
			s.Value(st.midVals[i])
			sep = ","
		}
		s.Raw(sep)
		s.Key(st.key)
		s.Raw("[")
		n := 0
		var plan *rowPlan
		var buf []byte
		for b := range batches {
			if b.err != nil {
				return b.err
			}
			for _, row := range b.rows {
				if st.transform != nil {
					if n > 0 {
						s.Raw(",")
					}
					s.Record(st.elem, st.transform(row))
					n++
					continue
				}
				if plan == nil {
					plan = newRowPlan(st.elem, row.Cols)
				}
				if n > 0 {
					buf = append(buf, ',')
				}
				buf = plan.append(buf, row)
				n++
			}
			if len(buf) > 0 {
				s.Raw(string(buf))
				buf = buf[:0]
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		s.Raw("]")
		if !st.noArgs {
			s.Raw(`,"length":`)
			s.Value(n)
		}
		for i, k := range st.tailKeys {
			s.Raw(",")
			s.Key(k)
			s.Value(st.tailVals[i])
		}
		s.Raw("}")
		return nil
	}}, nil
}

// rowPlan renders result rows through a flat model without looking
// columns up by name for every row: strings, integers and string lists
// are written directly; any other value goes through the model's own
// rendering of that single field, so the output is the same.
type rowPlan struct {
	fields []fieldPlan
}

type fieldPlan struct {
	key    []byte // `"name":`
	col    int    // column position, -1 when absent
	kind   model.Kind
	elem   model.Kind
	attr   string
	single *model.Model // the field alone, for the general case
}

func newRowPlan(m *model.Model, cols model.Columns) *rowPlan {
	p := &rowPlan{}
	for _, f := range m.Fields {
		attr := f.Attr
		if attr == "" {
			attr = f.Name
		}
		col, ok := cols[attr]
		if !ok {
			col = -1
		}
		key := model.AppendString(nil, f.Name)
		p.fields = append(p.fields, fieldPlan{
			key: append(key, ':'), col: col, kind: f.Kind, elem: f.Elem, attr: attr,
			single: &model.Model{Name: m.Name, Fields: []model.Field{f}},
		})
	}
	return p
}

func (p *rowPlan) append(b []byte, row model.Row) []byte {
	b = append(b, '{')
	for i := range p.fields {
		f := &p.fields[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, f.key...)
		var v any
		if f.col >= 0 && f.col < len(row.Vals) {
			v = row.Vals[f.col]
		}
		if out, ok := f.fast(b, v); ok {
			b = out
			continue
		}
		// General case: the model renders {"name":value}; keep the value.
		one := f.single.Append(nil, model.Map{f.attr: v})
		b = append(b, one[len(f.key)+1:len(one)-1]...)
	}
	return append(b, '}')
}

// fast writes the common value types; ok is false for anything else.
func (f *fieldPlan) fast(b []byte, v any) ([]byte, bool) {
	switch f.kind {
	case model.String:
		if s, ok := v.(string); ok {
			return model.AppendString(b, s), true
		}
	case model.Integer:
		switch x := v.(type) {
		case uint64:
			return strconv.AppendUint(b, x, 10), true
		case uint32:
			return strconv.AppendUint(b, uint64(x), 10), true
		case uint16:
			return strconv.AppendUint(b, uint64(x), 10), true
		case uint8:
			return strconv.AppendUint(b, uint64(x), 10), true
		case int64:
			return strconv.AppendInt(b, x, 10), true
		case int32:
			return strconv.AppendInt(b, int64(x), 10), true
		}
	case model.List:
		if xs, ok := v.([]string); ok && xs != nil && f.elem == model.String {
			b = append(b, '[')
			for i, x := range xs {
				if i > 0 {
					b = append(b, ',')
				}
				b = model.AppendString(b, x)
			}
			return append(b, ']'), true
		}
	}
	return b, false
}
