package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/chdb"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/contract"
)

// packagesetRoutes lists the implemented routes of the packageset namespace.
func (a *App) packagesetRoutes() []*api.Route {
	return []*api.Route{
		bind(contract.GetPackagesetRepositoryPackages(), a.repositoryPackages),
		bind(contract.GetPackagesetComparePackagesets(), a.comparePackagesets),
		bind(contract.GetPackagesetPkgsetStatus(), a.getPkgsetStatus),
		bind(contract.PostPackagesetPkgsetStatus(), a.postPkgsetStatus),
		bind(contract.GetPackagesetActivePackagesets(), a.activePackagesets),
		bind(contract.GetPackagesetRepositoryStatistics(), a.repositoryStatistics),
		bind(contract.GetPackagesetPackagesByUuid(), a.packagesByUUID),
		bind(contract.GetPackagesetPackagesByComponent(), a.packagesByComponent),
		bind(contract.GetPackagesetMaintainerScores(), a.maintainerScores),
	}
}

const sqlActiveBranches = `
SELECT pkgset_name
FROM (
    SELECT toString(pkgset_name) AS pkgset_name, argMax(rs_show, ts) AS shown
    FROM RepositoryStatus
    GROUP BY pkgset_name
)
WHERE shown = 1`

// psActiveBranches: branches shown by RepositoryStatus, else every known
// branch, in display order.
func (a *App) psActiveBranches(ctx context.Context, name string) ([]string, error) {
	var rows []struct {
		Name string `ch:"pkgset_name"`
	}
	if err := a.db.Select(ctx, name, &rows, sqlActiveBranches); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(rows))
	for _, row := range rows {
		names = append(names, row.Name)
	}
	if len(names) == 0 {
		names = lookup.List("known_branches")
	}
	return lookup.SortBranches(names), nil
}

// activePackagesets: branches shown by RepositoryStatus, else every known branch.
func (a *App) activePackagesets(ctx context.Context, r *api.Request) (*api.Response, error) {
	names, err := a.psActiveBranches(ctx, "active_packagesets")
	if err != nil {
		return nil, err
	}
	return api.OK(model.Map{"length": len(names), "packagesets": names}), nil
}

// ---- repository_packages ----

// Packages of a branch (or of a computed hash set) with their ACL. The
// reference groups by (hash, name, ..., acl_list) collecting the packager
// e-mails and archs: a package row has exactly one of each, so the rows
// are made distinct instead, which keeps ClickHouse's result blocks small
// for streaming. %[1]s: the pkg_hash filter; %[2]s: the pkg_sourcepackage
// list; %[3]s: the optional arch filter.
const sqlRepositoryPackages = `
SELECT DISTINCT
    toString(pkg_hash) AS hash, pkg_name AS name, pkg_version AS version, pkg_release AS release,
    pkg_summary AS summary, pkg_url AS url, pkg_license AS license, pkg_group_ AS category,
    [pkg_packager_email] AS maintainers, acl_list, [pkg_arch] AS archs
FROM (
    SELECT pkg_hash, pkg_name, pkg_version, pkg_release, pkg_summary, toString(pkg_url) AS pkg_url,
        toString(pkg_license) AS pkg_license, pkg_group_, toString(pkg_packager_email) AS pkg_packager_email,
        toString(pkg_arch) AS pkg_arch
    FROM Packages
    WHERE pkg_hash IN (%[1]s)
        AND pkg_sourcepackage IN %[2]s
        AND pkg_name NOT LIKE '%%-debuginfo' %[3]s
)
LEFT JOIN (
    SELECT acl_for AS pkg_name, acl_list FROM last_acl WHERE acl_branch = ?
) USING pkg_name
ORDER BY name, hash`

const sqlBranchHashes = `SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ?`

// Hashes of a branch after applying the plans of DONE tasks: the branch
// minus every deleted hash, plus every added hash.
const sqlBranchHashesWithTasks = `
SELECT pkg_hash FROM static_last_packages
WHERE pkgset_name = ? AND pkg_hash NOT IN (%[1]s)
UNION ALL
%[2]s`

// Package hashes of the task plans (action add or delete) of the given tasks.
const sqlTaskPlanHashes = `
SELECT pkgh_mmh FROM PackageHash
WHERE pkgh_sha256 IN (
    SELECT tplan_sha256 FROM TaskPlanPkgHash
    WHERE tplan_action = '%s' AND tplan_hash IN (SELECT tplan_hash FROM task_plan_hashes WHERE task_id IN (%s))
)`

func psUintList(ids []uint32) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ", ")
}

// repositoryPackages streams the packages of a branch.
func (a *App) repositoryPackages(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch := r.String("branch")
	ptype := r.String("package_type")
	archFilter := ""
	var archParams []any
	if ptype == "binary" && r.Has("archs") {
		archs := r.Strings("archs")
		hasNoarch := false
		for _, x := range archs {
			hasNoarch = hasNoarch || x == "noarch"
		}
		if !hasNoarch {
			archs = append(archs, "noarch")
			r.Args.Set("archs", archs) // the reference echoes the mutated list
		}
		archFilter = "AND pkg_arch IN ?"
		archParams = append(archParams, chdb.In(archs))
	}
	hashFilter := sqlBranchHashes
	doneTasks := []uint32{}
	notFound := apierr.NotFound(r.Args)
	if r.Bool("include_done_tasks") {
		tasks, err := a.packagesetDoneTasks(ctx, branch)
		if err != nil {
			return nil, err
		}
		if len(tasks) > 0 {
			doneTasks = tasks
			ids := psUintList(tasks)
			hashFilter = fmt.Sprintf(sqlBranchHashesWithTasks,
				fmt.Sprintf(sqlTaskPlanHashes, "delete", ids), fmt.Sprintf(sqlTaskPlanHashes, "add", ids))
			var n []struct {
				N uint64 `ch:"n"`
			}
			if err := a.db.Select(ctx, "repository_packages_final_count", &n,
				"SELECT count() AS n FROM ("+hashFilter+")", branch); err != nil {
				return nil, err
			}
			if len(n) == 0 || n[0].N == 0 {
				return nil, apierr.NotFoundMsg("No packages after applying DONE tasks", r.Args)
			}
			notFound = apierr.NotFoundMsg("No packages found for computed hashes", r.Args)
		}
	}
	sql := fmt.Sprintf(sqlRepositoryPackages, hashFilter, sourceIn(ptype), archFilter)
	params := append([]any{branch}, archParams...)
	params = append(params, branch)
	return a.streamQuery(ctx, streamSpec{
		args: r.Args, key: "packages", elem: contract.PackagesetPackagesElementModel, notFound: notFound,
		tailKeys: []string{"done_tasks"}, tailVals: []any{doneTasks},
	}, "repository_packages", sql, params...)
}

// packagesetDoneTasks: DONE tasks of a branch after its last loaded
// snapshot, newest first (libs §8 steps 1-2).
func (a *App) packagesetDoneTasks(ctx context.Context, branch string) ([]uint32, error) {
	var last []struct {
		Task uint32 `ch:"task"`
	}
	err := a.db.Select(ctx, "repository_packages_last_task", &last, `
SELECT toUInt32OrZero(pkgset_kv.v[indexOf(pkgset_kv.k, 'task')]) AS task
FROM PackageSetName
WHERE pkgset_depth = 0 AND pkgset_nodename = ?
    AND pkgset_date = (SELECT max(pkgset_date) FROM static_last_packages WHERE pkgset_name = ?)
LIMIT 1`, branch, branch)
	if err != nil {
		return nil, err
	}
	if len(last) == 0 {
		return nil, nil
	}
	var rows []struct {
		ID uint32 `ch:"task_id"`
	}
	err = a.db.Select(ctx, "repository_packages_done_tasks", &rows, `
SELECT task_id
FROM (
    SELECT task_id, max(task_changed) AS changed
    FROM TaskStates
    WHERE task_state = 'DONE'
        AND task_id IN (SELECT task_id FROM Tasks WHERE task_repo = ?)
        AND task_changed > (
            SELECT max(task_changed) FROM TaskStates WHERE task_state = 'DONE' AND task_id = ?
        )
    GROUP BY task_id
)
ORDER BY changed DESC`, branch, last[0].Task)
	if err != nil {
		return nil, err
	}
	out := make([]uint32, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out, nil
}

// ---- compare_packagesets ----

// Sources of pkgset1 whose (name, version, release) is not in pkgset2,
// with every pkgset2 source of the same name (found = 0 when none).
const sqlPsCompare = `
SELECT name, v1, r1, v2, r2, found
FROM (
    SELECT pkg_name AS name, pkg_version AS v1, pkg_release AS r1
    FROM static_last_packages
    WHERE pkgset_name = ? AND pkg_sourcepackage = 1
        AND (pkg_name, pkg_version, pkg_release) NOT IN (
            SELECT pkg_name, pkg_version, pkg_release FROM static_last_packages
            WHERE pkgset_name = ? AND pkg_sourcepackage = 1
        )
)
LEFT JOIN (
    SELECT pkg_name AS name, pkg_version AS v2, pkg_release AS r2, toUInt8(1) AS found
    FROM static_last_packages
    WHERE pkgset_name = ? AND pkg_sourcepackage = 1
) USING name`

// comparePackagesets streams the differences of the sources of two branches.
func (a *App) comparePackagesets(ctx context.Context, r *api.Request) (*api.Response, error) {
	p1, p2 := r.String("pkgset1"), r.String("pkgset2")
	transform := func(row model.Row) model.Record {
		name, _ := row.Get("name")
		v1, _ := row.Get("v1")
		r1, _ := row.Get("r1")
		found, _ := row.Get("found")
		pkg2 := model.Map{"name": "", "version": "", "release": ""}
		if f, _ := found.(uint8); f == 1 {
			v2, _ := row.Get("v2")
			r2, _ := row.Get("r2")
			pkg2 = model.Map{"name": name, "version": v2, "release": r2}
		}
		return model.Map{"pkgset1": p1, "pkgset2": p2,
			"package1": model.Map{"name": name, "version": v1, "release": r1}, "package2": pkg2}
	}
	return a.streamQuery(ctx, streamSpec{
		args: r.Args, key: "packages", elem: contract.PackagesetCompareElementModel,
		notFound: apierr.NotFound(r.Args), transform: transform,
	}, "compare_packagesets", sqlPsCompare, p1, p2, p2)
}

// ---- pkgset_status ----

// getPkgsetStatus: the latest status of every branch.
func (a *App) getPkgsetStatus(ctx context.Context, r *api.Request) (*api.Response, error) {
	rows, err := a.psStatusRecords(ctx, "pkgset_status")
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, noDataNotFound(model.Map{})
	}
	out := make([]model.Record, 0, len(rows))
	for _, m := range rows {
		if s, ok := m["mirrors_json"].(string); ok {
			if json.Valid([]byte(s)) {
				m["mirrors_json"] = json.RawMessage(s)
			}
		}
		out = append(out, m)
	}
	return api.OK(model.Map{"branches": out}), nil
}

var psStatusKeys = []string{"pkgset_name", "rs_pkgset_name_bugzilla", "rs_start_date", "rs_end_date",
	"rs_show", "rs_description_ru", "rs_description_en", "rs_mailing_list", "rs_mirrors_json"}

// psStatusRow is one RepositoryStatus row to insert.
type psStatusRow struct {
	name, bugzilla, mailing, mirrors string
	start, end                       time.Time
	show                             uint8
	descRU, descEN                   string
}

// psParseISO parses what Python's datetime.fromisoformat accepts in
// practice: a date, or a date and time separated by 'T' or a space, with
// optional fractional seconds (dropped: DateTime has whole seconds) and an
// optional UTC offset. A value without offset is a naive wall-clock time,
// read in loc (the ClickHouse server's zone, as the reference's driver does).
func psParseISO(s string, loc *time.Location) (time.Time, error) {
	zoned := []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02T15Z07:00"}
	naive := []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02T15", "2006-01-02"}
	norm := s
	if len(norm) > 10 && norm[10] == ' ' {
		norm = norm[:10] + "T" + norm[11:]
	}
	for _, l := range zoned {
		if t, err := time.Parse(l, norm); err == nil {
			return t.Truncate(time.Second), nil
		}
	}
	for _, l := range naive {
		if t, err := time.ParseInLocation(l, norm, loc); err == nil {
			return t.Truncate(time.Second), nil
		}
	}
	return time.Time{}, fmt.Errorf("Invalid isoformat string: '%s'", s)
}

// psB64Decode decodes as Python's base64.b64decode does by default:
// characters outside the alphabet are discarded, then the padding must be right.
func psB64Decode(s string) ([]byte, error) {
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=' {
			clean = append(clean, c)
		}
	}
	return base64.StdEncoding.DecodeString(string(clean))
}

// psParseStatusBody validates the POST body as the reference does;
// messages accumulate.
func psParseStatusBody(body any, loc *time.Location) ([]psStatusRow, []string) {
	obj, _ := body.(map[string]any)
	items, _ := obj["branches"].([]any)
	var msgs []string
	keys := map[string]bool{}
	var out []psStatusRow
	for _, it := range items {
		el, _ := it.(map[string]any)
		for k := range el {
			keys[k] = true
		}
		str := func(k string) string { s, _ := el[k].(string); return s }
		row := psStatusRow{
			name: strings.ToLower(str("pkgset_name")), bugzilla: str("rs_pkgset_name_bugzilla"),
			mailing: str("rs_mailing_list"),
		}
		ru, err1 := psB64Decode(str("rs_description_ru"))
		en, err2 := psB64Decode(str("rs_description_en"))
		if err1 != nil || err2 != nil {
			msgs = append(msgs, "description must be in base64 format")
		}
		row.descRU, row.descEN = string(ru), string(en)
		show, _ := el["rs_show"].(json.Number)
		switch show.String() {
		case "0":
		case "1":
			row.show = 1
		default:
			msgs = append(msgs, "allowable values rs_show : 0 or 1")
		}
		var err error
		if row.start, err = psParseISO(str("rs_start_date"), loc); err != nil {
			msgs = append(msgs, err.Error())
		}
		if row.end, err = psParseISO(str("rs_end_date"), loc); err != nil {
			msgs = append(msgs, err.Error())
		}
		mirrors := []byte("[]")
		if v, ok := el["rs_mirrors_json"]; ok && v != nil {
			mirrors, _ = json.Marshal(v)
		} else if ok {
			mirrors = []byte("null")
		}
		row.mirrors = string(mirrors)
		out = append(out, row)
	}
	same := len(keys) == len(psStatusKeys)
	for _, k := range psStatusKeys {
		same = same && keys[k]
	}
	if !same {
		msgs = append(msgs, "allowable values : "+pyList(psStatusKeys))
	}
	return out, msgs
}

// postPkgsetStatus loads branch status rows (admin only, checked by the gateway).
func (a *App) postPkgsetStatus(ctx context.Context, r *api.Request) (*api.Response, error) {
	loc := time.UTC
	if sv, err := a.db.Conn().ServerVersion(); err == nil && sv.Timezone != nil {
		loc = sv.Timezone
	}
	rows, msgs := psParseStatusBody(r.Body, loc)
	if len(msgs) > 0 {
		return nil, apierr.Validation(r.Args, msgs...)
	}
	batch, err := a.db.Batch(ctx, "pkgset_status_insert", `INSERT INTO RepositoryStatus
(pkgset_name, rs_pkgset_name_bugzilla, rs_start_date, rs_end_date, rs_show, rs_description_ru, rs_description_en, rs_mailing_list, rs_mirrors_json)`)
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		if err := batch.Append(row.name, row.bugzilla, row.start, row.end, row.show, row.descRU, row.descEN, row.mailing, row.mirrors); err != nil {
			_ = batch.Abort()
			return nil, &chdb.Error{Query: "pkgset_status_insert", Err: err}
		}
	}
	if err := batch.Send(); err != nil {
		return nil, &chdb.Error{Query: "pkgset_status_insert", Err: err}
	}
	return &api.Response{Code: http.StatusCreated, Raw: "data loaded successfully"}, nil
}

// ---- repository_statistics ----

// One row per branch: the stats tuples as parallel arrays.
const sqlRepositoryStatistics = `
SELECT
    toString(branch) AS branch, branch_date,
    arrayMap(x -> toString(x.1), stats) AS st_arch,
    arrayMap(x -> toString(x.2), stats) AS st_component,
    arrayMap(x -> toUInt64(x.3), stats) AS st_count,
    arrayMap(x -> toUInt64(x.4), stats) AS st_size,
    arrayMap(x -> toString(x.5), stats) AS st_uuid
FROM lv_repository_statistics
%s`

type psRepoStatRow struct {
	Branch    string    `ch:"branch"`
	Date      time.Time `ch:"branch_date"`
	Arch      []string  `ch:"st_arch"`
	Component []string  `ch:"st_component"`
	Count     []uint64  `ch:"st_count"`
	Size      []uint64  `ch:"st_size"`
	UUID      []string  `ch:"st_uuid"`
}

func (a *App) repoStatRows(ctx context.Context, name, branch string) ([]psRepoStatRow, error) {
	where, params := "", []any{}
	if branch != "" {
		where = "WHERE branch = ?"
		params = append(params, branch)
	}
	var rows []psRepoStatRow
	err := a.db.Select(ctx, name, &rows, fmt.Sprintf(sqlRepositoryStatistics, where), params...)
	return rows, err
}

// repositoryStatistics: per branch the package counts and sizes by arch/component.
func (a *App) repositoryStatistics(ctx context.Context, r *api.Request) (*api.Response, error) {
	rows, err := a.repoStatRows(ctx, "repository_statistics", r.String("branch"))
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg("No data found in database", r.Args)
	}
	first := map[string]psRepoStatRow{}
	names := []string{}
	for _, row := range rows {
		if _, ok := first[row.Branch]; !ok {
			first[row.Branch] = row
			names = append(names, row.Branch)
		}
	}
	branches := []model.Record{}
	for _, b := range lookup.SortBranches(names) {
		row := first[b]
		type cnt struct {
			arch, comp string
			rec        model.Map
		}
		var list []cnt
		for i := range row.Arch {
			arch := row.Arch[i]
			if row.Component[i] == "srpm" {
				arch = "srpm"
			}
			list = append(list, cnt{arch, row.Component[i], model.Map{
				"arch": arch, "component": row.Component[i], "count": row.Count[i], "size": row.Size[i],
				"size_hr": bytes2Human(float64(row.Size[i])), "uuid": row.UUID[i],
			}})
		}
		sort.SliceStable(list, func(i, j int) bool {
			if list[i].arch != list[j].arch {
				return list[i].arch < list[j].arch
			}
			return list[i].comp < list[j].comp
		})
		counts := make([]model.Record, 0, len(list))
		for _, c := range list {
			counts = append(counts, c.rec)
		}
		branches = append(branches, model.Map{"branch": b, "date_update": row.Date, "packages_count": counts})
	}
	return api.OK(model.Map{"length": len(branches), "branches": branches}), nil
}

// ---- packages_by_uuid / packages_by_component ----

// Packages of a package-set component with their newest changelog text.
const sqlPackagesByUUID = `
SELECT DISTINCT
    toString(pkg_hash) AS hash, pkg_name, pkg_version, pkg_release, pkg_arch,
    if(pkg_sourcepackage = 1, 'source', 'binary') AS sourcerpm, pkg_summary, pkg_buildtime,
    ctext AS changelog_text
FROM (
    SELECT pkg_hash, pkg_name, pkg_version, pkg_release, toString(pkg_arch) AS pkg_arch, pkg_sourcepackage,
        pkg_summary, pkg_buildtime, pkg_changelog.hash[1] AS chlog_hash
    FROM Packages
    WHERE pkg_hash IN (SELECT pkg_hash FROM PackageSet WHERE pkgset_uuid = toUUID(?))
)
LEFT JOIN (
    SELECT chlog_hash, any(chlog_text) AS ctext
    FROM Changelog
    WHERE chlog_hash IN (
        SELECT pkg_changelog.hash[1] FROM Packages
        WHERE pkg_hash IN (SELECT pkg_hash FROM PackageSet WHERE pkgset_uuid = toUUID(?))
    )
    GROUP BY chlog_hash
) USING chlog_hash`

func (a *App) streamPackagesByUUID(ctx context.Context, args any, uuid string) (*api.Response, error) {
	return a.streamQuery(ctx, streamSpec{
		args: args, key: "packages", elem: contract.PackagesByUuidElementModel,
		notFound: apierr.NotFoundMsg("No data found in database", args),
	}, "packages_by_uuid", sqlPackagesByUUID, uuid, uuid)
}

// packagesByUUID: the packages of a component node.
func (a *App) packagesByUUID(ctx context.Context, r *api.Request) (*api.Response, error) {
	return a.streamPackagesByUUID(ctx, r.Args, r.String("uuid"))
}

// packagesByComponent: the packages of (branch, arch, component).
func (a *App) packagesByComponent(ctx context.Context, r *api.Request) (*api.Response, error) {
	rows, err := a.repoStatRows(ctx, "packages_by_component_stats", r.String("branch"))
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg("No data found in database", r.Args)
	}
	arch, comp := r.String("arch"), r.String("component")
	uuid := ""
	row := rows[0]
	for i := range row.Arch {
		a := row.Arch[i]
		if row.Component[i] == "srpm" {
			a = row.Component[i]
		}
		if a == arch && row.Component[i] == comp {
			uuid = row.UUID[i]
			break
		}
	}
	r.Args.Set("uuid", uuid)
	if uuid == "" {
		return nil, apierr.NotFoundMsg("No data found in database", r.Args)
	}
	return a.streamPackagesByUUID(ctx, r.Args, uuid)
}
