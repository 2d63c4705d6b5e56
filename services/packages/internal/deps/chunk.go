package deps

import (
	"context"

	"altrepo/libs/chdb"
)

// Lists bound to `IN ?` become literals in the query text, which ClickHouse
// limits (max_query_size, 256 KiB by default): long lists are split and the
// query is run once per part.
const (
	// MaxInHashes is the number of UInt64 values bound to one IN list.
	MaxInHashes = 4000
	// MaxInNames is the number of strings bound to one IN list.
	MaxInNames = 1500
)

// Chunks splits list into parts of at most n elements (none for an empty list).
func Chunks[E any](list []E, n int) [][]E {
	var out [][]E
	for len(list) > n {
		out = append(out, list[:n:n])
		list = list[n:]
	}
	if len(list) > 0 {
		out = append(out, list)
	}
	return out
}

type listArg struct{}

// ListArg marks, among SelectIn's arguments, where the current part of the
// list is bound.
var ListArg any = listArg{}

// SelectIn runs a Select once per part of list (MaxInHashes numbers or
// MaxInNames strings), binding the part wherever args holds ListArg, and
// appends every row to dest. An empty list runs no query.
func SelectIn[T any, E uint64 | uint32 | string](ctx context.Context, db *chdb.DB, name string, dest *[]T, sql string, list []E, args ...any) error {
	n := MaxInHashes
	var zero E
	if _, ok := any(zero).(string); ok {
		n = MaxInNames
	}
	for _, part := range Chunks(list, n) {
		bound := make([]any, len(args))
		for i, a := range args {
			if _, ok := a.(listArg); ok {
				bound[i] = chdb.In(part)
			} else {
				bound[i] = a
			}
		}
		var rows []T
		if err := db.Select(ctx, name, &rows, sql, bound...); err != nil {
			return err
		}
		*dest = append(*dest, rows...)
	}
	return nil
}
