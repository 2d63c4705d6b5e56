package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
	"altrepo/libs/validate"
	"altrepo/services/packages/internal/contract"
	"altrepo/services/packages/internal/mscore"
)

// packageMoreRoutes lists the package-namespace routes beyond package_info.
func (a *App) packageMoreRoutes() []*api.Route {
	return []*api.Route{
		bind(contract.GetPackageFindPackageset(), a.pmFindPackageset),
		bind(contract.GetPackagePackageByFileName(), a.pmPackageByFileName),
		bind(contract.GetPackagePackageByFileMd5(), a.pmPackageByFileMD5),
		bind(contract.PostPackagePackagesByFileNames(), a.pmPackagesByFileNames),
		bind(contract.GetPackageUnpackagedDirs(), a.pmUnpackagedDirs),
		bind(contract.GetPackageRepocop(), a.pmRepocopGet),
		bind(contract.PostPackageRepocop(), a.pmRepocopPost),
		bind(contract.GetPackageSpecfileByHashByPkghash(), a.pmSpecfileByHash),
		bind(contract.GetPackageSpecfileByName(), a.pmSpecfileByName),
		bind(contract.GetPackagePackageFilesByPkghash(), a.pmPackageFiles),
		bind(contract.GetPackageMaintainerScore(), a.pmMaintainerScore),
	}
}

// ---------------------------------------------------------------- find_packageset

const sqlPmFindPackageset = `
SELECT
    pkgset_name AS branch,
    toString(any(pkgset_date)) AS pkgset_datetime,
    sourcepkgname,
    groupUniqArray(pkg_name) AS packages,
    pkg_version AS version,
    pkg_release AS release,
    any(pkg_disttag) AS disttag,
    any(toString(pkg_packager_email)) AS packager_email,
    toString(toDateTime(any(pkg_buildtime))) AS buildtime,
    groupUniqArray(toString(pkg_arch)) AS archs
FROM last_packages_with_source
WHERE sourcepkgname IN ? AND pkg_name NOT LIKE '%%-debuginfo' %s
GROUP BY pkgset_name, sourcepkgname, pkg_version, pkg_release
ORDER BY pkgset_datetime DESC, branch, sourcepkgname, version, release`

// pmFindPackageset answers the package sets holding given source packages.
func (a *App) pmFindPackageset(ctx context.Context, r *api.Request) (*api.Response, error) {
	cond, params := "", []any{inStrings(r.Strings("packages"))}
	if r.Has("branches") {
		cond = "AND pkgset_name IN ?"
		params = append(params, inStrings(r.Strings("branches")))
	}
	rows, err := a.db.Records(ctx, "find_packageset", fmt.Sprintf(sqlPmFindPackageset, cond), params...)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg("No results found in last package sets for given parameters", r.Args)
	}
	return api.OK(listBody(r.Args, "packages", rows)), nil
}

// ---------------------------------------------------------------- packages by file

// Binary packages of a branch (arch in a set) holding files selected by
// two filters: on Files (%[1]s) and on FileNames (%[2]s), with the
// matched file names per package.
const sqlPmPackagesByFiles = `
SELECT pkg_hash, pkgcs, name, version, release, disttag, arch, files
FROM (
    SELECT pkg_hash, groupArray(fname) AS files
    FROM (
        SELECT DISTINCT pkg_hash, file_hashname AS fn_hash
        FROM Files
        WHERE %[1]s
          AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 0)
    )
    INNER JOIN (
        SELECT fn_hash, any(fn_name) AS fname FROM FileNames WHERE %[2]s GROUP BY fn_hash
    ) USING fn_hash
    GROUP BY pkg_hash
)
INNER JOIN (
    SELECT pkg_hash, any(lower(hex(pkg_cs))) AS pkgcs, any(pkg_name) AS name, any(pkg_version) AS version,
           any(pkg_release) AS release, any(pkg_disttag) AS disttag, any(toString(pkg_arch)) AS arch
    FROM Packages
    WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 0)
      AND pkg_arch IN ?
    GROUP BY pkg_hash
) USING pkg_hash
ORDER BY name, arch, pkg_hash`

// pmFileFilter selects files for sqlPmPackagesByFiles.
type pmFileFilter struct {
	files, names           string
	fileParams, nameParams []any
}

// pmPackagesByFiles runs sqlPmPackagesByFiles; rows carry the request branch.
func (a *App) pmPackagesByFiles(ctx context.Context, name string, f pmFileFilter, branch string, archs []string) ([]model.Record, error) {
	params := append(append([]any{}, f.fileParams...), branch)
	params = append(append(params, f.nameParams...), branch, inStrings(archs))
	rows, err := a.db.Records(ctx, name, fmt.Sprintf(sqlPmPackagesByFiles, f.files, f.names), params...)
	if err != nil {
		return nil, err
	}
	out := make([]model.Record, len(rows))
	for i, row := range rows {
		m := rowMap(row.(model.Row))
		m["branch"] = branch
		out[i] = m
	}
	return out, nil
}

// pmFilePatternFilter matches file names with a LIKE pattern.
func pmFilePatternFilter(pattern string) pmFileFilter {
	return pmFileFilter{
		files:      "file_hashname IN (SELECT fn_hash FROM FileNames WHERE fn_name LIKE ?)",
		names:      "fn_name LIKE ?",
		fileParams: []any{pattern}, nameParams: []any{pattern},
	}
}

// pmPackageByFileName answers the binary packages holding files matching a
// name with `*` wildcards.
func (a *App) pmPackageByFileName(ctx context.Context, r *api.Request) (*api.Response, error) {
	pattern := strings.ReplaceAll(strings.ReplaceAll(r.String("file"), "%", `\%`), "*", "%")
	branch := r.String("branch")
	archs := []string{r.String("arch"), "noarch"}
	rows, err := a.pmPackagesByFiles(ctx, "package_by_file_name", pmFilePatternFilter(pattern), branch, archs)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFound(r.Args)
	}
	var args model.Ordered
	args.Set("branch", branch)
	args.Set("arch", archs)
	args.Set("files", pattern)
	return api.OK(model.Map{"request_args": args, "length": len(rows), "packages": rows, "not_found": []string{}}), nil
}

// pmPackageByFileMD5 answers the binary packages holding a file with an MD5.
func (a *App) pmPackageByFileMD5(ctx context.Context, r *api.Request) (*api.Response, error) {
	archs := []string{r.String("arch"), "noarch"}
	if archs[0] == "noarch" {
		archs = archs[:1]
	}
	branch, md5 := r.String("branch"), r.String("md5")
	f := pmFileFilter{
		files:      "file_md5 = unhex(?)",
		names:      "fn_hash IN (SELECT file_hashname FROM Files WHERE file_md5 = unhex(?))",
		fileParams: []any{md5}, nameParams: []any{md5},
	}
	rows, err := a.pmPackagesByFiles(ctx, "package_by_file_md5", f, branch, archs)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFound(r.Args)
	}
	return api.OK(listBody(r.Args, "packages", rows)), nil
}

// pmPackagesByFileNames answers the binary packages holding exact file names
// (JSON body {"files", "branch", "arch"}).
func (a *App) pmPackagesByFileNames(ctx context.Context, r *api.Request) (*api.Response, error) {
	body, _ := r.Body.(map[string]any)
	var files []string
	if list, ok := body["files"].([]any); ok {
		for _, f := range list {
			s, _ := f.(string)
			files = append(files, s)
		}
	}
	branch, _ := body["branch"].(string)
	arch, hasArch := body["arch"].(string)
	var msgs []string
	validName := validate.MustNamed("file_name_wc_type")
	for _, f := range files {
		if _, err := validName(f); err != nil {
			msgs = append(msgs, "Invalid file name: "+f)
		} else if strings.Contains(f, "*") {
			msgs = append(msgs, "Invalid file name: "+f+". wildcard symbols are not allowed")
		}
	}
	if !slices.Contains(lookup.List("known_branches"), branch) {
		msgs = append(msgs, "Invalid branch name: "+branch)
	}
	if hasArch && !slices.Contains(lookup.List("known_archs"), arch) {
		msgs = append(msgs, "Invalid architecture name: "+arch)
	}
	if len(msgs) > 0 {
		return nil, apierr.Validation(body, msgs...)
	}
	archs := lookup.List("known_archs")
	if hasArch {
		archs = []string{arch, "noarch"}
	}
	f := pmFileFilter{
		files:      "file_hashname IN (SELECT fn_hash FROM FileNames WHERE fn_name IN ?)",
		names:      "fn_name IN ?",
		fileParams: []any{inStrings(files)}, nameParams: []any{inStrings(files)},
	}
	rows, err := a.pmPackagesByFiles(ctx, "packages_by_file_names", f, branch, archs)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFound(body)
	}
	found := map[string]bool{}
	for _, row := range rows {
		names, _ := row.(model.Map)["files"].([]string)
		for _, n := range names {
			found[n] = true
		}
	}
	notFound := []string{}
	for _, f := range files {
		if !found[f] && !slices.Contains(notFound, f) {
			notFound = append(notFound, f)
		}
	}
	var args model.Ordered
	args.Set("branch", branch)
	args.Set("arch", archs)
	args.Set("files", len(files))
	return api.OK(model.Map{"request_args": args, "length": len(rows), "packages": rows, "not_found": notFound}), nil
}

// ---------------------------------------------------------------- unpackaged_dirs

// Files of a maintainer's binary packages (%[1]s) whose directory is not
// packaged by any binary package of the branch (%[2]s).
const sqlPmUnpackagedDirs = `
SELECT package, directory, version, release, epoch, packager, email, groupUniqArray(arch) AS archs
FROM (
    SELECT pkg_hash, extract(fname, '^(.+)/([^/]+)$') AS directory
    FROM (
        SELECT DISTINCT pkg_hash, file_hashname AS fn_hash
        FROM Files
        WHERE pkg_hash IN (%[1]s) AND file_class = 'file'
          AND file_hashdir NOT IN (
              SELECT file_hashname FROM Files WHERE file_class = 'directory' AND pkg_hash IN (%[2]s)
          )
    )
    INNER JOIN (
        SELECT fn_hash, any(fn_name) AS fname
        FROM FileNames
        WHERE fn_hash IN (SELECT file_hashname FROM Files WHERE pkg_hash IN (%[1]s) AND file_class = 'file')
        GROUP BY fn_hash
    ) USING fn_hash
)
INNER JOIN (
    SELECT pkg_hash, any(pkg_name) AS package, any(pkg_version) AS version, any(pkg_release) AS release,
           any(pkg_epoch) AS epoch, any(toString(pkg_packager)) AS packager,
           any(toString(pkg_packager_email)) AS email, any(toString(pkg_arch)) AS arch
    FROM Packages
    WHERE pkg_hash IN (%[1]s)
    GROUP BY pkg_hash
) USING pkg_hash
GROUP BY package, directory, version, release, epoch, packager, email
ORDER BY email, package, directory, version, release`

const sqlPmBranchBinaries = `
SELECT pkg_hash FROM Packages
WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 0)
  AND pkg_arch IN ?`

// pmArchs is the arch list of the request: the given list plus
// noarch (echoed in request_args), else default_archs.
func pmArchs(r *api.Request) []string {
	if !r.Has("archs") {
		return lookup.List("default_archs")
	}
	archs := r.Strings("archs")
	if !slices.Contains(archs, "noarch") {
		archs = append(archs, "noarch")
		r.Args.Set("archs", archs)
	}
	return archs
}

// pmUnpackagedDirs answers the files of a maintainer's packages whose
// directory no package of the branch owns.
func (a *App) pmUnpackagedDirs(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch := r.String("branch")
	archs := pmArchs(r)
	maint := sqlPmBranchBinaries + " AND pkg_packager_email LIKE ?"
	m := []any{branch, inStrings(archs), likeEscape(r.String("packager")) + "@%"}
	b := []any{branch, inStrings(archs)}
	params := slices.Concat(m, b, m, m)
	rows, err := a.db.Records(ctx, "unpackaged_dirs", fmt.Sprintf(sqlPmUnpackagedDirs, maint, sqlPmBranchBinaries), params...)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFound(r.Args)
	}
	return api.OK(listBody(r.Args, "packages", rows)), nil
}

// ---------------------------------------------------------------- repocop

const sqlPmRepocopGet = `
SELECT pkg_name, pkg_version, pkg_release, arch AS pkg_arch, branch, test_name, test_status, test_message, test_date
FROM (
    SELECT pkg_name, pkg_version, pkg_release, toString(pkg_arch) AS arch, toString(pkgset_name) AS branch,
           toString(rc_test_name) AS test_name,
           argMax(toString(rc_test_status), rc_test_date) AS test_status,
           argMax(rc_test_message, rc_test_date) AS test_message,
           max(rc_test_date) AS test_date
    FROM PackagesRepocop
    WHERE pkgset_name = ? AND %s
    GROUP BY pkg_name, pkg_version, pkg_release, arch, branch, test_name
)
ORDER BY pkg_name, pkg_arch, pkg_version, pkg_release, test_name`

// pmRepocopGet answers the latest Repocop results of a package in a branch.
func (a *App) pmRepocopGet(ctx context.Context, r *api.Request) (*api.Response, error) {
	var conds []string
	params := []any{r.String("branch")}
	verCol, relCol := "pkg_version", "pkg_release"
	if r.String("package_type") == "binary" {
		conds = append(conds, "pkg_name = ?")
	} else {
		conds = append(conds, "pkg_name IN (SELECT pkg_name FROM PackagesRepocop WHERE rc_srcpkg_name = ?)")
		verCol, relCol = "rc_srcpkg_version", "rc_srcpkg_release"
	}
	params = append(params, r.String("package_name"))
	for _, f := range []struct{ param, col string }{{"package_version", verCol}, {"package_release", relCol}, {"bin_package_arch", "pkg_arch"}} {
		if r.Has(f.param) {
			conds = append(conds, f.col+" = ?")
			params = append(params, r.String(f.param))
		}
	}
	rows, err := a.db.Records(ctx, "repocop", fmt.Sprintf(sqlPmRepocopGet, strings.Join(conds, " AND ")), params...)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg("No results found in database for given parameters", r.Args)
	}
	return api.OK(listBody(r.Args, "packages", rows)), nil
}

// pmRepocopColumns are the PackagesRepocop columns a POST fills, in the
// order of the JSON model.
var pmRepocopColumns = []string{"pkg_name", "pkg_version", "pkg_release", "pkg_arch", "pkgset_name",
	"rc_srcpkg_name", "rc_srcpkg_version", "rc_srcpkg_release", "rc_test_name", "rc_test_status",
	"rc_test_message", "rc_test_date"}

// pmRepocopPost stores Repocop results (admin only, checked by the gateway).
func (a *App) pmRepocopPost(ctx context.Context, r *api.Request) (*api.Response, error) {
	body, _ := r.Body.(map[string]any)
	list, _ := body["packages"].([]any)
	loc := time.UTC
	if v, err := a.db.Conn().ServerVersion(); err == nil && v.Timezone != nil {
		loc = v.Timezone
	}
	rows := make([][]any, 0, len(list))
	for _, el := range list {
		m, _ := el.(map[string]any)
		ds, _ := m["rc_test_date"].(string)
		date, ok := pmParseISO(ds, loc)
		if !ok {
			return nil, apierr.Validation(r.Args, "Invalid data: "+pmPyRepr(m, pmRepocopColumns))
		}
		row := make([]any, len(pmRepocopColumns))
		for i, c := range pmRepocopColumns[:len(pmRepocopColumns)-1] {
			row[i], _ = m[c].(string)
		}
		row[len(row)-1] = date
		rows = append(rows, row)
	}
	if len(rows) > 0 {
		batch, err := a.db.Batch(ctx, "repocop_insert", "INSERT INTO PackagesRepocop ("+strings.Join(pmRepocopColumns, ", ")+")")
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			if err := batch.Append(row...); err != nil {
				_ = batch.Abort()
				return nil, err
			}
		}
		if err := batch.Send(); err != nil {
			return nil, err
		}
	}
	return &api.Response{Code: http.StatusCreated, Raw: "data loaded successfully"}, nil
}

// pmParseISO reads an ISO date-time as Python's fromisoformat; a value
// without offset is a time of the database server's zone (as the
// reference's driver takes naive datetimes).
func pmParseISO(s string, loc *time.Location) (time.Time, bool) {
	t, ok := validate.ParseISODateTime(s)
	if !ok {
		return t, false
	}
	if !strings.ContainsAny(s[min(len(s), 10):], "Z+-") {
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
	}
	return t, true
}

// pmPyRepr renders a JSON object as Python's repr of a dict: the keys of
// order first, then the others sorted.
func pmPyRepr(m map[string]any, order []string) string {
	var keys []string
	for _, k := range order {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range m {
		if !slices.Contains(order, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	keys = append(keys, rest...)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = pmPyStr(k) + ": " + pmPyValue(m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func pmPyValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return pmPyStr(x)
	case json.Number:
		return x.String()
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pmPyValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		return pmPyRepr(x, nil)
	}
	return fmt.Sprint(v)
}

// pmPyStr is Python's repr of a str.
func pmPyStr(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, c := range s {
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c == rune(q):
			b.WriteByte('\\')
			b.WriteByte(q)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// ---------------------------------------------------------------- spec files

const sqlPmSpecfile = `
SELECT pkg_hash, pkg_name, pkg_version, pkg_release, specfile_name, specfile_date, specfile_content
FROM Specfiles
WHERE %s
LIMIT 1`

type pmSpecfileRow struct {
	Hash    uint64    `ch:"pkg_hash"`
	Name    string    `ch:"pkg_name"`
	Version string    `ch:"pkg_version"`
	Release string    `ch:"pkg_release"`
	File    string    `ch:"specfile_name"`
	Date    time.Time `ch:"specfile_date"`
	Content string    `ch:"specfile_content"`
}

func (a *App) pmSpecfile(ctx context.Context, args any, notFound error, cond string, params ...any) (*api.Response, error) {
	var rows []pmSpecfileRow
	if err := a.db.Select(ctx, "specfile", &rows, fmt.Sprintf(sqlPmSpecfile, cond), params...); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, notFound
	}
	s := rows[0]
	return api.OK(model.Map{
		"request_args": args, "pkg_hash": s.Hash, "pkg_name": s.Name, "pkg_version": s.Version,
		"pkg_release": s.Release, "specfile_name": s.File, "specfile_date": s.Date.Format("2006-01-02T15:04:05"),
		"specfile_content": base64.StdEncoding.EncodeToString([]byte(s.Content)),
	}), nil
}

// pmSpecfileByHash answers the spec file of a source package hash.
func (a *App) pmSpecfileByHash(ctx context.Context, r *api.Request) (*api.Response, error) {
	h := r.PathString("pkghash")
	return a.pmSpecfile(ctx, model.Map{}, apierr.NotFoundMsg("No specfile found for package with hash "+h, r.Args),
		"pkg_hash = ?", r.PathUint("pkghash"))
}

// pmSpecfileByName answers the spec file of a source package of a branch.
func (a *App) pmSpecfileByName(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch, name := r.String("branch"), r.String("name")
	return a.pmSpecfile(ctx, r.Args, apierr.NotFoundMsg(fmt.Sprintf("No specfile found for %s in %s", name, branch), r.Args),
		"pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_name = ? AND pkg_sourcepackage = 1)",
		branch, name)
}

// ---------------------------------------------------------------- package_files

const sqlPmPackageFiles = `
SELECT fname AS file_name, file_size, toString(file_class) AS file_class, file_linkto AS symlink, file_mtime, file_mode
FROM (
    SELECT DISTINCT file_hashname AS fn_hash, file_size, file_class, file_linkto, file_mtime, file_mode
    FROM Files WHERE pkg_hash = ?
)
INNER JOIN (
    SELECT fn_hash, any(fn_name) AS fname FROM FileNames
    WHERE fn_hash IN (SELECT file_hashname FROM Files WHERE pkg_hash = ?)
    GROUP BY fn_hash
) USING fn_hash
ORDER BY file_name, file_class, symlink`

// pmPackageFiles answers the file list of a package (streamed: a package
// may hold many thousands of files).
func (a *App) pmPackageFiles(ctx context.Context, r *api.Request) (*api.Response, error) {
	h := r.PathUint("pkghash")
	notFound := apierr.NotFoundMsg("No information found in DB for package hash "+r.PathString("pkghash"), h)
	conv := func(row model.Row) (model.Record, error) {
		m, err := fileNsModeRow(row)
		if err != nil {
			return nil, err
		}
		size, _ := row.Get("file_size")
		m.(model.Map)["file_size"] = bytes2Human(float64(rowUint(size)))
		return m, nil
	}
	return a.fileNsStream(ctx, h, "files", contract.PackageFilesElementModel, notFound, conv, "package_files", sqlPmPackageFiles, h, h)
}

// ---------------------------------------------------------------- maintainer_score

const sqlPmScoreChangelog = `
SELECT date, chname, evr, chlog_text, dateDiff('day', date, now()) AS age_days
FROM (
    SELECT DISTINCT pkg_hash, idx, pkg_changelog.date AS date, pkg_changelog.name AS chname,
           pkg_changelog.evr AS evr, pkg_changelog.hash AS chlog_hash
    FROM Packages
    ARRAY JOIN pkg_changelog, arrayEnumerate(pkg_changelog.hash) AS idx
    WHERE pkg_hash IN (%[1]s)
)
LEFT JOIN (
    SELECT chlog_hash, any(chlog_text) AS chlog_text FROM Changelog
    WHERE chlog_hash IN (SELECT arrayJoin(pkg_changelog.hash) FROM Packages WHERE pkg_hash IN (%[1]s))
    GROUP BY chlog_hash
) USING chlog_hash
ORDER BY pkg_hash, idx`

const sqlPmScoreSources = `SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_name = ? AND pkg_sourcepackage = 1`

const sqlPmScoreACL = `
SELECT acl_list FROM Acl
WHERE acl_for = ? AND acl_branch = 'sisyphus'
ORDER BY acl_date DESC
LIMIT 1`

const sqlPmScoreBugs = `
SELECT bz_assignee, dateDiff('day', bz_last_changed, now()) AS age_days
FROM Bugzilla
WHERE bz_status IN ('RESOLVED', 'CLOSED') AND bz_resolution = 'FIXED'
  AND (bz_component = ? OR bz_component IN (
      SELECT pkg_name FROM Packages
      WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 0)
        AND pkg_sourcerpm LIKE ?
  ))`

// pmMaintainerScore answers the changelog/Bugzilla activity score of the
// maintainers of a source package (libs §9, arithmetic in package mscore).
func (a *App) pmMaintainerScore(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch, name := r.String("branch"), r.String("name")
	tallies := map[string]*mscore.Tally{}
	var order []*mscore.Tally
	err := a.db.Each(ctx, "maintainer_score_changelog", func(row model.Row) error {
		n, _ := row.Get("chname")
		nick := mscore.Nick(model.Str(n))
		if nick == "" {
			return nil
		}
		t := tallies[nick]
		if t == nil {
			t = &mscore.Tally{Nick: nick}
			tallies[nick] = t
			order = append(order, t)
		}
		v, _ := row.Get("evr")
		text, _ := row.Get("chlog_text")
		d, _ := row.Get("date")
		date, _ := d.(time.Time)
		age, _ := row.Get("age_days")
		t.Add(mscore.Classify(model.Str(v), model.Str(text)), rowInt64(age), date)
		return nil
	}, fmt.Sprintf(sqlPmScoreChangelog, sqlPmScoreSources), branch, name, branch, name)
	if err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return nil, apierr.NotFoundMsg("No changelog data found for package", r.Args)
	}
	var acl []string
	if branch == "sisyphus" {
		var rows []struct {
			List []string `ch:"acl_list"`
		}
		if err := a.db.Select(ctx, "maintainer_score_acl", &rows, sqlPmScoreACL, name); err != nil {
			return nil, err
		}
		if len(rows) > 0 {
			acl = rows[0].List
		}
	}
	bugs := map[string]mscore.Bugfixes{}
	var bugRows []struct {
		Assignee string `ch:"bz_assignee"`
		Age      int64  `ch:"age_days"`
	}
	if err := a.db.Select(ctx, "maintainer_score_bugs", &bugRows, sqlPmScoreBugs, name, branch, name+"-%"); err != nil {
		// As the reference: bug fixes are treated as absent.
		a.log.WarnContext(ctx, "maintainer score: bugzilla query failed", "err", err)
	} else {
		for _, b := range bugRows {
			if nick := mscore.BugNick(b.Assignee); nick != "" {
				f := bugs[nick]
				f.Add(b.Age)
				bugs[nick] = f
			}
		}
	}
	ms := make([]mscore.Maintainer, len(order))
	for i, t := range order {
		// The ACL is consulted only for sisyphus.
		ms[i] = t.Maintainer(branch == "sisyphus" && slices.Contains(acl, t.Nick))
	}
	res := mscore.Rank(ms, bugs, mscore.Options{})
	maint := make([]model.Record, len(res.Maintainers))
	for i, m := range res.Maintainers {
		rec := mscoreRecord(m)
		rec["bugfixes_with_update"] = 0
		maint[i] = rec
	}
	return api.OK(model.Map{
		"request_args": r.Args, "package": name, "branch": branch,
		"primary_maintainer": mscorePrimary(res), "status": res.Status, "maintainers": maint,
	}), nil
}
