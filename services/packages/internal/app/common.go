package app

import (
	"context"
	"fmt"
	"strings"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/chdb"
	"altrepo/libs/model"
)

// listBody is the common {"request_args", "length", <list>} answer.
func listBody(args any, key string, items []model.Record) model.Map {
	return model.Map{"request_args": args, "length": len(items), key: items}
}

// pyList renders names as Python's repr of a list of strings: ['a', 'b'].
func pyList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + strings.ReplaceAll(n, "'", "\\'") + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// streamList answers a possibly huge list without holding it in memory:
// {"request_args": ..., "<key>": [rows through elem...], "length": n}.
// The first row is read before the status is sent, so an empty result is
// still a proper 404 (notFound).
func (a *App) streamList(ctx context.Context, args any, key string, elem *model.Model, notFound error, name, sql string, params ...any) (*api.Response, error) {
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
		return nil, notFound
	}
	return &api.Response{Stream: func(ctx context.Context, s *api.Stream) error {
		defer rows.Close()
		s.Raw(`{"request_args":`)
		s.Value(args)
		s.Raw(`,"` + key + `":[`)
		for ok := true; ok; {
			row, err := next()
			if err != nil {
				return err
			}
			if s.Count() > 0 {
				s.Raw(",")
			}
			s.Record(elem, row)
			ok = rows.Next()
		}
		if err := rows.Err(); err != nil {
			return err
		}
		s.Raw(`],"length":`)
		s.Value(s.Count())
		s.Raw("}")
		return nil
	}}, nil
}

// peek advances to the first row; next scans the current row.
func peek(rows *chdb.Rows) (next func() (model.Row, error), ok bool, err error) {
	sc := chdb.NewScanner(rows)
	if !rows.Next() {
		return nil, false, rows.Err()
	}
	return func() (model.Row, error) { return sc.Row(rows) }, true, nil
}

// branchCheck answers the reference's 400 for a branch outside allowed.
func branchCheck(args any, branch string, allowed []string) error {
	for _, b := range allowed {
		if b == branch {
			return nil
		}
	}
	return apierr.Validation(args,
		fmt.Sprintf("unknown package set name : %s", branch),
		fmt.Sprintf("allowed package set names are : %s", pyList(allowed)))
}

// inList binds a list of hashes for `IN ?`.
func inList(hashes []uint64) any { return chdb.In(hashes) }
