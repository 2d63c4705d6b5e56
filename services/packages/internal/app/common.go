package app

import (
	"fmt"
	"strings"

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
