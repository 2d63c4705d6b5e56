package app

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/deps"
)

// depsBackportTable: the branches each branch may be backported into.
var depsBackportTable = map[string][]string{
	"sisyphus": {"p11"}, "p11": {"p10"}, "p10": {"p9", "c9f2"}, "p9": {"p8"}, "p8": {"p7"}, "p7": {},
	"c9f2": {"c9f1"}, "c9f1": {}, "c8.1": {"c8"}, "c7.1": {"c7"},
	"sisyphus_e2k": {"p10_e2k"}, "p10_e2k": {"p9_e2k"}, "p9_e2k": {},
}

// depsBackportPkg is a package of the backport answer.
type depsBackportPkg struct {
	srpm, name, version, release, arch string
	epoch                              uint32
}

// depsBackportRow is a dependency row with its package.
type depsBackportRow struct {
	dep deps.Dep
	pkg depsBackportPkg
}

// Packages of the branch providing any of the names.
const sqlBackportProviders = `
SELECT DISTINCT pkg_hash FROM Depends
WHERE toString(dp_type) = 'provide' AND dp_name IN ? AND %s`

const sqlBackportPackages = `
SELECT pkg_hash, any(pkg_sourcerpm) AS pkg_sourcerpm, any(pkg_name) AS pkg_name, any(pkg_epoch) AS pkg_epoch,
       any(pkg_version) AS pkg_version, any(pkg_release) AS pkg_release, any(toString(pkg_arch)) AS pkg_arch,
       any(pkg_sourcepackage) AS pkg_sourcepackage, any(pkg_srcrpm_hash) AS pkg_srcrpm_hash
FROM Packages WHERE pkg_hash IN ? GROUP BY pkg_hash`

const sqlBackportDeps = `
SELECT DISTINCT pkg_hash, dp_name, dp_version, dp_flag, toString(dp_type) AS dp_type
FROM Depends
WHERE toString(dp_type) = ? AND pkg_hash IN ? AND %s`

type depsBackportPkgRow struct {
	Hash    uint64 `ch:"pkg_hash"`
	Srpm    string `ch:"pkg_sourcerpm"`
	Name    string `ch:"pkg_name"`
	Epoch   uint32 `ch:"pkg_epoch"`
	Version string `ch:"pkg_version"`
	Release string `ch:"pkg_release"`
	Arch    string `ch:"pkg_arch"`
	Source  uint8  `ch:"pkg_sourcepackage"`
	SrcHash uint64 `ch:"pkg_srcrpm_hash"`
}

// depsBackportGet: the dependency rows of type typ of the packages of
// branch providing any of names and of their source packages, restricted
// to the arch set.
func (a *App) depsBackportGet(ctx context.Context, state *depsUniverse, names []string, typ string, archs map[string]bool) ([]depsBackportRow, error) {
	if len(names) == 0 {
		return nil, nil
	}
	cond, cargs := state.cond(-1)
	var provs []struct {
		Hash uint64 `ch:"pkg_hash"`
	}
	if err := deps.SelectIn(ctx, a.db, "backport_helper_providers", &provs, fmt.Sprintf(sqlBackportProviders, cond), names, append([]any{deps.ListArg}, cargs...)...); err != nil {
		return nil, err
	}
	if len(provs) == 0 {
		return nil, nil
	}
	hashes := make([]uint64, 0, len(provs))
	for _, p := range provs {
		hashes = append(hashes, p.Hash)
	}
	var pkgs []depsBackportPkgRow
	if err := deps.SelectIn(ctx, a.db, "backport_helper_packages", &pkgs, sqlBackportPackages, hashes, deps.ListArg); err != nil {
		return nil, err
	}
	info := map[uint64]depsBackportPkgRow{}
	var srcs []uint64
	for _, p := range pkgs {
		info[p.Hash] = p
		if p.SrcHash != 0 && p.SrcHash != p.Hash {
			srcs = append(srcs, p.SrcHash)
		}
	}
	if len(srcs) > 0 {
		var more []depsBackportPkgRow
		if err := deps.SelectIn(ctx, a.db, "backport_helper_packages", &more, sqlBackportPackages, srcs, deps.ListArg); err != nil {
			return nil, err
		}
		for _, p := range more {
			info[p.Hash] = p
		}
	}
	all := make([]uint64, 0, len(info))
	for h, p := range info {
		arch := p.Arch
		if p.Source == 1 {
			arch = "src"
		}
		if archs[arch] {
			all = append(all, h)
		}
	}
	if len(all) == 0 {
		return nil, nil
	}
	var rows []depsRow
	if err := deps.SelectIn(ctx, a.db, "backport_helper_depends", &rows, fmt.Sprintf(sqlBackportDeps, cond), all, append([]any{typ, deps.ListArg}, cargs...)...); err != nil {
		return nil, err
	}
	out := make([]depsBackportRow, 0, len(rows))
	for _, d := range rows {
		p := info[d.Hash]
		arch := p.Arch
		if p.Source == 1 {
			arch = "src"
		}
		out = append(out, depsBackportRow{dep: d.dep(), pkg: depsBackportPkg{srpm: p.Srpm, name: p.Name, epoch: p.Epoch, version: p.Version, release: p.Release, arch: arch}})
	}
	return out, nil
}

// depsBackportHelper: which packages must be backported together.
func (a *App) depsBackportHelper(ctx context.Context, r *api.Request) (*api.Response, error) {
	from, into := r.String("from_branch"), r.String("into_branch")
	if !slices.Contains(depsBackportTable[from], into) {
		return nil, apierr.Validation(r.Args, fmt.Sprintf("Branch %s not inherited from  %s", from, into))
	}
	archs := map[string]bool{"noarch": true, "src": true}
	if given := r.Strings("archs"); len(given) > 0 {
		for _, x := range given {
			archs[x] = true
		}
	} else {
		archs["x86_64"] = true
	}
	dpType := r.String("dp_type")
	fromState, err := a.depsState(ctx, from, true)
	if err != nil {
		return nil, err
	}
	intoState, err := a.depsState(ctx, into, true)
	if err != nil {
		return nil, err
	}
	memory := map[string]bool{}
	names := r.Strings("packages_names")
	type level struct {
		depth int
		pkgs  []depsBackportPkg
	}
	var levels []level
	for depth := 0; len(names) > 0; depth++ {
		var search []string
		for _, n := range names {
			if !memory[n] && !slices.Contains(search, n) {
				search = append(search, n)
			}
		}
		requires, err := a.depsBackportGet(ctx, fromState, search, "require", archs)
		if err != nil {
			return nil, err
		}
		var reqNames []string
		seen := map[string]bool{}
		for _, q := range requires {
			if !seen[q.dep.Name] {
				seen[q.dep.Name] = true
				reqNames = append(reqNames, q.dep.Name)
			}
		}
		provides, err := a.depsBackportGet(ctx, intoState, reqNames, "provide", archs)
		if err != nil {
			return nil, err
		}
		byName := map[string][]depsBackportRow{}
		for _, p := range provides {
			byName[p.dep.Name] = append(byName[p.dep.Name], p)
		}
		var next []string
		nextSeen := map[string]bool{}
		for _, q := range requires {
			if depsBackportMet(q, byName[q.dep.Name]) {
				continue
			}
			if (dpType == "binary" && q.pkg.arch == "src") || (dpType == "source" && q.pkg.arch != "src") {
				continue
			}
			if !nextSeen[q.dep.Name] {
				nextSeen[q.dep.Name] = true
				next = append(next, q.dep.Name)
			}
		}
		for _, n := range search {
			memory[n] = true
		}
		lv := level{depth: depth}
		pkgSeen := map[depsBackportPkg]bool{}
		for _, q := range requires {
			if !pkgSeen[q.pkg] {
				pkgSeen[q.pkg] = true
				lv.pkgs = append(lv.pkgs, q.pkg)
			}
		}
		levels = append(levels, lv)
		names = next
	}
	// Deepest level (> 0) of every binary package.
	stored := map[depsBackportPkg]int{}
	for _, lv := range levels {
		if lv.depth == 0 {
			continue
		}
		for _, p := range lv.pkgs {
			if p.arch != "src" && lv.depth > stored[p] {
				stored[p] = lv.depth
			}
		}
	}
	byDepth := map[int][]depsBackportPkg{}
	var depthValues []int
	for p, d := range stored {
		if _, ok := byDepth[d]; !ok {
			depthValues = append(depthValues, d)
		}
		byDepth[d] = append(byDepth[d], p)
	}
	sort.Ints(depthValues)
	out := []model.Record{}
	for i := len(depthValues) - 1; i >= 0; i-- {
		pkgs := byDepth[depthValues[i]]
		sort.Slice(pkgs, func(x, y int) bool {
			if c := strings.Compare(pkgs[x].srpm, pkgs[y].srpm); c != 0 {
				return c < 0
			}
			if pkgs[x].name != pkgs[y].name {
				return pkgs[x].name < pkgs[y].name
			}
			return pkgs[x].arch < pkgs[y].arch
		})
		items := make([]model.Record, len(pkgs))
		for j, p := range pkgs {
			items[j] = model.Map{"srpm": p.srpm, "name": p.name, "epoch": p.epoch, "version": p.version, "release": p.release, "arch": p.arch}
		}
		out = append(out, model.Map{"depth": i + 1, "packages": items})
	}
	return api.OK(model.Map{"request_args": r.Args, "count": len(stored), "maxdepth": len(depthValues), "dependencies": out}), nil
}

// depsBackportMet: whether the target branch satisfies a requirement.
func depsBackportMet(q depsBackportRow, provides []depsBackportRow) bool {
	if strings.HasPrefix(q.dep.Name, "rpmlib") || strings.HasPrefix(q.dep.Name, "/") {
		return true
	}
	for _, p := range provides {
		if (q.pkg.arch == "src" || q.pkg.arch == "noarch" || q.pkg.arch == p.pkg.arch) && deps.Overlap(p.dep, q.dep) {
			return true
		}
	}
	return false
}
