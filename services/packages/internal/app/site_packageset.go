package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/chdb"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/contract"
)

// sitePackagesetRoutes lists the implemented routes of the site_packageset namespace.
func (a *App) sitePackagesetRoutes() []*api.Route {
	return []*api.Route{
		bind(contract.GetSiteRepositoryPackages(), a.spsRepositoryPackages),
		bind(contract.GetSitePkghashByName(), a.spsPkghashByName),
		bind(contract.GetSitePkghashByBinaryName(), a.spsPkghashByBinaryName),
		bind(contract.GetSitePkghashByNvr(), a.spsPkghashByNVR),
		bind(contract.GetSiteFindPackages(), a.spsFindPackages),
		bind(contract.GetSiteFastPackagesSearchLookup(), a.spsFastPackagesSearch),
		bind(contract.GetSiteLastPackagesByBranch(), a.spsLastPackagesByBranch),
		bind(contract.GetSitePackagesetsByHashByPkghash(), a.spsPackagesetsByHash),
		bind(contract.GetSiteFindSourcePackage(), a.spsFindSourcePackage),
	}
}

// spsGroupKnown is the reference's category check: a known group, the
// parent of known groups, or a "Parent/" prefix of known groups.
func spsGroupKnown(group string) bool {
	for _, g := range lookup.List("pkg_groups") {
		if g == group || strings.HasPrefix(g, group+"/") || (strings.HasSuffix(group, "/") && strings.HasPrefix(g, group)) {
			return true
		}
	}
	return false
}

// spsGroupPattern is the RE2 pattern matching a category or any of its
// subcategories (unanchored at the start, as the reference searches).
func spsGroupPattern(group string) string {
	esc := strings.NewReplacer("/", `\/`, "+", `\+`).Replace(group)
	return `(?i)` + esc + `(\/[\w\+\ \-]+|$)+`
}

const sqlSpsRepositoryPackages = `
SELECT
    toString(pkg_hash) AS hash,
    pkg_name AS name,
    pkg_version AS version,
    pkg_release AS release,
    pkg_summary AS summary,
    pkg_buildtime AS buildtime,
    pkg_group_ AS category,
    packager_email AS maintainer,
    chlog_text AS changelog
FROM
(
    SELECT DISTINCT
        pkg_hash, pkg_name, pkg_version, pkg_release, pkg_summary, pkg_buildtime, pkg_group_,
        toString(pkg_packager_email) AS packager_email
    FROM Packages
    WHERE pkg_hash IN
        (
            SELECT pkg_hash FROM StaticLastPackages
            WHERE {snap} AND pkg_sourcepackage IN %[1]s AND pkg_name NOT LIKE '%%-debuginfo'
        )
        AND pkg_sourcepackage IN %[1]s
        AND pkg_buildtime >= ?
        AND pkg_name NOT LIKE '%%-debuginfo'
        %[2]s
)
ANY LEFT JOIN
(
    SELECT pkg_hash, chlog_text
    FROM SrcPackagesLastChangelog
    WHERE pkg_hash IN
        (
            SELECT pkg_hash FROM StaticLastPackages
            WHERE {snap} AND pkg_sourcepackage = 1
        )
) AS CL USING pkg_hash
ORDER BY name, hash`

const sqlSpsSubcategories = `
SELECT pkg_group_
FROM Packages
WHERE pkg_hash IN
    (
        SELECT pkg_hash FROM StaticLastPackages
        WHERE {snap} AND pkg_sourcepackage IN %[1]s AND pkg_name NOT LIKE '%%-debuginfo'
    )
    AND pkg_group_ LIKE ? AND pkg_group_ != ?
GROUP BY pkg_group_
ORDER BY pkg_group_`

// spsRepositoryPackages: the packages of a branch (by type, category and
// build time), streamed, with the category's subcategories.
func (a *App) spsRepositoryPackages(ctx context.Context, r *api.Request) (*api.Response, error) {
	group := r.String("group")
	if r.Has("group") && !spsGroupKnown(group) {
		return nil, apierr.Validation(r.Args,
			"unknown package category : "+group,
			"allowed package categories : "+pyList(lookup.List("pkg_groups")))
	}
	buildtime := r.Int("buildtime")
	if buildtime != 0 && (buildtime < 0 || buildtime > 2147483647) {
		return nil, apierr.Validation(r.Args, "package build time should be integer UNIX time representation")
	}
	snap, err := a.spsBranchSnapCond(ctx, r.String("branch"))
	if err != nil {
		return nil, err
	}
	srcIn := sourceIn(r.String("package_type"))
	params := []any{buildtime}
	groupCond := ""
	if r.Has("group") {
		groupCond = "AND match(pkg_group_, ?)"
		params = append(params, spsGroupPattern(group))
	}

	var subs []struct {
		Group string `ch:"pkg_group_"`
	}
	if err := a.db.Select(ctx, "site_repository_packages_subcategories", &subs, spsSnapSQL(fmt.Sprintf(sqlSpsSubcategories, srcIn), snap),
		likeEscape(group)+"/%", group); err != nil {
		return nil, err
	}
	subcategories := make([]string, 0, len(subs))
	for _, s := range subs {
		subcategories = append(subcategories, s.Group)
	}

	return a.streamQuery(ctx, streamSpec{
		args: r.Args, key: "packages", elem: contract.SitePackagesElementModel, notFound: apierr.NotFound(r.Args),
		midKeys: []string{"subcategories"}, midVals: []any{subcategories},
	}, "site_repository_packages", spsSnapSQL(fmt.Sprintf(sqlSpsRepositoryPackages, srcIn, groupCond), snap), params...)
}

// spsHashRow is a (hash, version, release) answer row.
type spsHashRow struct {
	Hash    uint64 `ch:"pkg_hash"`
	Version string `ch:"pkg_version"`
	Release string `ch:"pkg_release"`
}

const sqlSpsPkghashByName = `
SELECT DISTINCT pkg_hash, pkg_version, pkg_release
FROM StaticLastPackages
WHERE {snap} AND pkg_name = ? AND pkg_sourcepackage = 1
ORDER BY pkg_hash
LIMIT 1`

// spsPkghashByName: the hash of a source package of a branch.
func (a *App) spsPkghashByName(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch, name := r.String("branch"), r.String("name")
	snap, err := a.spsBranchSnapCond(ctx, branch)
	if err != nil {
		return nil, err
	}
	var rows []spsHashRow
	if err := a.db.Select(ctx, "site_pkghash_by_name", &rows, spsSnapSQL(sqlSpsPkghashByName, snap), name); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg(fmt.Sprintf("Package '%s' not found in package set '%s'", name, branch), r.Args)
	}
	return api.OK(model.Map{"request_args": r.Args, "pkghash": rows[0].Hash, "version": rows[0].Version, "release": rows[0].Release}), nil
}

const sqlSpsPkghashByBinaryName = `
SELECT DISTINCT pkg_hash, pkg_version, pkg_release
FROM Packages
WHERE pkg_name = ? AND pkg_arch = ? AND pkg_sourcepackage = 0
    AND pkg_hash IN
    (
        SELECT pkg_hash FROM StaticLastPackages
        WHERE {snap} AND pkg_name = ? AND pkg_sourcepackage = 0
    )
ORDER BY pkg_hash
LIMIT 1`

// spsPkghashByBinaryName: the hash of a binary package of a branch and arch.
func (a *App) spsPkghashByBinaryName(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch, name, arch := r.String("branch"), r.String("name"), r.String("arch")
	snap, err := a.spsBranchSnapCond(ctx, branch)
	if err != nil {
		return nil, err
	}
	var rows []spsHashRow
	if err := a.db.Select(ctx, "site_pkghash_by_binary_name", &rows, spsSnapSQL(sqlSpsPkghashByBinaryName, snap), name, arch, name); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg(fmt.Sprintf("Package '%s' architecture %s not found in package set '%s'", name, arch, branch), r.Args)
	}
	return api.OK(model.Map{"request_args": r.Args, "pkghash": rows[0].Hash, "version": rows[0].Version, "release": rows[0].Release}), nil
}

// Candidates come first from the Packages primary key (name); the
// snapshot membership is checked on the few candidate hashes.
const sqlSpsPkghashByNVR = `
SELECT max(pkg_hash) AS max_hash
FROM Packages
WHERE pkg_name = ? AND pkg_version = ? AND pkg_release = ? AND pkg_sourcepackage = 1
    AND pkg_hash IN
    (
        SELECT pkg_hash FROM PackageSet
        WHERE pkg_hash IN
            (
                SELECT pkg_hash FROM Packages
                WHERE pkg_name = ? AND pkg_version = ? AND pkg_release = ? AND pkg_sourcepackage = 1
            )
            AND pkgset_uuid IN
            (
                SELECT pkgset_uuid FROM PackageSetName
                WHERE pkgset_depth = 1 AND pkgset_nodename = 'srpm' AND pkgset_ruuid IN
                    (
                        SELECT pkgset_uuid FROM PackageSetName
                        WHERE pkgset_depth = 0 AND pkgset_nodename = ?
                    )
            )
    )`

// spsPkghashByNVR: the hash of a source name-version-release ever in a branch.
func (a *App) spsPkghashByNVR(ctx context.Context, r *api.Request) (*api.Response, error) {
	name, branch, version, release := r.String("name"), r.String("branch"), r.String("version"), r.String("release")
	var rows []struct {
		Hash uint64 `ch:"max_hash"`
	}
	if err := a.db.Select(ctx, "site_pkghash_by_nvr", &rows, sqlSpsPkghashByNVR,
		name, version, release, name, version, release, branch); err != nil {
		return nil, err
	}
	if len(rows) == 0 || rows[0].Hash == 0 {
		return nil, apierr.NotFoundMsg(fmt.Sprintf("Package '%s-%s-%s' not found in database for branch %s", name, version, release, branch), r.Args)
	}
	return api.OK(model.Map{"request_args": r.Args, "pkghash": rows[0].Hash}), nil
}

const sqlSpsPackagesetsByHash = `
SELECT DISTINCT pkgset_nodename
FROM PackageSetName
WHERE pkgset_depth = 0 AND pkgset_ruuid IN
    (
        SELECT pkgset_ruuid FROM PackageSetName
        WHERE pkgset_uuid IN (SELECT pkgset_uuid FROM PackageSet WHERE pkg_hash = ?)
    )`

// spsPackagesetsByHash: every branch that ever contained a package.
func (a *App) spsPackagesetsByHash(ctx context.Context, r *api.Request) (*api.Response, error) {
	hash := r.PathUint("pkghash")
	var rows []struct {
		Name string `ch:"pkgset_nodename"`
	}
	if err := a.db.Select(ctx, "site_packagesets_by_hash", &rows, sqlSpsPackagesetsByHash, hash); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, noDataNotFound(model.Map{})
	}
	names := make([]string, 0, len(rows))
	for _, row := range rows {
		names = append(names, row.Name)
	}
	branches := lookup.SortBranches(names)
	return api.OK(model.Map{"pkghash": hash, "length": len(branches), "branches": branches}), nil
}

const sqlSpsSourceOfBranchPackage = `
SELECT pkg_name
FROM Packages
WHERE pkg_hash IN
    (
        SELECT pkg_srcrpm_hash FROM Packages
        WHERE pkg_name = ? AND pkg_hash IN
            (
                SELECT pkg_hash FROM StaticLastPackages
                WHERE {snap} AND pkg_name = ?
            )
    )
ORDER BY pkg_name
LIMIT 1`

const sqlSpsSourceFromHistory = `
SELECT pkg_name
FROM BranchPackageHistory
WHERE pkgset_name = ? AND pkg_sourcepackage = 1
    AND pkg_hash IN
    (
        SELECT pkg_srcrpm_hash FROM Packages
        WHERE pkg_name = ? AND pkg_sourcepackage = 0
    )
ORDER BY task_changed DESC, pkg_name
LIMIT 1`

// spsFindSourcePackage: the source package name a package of a branch
// comes from (current state first, then the branch history).
func (a *App) spsFindSourcePackage(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch, name := r.String("branch"), r.String("name")
	snap, err := a.spsBranchSnapCond(ctx, branch)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Name string `ch:"pkg_name"`
	}
	if err := a.db.Select(ctx, "site_find_source_package", &rows, spsSnapSQL(sqlSpsSourceOfBranchPackage, snap), name, name); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		if err := a.db.Select(ctx, "site_find_source_package_history", &rows, sqlSpsSourceFromHistory, branch, name); err != nil {
			return nil, err
		}
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg(fmt.Sprintf("No information found for %s in DB", name), r.Args)
	}
	return api.OK(model.Map{"request_args": r.Args, "source_package": rows[0].Name}), nil
}

// ---- last_packages_by_branch ----

const sqlSpsLastBranchDate = `
SELECT pkgset_date FROM StaticLastPackages WHERE {snap} LIMIT 1`

// The root of the newest snapshot strictly before a date.
const sqlSpsPreviousRoot = `
SELECT pkgset_uuid
FROM PackageSetName
WHERE pkgset_depth = 0 AND pkgset_nodename = ? AND pkgset_date < ?
ORDER BY pkgset_date DESC
LIMIT 1`

// Sources of the branch not in a snapshot's srpm component.
const sqlSpsNewSources = `
pkg_hash IN
(
    SELECT pkg_hash
    FROM StaticLastPackages
    WHERE {snap} AND pkg_sourcepackage = 1 AND pkg_hash NOT IN
        (
            SELECT pkg_hash FROM PackageSet
            WHERE pkgset_uuid IN
                (
                    SELECT pkgset_uuid FROM PackageSetName
                    WHERE pkgset_depth = 1 AND pkgset_nodename = 'srpm' AND pkgset_ruuid = toUUID(?)
                )
        )
)`

// The newest candidates by the build time of their binaries in the branch
// (0 without binaries). %[1]s: candidate condition; %[2]s: packager
// condition.
const sqlSpsLastPackages = `
SELECT pkg_hash, pkg_name, bin_key, last_build
FROM
(
    SELECT DISTINCT pkg_hash, pkg_name
    FROM StaticLastPackages
    WHERE {snap} AND pkg_sourcepackage = 1 AND %[1]s %[2]s
)
ANY LEFT JOIN
(
    SELECT src_hash AS pkg_hash, src_hash AS bin_key, last_build
    FROM
    (
        SELECT pkg_srcrpm_hash AS src_hash, max(pkg_buildtime) AS last_build
        FROM Packages
        WHERE pkg_sourcepackage = 0 AND pkg_hash IN
            (
                SELECT pkg_hash FROM StaticLastPackages
                WHERE {snap} AND pkg_sourcepackage = 0
            )
        GROUP BY pkg_srcrpm_hash
    )
) AS BT USING pkg_hash
ORDER BY last_build DESC, pkg_name
LIMIT ?`

type spsLastRow struct {
	Hash      uint64 `ch:"pkg_hash"`
	Name      string `ch:"pkg_name"`
	BinKey    uint64 `ch:"bin_key"`
	LastBuild uint32 `ch:"last_build"`
}

// Details and last changelog of the chosen sources.
const sqlSpsLastDetails = `
SELECT pkg_hash, pkg_version, pkg_release, pkg_summary, chlog_name, chlog_nick, chlog_date, chlog_text
FROM
(
    SELECT DISTINCT pkg_hash, pkg_version, pkg_release, pkg_summary
    FROM Packages
    WHERE pkg_name IN ? AND pkg_hash IN ? AND pkg_sourcepackage = 1
)
ANY LEFT JOIN
(
    SELECT pkg_hash, chlog_name, chlog_nick, chlog_date, chlog_text
    FROM SrcPackagesLastChangelog
    WHERE pkg_hash IN ?
) AS CL USING pkg_hash`

type spsLastDetail struct {
	Hash    uint64    `ch:"pkg_hash"`
	Version string    `ch:"pkg_version"`
	Release string    `ch:"pkg_release"`
	Summary string    `ch:"pkg_summary"`
	ChName  string    `ch:"chlog_name"`
	ChNick  string    `ch:"chlog_nick"`
	ChDate  time.Time `ch:"chlog_date"`
	ChText  string    `ch:"chlog_text"`
}

// spsLastPackagesByBranch: the latest changed source packages of a branch.
func (a *App) spsLastPackagesByBranch(ctx context.Context, r *api.Request) (*api.Response, error) {
	limit := r.Int("packages_limit")
	if limit < 1 || limit > 10000 {
		return nil, apierr.Validation(r.Args, "last packages limit should be in range 1 to 10000")
	}
	branch := r.String("branch")
	snap, err := a.spsBranchSnapCond(ctx, branch)
	if err != nil {
		return nil, err
	}
	var dates []struct {
		Date time.Time `ch:"pkgset_date"`
	}
	if err := a.db.Select(ctx, "site_last_packages_branch_date", &dates, spsSnapSQL(sqlSpsLastBranchDate, snap)); err != nil {
		return nil, err
	}
	if len(dates) == 0 {
		return nil, apierr.NotFound(r.Args)
	}
	lastDate := dates[0].Date

	candCond, packagerCond := "1", ""
	var params []any
	if r.Has("packager") {
		packagerCond = "AND pkg_hash IN (SELECT pkg_hash FROM Packages WHERE pkg_sourcepackage = 1 AND pkg_packager_email LIKE ?)"
		params = append(params, r.String("packager")+"@%")
	} else {
		prev, ok, err := a.spsBranchDiff(ctx, branch, snap, lastDate)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apierr.NotFoundMsg("Failed to get branch state diff from database", r.Args)
		}
		candCond = sqlSpsNewSources
		params = append(params, prev)
	}
	params = append(params, limit)
	var top []spsLastRow
	if err := a.db.Select(ctx, "site_last_packages_by_branch", &top, spsSnapSQL(fmt.Sprintf(sqlSpsLastPackages, candCond, packagerCond), snap), params...); err != nil {
		return nil, err
	}
	details := map[uint64]spsLastDetail{}
	for start := 0; start < len(top); start += 1000 {
		chunk := top[start:min(start+1000, len(top))]
		names := make([]string, len(chunk))
		hashes := make([]uint64, len(chunk))
		for i, t := range chunk {
			names[i], hashes[i] = t.Name, t.Hash
		}
		var rows []spsLastDetail
		if err := a.db.Select(ctx, "site_last_packages_details", &rows, sqlSpsLastDetails, chdb.In(names), chdb.In(hashes), chdb.In(hashes)); err != nil {
			return nil, err
		}
		for _, d := range rows {
			details[d.Hash] = d
		}
	}
	items := make([]model.Record, 0, len(top))
	for _, t := range top {
		d, ok := details[t.Hash]
		if !ok {
			continue
		}
		items = append(items, model.Map{
			"hash": t.BinKey, "pkg_name": t.Name, "pkg_version": d.Version, "pkg_release": d.Release,
			"pkg_summary": d.Summary, "pkg_buildtime": t.LastBuild,
			"changelog_name": d.ChName, "changelog_nickname": d.ChNick,
			"changelog_date": d.ChDate.Format("2006-01-02T15:04:05"), "changelog_text": d.ChText,
		})
	}
	if len(items) == 0 {
		return nil, apierr.NotFoundMsg("No data found in database for packages", r.Args)
	}
	return api.OK(model.Map{
		"request_args":     r.Args,
		"length":           len(items),
		"packages":         items,
		"last_branch_date": lastDate.Format("2006-01-02T15:04:05"),
	}), nil
}

// spsBranchDiff: the root of the snapshot to compare the branch with:
// the newest one before the branch date whose srpm component misses some
// current source, moving the reference date back a day (five tries) while
// the difference is empty. Without any older snapshot every source is new
// (the nil UUID has no component).
func (a *App) spsBranchDiff(ctx context.Context, branch, snap string, ref time.Time) (string, bool, error) {
	for try := 0; try < 5; try++ {
		var roots []struct {
			UUID string `ch:"uuid"`
		}
		if err := a.db.Select(ctx, "site_last_packages_prev_root", &roots,
			`SELECT toString(pkgset_uuid) AS uuid FROM (`+sqlSpsPreviousRoot+`)`, branch, ref); err != nil {
			return "", false, err
		}
		prev := "00000000-0000-0000-0000-000000000000"
		if len(roots) > 0 {
			prev = roots[0].UUID
		}
		var n []struct {
			N uint64 `ch:"n"`
		}
		if err := a.db.Select(ctx, "site_last_packages_diff", &n,
			spsSnapSQL(`SELECT count() AS n FROM StaticLastPackages WHERE {snap} AND pkg_sourcepackage = 1 AND `+sqlSpsNewSources, snap), prev); err != nil {
			return "", false, err
		}
		if len(n) > 0 && n[0].N > 0 {
			return prev, true, nil
		}
		ref = ref.AddDate(0, 0, -1)
	}
	return "", false, nil
}

// ---- current branch snapshots ----
//
// static_last_packages filters StaticLastPackages with a tuple IN over
// every row; naming the current (branch, date) pairs instead lets
// ClickHouse use the table's primary key (pkgset_name, pkgset_date, ...)
// and read only the current snapshots' parts.

// spsSnap is the current snapshot of a branch.
type spsSnap struct {
	Name string `ch:"pkgset_name"`
	Date string `ch:"d"`
}

const sqlSpsSnapshots = `
SELECT pkgset_name, toString(max(pkgset_date)) AS d
FROM last_packages_stage1
GROUP BY pkgset_name`

// spsSnapshots reads the current snapshot of every branch.
func (a *App) spsSnapshots(ctx context.Context) ([]spsSnap, error) {
	var snaps []spsSnap
	if err := a.db.Select(ctx, "site_current_snapshots", &snaps, sqlSpsSnapshots); err != nil {
		return nil, err
	}
	return snaps, nil
}

// spsSnapCond is the StaticLastPackages condition selecting the current
// snapshot of branch ("" = every branch); "0" when there is none.
func spsSnapCond(snaps []spsSnap, branch string) string {
	var parts []string
	for _, s := range snaps {
		if branch == "" || s.Name == branch {
			parts = append(parts, fmt.Sprintf("(pkgset_name = %s AND pkgset_date = toDateTime(%s))", spsQuote(s.Name), spsQuote(s.Date)))
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// spsBranchSnapCond reads the snapshots and renders the condition of one
// branch ("" = all).
func (a *App) spsBranchSnapCond(ctx context.Context, branch string) (string, error) {
	snaps, err := a.spsSnapshots(ctx)
	if err != nil {
		return "", err
	}
	return spsSnapCond(snaps, branch), nil
}

// spsSnapSQL puts the current snapshot condition in place of {snap}.
func spsSnapSQL(sql, snap string) string { return strings.ReplaceAll(sql, "{snap}", snap) }
