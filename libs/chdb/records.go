package chdb

import (
	"context"
	"reflect"

	"altrepo/libs/model"
)

// Scanner reads rows of any shape into model rows keyed by column name.
type Scanner struct {
	cols  model.Columns
	ptrs  []any
	elems []reflect.Value
}

// NewScanner prepares reading rows of any shape as model rows.
func NewScanner(r *Rows) *Scanner {
	types := r.ColumnTypes()
	s := &Scanner{cols: model.NewColumns(r.Columns()...), ptrs: make([]any, len(types)), elems: make([]reflect.Value, len(types))}
	for i, ct := range types {
		p := reflect.New(ct.ScanType())
		s.ptrs[i] = p.Interface()
		s.elems[i] = p.Elem()
	}
	return s
}

// Row scans the current row.
func (s *Scanner) Row(r *Rows) (model.Row, error) {
	if err := r.Scan(s.ptrs...); err != nil {
		return model.Row{}, &Error{Query: r.name, Err: err}
	}
	vals := make([]any, len(s.elems))
	for i, e := range s.elems {
		vals[i] = e.Interface()
	}
	return model.Row{Cols: s.cols, Vals: vals}, nil
}

// Records reads every row of a named query as model rows (columns by
// name, values in the driver's Go types) and closes the result.
func (db *DB) Records(ctx context.Context, name, sql string, args ...any) ([]model.Record, error) {
	var out []model.Record
	err := db.Each(ctx, name, func(r model.Row) error { out = append(out, r); return nil }, sql, args...)
	return out, err
}

// Each streams the rows of a named query to fn, one at a time.
func (db *DB) Each(ctx context.Context, name string, fn func(model.Row) error, sql string, args ...any) error {
	rows, err := db.Query(ctx, name, sql, args...)
	if err != nil {
		return err
	}
	s := NewScanner(rows)
	for rows.Next() {
		row, err := s.Row(rows)
		if err != nil {
			rows.Close()
			return err
		}
		if err := fn(row); err != nil {
			rows.Close()
			return err
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	return rows.Close()
}
