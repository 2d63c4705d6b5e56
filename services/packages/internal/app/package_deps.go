package app

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/chdb"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/contract"
	"altrepo/services/packages/internal/deps"
)

// packageDepsRoutes lists the dependency-heavy routes of the package
// namespace: what_depends_src, misconflict, build_dependency_set.
func (a *App) packageDepsRoutes() []*api.Route {
	return []*api.Route{
		bind(contract.GetPackageWhatDependsSrc(), a.pkgWhatDependsSrc),
		bind(contract.GetPackageMisconflict(), a.pkgMisconflict),
		bind(contract.GetPackageBuildDependencySet(), a.pkgBuildDependencySet),
	}
}

// pySet renders names as Python's repr of a set of strings.
func pySet(names []string) string {
	if len(names) == 0 {
		return "set()"
	}
	l := pyList(names)
	return "{" + l[1:len(l)-1] + "}"
}

const sqlMisconflictInputs = `
SELECT DISTINCT pkg_hash, pkg_name FROM Packages
WHERE pkg_name IN ? AND pkg_sourcepackage = 0 AND pkg_arch IN ?
  AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_name IN ? AND pkg_sourcepackage = 0)
ORDER BY pkg_name, pkg_hash`

// pkgMisconflict: file conflicts of binary packages not declared as
// conflicts or obsoletes.
func (a *App) pkgMisconflict(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch, names := r.String("branch"), r.Strings("packages")
	archs := deps.MisconflictArchs(r.Strings("archs"))
	var rows []struct {
		Hash uint64 `ch:"pkg_hash"`
		Name string `ch:"pkg_name"`
	}
	in := chdb.In(names)
	if err := a.db.Select(ctx, "misconflict_inputs", &rows, sqlMisconflictInputs, in, chdb.In(archs), branch, in); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.Worker(http.StatusNotFound, fmt.Sprintf("Packages %s not in package set '%s' for archs %s", pyList(names), branch, pyList(archs)), model.Ordered{})
	}
	found := map[string]bool{}
	hashes := make([]uint64, 0, len(rows))
	for _, row := range rows {
		found[row.Name] = true
		hashes = append(hashes, row.Hash)
	}
	if len(found) != len(names) {
		var missing []string
		for _, n := range names {
			if !found[n] && !slices.Contains(missing, n) {
				missing = append(missing, n)
			}
		}
		return nil, apierr.Worker(http.StatusNotFound, fmt.Sprintf("Packages (%s) not in package set '%s' for archs %s", pySet(missing), branch, pyList(archs)), model.Ordered{})
	}
	conflicts, err := deps.FindMisconflicts(ctx, a.db, hashes, branch, archs)
	if err != nil {
		return nil, err
	}
	items := make([]model.Record, len(conflicts))
	for i, c := range conflicts {
		items[i] = c.Record()
	}
	return api.OK(listBody(r.Args, "conflicts", items)), nil
}

const sqlBuildSetSources = `
SELECT DISTINCT pkg_hash, pkg_name FROM static_last_packages
WHERE pkgset_name = ? AND pkg_name IN ? AND pkg_sourcepackage = 1
ORDER BY pkg_name, pkg_hash`

const sqlBuildSetGroups = `
SELECT pkg_name, pkg_version, pkg_release, pkg_epoch,
       groupUniqArray(pkg_hash) AS hashes, groupUniqArray(toString(pkg_arch)) AS archs
FROM Packages WHERE pkg_hash IN ?
GROUP BY pkg_name, pkg_version, pkg_release, pkg_epoch`

// buildSetError is the reference's answer to a failure of the resolver.
func buildSetError(err error) error {
	e := apierr.Worker(http.StatusInternalServerError, "Error occured in ConflictFilter", model.Ordered{})
	e.Cause = err
	return e
}

// pkgBuildDependencySet: the recursive build dependencies of source packages.
func (a *App) pkgBuildDependencySet(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch, names := r.String("branch"), r.Strings("packages")
	arch := r.String("arch")
	if arch == "" {
		arch = "x86_64"
	}
	archs := []string{arch, "noarch"}
	var srcs []struct {
		Hash uint64 `ch:"pkg_hash"`
		Name string `ch:"pkg_name"`
	}
	if err := a.db.Select(ctx, "build_dependency_set_sources", &srcs, sqlBuildSetSources, branch, chdb.In(names)); err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return nil, apierr.Worker(http.StatusNotFound, fmt.Sprintf("Source packages %s not found in package set '%s'", pyList(names), branch), model.Ordered{})
	}
	nameOf := map[uint64]string{}
	hashes := make([]uint64, 0, len(srcs))
	for _, s := range srcs {
		nameOf[s.Hash] = s.Name
		hashes = append(hashes, s.Hash)
	}
	src, err := deps.NewBranchSource(ctx, a.db, branch, archs)
	if err != nil {
		return nil, buildSetError(err)
	}
	bs, err := deps.ResolveBuildSet(ctx, src, hashes)
	if err != nil {
		return nil, buildSetError(err)
	}
	all := map[uint64]bool{}
	for _, s := range bs.Sources {
		all[s] = true
		for h := range bs.Deps[s] {
			all[h] = true
		}
	}
	type group struct {
		name, version, release string
		epoch                  uint32
		hashes                 []uint64
		archs                  []string
	}
	var groups []group
	if len(all) > 0 {
		var rows []struct {
			Name    string   `ch:"pkg_name"`
			Version string   `ch:"pkg_version"`
			Release string   `ch:"pkg_release"`
			Epoch   uint32   `ch:"pkg_epoch"`
			Hashes  []uint64 `ch:"hashes"`
			Archs   []string `ch:"archs"`
		}
		if err := deps.SelectIn(ctx, a.db, "build_dependency_set_groups", &rows, sqlBuildSetGroups, pkgDepsKeys(all), deps.ListArg); err != nil {
			return nil, buildSetError(err)
		}
		// Parts of the hash list may split a group: merge them.
		index := map[[4]string]int{}
		for _, row := range rows {
			k := [4]string{row.Name, row.Version, row.Release, fmt.Sprint(row.Epoch)}
			i, ok := index[k]
			if !ok {
				index[k] = len(groups)
				groups = append(groups, group{row.Name, row.Version, row.Release, row.Epoch, nil, nil})
				i = len(groups) - 1
			}
			g := &groups[i]
			g.hashes = append(g.hashes, row.Hashes...)
			for _, a := range row.Archs {
				if !slices.Contains(g.archs, a) {
					g.archs = append(g.archs, a)
				}
			}
		}
		for i := range groups {
			slices.Sort(groups[i].hashes)
			sort.Strings(groups[i].archs)
		}
	}
	groupOf := map[uint64]int{}
	for i, g := range groups {
		for _, h := range g.hashes {
			groupOf[h] = i
			if _, ok := nameOf[h]; !ok {
				nameOf[h] = g.name
			}
		}
	}
	packages := []model.Record{}
	for _, s := range bs.Sources {
		var kept []int
		for _, h := range pkgDepsKeys(bs.Deps[s]) {
			gi, ok := groupOf[h]
			if ok && !slices.Contains(kept, gi) {
				kept = append(kept, gi)
			}
		}
		sort.SliceStable(kept, func(i, j int) bool { return groups[kept[i]].name < groups[kept[j]].name })
		depends := make([]model.Record, 0, len(kept))
		for _, gi := range kept {
			g := groups[gi]
			requires := []string{}
			for _, h := range g.hashes {
				for d := range bs.Tree[h] {
					if di, ok := groupOf[d]; ok && !slices.Contains(requires, groups[di].name) {
						requires = append(requires, groups[di].name)
					}
				}
			}
			sort.Strings(requires)
			depends = append(depends, model.Map{"name": g.name, "version": g.version, "release": g.release, "epoch": g.epoch, "archs": g.archs, "requires": requires})
		}
		packages = append(packages, model.Map{"package": nameOf[s], "length": len(depends), "depends": depends})
	}
	ambiguous := []model.Record{}
	for _, pa := range bs.Ambiguous {
		provides := make([]model.Record, 0, len(pa.Ambiguities))
		for _, amb := range pa.Ambiguities {
			list := make([]model.Record, len(amb.Provides))
			for i, p := range amb.Provides {
				list[i] = model.Map{"name": p.Name, "used": p.Used}
			}
			provides = append(provides, model.Map{"requires": amb.Requires, "provides_count": len(list), "provides": list})
		}
		ambiguous = append(ambiguous, model.Map{"package": nameOf[pa.Hash], "ambiguous_provides": provides})
	}
	return api.OK(model.Map{"request_args": r.Args, "length": len(packages), "packages": packages, "ambiguous_dependencies": ambiguous}), nil
}

func pkgDepsKeys(m map[uint64]bool) []uint64 {
	out := make([]uint64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
