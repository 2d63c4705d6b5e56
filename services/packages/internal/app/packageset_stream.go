package app

import (
	"context"
	"sync"

	"altrepo/libs/api"
	"altrepo/libs/chdb"
	"altrepo/libs/model"
)

// psStream answers a possibly huge list without holding it in memory, as
// streamList does, with a per-row transform and extra keys around the list:
// {<head keys>, "request_args": args, "<key>": [...], "length": n, <tail keys>}.
// The first row is read before the status is sent, so an empty result is
// a proper notFound answer.
//
// Reading and rendering overlap: one goroutine scans rows from the driver
// into small batches, the handler's goroutine renders and writes them. At
// most psStreamQueue batches wait, so memory stays flat.
type psStream struct {
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
	// noArgs omits request_args and length (bodies without them).
	noArgs bool
}

const (
	psStreamBatch = 512
	psStreamQueue = 4
)

// psRowBatch is a batch of scanned rows or the read error that ended the result.
type psRowBatch struct {
	rows []model.Row
	err  error
}

// psReadRows scans rows (positioned on the first one) into batches until
// the result ends or stop is closed; it closes rows and out.
func psReadRows(rows *chdb.Rows, next func() (model.Row, error), out chan<- psRowBatch, stop <-chan struct{}) {
	defer close(out)
	send := func(b psRowBatch) bool {
		select {
		case out <- b:
			return true
		case <-stop:
			return false
		}
	}
	batch := make([]model.Row, 0, psStreamBatch)
	for ok := true; ok; ok = rows.Next() {
		row, err := next()
		if err != nil {
			rows.Close()
			send(psRowBatch{err: err})
			return
		}
		batch = append(batch, row)
		if len(batch) == psStreamBatch {
			if !send(psRowBatch{rows: batch}) {
				rows.Close()
				return
			}
			batch = make([]model.Row, 0, psStreamBatch)
		}
	}
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	if len(batch) > 0 && !send(psRowBatch{rows: batch}) {
		return
	}
	if err != nil {
		send(psRowBatch{err: err})
	}
}

func (a *App) psStreamQuery(ctx context.Context, st psStream, name, sql string, params ...any) (*api.Response, error) {
	rows, err := a.db.Query(ctx, name, sql, params...)
	if err != nil {
		return nil, err
	}
	next, first, err := peek(rows)
	if err != nil {
		rows.Close()
		return nil, err
	}
	if !first {
		if err := rows.Close(); err != nil {
			return nil, err
		}
		return nil, st.notFound
	}
	return &api.Response{Stream: func(ctx context.Context, s *api.Stream) error {
		batches := make(chan psRowBatch, psStreamQueue)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); psReadRows(rows, next, batches, stop) }()
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
		s.Raw(sep)
		s.Key(st.key)
		s.Raw("[")
		for b := range batches {
			if b.err != nil {
				return b.err
			}
			for _, row := range b.rows {
				if s.Count() > 0 {
					s.Raw(",")
				}
				var rec model.Record = row
				if st.transform != nil {
					rec = st.transform(row)
				}
				s.Record(st.elem, rec)
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		s.Raw("]")
		if !st.noArgs {
			s.Raw(`,"length":`)
			s.Value(s.Count())
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
