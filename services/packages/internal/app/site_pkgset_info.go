package app

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/contract"
)

// sitePkgsetInfoRoutes lists the implemented routes of the site_pkgset_info module.
func (a *App) sitePkgsetInfoRoutes() []*api.Route {
	return []*api.Route{
		bind(contract.GetSiteAllPkgsets(), a.allPkgsets),
		bind(contract.GetSiteAllPkgsetsWithSrcCount(), a.allPkgsetsWithSrcCount),
		bind(contract.GetSiteAllPkgsetsSummary(), a.allPkgsetsSummary),
		bind(contract.GetSitePkgsetsSummaryStatus(), a.pkgsetsSummaryStatus),
		bind(contract.GetSiteAllPkgsetArchs(), a.allPkgsetArchs),
		bind(contract.GetSiteAllPkgsetArchsWithSrcCount(), a.allPkgsetArchsWithSrcCount),
		bind(contract.GetSitePkgsetCategoriesCount(), a.pkgsetCategoriesCount),
		bind(contract.GetSiteTasksHistory(), a.tasksHistory),
	}
}

const sqlAllBranches = `SELECT DISTINCT toString(pkgset_name) AS pkgset_name FROM lv_pkgset_stat`

// allPkgsets: every branch with a loaded snapshot, in display order.
func (a *App) allPkgsets(ctx context.Context, r *api.Request) (*api.Response, error) {
	var rows []struct {
		Name string `ch:"pkgset_name"`
	}
	if err := a.db.Select(ctx, "all_pkgsets", &rows, sqlAllBranches); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(rows))
	for _, row := range rows {
		names = append(names, row.Name)
	}
	branches := []model.Record{}
	for _, b := range lookup.SortBranches(names) {
		branches = append(branches, model.Map{"branch": b, "count": 0})
	}
	return api.OK(model.Map{"length": len(branches), "branches": branches}), nil
}

// spiStatRow is one row of lv_pkgset_stat.
type spiStatRow struct {
	Branch string `ch:"pkgset_name"`
	Arch   string `ch:"pkg_arch"`
	Count  uint64 `ch:"cnt"`
}

const sqlPkgsetSrcCounts = `
SELECT toString(pkgset_name) AS pkgset_name, toString(pkg_arch) AS pkg_arch, toUInt64(cnt) AS cnt
FROM lv_pkgset_stat WHERE pkg_arch = 'srpm'`

// allPkgsetsWithSrcCount: source package count of every branch.
func (a *App) allPkgsetsWithSrcCount(ctx context.Context, r *api.Request) (*api.Response, error) {
	var rows []spiStatRow
	if err := a.db.Select(ctx, "all_pkgsets_with_src_count", &rows, sqlPkgsetSrcCounts); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, noDataNotFound(model.Map{})
	}
	counts := map[string]uint64{}
	names := make([]string, 0, len(rows))
	for _, row := range rows {
		counts[row.Branch] = row.Count // the last row of a branch wins
		names = append(names, row.Branch)
	}
	branches := []model.Record{}
	for _, b := range lookup.SortBranches(names) {
		branches = append(branches, model.Map{"branch": b, "count": counts[b]})
	}
	return api.OK(model.Map{"length": len(branches), "branches": branches}), nil
}

const sqlPkgsetStatAll = `
SELECT toString(pkgset_name) AS pkgset_name, toString(pkg_arch) AS pkg_arch, toUInt64(cnt) AS cnt
FROM lv_pkgset_stat`

// spiSummary groups lv_pkgset_stat rows per branch: archs by count
// descending (stable), branches in display order.
func spiSummary(rows []spiStatRow) []model.Record {
	per := map[string][]spiStatRow{}
	names := []string{}
	for _, row := range rows {
		if _, ok := per[row.Branch]; !ok {
			names = append(names, row.Branch)
		}
		per[row.Branch] = append(per[row.Branch], row)
	}
	out := []model.Record{}
	for _, b := range lookup.SortBranches(names) {
		list := per[b]
		sort.SliceStable(list, func(i, j int) bool { return list[i].Count > list[j].Count })
		counts := make([]model.Record, 0, len(list))
		for _, c := range list {
			counts = append(counts, model.Map{"arch": c.Arch, "count": c.Count})
		}
		out = append(out, model.Map{"branch": b, "packages_count": counts})
	}
	return out
}

// allPkgsetsSummary: per branch the source package counts by arch.
func (a *App) allPkgsetsSummary(ctx context.Context, r *api.Request) (*api.Response, error) {
	var rows []spiStatRow
	if err := a.db.Select(ctx, "all_pkgsets_summary", &rows, sqlPkgsetStatAll); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, noDataNotFound(model.Map{})
	}
	branches := spiSummary(rows)
	return api.OK(model.Map{"length": len(branches), "branches": branches}), nil
}

// Latest status of every branch in RepositoryStatus (argMax by ts).
const sqlPkgsetStatusLatest = `
SELECT
    toString(pkgset_name) AS branch,
    argMax(toString(rs_pkgset_name_bugzilla), ts) AS pkgset_name_bugzilla,
    argMax(rs_start_date, ts) AS start_date,
    argMax(rs_end_date, ts) AS end_date,
    argMax(rs_show, ts) AS show,
    argMax(rs_description_ru, ts) AS description_ru,
    argMax(rs_description_en, ts) AS description_en,
    argMax(toString(rs_mailing_list), ts) AS url_mailing_list,
    argMax(rs_mirrors_json, ts) AS mirrors_json
FROM RepositoryStatus
GROUP BY pkgset_name`

// Branches having at least one image edition currently shown.
const sqlBranchesWithImages = `
SELECT DISTINCT img_branch
FROM (
    SELECT toString(img_branch) AS img_branch, argMax(toString(img_show), ts) AS shown
    FROM ImageStatus
    GROUP BY img_branch, img_edition
)
WHERE shown = 'show'`

// psStatusRecords reads the latest branch status rows with has_images.
func (a *App) psStatusRecords(ctx context.Context, name string) ([]model.Map, error) {
	rows, err := a.db.Records(ctx, name, sqlPkgsetStatusLatest)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	var imgs []struct {
		Branch string `ch:"img_branch"`
	}
	if err := a.db.Select(ctx, name+"_images", &imgs, sqlBranchesWithImages); err != nil {
		return nil, err
	}
	withImages := map[string]bool{}
	for _, i := range imgs {
		withImages[i.Branch] = true
	}
	out := make([]model.Map, 0, len(rows))
	for _, rec := range rows {
		m := model.Map{}
		row := rec.(model.Row)
		for col, i := range row.Cols {
			m[col] = row.Vals[i]
		}
		b, _ := m["branch"].(string)
		if withImages[b] {
			m["has_images"] = 1
		} else {
			m["has_images"] = 0
		}
		out = append(out, m)
	}
	return out, nil
}

// pkgsetsSummaryStatus: the summary plus the support status of every branch.
func (a *App) pkgsetsSummaryStatus(ctx context.Context, r *api.Request) (*api.Response, error) {
	var rows []spiStatRow
	if err := a.db.Select(ctx, "pkgsets_summary_status", &rows, sqlPkgsetStatAll); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, noDataNotFound(model.Map{})
	}
	branches := spiSummary(rows)
	status, err := a.psStatusRecords(ctx, "pkgsets_summary_status_rs")
	if err != nil {
		return nil, err
	}
	if len(status) == 0 {
		return nil, noDataNotFound(model.Map{})
	}
	byName := map[string]model.Map{}
	names := make([]string, 0, len(status))
	for _, s := range status {
		b, _ := s["branch"].(string)
		byName[b] = s
		names = append(names, b)
	}
	list := make([]model.Record, 0, len(status))
	for _, b := range lookup.SortBranches(names) {
		list = append(list, byName[b])
	}
	return api.OK(model.Map{"length": len(branches), "branches": branches, "status": list}), nil
}

const sqlPkgsetArchs = `
SELECT DISTINCT toString(pkg_arch) AS pkg_arch FROM lv_pkgset_stat WHERE pkgset_name = ?`

// spiOrderArchs drops x86_64-i586 and orders archs: x*, i*, n*, then
// the rest, each group alphabetical.
func spiOrderArchs(archs []string) []string {
	var in []string
	for _, a := range archs {
		if a != "x86_64-i586" {
			in = append(in, a)
		}
	}
	sort.Strings(in)
	out := make([]string, 0, len(in))
	used := make([]bool, len(in))
	for _, prefix := range []string{"x", "i", "n"} {
		for i, a := range in {
			if !used[i] && strings.HasPrefix(a, prefix) {
				out = append(out, a)
				used[i] = true
			}
		}
	}
	for i, a := range in {
		if !used[i] {
			out = append(out, a)
		}
	}
	return out
}

// allPkgsetArchs: the archs of a branch, never 404.
func (a *App) allPkgsetArchs(ctx context.Context, r *api.Request) (*api.Response, error) {
	var rows []struct {
		Arch string `ch:"pkg_arch"`
	}
	if err := a.db.Select(ctx, "all_pkgset_archs", &rows, sqlPkgsetArchs, r.String("branch")); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(rows))
	for _, row := range rows {
		names = append(names, row.Arch)
	}
	archs := []model.Record{}
	for _, a := range spiOrderArchs(names) {
		archs = append(archs, model.Map{"arch": a, "count": 0})
	}
	return api.OK(model.Map{"length": len(archs), "archs": archs}), nil
}

const sqlPkgsetArchsCounts = `
SELECT toString(pkgset_name) AS pkgset_name, toString(pkg_arch) AS pkg_arch, toUInt64(cnt) AS cnt
FROM lv_pkgset_stat WHERE pkgset_name = ? AND pkg_arch NOT LIKE 'srpm'`

// allPkgsetArchsWithSrcCount: per binary arch the number of source packages.
func (a *App) allPkgsetArchsWithSrcCount(ctx context.Context, r *api.Request) (*api.Response, error) {
	var rows []spiStatRow
	if err := a.db.Select(ctx, "all_pkgset_archs_with_src_count", &rows, sqlPkgsetArchsCounts, r.String("branch")); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, noDataNotFound(r.Args)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Count > rows[j].Count })
	archs := make([]model.Record, 0, len(rows))
	for _, row := range rows {
		archs = append(archs, model.Map{"arch": row.Arch, "count": row.Count})
	}
	return api.OK(model.Map{"length": len(archs), "archs": archs}), nil
}

const sqlPkgsetCategories = `
SELECT pkg_group_ AS category, count(pkg_hash) AS count
FROM Packages
WHERE pkg_hash IN (
    SELECT pkg_hash FROM static_last_packages
    WHERE pkgset_name = ? AND pkg_sourcepackage IN %s AND pkg_name NOT LIKE '%%-debuginfo'
)
GROUP BY pkg_group_
ORDER BY pkg_group_`

// pkgsetCategoriesCount: package counts per RPM group of a branch.
func (a *App) pkgsetCategoriesCount(ctx context.Context, r *api.Request) (*api.Response, error) {
	sql := fmt.Sprintf(sqlPkgsetCategories, sourceIn(r.String("package_type")))
	rows, err := a.db.Records(ctx, "pkgset_categories_count", sql, r.String("branch"))
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, noDataNotFound(r.Args)
	}
	return api.OK(model.Map{"request_args": r.Args, "length": len(rows), "categories": rows}), nil
}

// tasksHistory: DONE tasks and branch commits of the active branches.
func (a *App) tasksHistory(ctx context.Context, r *api.Request) (*api.Response, error) {
	var taskID uint32
	if r.Has("task_id") {
		taskID = uint32(r.Int("task_id"))
	}
	// The reference keeps its args as a one-element tuple: details.args is [task_id].
	var tupleArgs []any
	if taskID != 0 {
		tupleArgs = []any{taskID}
	} else {
		tupleArgs = []any{nil}
	}
	var bound []struct {
		Changed time.Time `ch:"changed"`
		N       uint64    `ch:"n"`
	}
	sqlBound := `SELECT max(task_changed) AS changed, count() AS n FROM TaskStates WHERE task_state = 'DONE'`
	var params []any
	if taskID != 0 {
		sqlBound += ` AND task_id = ?`
		params = append(params, taskID)
	}
	if err := a.db.Select(ctx, "tasks_history_bound", &bound, sqlBound, params...); err != nil {
		return nil, err
	}
	if taskID != 0 && (len(bound) == 0 || bound[0].N == 0) {
		return nil, apierr.Validation(r.Args)
	}
	active, err := a.psActiveBranches(ctx, "tasks_history_branches")
	if err != nil {
		return nil, err
	}
	var branches []string
	for _, b := range active {
		if strings.Contains(b, "_e2k") || strings.Contains(b, "_riscv64") || strings.Contains(b, "_loongarch64") {
			continue
		}
		branches = append(branches, b)
	}
	var limit *time.Time
	if len(bound) > 0 && bound[0].N > 0 {
		limit = &bound[0].Changed
	}
	hist, err := a.exportBranchHistory(ctx, "tasks_history", branches, limit)
	if err != nil {
		return nil, err
	}
	if hist == nil {
		return nil, apierr.NotFoundMsg("No data found in DB", tupleArgs)
	}
	if branches == nil {
		branches = []string{}
	}
	resp := api.OK(model.Map{"branches": branches, "tasks": hist.taskRecords(), "branch_commits": hist.commitRecords()})
	resp.Header = http.Header{"Last-Modified": {hist.lastModified()}}
	return resp, nil
}
