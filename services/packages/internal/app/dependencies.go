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
	"altrepo/services/packages/internal/deps"
)

// dependenciesRoutes lists the implemented routes of the dependencies namespace.
func (a *App) dependenciesRoutes() []*api.Route {
	backport := contract.GetDependenciesBackportHelper()
	// The reference marshals a single object through marshal_list_with,
	// which flask-restx renders as an object.
	backport.AsList = false
	return []*api.Route{
		bind(contract.GetDependenciesBinaryPackageDependenciesByPkghash(), a.depsBinaryPackage),
		bind(contract.GetDependenciesPackagesByDependency(), a.depsPackagesByDependency),
		bind(contract.GetDependenciesSourcePackageDependenciesByPkghash(), a.depsSourcePackage),
		bind(backport, a.depsBackportHelper),
		bind(contract.GetDependenciesWhatDependsSrc(), a.depsWhatDependsSrc),
		bind(contract.GetDependenciesFastLookup(), a.depsFastLookup),
	}
}

// depsRow is one Depends row.
type depsRow struct {
	Hash    uint64 `ch:"pkg_hash"`
	Name    string `ch:"dp_name"`
	Version string `ch:"dp_version"`
	Flag    uint32 `ch:"dp_flag"`
	Type    string `ch:"dp_type"`
}

func (d depsRow) dep() deps.Dep { return deps.Dep{Name: d.Name, Version: d.Version, Flags: d.Flag} }

// depsElement renders a dependency as DependenciesPackageDependenciesElementModel.
func depsElement(d depsRow) model.Map {
	return model.Map{"name": d.Name, "version": d.Version, "type": d.Type, "flag": d.Flag, "flag_decoded": deps.DecodeFlags(int64(d.Flag))}
}

const sqlDepsOfPackage = `
SELECT pkg_hash, dp_name, dp_version, dp_flag, toString(dp_type) AS dp_type
FROM Depends
WHERE pkg_hash = ? %s
ORDER BY dp_name, dp_version, dp_type, dp_flag`

// depsBinaryPackage: every dependency of one package.
func (a *App) depsBinaryPackage(ctx context.Context, r *api.Request) (*api.Response, error) {
	hash := r.PathUint("pkghash")
	var rows []depsRow
	if err := a.db.Select(ctx, "dependencies_binary_package", &rows, fmt.Sprintf(sqlDepsOfPackage, ""), hash); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFound(hash)
	}
	items := make([]model.Record, len(rows))
	for i, d := range rows {
		items[i] = depsElement(d)
	}
	return api.OK(listBody(r.PathString("pkghash"), "dependencies", items)), nil
}

const sqlDepsPackagesByDependency = `
SELECT pkg_hash, groupUniqArray(toString(dp_type)) AS dp_types
FROM Depends
WHERE dp_name = ? %s AND %s
GROUP BY pkg_hash`

const sqlDepsPackagesInfo = `
SELECT DISTINCT pkg_hash, pkg_name, pkg_version, pkg_release, toString(pkg_arch) AS pkg_arch,
       pkg_sourcepackage, pkg_buildtime, pkg_summary, toString(pkg_packager_email) AS pkg_packager_email, pkg_group_
FROM Packages
WHERE pkg_hash IN ? AND pkg_buildtime >= 0
ORDER BY pkg_name, pkg_arch, pkg_hash`

const sqlDepsBranchCounts = `
SELECT pkgset_name, count(pkg_hash) AS cnt
FROM last_depends
WHERE dp_name = ? %s
GROUP BY pkgset_name`

// depsTypeFilter is the dp_type condition of a "dp_type" parameter.
func depsTypeFilter(t string, params *[]any) string {
	if t == "" || t == "all" {
		return ""
	}
	*params = append(*params, t)
	return "AND toString(dp_type) = ?"
}

// depsPackagesByDependency: packages of a branch with a dependency of a name.
func (a *App) depsPackagesByDependency(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch, name := r.String("branch"), r.String("dp_name")
	params := []any{name}
	filter := depsTypeFilter(r.String("dp_type"), &params)
	state, err := a.depsState(ctx, branch, r.Bool("last_state"))
	if err != nil {
		return nil, err
	}
	cond, cargs := state.cond(-1)
	params = append(params, cargs...)
	var found []struct {
		Hash  uint64   `ch:"pkg_hash"`
		Types []string `ch:"dp_types"`
	}
	if err := a.db.Select(ctx, "dependencies_packages_by_dependency", &found, fmt.Sprintf(sqlDepsPackagesByDependency, filter, cond), params...); err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, apierr.NotFound(r.Args)
	}
	types := map[uint64][]string{}
	hashes := make([]uint64, 0, len(found))
	for _, f := range found {
		types[f.Hash] = f.Types
		hashes = append(hashes, f.Hash)
	}
	var pkgs []struct {
		Hash       uint64 `ch:"pkg_hash"`
		Name       string `ch:"pkg_name"`
		Version    string `ch:"pkg_version"`
		Release    string `ch:"pkg_release"`
		Arch       string `ch:"pkg_arch"`
		Source     uint8  `ch:"pkg_sourcepackage"`
		Buildtime  uint32 `ch:"pkg_buildtime"`
		Summary    string `ch:"pkg_summary"`
		Maintainer string `ch:"pkg_packager_email"`
		Group      string `ch:"pkg_group_"`
	}
	if err := deps.SelectIn(ctx, a.db, "dependencies_packages_info", &pkgs, sqlDepsPackagesInfo, hashes, deps.ListArg); err != nil {
		return nil, err
	}
	sort.SliceStable(pkgs, func(i, j int) bool {
		if pkgs[i].Name != pkgs[j].Name {
			return pkgs[i].Name < pkgs[j].Name
		}
		if pkgs[i].Arch != pkgs[j].Arch {
			return pkgs[i].Arch < pkgs[j].Arch
		}
		return pkgs[i].Hash < pkgs[j].Hash
	})
	if len(pkgs) == 0 {
		return nil, apierr.NotFound(r.Args)
	}
	items := make([]model.Record, len(pkgs))
	for i, p := range pkgs {
		arch := p.Arch
		if p.Source == 1 {
			arch = "source"
		}
		items[i] = model.Map{"hash": p.Hash, "name": p.Name, "version": p.Version, "release": p.Release, "arch": arch,
			"sourcepackage": p.Source, "summary": p.Summary, "buildtime": p.Buildtime, "category": p.Group,
			"maintainer": p.Maintainer, "dp_types": types[p.Hash]}
	}
	params = []any{name}
	filter = depsTypeFilter(r.String("dp_type"), &params)
	var counts []struct {
		Branch string `ch:"pkgset_name"`
		Count  uint64 `ch:"cnt"`
	}
	if err := a.db.Select(ctx, "dependencies_branch_counts", &counts, fmt.Sprintf(sqlDepsBranchCounts, filter), params...); err != nil {
		return nil, err
	}
	byBranch := map[string]uint64{}
	names := make([]string, 0, len(counts))
	for _, c := range counts {
		byBranch[c.Branch] = c.Count
		names = append(names, c.Branch)
	}
	branches := branchCountRecords(names, byBranch)
	body := listBody(r.Args, "packages", items)
	body["branches"] = branches
	return api.OK(body), nil
}

const sqlDepsPackageInfo = `
SELECT pkg_name, pkg_epoch, pkg_version, pkg_release, pkg_buildtime
FROM Packages WHERE pkg_hash = ? LIMIT 1`

const sqlDepsProvidedBySrc = `
SELECT DISTINCT pkg_hash, pkg_name, pkg_version, pkg_release, pkg_summary
FROM Packages
WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1)
  AND pkg_hash IN (
    SELECT pkg_srcrpm_hash FROM Packages WHERE pkg_hash IN (
        SELECT pkg_hash FROM Depends
        WHERE toString(dp_type) = 'provide'
          AND dp_name IN (SELECT dp_name FROM Depends WHERE pkg_hash = ? AND toString(dp_type) = 'require')
    )
  )
ORDER BY pkg_name, pkg_hash`

// depsSourcePackage: the requirements of a package and the branch's
// source packages whose binaries provide them.
func (a *App) depsSourcePackage(ctx context.Context, r *api.Request) (*api.Response, error) {
	if r.Has("depth") && r.Int("depth") != 1 {
		return nil, apierr.Validation(r.Args, "Depth level other than 1 is not supported yet")
	}
	hash := r.PathUint("pkghash")
	var info []struct {
		Name      string `ch:"pkg_name"`
		Epoch     uint32 `ch:"pkg_epoch"`
		Version   string `ch:"pkg_version"`
		Release   string `ch:"pkg_release"`
		Buildtime uint32 `ch:"pkg_buildtime"`
	}
	if err := a.db.Select(ctx, "dependencies_source_package_info", &info, sqlDepsPackageInfo, hash); err != nil {
		return nil, err
	}
	if len(info) == 0 {
		return nil, apierr.NotFound(r.Args)
	}
	var reqs []depsRow
	if err := a.db.Select(ctx, "dependencies_source_package_requires", &reqs, fmt.Sprintf(sqlDepsOfPackage, "AND toString(dp_type) = 'require'"), hash); err != nil {
		return nil, err
	}
	dependencies := make([]model.Record, len(reqs))
	for i, d := range reqs {
		dependencies[i] = depsElement(d)
	}
	var provided []struct {
		Hash    uint64 `ch:"pkg_hash"`
		Name    string `ch:"pkg_name"`
		Version string `ch:"pkg_version"`
		Release string `ch:"pkg_release"`
		Summary string `ch:"pkg_summary"`
	}
	if err := a.db.Select(ctx, "dependencies_provided_by_src", &provided, sqlDepsProvidedBySrc, r.String("branch"), hash); err != nil {
		return nil, err
	}
	bySrc := make([]model.Record, len(provided))
	for i, p := range provided {
		bySrc[i] = model.Map{"name": p.Name, "version": p.Version, "release": p.Release, "summary": p.Summary, "pkghash": p.Hash}
	}
	p := info[0]
	return api.OK(model.Map{
		"request_args":    r.Args,
		"length":          len(bySrc),
		"package_info":    model.Map{"name": p.Name, "epoch": p.Epoch, "version": p.Version, "release": p.Release, "buildtime": p.Buildtime},
		"dependencies":    dependencies,
		"provided_by_src": bySrc,
	}), nil
}

const sqlDepsFastLookup = `
SELECT DISTINCT dp_name
FROM last_depends
WHERE pkgset_name = ? AND positionCaseInsensitiveUTF8(dp_name, ?) > 0
ORDER BY dp_name %s`

// depsFastLookup: dependency names of a branch containing a text.
func (a *App) depsFastLookup(ctx context.Context, r *api.Request) (*api.Response, error) {
	limit := r.Int("limit")
	if limit != 0 && (limit < 1 || limit > 5000) {
		return nil, apierr.Validation(r.Args, "limit should be in range 1 to 5000")
	}
	lim := ""
	if limit > 0 {
		lim = fmt.Sprintf("LIMIT %d", limit)
	}
	var rows []struct {
		Name string `ch:"dp_name"`
	}
	if err := a.db.Select(ctx, "dependencies_fast_lookup", &rows, fmt.Sprintf(sqlDepsFastLookup, lim), r.String("branch"), r.String("dp_name")); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.Worker(http.StatusNotFound, "No data not found in database", model.Ordered{})
	}
	items := make([]model.Record, len(rows))
	for i, row := range rows {
		items[i] = model.Map{"dp_name": row.Name}
	}
	return api.OK(listBody(r.Args, "dependencies", items)), nil
}

// depsWDSArchs are the binary archs "what depends" queries look at.
func depsWDSArchs(branch string) []string {
	if archs, ok := lookup.Map("branch_wds_default_archs")[branch]; ok {
		return archs
	}
	return []string{"noarch", "x86_64"}
}

// depsBuildtimeText renders a build time as the reference's text.
func depsBuildtimeText(t uint32) string {
	return time.Unix(int64(t), 0).UTC().Format("2006-01-02 15:04:05")
}

// Binaries of the input source in the branch, with their provides.
const sqlWDSInputProvides = `
SELECT pkg_hash, dp_name, dp_version, dp_flag, toString(dp_type) AS dp_type
FROM Depends
WHERE toString(dp_type) = 'provide' AND pkg_hash IN (
    SELECT pkg_hash FROM Packages
    WHERE pkg_srcrpm_hash IN (
        SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_name = ? AND pkg_sourcepackage = 1
    )
      AND pkg_sourcepackage = 0 AND pkg_arch IN ? AND NOT (pkg_name LIKE '%-debuginfo')
      AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 0)
)`

// Requires of other packages of the branch on the provided names.
const sqlWDSRequires = `
SELECT pkg_hash, dp_name, dp_version, dp_flag, toString(dp_type) AS dp_type
FROM Depends
WHERE toString(dp_type) = 'require' AND dp_name IN ?
  AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage IN ?)
  AND pkg_hash NOT IN ?`

// depsPkgInfo is what "what depends" needs of a package.
type depsPkgInfo struct {
	Hash      uint64 `ch:"pkg_hash"`
	Name      string `ch:"pkg_name"`
	Arch      string `ch:"pkg_arch"`
	Source    uint8  `ch:"pkg_sourcepackage"`
	SrcHash   uint64 `ch:"pkg_srcrpm_hash"`
	Buildtime uint32 `ch:"pkg_buildtime"`
}

const sqlDepsPkgInfo = `
SELECT pkg_hash, any(pkg_name) AS pkg_name, any(toString(pkg_arch)) AS pkg_arch, any(pkg_sourcepackage) AS pkg_sourcepackage,
       any(pkg_srcrpm_hash) AS pkg_srcrpm_hash, any(pkg_buildtime) AS pkg_buildtime
FROM Packages WHERE pkg_hash IN ? GROUP BY pkg_hash`

// depsPackages reads name, arch, source flag and source hash of packages.
func (a *App) depsPackages(ctx context.Context, name string, hashes []uint64) (map[uint64]depsPkgInfo, error) {
	out := map[uint64]depsPkgInfo{}
	if len(hashes) == 0 {
		return out, nil
	}
	var rows []depsPkgInfo
	if err := deps.SelectIn(ctx, a.db, name, &rows, sqlDepsPkgInfo, hashes, deps.ListArg); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.Hash] = r
	}
	return out, nil
}

const sqlDepsACL = `
SELECT acl_for, any(acl_list) AS acl_list
FROM last_acl WHERE acl_branch = ? AND acl_for IN ?
GROUP BY acl_for`

// depsACLs returns the ACL list of each name in a branch.
func (a *App) depsACLs(ctx context.Context, branch string, names []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(names) == 0 {
		return out, nil
	}
	var rows []struct {
		For  string   `ch:"acl_for"`
		List []string `ch:"acl_list"`
	}
	if err := deps.SelectIn(ctx, a.db, "dependencies_acl", &rows, sqlDepsACL, names, branch, deps.ListArg); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.For] = r.List
	}
	return out, nil
}

func depsUniqueHashes(rows []depsRow) []uint64 {
	seen := map[uint64]bool{}
	var out []uint64
	for _, r := range rows {
		if !seen[r.Hash] {
			seen[r.Hash] = true
			out = append(out, r.Hash)
		}
	}
	return out
}

// depsWhatDependsSrc: packages of a branch whose requirements are
// satisfied by the binaries of a source package, grouped by their source.
func (a *App) depsWhatDependsSrc(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch, name := r.String("branch"), r.String("name")
	archs := depsWDSArchs(branch)
	srcArchs := append(append([]string{}, archs...), "srpm")
	sfilter := []uint8{0, 1}
	switch r.String("dp_type") {
	case "source":
		sfilter = []uint8{1}
	case "binary":
		sfilter = []uint8{0}
	}
	var provides []depsRow
	if err := a.db.Select(ctx, "dependencies_wds_input_provides", &provides, sqlWDSInputProvides, branch, name, chdb.In(archs), branch); err != nil {
		return nil, err
	}
	if len(provides) == 0 {
		return nil, apierr.NotFound(r.Args)
	}
	inputs := depsUniqueHashes(provides)
	nameSet := map[string]bool{}
	var names []string
	for _, p := range provides {
		if !nameSet[p.Name] {
			nameSet[p.Name] = true
			names = append(names, p.Name)
		}
	}
	var requires []depsRow
	if err := deps.SelectIn(ctx, a.db, "dependencies_wds_requires", &requires, sqlWDSRequires, names, deps.ListArg, branch, chdb.In(sfilter), inList(inputs)); err != nil {
		return nil, err
	}
	candidates := depsUniqueHashes(requires)
	info, err := a.depsPackages(ctx, "dependencies_wds_packages", append(append([]uint64{}, candidates...), inputs...))
	if err != nil {
		return nil, err
	}
	// Sources of the candidates, as present in the branch.
	srcSet := map[uint64]bool{}
	var srcHashes []uint64
	for _, h := range candidates {
		s := info[h].SrcHash
		if info[h].Source == 1 {
			s = h
		}
		if !srcSet[s] {
			srcSet[s] = true
			srcHashes = append(srcHashes, s)
		}
	}
	srcInfo, err := a.depsPackages(ctx, "dependencies_wds_sources", srcHashes)
	if err != nil {
		return nil, err
	}
	provByName := map[string][]depsRow{}
	for _, p := range provides {
		provByName[p.Name] = append(provByName[p.Name], p)
	}
	inArchs := func(a string) bool {
		for _, x := range archs {
			if x == a {
				return true
			}
		}
		return false
	}
	type group struct {
		hash      uint64
		name      string
		buildtime string
		depends   []model.Record
		seen      map[[2]depsRow]bool
	}
	groups := map[uint64]*group{}
	var order []uint64
	rowsFound := false
	for _, req := range requires {
		c, ok := info[req.Hash]
		if !ok {
			continue
		}
		arch := c.Arch
		if c.Source == 1 {
			arch = "srpm"
		}
		if !slices.Contains(srcArchs, arch) {
			continue
		}
		rowsFound = true
		sh := c.SrcHash
		if c.Source == 1 {
			sh = c.Hash
		}
		g := groups[sh]
		if g == nil {
			s := srcInfo[sh]
			g = &group{hash: sh, name: s.Name, seen: map[[2]depsRow]bool{}}
			if s.Hash != 0 {
				g.buildtime = depsBuildtimeText(s.Buildtime)
			} else {
				g.buildtime = depsBuildtimeText(0)
			}
			groups[sh] = g
			order = append(order, sh)
		}
		for _, p := range provByName[req.Name] {
			pa := info[p.Hash].Arch
			if !(pa == arch || (arch == "noarch" && pa == "x86_64") || (arch == "srpm" && inArchs(pa))) {
				continue
			}
			if !deps.Overlap(p.dep(), req.dep()) || g.seen[[2]depsRow{req, p}] {
				continue
			}
			g.seen[[2]depsRow{req, p}] = true
			g.depends = append(g.depends, model.Map{
				"requires": depsWDSElement(req, c.Name, arch),
				"provides": depsWDSElement(p, info[p.Hash].Name, pa),
			})
		}
	}
	if !rowsFound {
		return nil, apierr.NotFound(r.Args)
	}
	sort.SliceStable(order, func(i, j int) bool { return groups[order[i]].name < groups[order[j]].name })
	var aclNames []string
	for _, h := range order {
		aclNames = append(aclNames, groups[h].name)
	}
	acls, err := a.depsACLs(ctx, branch, aclNames)
	if err != nil {
		return nil, err
	}
	items := []model.Record{}
	for _, h := range order {
		g := groups[h]
		if g.name == name || len(g.depends) == 0 {
			continue
		}
		acl := acls[g.name]
		if acl == nil {
			acl = []string{}
		}
		items = append(items, model.Map{"pkghash": g.hash, "name": g.name, "branch": branch, "buildtime": g.buildtime, "acl": acl, "depends": g.depends})
	}
	return api.OK(listBody(r.Args, "dependencies", items)), nil
}

func depsWDSElement(d depsRow, name, arch string) model.Map {
	return model.Map{"pkghash": d.Hash, "name": name, "arch": arch, "dp_name": d.Name, "dp_version": d.Version,
		"dp_flag": d.Flag, "dp_flag_decoded": deps.DecodeFlags(int64(d.Flag))}
}
