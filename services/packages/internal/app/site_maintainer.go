package app

import (
	"context"
	"fmt"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/contract"
)

// siteMaintainerRoutes lists the implemented routes of the site_maintainer namespace.
//
// The contract documents every answer as a list, but the reference marshals
// one dict, which flask-restx renders as one object: the routes are served
// as objects (AsList off), as the reference answers on the wire.
func (a *App) siteMaintainerRoutes() []*api.Route {
	return []*api.Route{
		asObject(bind(contract.GetSiteAllMaintainersWithNicknames(), a.smAllMaintainers)),
		asObject(bind(contract.GetSiteAllMaintainers(), a.smAllMaintainers)),
		asObject(bind(contract.GetSiteMaintainerInfo(), a.smMaintainerInfo)),
		asObject(bind(contract.GetSiteMaintainerBranches(), a.smMaintainerBranches)),
		asObject(bind(contract.GetSiteMaintainerPackages(), a.smMaintainerPackages)),
		asObject(bind(contract.GetSiteRepocopByMaintainer(), a.smRepocopByMaintainer)),
		asObject(bind(contract.GetSiteBeehiveErrorsByMaintainer(), a.smBeehiveErrors)),
		asObject(bind(contract.GetSiteWatchByMaintainer(), a.smWatchByMaintainer)),
	}
}

// smNick is the SQL nickname of a packager e-mail (libs §11): the local
// part; without '@' the reference's substring(e, 1, -1) is the whole text
// minus its last character (written out: 18.16 reads length -1 as "all").
const smNick = `if(position(toString(pkg_packager_email), '@') > 0,
        substring(toString(pkg_packager_email), 1, position(toString(pkg_packager_email), '@') - 1),
        substring(toString(pkg_packager_email), 1, greatest(length(toString(pkg_packager_email)), 1) - 1))`

// %[1]s: current snapshot condition; %[2]s: extra condition on the nickname.
const sqlSmMaintainers = `
SELECT argMax(packager, cnt) AS packager_name, nick AS packager_nickname, sum(cnt) AS count_source_pkg
FROM
(
    SELECT toString(pkg_packager) AS packager, ` + smNick + ` AS nick, countDistinct(pkg_hash) AS cnt
    FROM Packages
    WHERE pkg_sourcepackage = 1 AND pkg_hash IN
        (
            SELECT pkg_hash FROM StaticLastPackages
            WHERE %[1]s AND pkg_sourcepackage = 1
        )
    GROUP BY packager, nick
)
%[2]s
GROUP BY nick
ORDER BY packager_name, packager_nickname`

// smAllMaintainers: the packagers of a branch with their source counts.
func (a *App) smAllMaintainers(ctx context.Context, r *api.Request) (*api.Response, error) {
	snap, err := a.spsBranchSnapCond(ctx, r.String("branch"))
	if err != nil {
		return nil, err
	}
	rows, err := a.db.Records(ctx, "site_all_maintainers", fmt.Sprintf(sqlSmMaintainers, snap, ""))
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, noDataNotFound(r.Args)
	}
	return api.OK(listBody(r.Args, "maintainers", rows)), nil
}

// smMaintainerInfo: one packager's summary in a branch.
func (a *App) smMaintainerInfo(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch, nick := r.String("branch"), r.String("maintainer_nickname")
	snap, err := a.spsBranchSnapCond(ctx, branch)
	if err != nil {
		return nil, err
	}
	rows, err := a.db.Records(ctx, "site_maintainer_info", fmt.Sprintf(sqlSmMaintainers, snap, "WHERE nick = "+spsQuote(nick)))
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg(fmt.Sprintf("No data found in database for %s on %s", nick, branch), r.Args)
	}
	return api.OK(model.Map{"request_args": r.Args, "information": rows[0]}), nil
}

// smPackagerCond is the packager condition of mode none (wide: the
// repocop/watch variant also accepting "nick at ..." and "...<nick@...>").
func smPackagerCond(nick string, wide bool) string {
	c := "pkg_packager_email LIKE " + spsQuote(nick+"@%")
	if wide {
		c = "(" + c + " OR pkg_packager_email LIKE " + spsQuote(nick+" at%") +
			" OR pkg_packager LIKE " + spsQuote("%"+nick+"@%") + ")"
	}
	return c
}

// The newest ACL list of every sisyphus package or @group.
const sqlSmLatestACL = `SELECT acl_for, argMax(acl_list, acl_date_last) AS acl_list
    FROM last_acl_stage1 WHERE acl_branch = 'sisyphus' GROUP BY acl_for`

// smACLNames is the subquery of source names an ACL mode selects.
func smACLNames(mode, nick string) string {
	q := spsQuote(nick)
	groups := "SELECT acl_for FROM (" + sqlSmLatestACL + ") WHERE startsWith(acl_for, '@') AND has(acl_list, " + q + ")"
	switch mode {
	case "by_nick":
		return "SELECT acl_for FROM (" + sqlSmLatestACL + ") WHERE has(acl_list, " + q + ")"
	case "by_nick_leader":
		return "SELECT acl_for FROM (" + sqlSmLatestACL + ") WHERE acl_list[1] = " + q
	case "by_nick_leader_and_group":
		return "SELECT acl_for FROM (" + sqlSmLatestACL + ") WHERE acl_list[1] = " + q + " OR acl_list[1] IN (" + groups + ")"
	case "by_nick_or_group":
		return "SELECT DISTINCT acl_for FROM (" + sqlSmLatestACL + ") ARRAY JOIN acl_list AS member WHERE member = " + q + " OR member IN (" + groups + ")"
	}
	return ""
}

// smSelected is the Packages condition selecting the maintainer's source
// packages of a branch snapshot (ACL modes: names is the selection, a
// literal list or a subquery).
func smSelected(snap, mode, nick string, wide bool, names string) string {
	if mode == "" || mode == "none" {
		return "pkg_sourcepackage = 1 AND " + smPackagerCond(nick, wide) +
			" AND pkg_hash IN (SELECT pkg_hash FROM StaticLastPackages WHERE " + snap + " AND pkg_sourcepackage = 1)"
	}
	return "pkg_sourcepackage = 1 AND pkg_name IN " + names +
		" AND pkg_hash IN (SELECT pkg_hash FROM StaticLastPackages WHERE " + snap + " AND pkg_sourcepackage = 1 AND pkg_name IN " + names + ")"
}

// smSelectedNames reads the names an ACL mode selects and renders them as
// a literal list (primary-key reads of Packages and StaticLastPackages);
// a selection too long to inline stays a subquery. Mode none: "".
func (a *App) smSelectedNames(ctx context.Context, mode, nick string) (string, error) {
	if mode == "" || mode == "none" {
		return "", nil
	}
	sub := smACLNames(mode, nick)
	var rows []struct {
		Name string `ch:"acl_for"`
	}
	if err := a.db.Select(ctx, "site_maintainer_acl_names", &rows, "SELECT acl_for FROM ("+sub+") WHERE NOT startsWith(acl_for, '@') ORDER BY acl_for"); err != nil {
		return "", err
	}
	if len(rows) == 0 {
		return "('')", nil
	}
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.Name
	}
	if list, ok := spsNameList(names); ok && len(names) <= spsNamesMax {
		return list, nil
	}
	return "(" + sub + ")", nil
}

// smSelection is smSelected with the ACL names read first.
func (a *App) smSelection(ctx context.Context, snap, mode, nick string, wide bool) (string, error) {
	names, err := a.smSelectedNames(ctx, mode, nick)
	if err != nil {
		return "", err
	}
	return smSelected(snap, mode, nick, wide, names), nil
}

const sqlSmBranches = `
SELECT pkgset_name, countDistinct(pkg_hash) AS count
FROM StaticLastPackages
WHERE %[1]s AND pkg_sourcepackage = 1 AND pkg_hash IN
    (
        SELECT pkg_hash FROM Packages
        WHERE pkg_sourcepackage = 1 AND %[2]s
    )
GROUP BY pkgset_name`

// smMaintainerBranches: the branches with the packager's source packages.
func (a *App) smMaintainerBranches(ctx context.Context, r *api.Request) (*api.Response, error) {
	snap, err := a.spsBranchSnapCond(ctx, "")
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Branch string `ch:"pkgset_name"`
		Count  uint64 `ch:"count"`
	}
	if err := a.db.Select(ctx, "site_maintainer_branches", &rows,
		fmt.Sprintf(sqlSmBranches, snap, smPackagerCond(r.String("maintainer_nickname"), false))); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, noDataNotFound(r.Args)
	}
	counts := map[string]uint64{}
	names := make([]string, 0, len(rows))
	for _, row := range rows {
		counts[row.Branch] = row.Count
		names = append(names, row.Branch)
	}
	return api.OK(listBody(r.Args, "branches", branchCountRecords(names, counts))), nil
}

const sqlSmPackages = `
SELECT DISTINCT
    pkg_name AS name, pkg_buildtime AS buildtime, toString(pkg_url) AS url,
    pkg_summary AS summary, pkg_version AS version, pkg_release AS release
FROM Packages
WHERE %s
ORDER BY buildtime DESC, name`

// smMaintainerPackages: the maintainer's source packages in a branch.
func (a *App) smMaintainerPackages(ctx context.Context, r *api.Request) (*api.Response, error) {
	snap, err := a.spsBranchSnapCond(ctx, r.String("branch"))
	if err != nil {
		return nil, err
	}
	sel, err := a.smSelection(ctx, snap, r.String("by_acl"), r.String("maintainer_nickname"), false)
	if err != nil {
		return nil, err
	}
	rows, err := a.db.Records(ctx, "site_maintainer_packages", fmt.Sprintf(sqlSmPackages, sel))
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, noDataNotFound(r.Args)
	}
	return api.OK(listBody(r.Args, "packages", rows)), nil
}

// %[1]s: the selected sources (Packages condition); %[2]s: the branch.
const sqlSmRepocop = `
SELECT
    pkg_name, pkg_version, pkg_release, toString(pkg_arch) AS pkg_arch,
    rc_srcpkg_name AS srcpkg_name, toString(pkgset_name) AS branch, toString(rc_test_name) AS test_name,
    argMax(toString(rc_test_status), rc_test_date) AS test_status,
    argMax(rc_test_message, rc_test_date) AS test_message,
    max(rc_test_date) AS test_date
FROM PackagesRepocop
WHERE pkgset_name = %[2]s
    AND toString(rc_test_status) NOT IN ('ok', 'skip')
    AND (rc_srcpkg_name, rc_srcpkg_version, rc_srcpkg_release) IN
    (
        SELECT pkg_name, pkg_version, pkg_release FROM Packages WHERE %[1]s
    )
GROUP BY pkg_name, pkg_version, pkg_release, pkg_arch, rc_srcpkg_name, pkgset_name, rc_test_name
ORDER BY pkg_name, pkg_arch, test_name`

// smRepocopByMaintainer: failing Repocop tests of the maintainer's packages.
func (a *App) smRepocopByMaintainer(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch := r.String("branch")
	snap, err := a.spsBranchSnapCond(ctx, branch)
	if err != nil {
		return nil, err
	}
	sel, err := a.smSelection(ctx, snap, r.String("by_acl"), r.String("maintainer_nickname"), true)
	if err != nil {
		return nil, err
	}
	rows, err := a.db.Records(ctx, "site_repocop_by_maintainer", fmt.Sprintf(sqlSmRepocop, sel, spsQuote(branch)))
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, noDataNotFound(r.Args)
	}
	return api.OK(listBody(r.Args, "packages", rows)), nil
}

// %[1]s: the selected sources; %[2]s: the branch.
const sqlSmBeehive = `
SELECT pkg_name, pkg_version, pkg_release, bh_arch, bh_updated, bh_ftbfs_since, bh_build_time, pkg_epoch
FROM
(
    SELECT pkg_hash, pkg_name, pkg_version, pkg_release, toString(bh_arch) AS bh_arch, bh_updated, bh_ftbfs_since, bh_build_time
    FROM BeehiveStatus
    WHERE pkgset_name = %[2]s AND bh_status = 'error'
        AND (bh_arch, bh_updated) IN
        (
            SELECT bh_arch, max(bh_updated) FROM BeehiveStatus
            WHERE pkgset_name = %[2]s GROUP BY bh_arch
        )
        AND pkg_hash IN (SELECT pkg_hash FROM Packages WHERE %[1]s)
)
ANY LEFT JOIN
(
    SELECT pkg_hash, pkg_epoch FROM Packages WHERE %[1]s
) AS E USING pkg_hash
ORDER BY pkg_name, bh_arch`

type smBeehiveRow struct {
	Name      string    `ch:"pkg_name"`
	Version   string    `ch:"pkg_version"`
	Release   string    `ch:"pkg_release"`
	Arch      string    `ch:"bh_arch"`
	Updated   time.Time `ch:"bh_updated"`
	Since     time.Time `ch:"bh_ftbfs_since"`
	BuildTime float32   `ch:"bh_build_time"`
	Epoch     uint32    `ch:"pkg_epoch"`
}

// smBeehiveErrors: the maintainer's packages failing the latest Beehive rebuild.
func (a *App) smBeehiveErrors(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch := r.String("branch")
	snap, err := a.spsBranchSnapCond(ctx, branch)
	if err != nil {
		return nil, err
	}
	sel, err := a.smSelection(ctx, snap, r.String("by_acl"), r.String("maintainer_nickname"), false)
	if err != nil {
		return nil, err
	}
	var rows []smBeehiveRow
	if err := a.db.Select(ctx, "site_beehive_errors_by_maintainer", &rows, fmt.Sprintf(sqlSmBeehive, sel, spsQuote(branch))); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, noDataNotFound(r.Args)
	}
	items := make([]model.Record, len(rows))
	for i, row := range rows {
		items[i] = model.Map{
			"branch": branch, "name": row.Name, "version": row.Version, "release": row.Release, "arch": row.Arch,
			"updated":     row.Updated.Format("2006-01-02T15:04:05"),
			"ftbfs_since": row.Since.Format("2006-01-02T15:04:05"),
			"build_time":  float64(row.BuildTime),
			"url":         beehiveLogURL(branch, row.Arch, row.Updated, row.Name, row.Epoch, row.Version, row.Release),
		}
	}
	return api.OK(listBody(r.Args, "beehive", items)), nil
}

// %[1]s: the package name condition of the watch rows.
const sqlSmWatch = `
SELECT pkg_name, old_version, new_version, repology_name, url, last_update AS date_update
FROM
(
    SELECT
        pkg_name,
        argMax(old_version, date_update) AS old_version,
        argMax(new_version, date_update) AS new_version,
        url,
        max(date_update) AS last_update
    FROM PackagesWatch
    WHERE toDate(date_update) = (SELECT max(toDate(date_update)) FROM PackagesWatch)
        AND url NOT LIKE 'watch_file_error%%'
        AND %[1]s
    GROUP BY pkg_name, url
)
ALL LEFT JOIN
(
    SELECT pkg_name, pnc_result AS repology_name
    FROM PackagesNameConversion
    WHERE pnc_type = 'altsisyphus' AND pnc_source = 'repology'
    GROUP BY pkg_name, pnc_type, pnc_result
    HAVING argMax(pnc_state, ts) = 'active'
) AS R USING pkg_name
ORDER BY pkg_name, url, repology_name`

// smWatchByMaintainer: upstream "new version" records of the maintainer's
// sisyphus packages from the newest watch day.
func (a *App) smWatchByMaintainer(ctx context.Context, r *api.Request) (*api.Response, error) {
	mode, nick := r.String("by_acl"), r.String("maintainer_nickname")
	var cond string
	switch mode {
	case "", "none":
		snap, err := a.spsBranchSnapCond(ctx, "sisyphus")
		if err != nil {
			return nil, err
		}
		cond = "pkg_name IN (SELECT pkg_name FROM Packages WHERE " + smSelected(snap, "none", nick, true, "") + ")"
	case "by_nick_leader":
		cond = "acl = " + spsQuote(nick)
	default:
		names, err := a.smSelectedNames(ctx, mode, nick)
		if err != nil {
			return nil, err
		}
		cond = "pkg_name IN " + names
	}
	rows, err := a.db.Records(ctx, "site_watch_by_maintainer", fmt.Sprintf(sqlSmWatch, cond))
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, noDataNotFound(r.Args)
	}
	return api.OK(listBody(r.Args, "packages", rows)), nil
}
