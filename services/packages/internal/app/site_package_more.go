package app

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
)

const sqlSPBrief = `
SELECT pkg_name, pkg_version, pkg_release, toString(pkg_arch) AS pkg_arch, pkg_sourcepackage, pkg_summary
FROM Packages PREWHERE pkg_hash = ? LIMIT 1`

// spPackageInfoBrief is GET /site/package_info_brief/{pkghash}.
func (a *App) spPackageInfoBrief(ctx context.Context, r *api.Request) (*api.Response, error) {
	hash := r.PathUint("pkghash")
	var rows []struct {
		Name    string `ch:"pkg_name"`
		Version string `ch:"pkg_version"`
		Release string `ch:"pkg_release"`
		Arch    string `ch:"pkg_arch"`
		Src     uint8  `ch:"pkg_sourcepackage"`
		Summary string `ch:"pkg_summary"`
	}
	if err := a.db.Select(ctx, "site_package_info_brief", &rows, sqlSPBrief, hash); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg(fmt.Sprintf("No information was found in the database about the package with hash %d.", hash), model.Ordered{Keys: []string{}, Vals: []any{}})
	}
	p := rows[0]
	arch, typ := p.Arch, "binary"
	if p.Src == 1 {
		arch, typ = "srpm", "source"
	}
	return api.OK(model.Map{"name": p.Name, "version": p.Version, "release": p.Release, "arch": arch,
		"summary": p.Summary, "type": typ}), nil
}

const sqlSPBinaryInBranch = `
SELECT DISTINCT pkg_hash, pkg_name, pkg_version, pkg_release, toString(pkg_arch) AS pkg_arch
FROM Packages
WHERE pkg_name = ? AND pkg_sourcepackage = 0
  AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_name = ? AND pkg_sourcepackage = 0)
ORDER BY pkg_arch, pkg_hash`

const sqlSPVersions = `
SELECT DISTINCT pkgset_name, pkg_version, pkg_release, toString(pkg_hash) AS pkghash
FROM static_last_packages
WHERE pkg_name = ? AND pkg_sourcepackage = ?`

type spVersionRow struct {
	Branch  string `ch:"pkgset_name"`
	Version string `ch:"pkg_version"`
	Release string `ch:"pkg_release"`
	Hash    string `ch:"pkghash"`
}

// spBinaryArchsAndVersions is GET /site/binary_package_archs_and_versions.
func (a *App) spBinaryArchsAndVersions(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch, name := r.String("branch"), r.String("name")
	var pkgs []struct {
		Hash    uint64 `ch:"pkg_hash"`
		Name    string `ch:"pkg_name"`
		Version string `ch:"pkg_version"`
		Release string `ch:"pkg_release"`
		Arch    string `ch:"pkg_arch"`
	}
	var vers []spVersionRow
	err := parallel(
		func() error {
			return a.db.Select(ctx, "site_binary_in_branch", &pkgs, sqlSPBinaryInBranch, name, branch, name)
		},
		func() error { return a.db.Select(ctx, "site_binary_versions", &vers, sqlSPVersions, name, 0) })
	if err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		return nil, apierr.NotFoundMsg("No data found", r.Args)
	}
	packages := make([]model.Record, len(pkgs))
	for i, p := range pkgs {
		packages[i] = model.Map{"hash": strconv.FormatUint(p.Hash, 10), "name": p.Name, "version": p.Version,
			"release": p.Release, "arch": p.Arch}
	}
	versions := []model.Map{}
	seen := map[[3]string]bool{}
	for _, b := range spSortedBranches(vers) {
		for _, v := range vers {
			k := [3]string{v.Branch, v.Version, v.Release}
			if v.Branch != b || seen[k] {
				continue
			}
			seen[k] = true
			versions = append(versions, model.Map{"branch": v.Branch, "version": v.Version, "release": v.Release, "pkghash": nil})
		}
	}
	body := listBody(r.Args, "packages", packages)
	body["versions"] = versions
	return api.OK(body), nil
}

// spSortedBranches orders the branches of version rows (libs §1.7).
func spSortedBranches(rows []spVersionRow) []string {
	names := make([]string, 0, len(rows))
	for _, v := range rows {
		names = append(names, v.Branch)
	}
	return lookup.SortBranches(names)
}

// spVersionsBody answers the version lists: branches in libs §1.7 order,
// the last row of a branch wins (libs §1.8).
func spVersionsBody(r *api.Request, rows []spVersionRow) (*api.Response, error) {
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg(fmt.Sprintf("No information found for %s in DB", r.String("name")), r.Args)
	}
	last := map[string]spVersionRow{}
	for _, v := range rows {
		last[v.Branch] = v
	}
	versions := []model.Map{}
	for _, b := range spSortedBranches(rows) {
		v := last[b]
		versions = append(versions, model.Map{"branch": v.Branch, "version": v.Version, "release": v.Release, "pkghash": v.Hash})
	}
	return api.OK(model.Map{"request_args": r.Args, "versions": versions}), nil
}

// spSourceVersions is GET /site/source_package_versions.
func (a *App) spSourceVersions(ctx context.Context, r *api.Request) (*api.Response, error) {
	var rows []spVersionRow
	if err := a.db.Select(ctx, "site_source_versions", &rows, sqlSPVersions, r.String("name"), 1); err != nil {
		return nil, err
	}
	return spVersionsBody(r, rows)
}

const sqlSPBinaryVersions = `
SELECT DISTINCT pkgset_name, pkg_version, pkg_release, toString(pkg_hash) AS pkghash
FROM static_last_packages
WHERE pkg_name = ? AND pkg_sourcepackage = 0
  AND pkg_hash IN (SELECT pkg_hash FROM Packages WHERE pkg_name = ? AND pkg_arch = ? AND pkg_sourcepackage = 0)`

// spPackageVersions is GET /site/package_versions.
func (a *App) spPackageVersions(ctx context.Context, r *api.Request) (*api.Response, error) {
	name := r.String("name")
	if r.String("package_type") != "binary" {
		return a.spSourceVersions(ctx, r)
	}
	if !r.Has("arch") {
		return nil, apierr.Validation(r.Args, "package architecture should be specified for binary package",
			"allowed archs are : "+pyList(lookup.List("known_archs")))
	}
	var rows []spVersionRow
	if err := a.db.Select(ctx, "site_binary_versions_arch", &rows, sqlSPBinaryVersions, name, name, r.String("arch")); err != nil {
		return nil, err
	}
	return spVersionsBody(r, rows)
}

const sqlSPChangelogArrays = `
SELECT pkg_changelog.date AS ch_date, pkg_changelog.name AS ch_name, pkg_changelog.evr AS ch_evr, pkg_changelog.hash AS ch_hash
FROM Packages PREWHERE pkg_hash = ? LIMIT 1`

// spPackageChangelog is GET /site/package_changelog/{pkghash}.
func (a *App) spPackageChangelog(ctx context.Context, r *api.Request) (*api.Response, error) {
	n := r.Int("changelog_last")
	if n < 1 || n > 1000 {
		return nil, apierr.Validation(r.Args, "changelog history length should be in range 1 to 1000")
	}
	hash := r.PathUint("pkghash")
	var rows []spPkg
	if err := a.db.Select(ctx, "site_package_changelog", &rows, sqlSPChangelogArrays, hash); err != nil {
		return nil, err
	}
	var list []model.Map
	if len(rows) > 0 {
		var err error
		p := rows[0]
		if list, err = a.spChangelog(ctx, p.ChDates, p.ChNames, p.ChEVRs, p.ChHashes, int(n)); err != nil {
			return nil, err
		}
	}
	if len(list) == 0 {
		return nil, apierr.NotFoundMsg(fmt.Sprintf("No packages found in last packages with hash %d", hash), r.Args)
	}
	items := make([]model.Record, len(list))
	for i, e := range list {
		items[i] = e
	}
	body := listBody(r.Args, "changelog", items)
	body["pkghash"] = strconv.FormatUint(hash, 10)
	return api.OK(body), nil
}

const sqlSPScripts = `
SELECT pkg_name, toString(pkg_arch) AS pkg_arch, pkg_prein AS prein, pkg_postin AS postin, pkg_preun AS preun,
       pkg_postun AS postun, pkg_pretrans AS pretrans, pkg_posttrans AS posttrans
FROM Packages PREWHERE pkg_hash = ? WHERE pkg_sourcepackage = 0`

// spBinaryScripts is GET /site/binary_package_scripts/{pkghash}.
func (a *App) spBinaryScripts(ctx context.Context, r *api.Request) (*api.Response, error) {
	hash := r.PathUint("pkghash")
	rows, err := a.db.Records(ctx, "site_binary_scripts", sqlSPScripts, hash)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg(fmt.Sprintf("No information found in DB for package hash %d", hash), hash)
	}
	name, _ := rows[0].Get("pkg_name")
	arch, _ := rows[0].Get("pkg_arch")
	return api.OK(model.Map{"request_args": hash, "pkg_name": name, "pkg_arch": arch, "length": len(rows), "scripts": rows}), nil
}

const sqlSPCVEFixed = `
SELECT DISTINCT toString(pkg_hash) AS hash, pkg_name AS name, pkg_version AS version, pkg_release AS release,
       pkg_summary AS summary, pkg_buildtime AS buildtime, changelog_date, chlog_text AS changelog_text
FROM (
    SELECT pkg_hash, pkg_name, pkg_version, pkg_release, pkg_summary, pkg_buildtime,
           pkg_changelog.date[1] AS changelog_date, pkg_changelog.hash[1] AS chlog_hash
    FROM Packages
    PREWHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1)
    WHERE pkg_sourcepackage = 1
)
INNER JOIN (
    SELECT chlog_hash, chlog_text FROM Changelog
    WHERE chlog_hash IN (
        SELECT pkg_changelog.hash[1] FROM Packages
        PREWHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1))
      AND match(chlog_text, 'CVE-\\d{4}-(\\d{7}|\\d{6}|\\d{5}|\\d{4})')
) USING chlog_hash
ORDER BY buildtime DESC, name`

// spLastCVEFixed is GET /site/last_packages_with_cve_fixed.
func (a *App) spLastCVEFixed(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch := r.String("branch")
	rows, err := a.db.Records(ctx, "site_last_cve_fixed", sqlSPCVEFixed, branch, branch)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg(fmt.Sprintf("No packages with recent CVE fixes from %s found", branch), r.Args)
	}
	return api.OK(listBody(r.Args, "packages", spISORecords(rows, "changelog_date"))), nil
}

// spISORecords renders a datetime column of rows as ISO text.
func spISORecords(rows []model.Record, col string) []model.Record {
	out := make([]model.Record, len(rows))
	for i, row := range rows {
		m := model.Map{}
		rr := row.(model.Row)
		for k, idx := range rr.Cols {
			m[k] = rr.Vals[idx]
		}
		if t, ok := m[col].(time.Time); ok {
			m[col] = spISO(t)
		}
		out[i] = m
	}
	return out
}

const sqlSPLogBin = `
SELECT task_id, subtask_id, toString(subtask_arch) AS subtask_arch, titer_buildlog_hash
FROM TaskIterations
WHERE has(titer_pkgs_hash, ?)
  AND (task_id, task_changed) IN (SELECT task_id, task_changed FROM TaskStates WHERE task_state = 'DONE')
ORDER BY task_changed DESC, task_id, subtask_id, subtask_arch
LIMIT 1`

// spPackageLogBin is GET /site/package_log_bin/{pkghash}.
func (a *App) spPackageLogBin(ctx context.Context, r *api.Request) (*api.Response, error) {
	hash := r.PathUint("pkghash")
	var rows []struct {
		TaskID  uint32 `ch:"task_id"`
		Subtask uint32 `ch:"subtask_id"`
		Arch    string `ch:"subtask_arch"`
		Log     uint64 `ch:"titer_buildlog_hash"`
	}
	if err := a.db.Select(ctx, "site_package_log_bin", &rows, sqlSPLogBin, hash); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.Message(http.StatusNotFound, fmt.Sprintf("No data not found in database for %d", hash))
	}
	x := rows[0]
	link := fmt.Sprintf("%s/tasks/%d/build/%d/%s/log", lookup.Text("gitalt_base"), x.TaskID, x.Subtask, x.Arch)
	return api.OK(model.Map{"pkg_hash": strconv.FormatUint(hash, 10), "task_id": x.TaskID, "subtask_id": x.Subtask,
		"subtask_arch": x.Arch, "buildlog_hash": strconv.FormatUint(x.Log, 10), "link": link}), nil
}

const sqlSPNVR = `
SELECT pkg_name, pkg_version, pkg_release, pkg_sourcepackage FROM Packages PREWHERE pkg_hash = ? LIMIT 1`

// spNVRByHash is GET /site/package_nvr_by_hash/{pkghash}.
func (a *App) spNVRByHash(ctx context.Context, r *api.Request) (*api.Response, error) {
	hash := r.PathUint("pkghash")
	var rows []struct {
		Name    string `ch:"pkg_name"`
		Version string `ch:"pkg_version"`
		Release string `ch:"pkg_release"`
		Src     uint8  `ch:"pkg_sourcepackage"`
	}
	if err := a.db.Select(ctx, "site_package_nvr", &rows, sqlSPNVR, hash); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg(fmt.Sprintf("No packages found in DB with hash %d", hash), r.Args)
	}
	p := rows[0]
	if r.Has("name") && r.String("name") != p.Name {
		return nil, apierr.NotFoundMsg("Package name mismatching", r.Args)
	}
	return api.OK(model.Map{"request_args": r.Args, "hash": strconv.FormatUint(hash, 10), "name": p.Name,
		"version": p.Version, "release": p.Release, "is_source": p.Src == 1}), nil
}

const sqlSPRepology = `
SELECT DISTINCT pnc_result, pnc_type FROM PackagesNameConversion
WHERE pkg_name = ? AND pnc_type = ? AND pnc_source = 'repology' AND pnc_state = 'active'
LIMIT 1`

// spRepologyBranch maps a branch to its Repology repository name.
func spRepologyBranch(branch string) string {
	for repo, branches := range lookup.Map("repology_reverse_branch_map") {
		if slices.Contains(branches, branch) {
			return repo
		}
	}
	return ""
}

// spNameFromRepology is GET /site/package_name_from_repology.
func (a *App) spNameFromRepology(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch, name := r.String("branch"), r.String("name")
	if err := branchCheck(r.Args, branch, lookup.List("repology_export_branches")); err != nil {
		return nil, err
	}
	var rows []struct {
		Result string `ch:"pnc_result"`
		Type   string `ch:"pnc_type"`
	}
	if err := a.db.Select(ctx, "site_name_from_repology", &rows, sqlSPRepology, name, spRepologyBranch(branch)); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg(fmt.Sprintf("No packages found in DB with name %s", name), r.Args)
	}
	return api.OK(model.Map{"request_args": r.Args, "name": rows[0].Result, "repo": rows[0].Type}), nil
}
