package app

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/chdb"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/contract"
)

// exportRoutes lists the implemented routes of the export namespace.
func (a *App) exportRoutes() []*api.Route {
	po := contract.GetExportTranslationPackagesPoFiles()
	po.Produces = "application/zip"
	return []*api.Route{
		bind(contract.GetExportRepologyByBranch(), a.repologyExport),
		bind(contract.GetExportSitemapPackagesByBranch(), a.sitemapPackages),
		bind(contract.GetExportBranchBinaryPackagesByBranch(), a.branchBinaryPackages),
		bind(po, a.translationPoFiles),
		bind(contract.GetExportBranchTree(), a.branchTree),
		bind(contract.GetExportBeehiveFtbfs(), a.beehiveFTBFS),
	}
}

// Binary packages of a branch with the name of their source package in
// the same branch (” when the source is not there), ordered by arch, name.
const sqlBranchBinaryPackages = `
SELECT DISTINCT pkg_name AS name, pkg_epoch AS epoch, pkg_version AS version, pkg_release AS release,
    pkg_arch AS arch, pkg_disttag AS disttag, pkg_buildtime AS buildtime, source
FROM (
    SELECT pkg_name, pkg_epoch, pkg_version, pkg_release, toString(pkg_arch) AS pkg_arch, pkg_disttag, pkg_buildtime, pkg_srcrpm_hash
    FROM Packages
    WHERE pkg_hash IN (
        SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 0
    ) %s
)
LEFT JOIN (
    SELECT pkg_hash AS pkg_srcrpm_hash, any(pkg_name) AS source
    FROM Packages
    WHERE pkg_hash IN (
        SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1
    )
    GROUP BY pkg_hash
) USING pkg_srcrpm_hash
ORDER BY arch, name, version, release`

// branchBinaryPackages streams every binary package of a branch.
func (a *App) branchBinaryPackages(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch := r.PathString("branch")
	if err := branchCheck(r.Args, branch, lookup.List("repology_export_branches")); err != nil {
		return nil, err
	}
	archFilter, params := "", []any{branch}
	if r.Has("arch") {
		archFilter = "AND pkg_arch = ?"
		params = append(params, r.String("arch"))
	}
	params = append(params, branch)
	notFound := apierr.NotFoundMsg(fmt.Sprintf("No data found for branch '%s'", branch), r.Args)
	return a.streamQuery(ctx, streamSpec{
		args: r.Args, key: "packages", elem: contract.PackagesetPackagesExportElementModel, notFound: notFound,
	}, "branch_binary_packages", fmt.Sprintf(sqlBranchBinaryPackages, archFilter), params...)
}

// exportNoBranchData is the 404 of the path-branch exports.
func exportNoBranchData(branch string) error {
	return apierr.NotFoundMsg(fmt.Sprintf("No data found for branch '%s'", branch), model.Map{})
}

// exportISODate renders a naive database datetime as Python's isoformat().
func exportISODate(t time.Time) string { return t.Format("2006-01-02T15:04:05") }

// ---- repology ----

const sqlRepologyStats = `
SELECT any(pkgset_date) AS date, groupUniqArray((toString(pkg_arch), toUInt64(cnt))) AS stats
FROM lv_pkgset_stat WHERE pkgset_name = ?`

// Active ALT name -> Repology project mappings joined with active project
// -> CPE mappings: per ALT name the sorted unique CPE strings.
const sqlRepologyCPE = `
SELECT alt_name, arraySort(groupUniqArray(cpe)) AS cpes
FROM (
    SELECT pkg_name AS alt_name, pnc_result AS project
    FROM (
        SELECT pkg_name, pnc_result, argMax(pnc_state, ts) AS state
        FROM PackagesNameConversion WHERE pnc_type IN ?
        GROUP BY pkg_name, pnc_result
    ) WHERE state = 'active'
)
INNER JOIN (
    SELECT pkg_name AS project, pnc_result AS cpe
    FROM (
        SELECT pkg_name, pnc_result, argMax(pnc_state, ts) AS state
        FROM PackagesNameConversion WHERE pnc_type = 'cpe'
        GROUP BY pkg_name, pnc_result
    ) WHERE state = 'active'
) USING project
GROUP BY alt_name`

// Source packages of a branch with their spec file name and binaries (as
// parallel arrays, one element per (name, epoch, version, release)).
const sqlRepologyPackages = `
SELECT pkg_name, pkg_epoch, pkg_version, pkg_release, pkg_group_, pkg_url, pkg_summary, pkg_license,
    pkg_packager_email, specfile_name, b_name, b_epoch, b_version, b_release, b_summary, b_archs
FROM (
    SELECT pkg_hash, pkg_name, pkg_epoch, pkg_version, pkg_release, pkg_group_, pkg_url, pkg_summary,
        pkg_license, pkg_packager_email, spec_name AS specfile_name
    FROM (
        SELECT pkg_hash, pkg_name, pkg_epoch, pkg_version, pkg_release, pkg_group_, toString(pkg_url) AS pkg_url,
            pkg_summary, toString(pkg_license) AS pkg_license, toString(pkg_packager_email) AS pkg_packager_email
        FROM Packages
        WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1)
    )
    LEFT JOIN (
        SELECT pkg_hash, any(specfile_name) AS spec_name
        FROM Specfiles
        WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1)
        GROUP BY pkg_hash
    ) USING pkg_hash
)
LEFT JOIN (
    SELECT pkg_srcrpm_hash AS pkg_hash, groupArray(name) AS b_name, groupArray(epoch) AS b_epoch,
        groupArray(version) AS b_version, groupArray(release) AS b_release, groupArray(summary) AS b_summary,
        groupArray(archs) AS b_archs
    FROM (
        SELECT pkg_srcrpm_hash, pkg_name AS name, pkg_epoch AS epoch, pkg_version AS version,
            pkg_release AS release, any(pkg_summary) AS summary, groupUniqArray(toString(pkg_arch)) AS archs
        FROM Packages
        WHERE pkg_sourcepackage = 0
            AND pkg_srcrpm_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1)
            AND toString(pkg_arch) IN (
                SELECT toString(pkg_arch) FROM lv_pkgset_stat WHERE pkgset_name = ? AND pkg_arch != 'srpm'
            )
        GROUP BY pkg_srcrpm_hash, pkg_name, pkg_epoch, pkg_version, pkg_release
    )
    GROUP BY pkg_srcrpm_hash
) USING pkg_hash`

// repologyBinaries zips the binaries' parallel arrays, sorted by name.
func repologyBinaries(row model.Row) []model.Record {
	get := func(k string) any { v, _ := row.Get(k); return v }
	names, _ := get("b_name").([]string)
	epochs, _ := get("b_epoch").([]uint32)
	versions, _ := get("b_version").([]string)
	releases, _ := get("b_release").([]string)
	summaries, _ := get("b_summary").([]string)
	archs, _ := get("b_archs").([][]string)
	out := make([]model.Record, 0, len(names))
	for i := range names {
		if i >= len(epochs) || i >= len(versions) || i >= len(releases) || i >= len(summaries) || i >= len(archs) {
			break
		}
		out = append(out, model.Map{"name": names[i], "epoch": epochs[i], "version": versions[i],
			"release": releases[i], "summary": summaries[i], "archs": archs[i]})
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].(model.Map)["name"].(string) < out[j].(model.Map)["name"].(string)
	})
	return out
}

// repologyExport streams the Repology feed of a branch.
func (a *App) repologyExport(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch := r.PathString("branch")
	if err := branchCheck(r.Args, branch, lookup.List("repology_export_branches")); err != nil {
		return nil, err
	}
	statRows, err := a.db.Records(ctx, "repology_export_stats", sqlRepologyStats, branch)
	if err != nil {
		return nil, err
	}
	date := time.Unix(0, 0).UTC()
	statList := []model.Record{}
	if len(statRows) > 0 {
		if d, ok := statRows[0].Get("date"); ok {
			if t, ok := d.(time.Time); ok {
				date = t
			}
		}
		v, _ := statRows[0].Get("stats")
		statList = repologyStats(v)
	}
	var cpeRows []struct {
		Name string   `ch:"alt_name"`
		CPEs []string `ch:"cpes"`
	}
	if err := a.db.Select(ctx, "repology_export_cpe", &cpeRows, sqlRepologyCPE, chdb.In(lookup.List("repology_branches"))); err != nil {
		return nil, err
	}
	cpes := make(map[string][]string, len(cpeRows))
	for _, c := range cpeRows {
		cpes[c.Name] = c.CPEs
	}
	base, bugzilla := lookup.Text("packages_base"), lookup.Text("bugzilla_base")
	transform := func(row model.Row) model.Record {
		get := func(k string) any { v, _ := row.Get(k); return v }
		name, _ := get("pkg_name").(string)
		spec, _ := get("specfile_name").(string)
		home := fmt.Sprintf("%s/%s/srpms/%s/", base, branch, name)
		cpe := cpes[name]
		if cpe == nil {
			cpe = []string{}
		}
		return model.Map{
			"name": name, "epoch": get("pkg_epoch"), "version": get("pkg_version"), "release": get("pkg_release"),
			"url": get("pkg_url"), "license": get("pkg_license"), "category": get("pkg_group_"),
			"summary": get("pkg_summary"), "packager": get("pkg_packager_email"),
			"homepage": home, "recipe": home + "specfiles/", "recipe_raw": home + "specfiles/" + spec,
			"bugzilla": bugzilla + "/buglist.cgi?quicksearch=" + name,
			"cpe":      cpe, "binaries": repologyBinaries(row),
		}
	}
	return a.streamQuery(ctx, streamSpec{
		key: "packages", elem: contract.RepologyExportBranchSourcePackageElementModel,
		notFound: exportNoBranchData(branch), transform: transform, noArgs: true,
		headKeys: []string{"branch", "date", "stats"},
		headVals: []any{branch, exportISODate(date), exportRawList{contract.RepologyExportBranchStatElementModel, statList}},
	}, "repology_export", sqlRepologyPackages, branch, branch, branch, branch)
}

// exportRawList renders records through a model when written with Stream.Value.
type exportRawList struct {
	m     *model.Model
	items []model.Record
}

// MarshalJSON implements json.Marshaler.
func (l exportRawList) MarshalJSON() ([]byte, error) { return l.m.AppendList(nil, l.items), nil }

// repologyStats turns the (arch, count) tuples into records.
func repologyStats(v any) []model.Record {
	out := []model.Record{}
	switch s := v.(type) {
	case [][]any:
		for _, t := range s {
			if len(t) == 2 {
				out = append(out, model.Map{"arch": t[0], "count": t[1]})
			}
		}
	case []any:
		for _, e := range s {
			if t, ok := e.([]any); ok && len(t) == 2 {
				out = append(out, model.Map{"arch": t[0], "count": t[1]})
			}
		}
	}
	return out
}

// ---- sitemap ----

const sqlSitemapPackages = `
SELECT toString(pkg_hash) AS pkghash, pkg_name AS name, pkg_buildtime AS buildtime
FROM Packages
WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1)`

// sitemapPackages streams the source packages of a branch.
func (a *App) sitemapPackages(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch := r.PathString("branch")
	if err := branchCheck(r.Args, branch, lookup.List("known_branches")); err != nil {
		return nil, err
	}
	return a.streamQuery(ctx, streamSpec{
		key: "packages", elem: contract.SitemapPackagesElementModel, notFound: exportNoBranchData(branch),
		noArgs: true, headKeys: []string{"branch"}, headVals: []any{branch},
	}, "sitemap_packages", sqlSitemapPackages, branch)
}

// ---- branch_tree ----

// branchTree streams the history of the branch tree branches.
func (a *App) branchTree(ctx context.Context, r *api.Request) (*api.Response, error) {
	branches := lookup.List("branch_tree_branches")
	q := newExportHistSQL(branches, nil)
	noData := apierr.NotFoundMsg("No data found in DB", model.Map{})
	var n []struct {
		N uint64 `ch:"n"`
	}
	if err := a.db.Select(ctx, "branch_tree_commits_count", &n, q.commitsAny, chdb.In(branches)); err != nil {
		return nil, err
	}
	tasks, err := a.db.Query(ctx, "branch_tree_tasks", streamSQL(q.tasks), q.params...)
	if err != nil {
		return nil, err
	}
	next, first, err := peek(tasks)
	if err != nil || !first || len(n) == 0 || n[0].N == 0 {
		tasks.Close()
		if err == nil {
			err = noData
		}
		return nil, err
	}
	firstRow, err := next()
	if err != nil {
		tasks.Close()
		return nil, err
	}
	changed, _ := firstRow.Get("task_changed")
	t, _ := changed.(time.Time)
	resp := &api.Response{Header: http.Header{"Last-Modified": {exportLastModified(t)}}}
	resp.Stream = func(ctx context.Context, s *api.Stream) error {
		defer tasks.Close()
		s.Raw("{")
		s.Key("branches")
		s.Value(branches)
		s.Raw(`,"tasks":[`)
		taskElem := contract.BranchTreeTaskModel
		row := firstRow
		for i := 0; ; i++ {
			if i > 0 {
				s.Raw(",")
				if row, err = next(); err != nil {
					return err
				}
			}
			s.Record(taskElem, branchTreeTask(row, "task_id", "task_prev", "task_repo", "task_changed"))
			if !tasks.Next() {
				break
			}
		}
		if err := tasks.Err(); err != nil {
			return err
		}
		s.Raw(`],"branch_commits":[`)
		i := 0
		err := a.db.Each(ctx, "branch_tree_commits", func(row model.Row) error {
			if i > 0 {
				s.Raw(",")
			}
			i++
			name, _ := row.Get("pkgset_nodename")
			date, _ := row.Get("pkgset_date")
			task, _ := row.Get("task")
			s.Record(contract.BranchTreeBranchCommitModel, model.Map{"name": name, "date": date, "task": task})
			return nil
		}, streamSQL(q.commits), append([]any{chdb.In(branches)}, q.params...)...)
		if err != nil {
			return err
		}
		s.Raw(`],"branch_points":[`)
		i = 0
		err = a.db.Each(ctx, "branch_tree_points", func(row model.Row) error {
			if i > 0 {
				s.Raw(",")
			}
			i++
			task := branchTreeTask(row, "task_id", "task_prev", "task_repo", "task_changed")
			from := branchTreeTask(row, "task_prev", "prev_prev", "prev_repo", "prev_changed")
			s.Record(contract.BranchTreeBranchPointModel, model.Map{"branch": task["branch"], "task": task, "from_task": from})
			return nil
		}, streamSQL(q.points), append(append([]any{}, q.params...), q.params...)...)
		if err != nil {
			return err
		}
		s.Raw("]}")
		return nil
	}
	return resp, nil
}

func branchTreeTask(row model.Row, id, prev, branch, date string) model.Map {
	get := func(k string) any { v, _ := row.Get(k); return v }
	return model.Map{"id": get(id), "prev": get(prev), "branch": get(branch), "date": get(date)}
}

// ---- beehive/ftbfs ----

// Beehive errors of the latest run per arch for the branch's source packages.
const sqlBeehiveFTBFS = `
SELECT pkgset_name AS branch, toString(pkg_hash) AS hash, pkg_name AS name, epoch, pkg_version AS version,
    pkg_release AS release, bh_arch AS arch, bh_updated, bh_ftbfs_since
FROM (
    SELECT toString(pkgset_name) AS pkgset_name, pkg_hash, pkg_name, pkg_version, pkg_release,
        toString(bh_arch) AS bh_arch, bh_updated, bh_ftbfs_since
    FROM BeehiveStatus
    WHERE pkgset_name = ? AND bh_status = 'error'
        AND (toString(bh_arch), bh_updated) IN (
            SELECT toString(bh_arch), max(bh_updated) FROM BeehiveStatus
            WHERE pkgset_name = ? AND toString(bh_arch) IN ?
            GROUP BY bh_arch
        )
)
INNER JOIN (
    SELECT pkg_hash, any(pkg_epoch) AS epoch
    FROM Packages
    WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1)
    GROUP BY pkg_hash
) USING pkg_hash
ORDER BY name`

// beehiveFTBFS lists the packages of a branch failing to build.
func (a *App) beehiveFTBFS(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch := r.String("branch")
	branches, archs := lookup.List("known_beehive_branches"), lookup.List("known_beehive_archs")
	var msgs []string
	if !slices.Contains(branches, branch) {
		msgs = append(msgs, fmt.Sprintf("Unknown branch for Beehive: %s. Use one of %s", branch, pyList(branches)))
	}
	if r.Has("arch") && !slices.Contains(archs, r.String("arch")) {
		msgs = append(msgs, fmt.Sprintf("Unknown arch for Beehive: %s. Use one of %s", r.String("arch"), pyList(archs)))
	}
	if len(msgs) > 0 {
		return nil, apierr.Validation(r.Args, msgs...)
	}
	if r.Has("arch") {
		archs = []string{r.String("arch")}
	}
	r.Args.Set("arch", archs)
	var rows []struct {
		Branch  string    `ch:"branch"`
		Hash    string    `ch:"hash"`
		Name    string    `ch:"name"`
		Epoch   uint32    `ch:"epoch"`
		Version string    `ch:"version"`
		Release string    `ch:"release"`
		Arch    string    `ch:"arch"`
		Updated time.Time `ch:"bh_updated"`
		Since   time.Time `ch:"bh_ftbfs_since"`
	}
	if err := a.db.Select(ctx, "beehive_ftbfs", &rows, sqlBeehiveFTBFS, branch, branch, chdb.In(archs), branch); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, noDataNotFound(r.Args)
	}
	list := make([]model.Record, 0, len(rows))
	for _, x := range rows {
		list = append(list, model.Map{
			"branch": x.Branch, "hash": x.Hash, "name": x.Name, "epoch": x.Epoch, "version": x.Version,
			"release": x.Release, "arch": x.Arch, "updated": exportISODate(x.Updated), "ftbfs_since": exportISODate(x.Since),
			"url": beehiveLogURL(x.Branch, x.Arch, x.Updated, x.Name, x.Epoch, x.Version, x.Release),
		})
	}
	return api.OK(model.Map{"request_args": r.Args, "length": len(list), "ftbfs": list}), nil
}
