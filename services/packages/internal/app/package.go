package app

import (
	"context"
	"strings"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/contract"
)

// packageRoutes lists the implemented routes of the package namespace.
func (a *App) packageRoutes() []*api.Route {
	return []*api.Route{
		bind(contract.GetPackagePackageInfo(), a.packageInfo),
	}
}

// Columns of /package/package_info without full=true.
var packageInfoColumns = []string{"pkg_cs", "pkg_packager", "pkg_packager_email", "pkg_name", "pkg_arch",
	"pkg_version", "pkg_release", "pkg_epoch", "pkg_disttag", "pkg_sourcepackage", "pkg_sourcerpm", "pkg_filename"}

// packageInfoFilters maps request parameters to the columns they filter.
var packageInfoFilters = []struct{ param, column string }{
	{"sha1", "pkg_cs"}, {"name", "pkg_name"}, {"version", "pkg_version"}, {"release", "pkg_release"},
	{"arch", "pkg_arch"}, {"disttag", "pkg_disttag"}, {"packager", "pkg_packager"}, {"packager_email", "pkg_packager_email"},
}

// selectColumn renders a column of Packages as the model expects: pkg_cs
// as lower-case hex text (the reference compared raw bytes with hex text,
// so its sha1 filter never matched: here the filter compares lower-case
// hex), Array(LowCardinality(String)) as Array(String) (the driver cannot
// read the former from ClickHouse 18.16).
func selectColumn(c string) string {
	switch c {
	case "pkg_cs":
		return "lower(hex(pkg_cs)) AS pkg_cs"
	case "pkg_buildarchs", "pkg_prefixes":
		return "arrayMap(x -> toString(x), " + c + ") AS " + c
	}
	return c
}

// packageInfo looks packages up in the current state of branches.
func (a *App) packageInfo(ctx context.Context, r *api.Request) (*api.Response, error) {
	anyGiven := false
	for _, f := range packageInfoFilters {
		if r.Has(f.param) {
			anyGiven = true
		}
	}
	if !anyGiven {
		return nil, apierr.Validation(r.Args, "at least one of request parameters should be specified: ('sha1', 'name', 'version', 'release', 'arch', 'disttag', 'packager', 'packager_email')")
	}
	cols := packageInfoColumns
	if r.Bool("full") {
		cols = lookup.List("package_params")
	}
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = selectColumn(c)
	}
	// The current packages are selected through static_last_packages (its
	// primary key covers branch and name), then read from Packages: the
	// last_packages view does not get filters pushed down on 18.16.
	inner := []string{"pkg_sourcepackage = ?"}
	var innerParams []any
	src := 0
	if r.Bool("source") {
		src = 1
	}
	innerParams = append(innerParams, src)
	if r.Has("branch") {
		inner = append(inner, "pkgset_name = ?")
		innerParams = append(innerParams, r.String("branch"))
	}
	var where []string
	var params []any
	for _, f := range packageInfoFilters {
		if !r.Has(f.param) || (f.param == "arch" && r.Bool("source")) {
			continue
		}
		switch f.param {
		case "sha1":
			// pkg_cs is selected as "lower(hex(pkg_cs)) AS pkg_cs" and
			// ClickHouse resolves the alias in WHERE too.
			where = append(where, "pkg_cs = ?")
			params = append(params, strings.ToLower(r.String("sha1")))
		case "name", "version", "release":
			inner = append(inner, f.column+" = ?")
			innerParams = append(innerParams, r.String(f.param))
			where = append(where, f.column+" = ?")
			params = append(params, r.String(f.param))
		default:
			where = append(where, f.column+" = ?")
			params = append(params, r.String(f.param))
		}
	}
	where = append([]string{"pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE " + strings.Join(inner, " AND ") + ")"}, where...)
	params = append(innerParams, params...)
	sql := "SELECT DISTINCT pkg_hash, " + strings.Join(sel, ", ") + " FROM Packages WHERE " + strings.Join(where, " AND ")
	rows, err := a.db.Records(ctx, "package_info", sql, params...)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg("No packages found in last packages for given parameters", r.Args)
	}
	pkgs := make([]model.Record, len(rows))
	for i, row := range rows {
		pkgs[i] = row
	}
	if r.Bool("full") {
		if pkgs, err = a.packageInfoDetails(ctx, rows); err != nil {
			return nil, err
		}
	}
	return api.OK(listBody(r.Args, "packages", pkgs)), nil
}

const sqlPackageChangelogs = `
SELECT pkg_hash, idx, toDate(date) AS date, name, evr, chlog_text
FROM (
    SELECT DISTINCT pkg_hash, idx, pkg_changelog.date AS date, pkg_changelog.name AS name,
           pkg_changelog.evr AS evr, pkg_changelog.hash AS chlog_hash
    FROM Packages
    ARRAY JOIN pkg_changelog, arrayEnumerate(pkg_changelog.hash) AS idx
    WHERE pkg_hash IN ?
)
LEFT JOIN (
    SELECT chlog_hash, any(chlog_text) AS chlog_text FROM Changelog
    WHERE chlog_hash IN (SELECT arrayJoin(pkg_changelog.hash) FROM Packages WHERE pkg_hash IN ?)
    GROUP BY chlog_hash
) USING chlog_hash
ORDER BY pkg_hash, idx`

const sqlPackageFiles = `
SELECT pkg_hash, groupUniqArray(fn_name) AS files
FROM (SELECT DISTINCT pkg_hash, file_hashname AS fn_hash FROM Files WHERE pkg_hash IN ?)
INNER JOIN (
    SELECT fn_hash, any(fn_name) AS fn_name FROM FileNames
    WHERE fn_hash IN (SELECT file_hashname FROM Files WHERE pkg_hash IN ?)
    GROUP BY fn_hash
) USING fn_hash
GROUP BY pkg_hash`

const sqlPackageDepends = `
SELECT DISTINCT pkg_hash, toString(dp_type) AS dp_type, dp_name FROM Depends WHERE pkg_hash IN ?`

// packageInfoDetails adds changelog, files and dependencies (full=true).
func (a *App) packageInfoDetails(ctx context.Context, rows []model.Record) ([]model.Record, error) {
	hashes := make([]uint64, 0, len(rows))
	for _, row := range rows {
		h, _ := row.Get("pkg_hash")
		hashes = append(hashes, h.(uint64))
	}
	in := inList(hashes)
	changelog := map[uint64][]model.Record{}
	err := a.db.Each(ctx, "package_info_changelog", func(row model.Row) error {
		h, _ := row.Get("pkg_hash")
		d, _ := row.Get("date")
		name, _ := row.Get("name")
		evr, _ := row.Get("evr")
		text, _ := row.Get("chlog_text")
		changelog[h.(uint64)] = append(changelog[h.(uint64)], model.Map{"date": d.(time.Time).Format("2006-01-02"), "name": name, "evr": evr, "message": text})
		return nil
	}, sqlPackageChangelogs, in, in)
	if err != nil {
		return nil, err
	}
	files := map[uint64]any{}
	err = a.db.Each(ctx, "package_info_files", func(row model.Row) error {
		h, _ := row.Get("pkg_hash")
		f, _ := row.Get("files")
		files[h.(uint64)] = f
		return nil
	}, sqlPackageFiles, in, in)
	if err != nil {
		return nil, err
	}
	depends := map[uint64]model.Map{}
	err = a.db.Each(ctx, "package_info_depends", func(row model.Row) error {
		h, _ := row.Get("pkg_hash")
		t, _ := row.Get("dp_type")
		n, _ := row.Get("dp_name")
		d := depends[h.(uint64)]
		if d == nil {
			d = model.Map{}
			depends[h.(uint64)] = d
		}
		list, _ := d[t.(string)].([]string)
		d[t.(string)] = append(list, n.(string))
		return nil
	}, sqlPackageDepends, in)
	if err != nil {
		return nil, err
	}
	out := make([]model.Record, len(rows))
	for i, row := range rows {
		h, _ := row.Get("pkg_hash")
		m := model.Map{}
		for k, idx := range row.(model.Row).Cols {
			m[k] = row.(model.Row).Vals[idx]
		}
		m["changelog"] = changelog[h.(uint64)]
		if m["changelog"] == nil {
			m["changelog"] = []model.Record{}
		}
		if f, ok := files[h.(uint64)]; ok {
			m["files"] = f
		} else {
			m["files"] = []string{}
		}
		if d, ok := depends[h.(uint64)]; ok {
			m["depends"] = d
		} else {
			m["depends"] = model.Map{}
		}
		out[i] = m
	}
	return out, nil
}
