package app

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/chdb"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/contract"
	"altrepo/services/packages/internal/deps"
	"altrepo/services/packages/internal/licenses"
)

// sitePackageRoutes lists the implemented routes of the site_package module.
func (a *App) sitePackageRoutes() []*api.Route {
	return []*api.Route{
		bind(contract.GetSitePackageInfoByPkghash(), a.spPackageInfo),
		bind(contract.GetSitePackageInfoBriefByPkghash(), a.spPackageInfoBrief),
		bind(contract.GetSiteBinaryPackageArchsAndVersions(), a.spBinaryArchsAndVersions),
		bind(contract.GetSitePackageChangelogByPkghash(), a.spPackageChangelog),
		bind(contract.GetSiteBinaryPackageScriptsByPkghash(), a.spBinaryScripts),
		bind(contract.GetSiteLastPackagesWithCveFixed(), a.spLastCVEFixed),
		bind(contract.GetSiteSourcePackageVersions(), a.spSourceVersions),
		bind(contract.GetSitePackageVersions(), a.spPackageVersions),
		bind(contract.GetSitePackageLogBinByPkghash(), a.spPackageLogBin),
		bind(contract.GetSitePackageNvrByHashByPkghash(), a.spNVRByHash),
		bind(contract.GetSitePackageNameFromRepology(), a.spNameFromRepology),
		bind(contract.GetSiteDeletedPackageInfo(), a.spDeletedPackageInfo),
		bind(contract.GetSitePackageDownloadsByPkghash(), a.spDownloadsSrc),
		bind(contract.GetSitePackageDownloadsSrcByPkghash(), a.spDownloadsSrc),
		bind(contract.GetSitePackageDownloadsBinByPkghash(), a.spDownloadsBin),
		bind(contract.GetSitePackageMisconflictByPkghash(), a.spMisconflict),
	}
}

// spPkg is the package row of /site/package_info.
type spPkg struct {
	Name        string      `ch:"pkg_name"`
	Version     string      `ch:"pkg_version"`
	Release     string      `ch:"pkg_release"`
	Arch        string      `ch:"pkg_arch"`
	Epoch       uint32      `ch:"pkg_epoch"`
	Buildtime   uint32      `ch:"pkg_buildtime"`
	URL         string      `ch:"pkg_url"`
	VCS         string      `ch:"pkg_vcs"`
	License     string      `ch:"pkg_license"`
	Summary     string      `ch:"pkg_summary"`
	Description string      `ch:"pkg_description"`
	Packager    string      `ch:"pkg_packager"`
	Email       string      `ch:"pkg_packager_email"`
	Group       string      `ch:"pkg_group_"`
	SrcHash     uint64      `ch:"pkg_srcrpm_hash"`
	ChDates     []time.Time `ch:"ch_date"`
	ChNames     []string    `ch:"ch_name"`
	ChEVRs      []string    `ch:"ch_evr"`
	ChHashes    []uint64    `ch:"ch_hash"`
}

const sqlSPPackage = `
SELECT pkg_name, pkg_version, pkg_release, toString(pkg_arch) AS pkg_arch, pkg_epoch, pkg_buildtime,
       toString(pkg_url) AS pkg_url, pkg_vcs, toString(pkg_license) AS pkg_license, pkg_summary, pkg_description,
       toString(pkg_packager) AS pkg_packager, toString(pkg_packager_email) AS pkg_packager_email, pkg_group_,
       pkg_srcrpm_hash, pkg_changelog.date AS ch_date, pkg_changelog.name AS ch_name,
       pkg_changelog.evr AS ch_evr, pkg_changelog.hash AS ch_hash
FROM Packages
PREWHERE pkg_hash = ?
WHERE pkg_sourcepackage = ?
LIMIT 1`

const sqlSPChangelogTexts = `
SELECT chlog_hash, any(chlog_text) AS chlog_text FROM Changelog WHERE chlog_hash IN ? GROUP BY chlog_hash`

// spChangelog joins the first n changelog entries with their texts:
// distinct, newest first (libs site changelog query).
func (a *App) spChangelog(ctx context.Context, dates []time.Time, names, evrs []string, hashes []uint64, n int) ([]model.Map, error) {
	if n > len(hashes) {
		n = len(hashes)
	}
	if n == 0 {
		return nil, nil
	}
	var texts []struct {
		Hash uint64 `ch:"chlog_hash"`
		Text string `ch:"chlog_text"`
	}
	if err := a.db.Select(ctx, "site_changelog_texts", &texts, sqlSPChangelogTexts, inList(hashes[:n])); err != nil {
		return nil, err
	}
	text := make(map[uint64]string, len(texts))
	for _, t := range texts {
		text[t.Hash] = t.Text
	}
	type entry struct {
		date                 time.Time
		name, nick, evr, msg string
	}
	var list []entry
	seen := map[entry]bool{}
	for i := 0; i < n; i++ {
		msg, ok := text[hashes[i]]
		if !ok {
			continue
		}
		e := entry{dates[i], names[i], spChangelogNick(names[i]), evrs[i], msg}
		if seen[e] {
			continue
		}
		seen[e] = true
		list = append(list, e)
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].date.After(list[j].date) })
	out := make([]model.Map, len(list))
	for i, e := range list {
		out[i] = model.Map{"date": e.date, "name": e.name, "nick": e.nick, "evr": e.evr, "message": e.msg}
	}
	return out, nil
}

// spPackageInfo is GET /site/package_info/{pkghash}.
func (a *App) spPackageInfo(ctx context.Context, r *api.Request) (*api.Response, error) {
	n := r.Int("changelog_last")
	if n < 1 || n > 100 {
		return nil, apierr.Validation(r.Args, "changelog history length should be in range 1 to 100")
	}
	hash := r.PathUint("pkghash")
	branch := r.String("branch")
	isSrc := 0
	if r.String("package_type") == "source" {
		isSrc = 1
	}
	notFound := apierr.NotFoundMsg(fmt.Sprintf("No data found in DB for package %d", hash), r.Args)

	var pkgs []spPkg
	var tasks []spTask
	var subs []spSubtask
	var bhRows []spBeehiveRow
	depsList := []model.Map{}
	taskless := spBranchTaskless(branch)
	err := parallel(
		func() error { return a.db.Select(ctx, "site_package_info", &pkgs, sqlSPPackage, hash, isSrc) },
		func() (err error) {
			if isSrc == 1 {
				depsList, err = a.spRequires(ctx, hash)
			}
			return
		},
		func() (err error) { bhRows, err = a.spBeehiveRows(ctx, hash, branch); return },
		func() error {
			if taskless {
				return nil
			}
			var err error
			tasks, subs, err = a.spBuildTasks(ctx, hash, isSrc)
			return err
		})
	if err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		return nil, notFound
	}
	p := pkgs[0]
	build := spBuild{Tasks: []model.Map{}}
	if !taskless {
		build = spFindBuildTask(p.Name, branch, tasks, subs)
	}

	// Maintainers from the changelog.
	maintainers := []string{}
	for _, name := range p.ChNames {
		if strings.Contains(name, "altlinux") {
			if nick := spNicknameFromPackager(name); !slices.Contains(maintainers, nick) {
				maintainers = append(maintainers, nick)
			}
		}
	}

	var (
		changelog   []model.Map
		acl         []string
		newVersion  []model.Map
		tokens      []model.Map
		packageArch []spArchEntry
	)
	err = parallel(
		func() (err error) {
			changelog, err = a.spChangelog(ctx, p.ChDates, p.ChNames, p.ChEVRs, p.ChHashes, int(n))
			return
		},
		func() (err error) { acl, err = a.spACL(ctx, p.Name, branch); return },
		func() (err error) { newVersion, err = a.spNewVersion(ctx, p, branch, isSrc); return },
		func() (err error) { tokens, err = a.spLicenseTokens(ctx, p.License); return },
		func() (err error) {
			packageArch, err = a.spPackageArchs(ctx, hash, p, branch, isSrc == 1, build)
			return
		},
	)
	if err != nil {
		return nil, err
	}
	if len(changelog) == 0 {
		return nil, notFound
	}
	buildtime := p.Buildtime
	if isSrc == 1 && len(packageArch) > 0 {
		buildtime = packageArch[0].buildtime
	}
	gear := build.Gear
	if isSrc == 0 {
		if len(packageArch) == 0 {
			gear = ""
		} else if src := packageArch[0].name; src != "" && p.Name != "" {
			gear = strings.Replace(gear, p.Name[:1]+"/"+p.Name+".git", src[:1]+"/"+src+".git", -1)
		}
	}
	archs := make([]model.Map, len(packageArch))
	for i, e := range packageArch {
		hs := make([]string, len(e.hashes))
		for j, h := range e.hashes {
			hs[j] = strconv.FormatUint(h, 10)
		}
		archs[i] = model.Map{"name": e.name, "archs": e.archs, "pkghash": hs}
	}
	body := model.Map{
		"pkghash":           strconv.FormatUint(hash, 10),
		"request_args":      r.Args,
		"name":              p.Name,
		"version":           p.Version,
		"release":           p.Release,
		"arch":              p.Arch,
		"buildtime":         buildtime,
		"task":              build.Task,
		"task_date":         build.Date,
		"gear":              gear,
		"license":           p.License,
		"category":          p.Group,
		"url":               p.URL,
		"vcs":               p.VCS,
		"summary":           p.Summary,
		"description":       p.Description,
		"packager":          p.Packager,
		"packager_nickname": spPackagerNick(p.Email),
		"acl":               acl,
		"maintainers":       maintainers,
		"package_archs":     archs,
		"tasks":             build.Tasks,
		"changelog":         spISODates(changelog),
		"new_version":       newVersion,
		"beehive":           spBeehive(bhRows, p, branch),
		"dependencies":      depsList,
		"license_tokens":    tokens,
	}
	return api.OK(body), nil
}

// spISODates renders changelog dates as ISO text (String field).
func spISODates(list []model.Map) []model.Map {
	for _, e := range list {
		if t, ok := e["date"].(time.Time); ok {
			e["date"] = spISO(t)
		}
	}
	return list
}

const sqlSPACL = `
SELECT argMax(acl_list, acl_date_last) AS acl_list FROM last_acl_stage1 WHERE acl_branch = ? AND acl_for = ?`

// spACL is the newest ACL list of a package in a branch ([] if none).
func (a *App) spACL(ctx context.Context, name, branch string) ([]string, error) {
	var rows []struct {
		List []string `ch:"acl_list"`
	}
	if err := a.db.Select(ctx, "site_package_acl", &rows, sqlSPACL, branch, name); err != nil {
		return nil, err
	}
	if len(rows) == 0 || rows[0].List == nil {
		return []string{}, nil
	}
	return rows[0].List, nil
}

// The branch's current version of the name ('cur') and the last version
// DONE tasks added to the branch ('add').
const sqlSPNewVersion = `
SELECT * FROM (
    SELECT 'cur' AS kind, toUInt32(0) AS last_task, toDateTime(0) AS last_changed, toUInt64(0) AS last_hash,
           pkg_version AS last_version, pkg_release AS last_release, toUInt64(1) AS n
    FROM static_last_packages
    WHERE pkgset_name = ? AND pkg_name = ? AND pkg_sourcepackage = ? LIMIT 1
)
UNION ALL
SELECT 'add' AS kind, argMax(task_id, task_changed) AS last_task, max(task_changed) AS last_changed,
       argMax(pkg_hash, task_changed) AS last_hash, argMax(pkg_version, task_changed) AS last_version,
       argMax(pkg_release, task_changed) AS last_release, count() AS n
FROM BranchPackageHistory
WHERE pkg_name = ? AND tplan_action = 'add' AND pkgset_name = ? AND pkg_sourcepackage = ? %s`

// spVersionFact is a row of sqlSPNewVersion.
type spVersionFact struct {
	Kind    string    `ch:"kind"`
	TaskID  uint32    `ch:"last_task"`
	Changed time.Time `ch:"last_changed"`
	Hash    uint64    `ch:"last_hash"`
	Version string    `ch:"last_version"`
	Release string    `ch:"last_release"`
	N       uint64    `ch:"n"`
}

// spNewVersion is step 5 of package_info: a newer version added by a DONE
// task than the branch's current one.
func (a *App) spNewVersion(ctx context.Context, p spPkg, branch string, isSrc int) ([]model.Map, error) {
	var rows []spVersionFact
	archCond, params := "", []any{branch, p.Name, isSrc, p.Name, branch, isSrc}
	if isSrc == 0 {
		archCond = "AND pkg_arch = ?"
		params = append(params, p.Arch)
	}
	if err := a.db.Select(ctx, "site_package_new_version", &rows, fmt.Sprintf(sqlSPNewVersion, archCond), params...); err != nil {
		return nil, err
	}
	return spPickNewVersion(rows, p.Version, p.Release), nil
}

// spPickNewVersion decides new_version: the last added version when it
// differs from the branch's current one and from the package's own.
func spPickNewVersion(rows []spVersionFact, version, release string) []model.Map {
	out := []model.Map{}
	var cur, last *spVersionFact
	for i := range rows {
		switch {
		case rows[i].Kind == "cur":
			cur = &rows[i]
		case rows[i].N > 0:
			last = &rows[i]
		}
	}
	if cur == nil || last == nil {
		return out
	}
	l := *last
	if l.TaskID == 0 || (l.Version == cur.Version && l.Release == cur.Release) ||
		(l.Version == version && l.Release == release) {
		return out
	}
	return append(out, model.Map{"task_id": l.TaskID, "date": l.Changed, "pkghash": strconv.FormatUint(l.Hash, 10),
		"version": l.Version, "release": l.Release})
}

const sqlSPRequires = `
SELECT dp_name, dp_version, dp_flag FROM Depends PREWHERE pkg_hash = ? WHERE dp_type = 'require'
ORDER BY dp_name, dp_version, dp_flag`

// spRequires lists the require dependencies of a source package.
func (a *App) spRequires(ctx context.Context, hash uint64) ([]model.Map, error) {
	var rows []struct {
		Name    string `ch:"dp_name"`
		Version string `ch:"dp_version"`
		Flag    uint32 `ch:"dp_flag"`
	}
	if err := a.db.Select(ctx, "site_package_requires", &rows, sqlSPRequires, hash); err != nil {
		return nil, err
	}
	out := make([]model.Map, len(rows))
	for i, d := range rows {
		out[i] = model.Map{"name": d.Name, "version": d.Version, "flag": d.Flag,
			"flag_decoded": deps.DecodeFlags(int64(d.Flag)), "type": "require"}
	}
	return out, nil
}

const sqlSPBeehive = `
SELECT toString(bh_arch) AS arch, toString(bh_status) AS status, toFloat64(bh_build_time) AS build_time,
       bh_updated, bh_ftbfs_since
FROM BeehiveStatus
WHERE pkgset_name = ? AND pkg_hash = ?
  AND (bh_arch, bh_updated) IN (SELECT bh_arch, max(bh_updated) FROM BeehiveStatus WHERE pkgset_name = ? GROUP BY bh_arch)
ORDER BY arch`

// spBeehiveRow is a BeehiveStatus row of the last run.
type spBeehiveRow struct {
	Arch      string    `ch:"arch"`
	Status    string    `ch:"status"`
	BuildTime float64   `ch:"build_time"`
	Updated   time.Time `ch:"bh_updated"`
	FTBFS     time.Time `ch:"bh_ftbfs_since"`
}

// spBeehiveRows reads the Beehive rebuild status of the package (Beehive
// branches only).
func (a *App) spBeehiveRows(ctx context.Context, hash uint64, branch string) ([]spBeehiveRow, error) {
	if !slices.Contains(lookup.List("known_beehive_branches"), branch) {
		return nil, nil
	}
	var rows []spBeehiveRow
	err := a.db.Select(ctx, "site_package_beehive", &rows, sqlSPBeehive, branch, hash, branch)
	return rows, err
}

// spBeehive renders the Beehive rows with the error log URL.
func spBeehive(rows []spBeehiveRow, p spPkg, branch string) []model.Map {
	out := []model.Map{}
	for _, b := range rows {
		url := ""
		if b.Status == "error" {
			url = beehiveLogURL(branch, b.Arch, b.Updated, p.Name, p.Epoch, p.Version, p.Release)
		}
		out = append(out, model.Map{"arch": b.Arch, "status": b.Status, "build_time": b.BuildTime,
			"updated": spISO(b.Updated), "ftbfs_since": spISO(b.FTBFS), "url": url})
	}
	return out
}

// Catalog entries of the tokens: aliases (kind 'a') and SPDX ids ('s').
const sqlSPLicenseCatalog = `
SELECT 'a' AS kind, alias AS token, spdx_id FROM LicenseAliases WHERE alias IN ?
UNION ALL
SELECT DISTINCT 's' AS kind, spdx_id AS token, spdx_id FROM SPDXLicenses WHERE spdx_id IN ?`

// spLicenseTokens is libs §10 on a license string, reading only the
// catalog entries of its tokens.
func (a *App) spLicenseTokens(ctx context.Context, license string) ([]model.Map, error) {
	out := []model.Map{}
	toks := licenses.Split(license)
	if len(toks) == 0 {
		return out, nil
	}
	in := chdb.In(toks)
	var rows []struct {
		Kind  string `ch:"kind"`
		Token string `ch:"token"`
		ID    string `ch:"spdx_id"`
	}
	if err := a.db.Select(ctx, "site_license_catalog", &rows, sqlSPLicenseCatalog, in, in); err != nil {
		return nil, err
	}
	am := map[string]string{}
	var ids []string
	for _, x := range rows {
		if x.Kind == "a" {
			am[x.Token] = x.ID
		} else {
			ids = append(ids, x.ID)
		}
	}
	for _, t := range licenses.NewCatalog(am, ids).Parse(license) {
		out = append(out, model.Map{"token": t.Token, "license": t.License})
	}
	return out, nil
}

// spArchEntry is one element of package_archs.
type spArchEntry struct {
	name      string
	archs     []string
	hashes    []uint64
	buildtime uint32
}

// spArchPair is an (arch, hash) of a binary.
type spArchPair struct {
	arch string
	hash uint64
}

const sqlSPBinariesInBranch = `
SELECT pkg_name, groupArray(arch) AS archs, groupArray(pkg_hash) AS hashes, max(pkg_buildtime) AS buildtime
FROM (SELECT DISTINCT pkg_name, toString(pkg_arch) AS arch, pkg_hash, pkg_buildtime
FROM Packages
PREWHERE pkg_srcrpm_hash = ?
WHERE pkg_sourcepackage = 0
  AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 0)
)
GROUP BY pkg_name ORDER BY pkg_name`

const sqlSPBinariesInBranchArchs = `
SELECT pkg_name, groupArray(arch) AS archs, groupArray(pkg_hash) AS hashes, max(pkg_buildtime) AS buildtime
FROM (SELECT DISTINCT pkg_name, toString(pkg_arch) AS arch, pkg_hash, pkg_buildtime
FROM Packages
PREWHERE pkg_srcrpm_hash = ?
WHERE pkg_sourcepackage = 0
  AND toString(pkg_arch) IN (SELECT pkg_arch FROM lv_pkgset_stat WHERE pkgset_name = ?)
)
GROUP BY pkg_name ORDER BY pkg_name`

const sqlSPBinariesOfTask = `
SELECT pkg_name, groupArray(arch) AS archs, groupArray(pkg_hash) AS hashes, max(pkg_buildtime) AS buildtime
FROM (SELECT DISTINCT pkg_name, toString(pkg_arch) AS arch, pkg_hash, pkg_buildtime
FROM Packages
PREWHERE pkg_hash IN (
    SELECT arrayJoin(titer_pkgs_hash) FROM TaskIterations
    WHERE task_id = ? AND subtask_id = ? AND toUInt32(task_changed) = ?)
WHERE pkg_sourcepackage = 0
)
GROUP BY pkg_name ORDER BY pkg_name`

const sqlSPSourceOf = `
SELECT pkg_name, pkg_hash FROM Packages PREWHERE pkg_hash = ? WHERE pkg_sourcepackage = 1`

const sqlSPTaskArchHashes = `
SELECT toString(subtask_arch) AS arch, titer_pkgs_hash AS hashes FROM TaskIterations
WHERE task_id = ? AND titer_srcrpm_hash = ?
ORDER BY subtask_id, task_changed, arch`

// spBinaryGroups runs one of the binary grouping queries: per binary name
// its reverse-sorted (arch, hash) pairs and max buildtime, by name.
func (a *App) spBinaryGroups(ctx context.Context, name, sql string, args ...any) ([]spArchEntry, [][]spArchPair, error) {
	var rows []struct {
		Name      string   `ch:"pkg_name"`
		Archs     []string `ch:"archs"`
		Hashes    []uint64 `ch:"hashes"`
		Buildtime uint32   `ch:"buildtime"`
	}
	if err := a.db.Select(ctx, name, &rows, sql, args...); err != nil {
		return nil, nil, err
	}
	names := make([]spArchEntry, len(rows))
	pairs := make([][]spArchPair, len(rows))
	for i, r := range rows {
		ps := make([]spArchPair, 0, len(r.Archs))
		for j := range r.Archs {
			ps = append(ps, spArchPair{r.Archs[j], r.Hashes[j]})
		}
		sort.Slice(ps, func(i, j int) bool {
			if ps[i].arch != ps[j].arch {
				return ps[i].arch > ps[j].arch
			}
			return ps[i].hash > ps[j].hash
		})
		names[i] = spArchEntry{name: r.Name, buildtime: r.Buildtime}
		pairs[i] = ps
	}
	return names, pairs, nil
}

// spPackageArchs is step 10 of package_info.
func (a *App) spPackageArchs(ctx context.Context, hash uint64, p spPkg, branch string, isSrc bool, build spBuild) ([]spArchEntry, error) {
	if !isSrc {
		var src []struct {
			Name string `ch:"pkg_name"`
			Hash uint64 `ch:"pkg_hash"`
		}
		if err := a.db.Select(ctx, "site_package_source", &src, sqlSPSourceOf, p.SrcHash); err != nil {
			return nil, err
		}
		var out []spArchEntry
		for _, s := range src {
			out = append(out, spArchEntry{name: s.Name, archs: []string{"src"}, hashes: []uint64{s.Hash}})
		}
		return out, nil
	}
	var (
		names []spArchEntry
		pairs [][]spArchPair
		err   error
	)
	taskFound := build.Task != 0 && build.Subtask != 0
	var taskArchs []struct {
		Arch   string   `ch:"arch"`
		Hashes []uint64 `ch:"hashes"`
	}
	if !taskFound {
		names, pairs, err = a.spBinaryGroups(ctx, "site_package_binaries", sqlSPBinariesInBranch, hash, branch)
		if err == nil && len(names) == 0 {
			names, pairs, err = a.spBinaryGroups(ctx, "site_package_binaries_archs", sqlSPBinariesInBranchArchs, hash, branch)
		}
	} else {
		// the binaries of the build and the build's archs, concurrently
		err = parallel(
			func() (err error) {
				names, pairs, err = a.spBinaryGroups(ctx, "site_package_binaries_task", sqlSPBinariesOfTask,
					build.Task, build.Subtask, uint32(build.Changed.Unix()))
				return
			},
			func() error {
				return a.db.Select(ctx, "site_package_task_archs", &taskArchs, sqlSPTaskArchHashes, build.Task, hash)
			})
	}
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, nil
	}
	var archSets map[string]map[uint64]bool
	var archOrder []string
	if taskFound {
		if len(taskArchs) == 0 {
			return nil, apierr.Worker(http.StatusNotFound, fmt.Sprintf("No task data found for (%d)", build.Task), model.Ordered{})
		}
		archSets = map[string]map[uint64]bool{}
		for _, r := range taskArchs {
			set := archSets[r.Arch]
			if set == nil {
				set = map[uint64]bool{}
				archSets[r.Arch] = set
				archOrder = append(archOrder, r.Arch)
			}
			for _, h := range r.Hashes {
				set[h] = true
			}
		}
	}
	return spResolveArchs(names, pairs, taskFound, archSets, archOrder), nil
}

// spResolveArchs builds package_archs from the binary names and their
// reverse-sorted (arch, hash) pairs: {arch: hash} per name (a repeated arch
// keeps its later, smaller hash), or, with a build task, one noarch hash per
// name built on several archs, taken from the preferred build arch
// (x86_64, i586, then the task's other archs); a name without a match is
// left out.
func spResolveArchs(names []spArchEntry, pairs [][]spArchPair, taskFound bool, archSets map[string]map[uint64]bool, archOrder []string) []spArchEntry {
	var out []spArchEntry
	for i, e := range names {
		ps := pairs[i]
		hasNoarch := false
		for _, pr := range ps {
			if pr.arch == "noarch" {
				hasNoarch = true
			}
		}
		if taskFound && hasNoarch && len(ps) > 1 {
			prec := []string{"x86_64", "i586"}
			for _, a := range archOrder {
				if !slices.Contains(prec, a) {
					prec = append(prec, a)
				}
			}
			var set map[uint64]bool
			for _, a := range prec {
				if s, ok := archSets[a]; ok {
					set = s
					break
				}
			}
			for _, pr := range ps {
				if set[pr.hash] {
					e.archs, e.hashes = []string{"noarch"}, []uint64{pr.hash}
					out = append(out, e)
					break
				}
			}
			continue
		}
		for _, pr := range ps {
			if j := slices.Index(e.archs, pr.arch); j >= 0 {
				e.hashes[j] = pr.hash
				continue
			}
			e.archs = append(e.archs, pr.arch)
			e.hashes = append(e.hashes, pr.hash)
		}
		out = append(out, e)
	}
	if len(out) > 0 {
		// buildtime of the first binary name
		out[0].buildtime = names[0].buildtime
	}
	return out
}
