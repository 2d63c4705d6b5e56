package app

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/chdb"
	"altrepo/libs/lookup"
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

// inStrings binds a list of strings for `IN ?` (an empty list binds [""],
// as `IN ()` is not valid SQL).
func inStrings(s []string) any {
	if len(s) == 0 {
		s = []string{""}
	}
	return chdb.In(s)
}

// parallel runs fns concurrently and returns the first error.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// beehiveLogURL is the Beehive build log of a failed rebuild (libs §11).
func beehiveLogURL(branch, arch string, updated time.Time, name string, epoch uint32, version, release string) string {
	b := branch
	if branch == "sisyphus" {
		b = "Sisyphus"
	}
	evr := version
	if epoch != 0 {
		evr = fmt.Sprintf("%d:%s", epoch, version)
	}
	return fmt.Sprintf("%s/logs/%s/%s/archive/%s/error/%s-%s-%s",
		lookup.Text("beehive_base"), b, arch, updated.Format("2006/0102"), name, evr, release)
}

// branchCountRecords renders {"branch", "count"} records for names in the
// libs §1.7 branch order.
func branchCountRecords(names []string, count map[string]uint64) []model.Record {
	out := []model.Record{}
	for _, b := range lookup.SortBranches(names) {
		out = append(out, model.Map{"branch": b, "count": count[b]})
	}
	return out
}

// likeEscape escapes LIKE wildcards of a literal text.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// msgNoDataNotFound is the reference's (ungrammatical) usual 404 text.
const msgNoDataNotFound = "No data not found in database"

// noDataNotFound is the 404 answer with msgNoDataNotFound.
func noDataNotFound(args any) error { return apierr.NotFoundMsg(msgNoDataNotFound, args) }

// asObject marks a route whose answer is an object (not a top-level list).
func asObject(rt *api.Route) *api.Route {
	rt.AsList = false
	return rt
}

// sourceIn is the pkg_sourcepackage IN list of a package_type.
func sourceIn(packageType string) string {
	switch packageType {
	case "source":
		return "(1)"
	case "binary":
		return "(0)"
	}
	return "(1, 0)"
}

// bytes2Human formats a size as libs §11 bytes2human: "0.0 B", "1.5 KB".
func bytes2Human(size float64) string {
	for _, unit := range []string{"", "K", "M", "G", "T", "P", "E"} {
		if size < 1024 && size > -1024 {
			return fmt.Sprintf("%.1f %sB", size, unit)
		}
		size /= 1024
	}
	return fmt.Sprintf("%.1f ZB", size)
}

// rowMap copies a row into a map (to replace or add values).
func rowMap(row model.Row) model.Map {
	m := make(model.Map, len(row.Cols))
	for k, i := range row.Cols {
		m[k] = row.Vals[i]
	}
	return m
}

// rowUint converts an unsigned or signed integer value of a row.
func rowUint(v any) uint64 {
	switch x := v.(type) {
	case uint8:
		return uint64(x)
	case uint16:
		return uint64(x)
	case uint32:
		return uint64(x)
	case uint64:
		return x
	case int8:
		return uint64(x)
	case int16:
		return uint64(x)
	case int32:
		return uint64(x)
	case int64:
		return uint64(x)
	case int:
		return uint64(x)
	}
	return 0
}

// rowInt64 converts a signed or unsigned integer value of a row.
func rowInt64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case int:
		return int64(x)
	}
	return int64(rowUint(v))
}
