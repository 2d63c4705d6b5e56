package app

import (
	"context"

	"altrepo/libs/api"
	"altrepo/libs/model"
)

// psStream answers a possibly huge list without holding it in memory, as
// streamList does, with a per-row transform and extra keys after the list:
// {"request_args": args, "<key>": [...], "length": n, <tail keys>}.
// The first row is read before the status is sent, so an empty result is
// a proper notFound answer.
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
		defer rows.Close()
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
		for ok := true; ok; {
			row, err := next()
			if err != nil {
				return err
			}
			if s.Count() > 0 {
				s.Raw(",")
			}
			var rec model.Record = row
			if st.transform != nil {
				rec = st.transform(row)
			}
			s.Record(st.elem, rec)
			if err := ctx.Err(); err != nil {
				return err
			}
			ok = rows.Next()
		}
		if err := rows.Err(); err != nil {
			return err
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
