package app

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/contract"
)

// fileRoutes lists the implemented routes of the file namespace.
func (a *App) fileRoutes() []*api.Route {
	return []*api.Route{
		bind(contract.GetFileSearch(), a.fileSearch),
		bind(contract.GetFileFastLookup(), a.fileFastLookup),
		bind(contract.GetFilePackagesByFile(), a.filePackagesByFile),
	}
}

// fileNotFound is the namespace's 404: no details.
func fileNotFound() error {
	return apierr.Worker(http.StatusNotFound, msgNoDataNotFound, model.Ordered{})
}

// fileLimitCheck answers the 400 of a limit outside 1..5000 (0 = no limit).
func fileLimitCheck(r *api.Request) error {
	if n := r.Int("limit"); n != 0 && (n < 1 || n > 5000) {
		return apierr.Validation(r.Args, "limit should be in range 1 to 5000")
	}
	return nil
}

// fileSearchPattern builds the FileSearch.search_string LIKE pattern of a
// binary-package file in branch whose path matches path (`_` escaped so it
// is literal, `%` kept as a wildcard).
func fileSearchPattern(branch, path string) string {
	return branch + "|" + strings.ReplaceAll(path, "_", `\_`) + "|%|binary|%"
}

// Files whose name contains the input, one (arbitrary) package per name,
// shortest names first, with their Files attributes.
const sqlFileSearch = `
SELECT file_name, file_hashname, toString(file_class) AS file_class, file_linkto AS symlink, file_mode
FROM (
    SELECT fname AS file_name, murmurHash3_64(fname) AS file_hashname, any(lead) AS pkg_hash
    FROM (
        SELECT splitByChar('|', search_string)[2] AS fname, argMax(lead, ts) AS lead
        FROM FileSearch
        WHERE search_string LIKE ?
        GROUP BY search_string
    )
    GROUP BY fname
    ORDER BY lengthUTF8(fname), fname
    %s
)
INNER JOIN (
    SELECT DISTINCT pkg_hash, file_hashname, file_class, file_linkto, file_mode
    FROM Files
    WHERE pkg_hash IN (SELECT toUInt64(lead) FROM FileSearch WHERE search_string LIKE ?)
) USING (pkg_hash, file_hashname)
ORDER BY lengthUTF8(file_name), file_name, file_class, symlink, file_mode`

// fileSearch finds files of binary packages of a branch by a part of their path.
func (a *App) fileSearch(ctx context.Context, r *api.Request) (*api.Response, error) {
	if err := fileLimitCheck(r); err != nil {
		return nil, err
	}
	pattern := fileSearchPattern(r.String("branch"), "%"+r.String("file_name")+"%")
	limit := ""
	if n := r.Int("limit"); n > 0 {
		limit = fmt.Sprintf("LIMIT %d", n)
	}
	sql := fmt.Sprintf(sqlFileSearch, limit)
	return a.fileNsStream(ctx, r.Args, "files", contract.FilesElementModel, fileNotFound(), fileNsModeRow,
		"file_search", sql, pattern, pattern)
}

// fileNsModeRow renders file_mode as a permission string (libs §11).
func fileNsModeRow(row model.Row) (model.Record, error) {
	cls, _ := row.Get("file_class")
	mode, _ := row.Get("file_mode")
	perm, err := fileNsPermissions(model.Str(cls), rowUint(mode))
	if err != nil {
		return nil, err
	}
	m := rowMap(row)
	m["file_mode"] = perm
	return m, nil
}

// fileNsStream answers {"request_args", "<key>": [...], "length"} from a
// possibly large query, converting each row with conv; the first row is
// read before the status is sent, so an empty result is notFound.
func (a *App) fileNsStream(ctx context.Context, args any, key string, elem *model.Model, notFound error,
	conv func(model.Row) (model.Record, error), name, sql string, params ...any) (*api.Response, error) {
	rows, next, err := a.queryFirst(ctx, notFound, name, sql, params...)
	if err != nil {
		return nil, err
	}
	// Convert the first row now: a conversion failure is still a proper 500.
	row, err := next()
	if err == nil {
		var rec model.Record
		if rec, err = conv(row); err == nil {
			return &api.Response{Stream: func(ctx context.Context, s *api.Stream) error {
				defer rows.Close()
				s.Raw(`{"request_args":`)
				s.Value(args)
				s.Raw(`,"` + key + `":[`)
				s.Record(elem, rec)
				for rows.Next() {
					row, err := next()
					if err != nil {
						return err
					}
					rec, err := conv(row)
					if err != nil {
						return err
					}
					s.Raw(",")
					s.Record(elem, rec)
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
	}
	rows.Close()
	return nil, err
}

const sqlFileFastLookup = `
SELECT DISTINCT splitByChar('|', search_string)[2] AS file_name
FROM FileSearch
WHERE search_string LIKE ?
%s`

// fileFastLookup answers file names containing the input: the best
// (shortest, then smallest) of the first 4×limit distinct names found.
func (a *App) fileFastLookup(ctx context.Context, r *api.Request) (*api.Response, error) {
	if err := fileLimitCheck(r); err != nil {
		return nil, err
	}
	n := r.Int("limit")
	limit := ""
	if n > 0 {
		limit = fmt.Sprintf("LIMIT %d", 4*n)
	}
	var rows []struct {
		Name string `ch:"file_name"`
	}
	pattern := fileSearchPattern(r.String("branch"), "%"+r.String("file_name")+"%")
	if err := a.db.Select(ctx, "file_fast_lookup", &rows, fmt.Sprintf(sqlFileFastLookup, limit), pattern); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fileNotFound()
	}
	names := make([]string, len(rows))
	for i, row := range rows {
		names[i] = row.Name
	}
	fileNsSortNames(names)
	if n > 0 && int64(len(names)) > n {
		names = names[:n]
	}
	items := make([]model.Record, len(names))
	for i, name := range names {
		items[i] = model.Map{"file_name": name}
	}
	return api.OK(listBody(r.Args, "files", items)), nil
}

// fileNsSortNames orders names by length in characters, then by code
// points.
func fileNsSortNames(names []string) {
	sort.SliceStable(names, func(i, j int) bool {
		li, lj := utf8.RuneCountInString(names[i]), utf8.RuneCountInString(names[j])
		if li != lj {
			return li < lj
		}
		return names[i] < names[j]
	})
}

const sqlFilePackagesByFile = `
SELECT DISTINCT toString(pkg_hash) AS hash, pkg_name AS name, pkg_version AS version, pkg_release AS release, toString(pkg_arch) AS arch
FROM Packages
WHERE pkg_sourcepackage = 0 AND pkg_hash IN (
    SELECT toUInt64(lead) FROM (
        SELECT argMax(lead, ts) AS lead FROM FileSearch WHERE search_string LIKE ? GROUP BY search_string
    )
)
ORDER BY name, arch, version, release, hash`

// filePackagesByFile answers the binary packages of a branch holding a file.
func (a *App) filePackagesByFile(ctx context.Context, r *api.Request) (*api.Response, error) {
	pattern := fileSearchPattern(r.String("branch"), r.String("file_name"))
	rows, err := a.db.Records(ctx, "file_packages_by_file", sqlFilePackagesByFile, pattern)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fileNotFound()
	}
	return api.OK(listBody(r.Args, "packages", rows)), nil
}

// fileNsPermissions renders a file mode as `ls -l` does (libs §11): the
// type character of the class, then rwx triplets with setuid, setgid and
// sticky bits.
func fileNsPermissions(class string, mode uint64) (string, error) {
	types := map[string]byte{"file": '-', "directory": 'd', "symlink": 'l', "socket": 's', "block": 'b', "char": 'c', "fifo": 'p'}
	t, ok := types[class]
	if !ok {
		return "", fmt.Errorf("unknown file class %q", class)
	}
	b := []byte{t}
	special := mode >> 9
	for _, who := range []struct {
		shift   uint
		bit     uint64
		set, no byte
	}{{6, 4, 's', 'S'}, {3, 2, 's', 'S'}, {0, 1, 't', 'T'}} {
		m := mode >> who.shift
		trip := []byte{'-', '-', '-'}
		if m&4 != 0 {
			trip[0] = 'r'
		}
		if m&2 != 0 {
			trip[1] = 'w'
		}
		if m&1 != 0 {
			trip[2] = 'x'
		}
		if special&who.bit != 0 {
			if m&1 != 0 {
				trip[2] = who.set
			} else {
				trip[2] = who.no
			}
		}
		b = append(b, trip...)
	}
	return string(b), nil
}
