package app

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/chdb"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/deps"
)

// wdsSource is a source package of the branch state.
type wdsSource struct {
	Hash      uint64 `ch:"pkg_hash"`
	Name      string `ch:"pkg_name"`
	Filename  string `ch:"pkg_filename"`
	Version   string `ch:"pkg_version"`
	Release   string `ch:"pkg_release"`
	Epoch     uint32 `ch:"pkg_epoch"`
	Serial    uint32 `ch:"pkg_serial_"`
	Buildtime uint32 `ch:"pkg_buildtime"`
}

// wdsBinary is a binary package of the filtered state (archs, no debuginfo).
type wdsBinary struct {
	Hash      uint64 `ch:"pkg_hash"`
	Name      string `ch:"pkg_name"`
	Arch      string `ch:"pkg_arch"`
	SrcHash   uint64 `ch:"pkg_srcrpm_hash"`
	SourceRPM string `ch:"pkg_sourcerpm"`
	srcName   string
}

// wdsState is the filtered branch state S with the "last packages with
// source" view (LPWS) of its binaries.
type wdsState struct {
	state      *depsUniverse
	sources    map[uint64]*wdsSource
	srcByName  map[string][]*wdsSource
	srcByFile  map[string][]string
	bins       map[uint64]*wdsBinary
	binsBySrc  map[string][]*wdsBinary
	binSrcName map[string][]string
}

const sqlWDSStateSources = `
SELECT pkg_hash, pkg_name, pkg_filename, pkg_version, pkg_release, pkg_epoch, pkg_serial_, pkg_buildtime
FROM Packages
WHERE pkg_sourcepackage = 1 AND %s`

const sqlWDSStateBinaries = `
SELECT pkg_hash, pkg_name, toString(pkg_arch) AS pkg_arch, pkg_srcrpm_hash, pkg_sourcerpm
FROM Packages
WHERE pkg_sourcepackage = 0 AND pkg_arch IN ? AND NOT (pkg_name LIKE '%%-debuginfo') AND %s`

const sqlWDSNamesByHash = `
SELECT pkg_hash, any(pkg_name) AS pkg_name FROM Packages WHERE pkg_hash IN ? GROUP BY pkg_hash`

// loadWDSState reads the state of a branch for the given binary archs.
func (a *App) loadWDSState(ctx context.Context, state *depsUniverse, archs []string) (*wdsState, error) {
	var srcs []wdsSource
	cond, cargs := state.cond(1)
	if err := a.db.Select(ctx, "what_depends_src_sources", &srcs, fmt.Sprintf(sqlWDSStateSources, cond), cargs...); err != nil {
		return nil, err
	}
	st := &wdsState{state: state, sources: make(map[uint64]*wdsSource, len(srcs)), srcByName: make(map[string][]*wdsSource, len(srcs)),
		srcByFile: make(map[string][]string, len(srcs))}
	for i := range srcs {
		s := &srcs[i]
		if _, dup := st.sources[s.Hash]; dup {
			continue
		}
		st.sources[s.Hash] = s
		st.srcByName[s.Name] = append(st.srcByName[s.Name], s)
		if !slices.Contains(st.srcByFile[s.Filename], s.Name) {
			st.srcByFile[s.Filename] = append(st.srcByFile[s.Filename], s.Name)
		}
	}
	var bins []wdsBinary
	cond, cargs = state.cond(0)
	if err := a.db.Select(ctx, "what_depends_src_binaries", &bins, fmt.Sprintf(sqlWDSStateBinaries, cond), append([]any{chdb.In(archs)}, cargs...)...); err != nil {
		return nil, err
	}
	st.bins = make(map[uint64]*wdsBinary, len(bins))
	st.binsBySrc = make(map[string][]*wdsBinary, len(srcs))
	st.binSrcName = make(map[string][]string, len(bins)/2)
	var unknown []uint64
	for i := range bins {
		b := &bins[i]
		if _, dup := st.bins[b.Hash]; dup {
			continue
		}
		st.bins[b.Hash] = b
		if s, ok := st.sources[b.SrcHash]; ok {
			b.srcName = s.Name
		} else if b.SrcHash != 0 {
			unknown = append(unknown, b.SrcHash)
		}
	}
	if len(unknown) > 0 {
		var rows []struct {
			Hash uint64 `ch:"pkg_hash"`
			Name string `ch:"pkg_name"`
		}
		if err := deps.SelectIn(ctx, a.db, "what_depends_src_source_names", &rows, sqlWDSNamesByHash, unknown, deps.ListArg); err != nil {
			return nil, err
		}
		names := map[uint64]string{}
		for _, r := range rows {
			names[r.Hash] = r.Name
		}
		for _, b := range st.bins {
			if b.srcName == "" && b.SrcHash != 0 {
				b.srcName = names[b.SrcHash]
			}
		}
	}
	for _, b := range st.bins {
		if b.SrcHash == 0 {
			continue
		}
		st.binsBySrc[b.srcName] = append(st.binsBySrc[b.srcName], b)
		if !slices.Contains(st.binSrcName[b.Name], b.srcName) {
			st.binSrcName[b.Name] = append(st.binSrcName[b.Name], b.srcName)
		}
	}
	return st, nil
}

// name/source flag of a package of S.
func (st *wdsState) pkg(h uint64) (name string, source uint8, ok bool) {
	if s, ok := st.sources[h]; ok {
		return s.Name, 1, true
	}
	if b, ok := st.bins[h]; ok {
		return b.Name, 0, true
	}
	return "", 0, false
}

// binariesOf returns the LPWS binaries of the named sources.
func (st *wdsState) binariesOf(names map[string]bool) []uint64 {
	var out []uint64
	for n := range names {
		for _, b := range st.binsBySrc[n] {
			out = append(out, b.Hash)
		}
	}
	slices.Sort(out)
	return out
}

// Packages of the branch requiring something the given packages provide.
const sqlWDSRequirers = `
SELECT DISTINCT pkg_hash FROM Depends
WHERE toString(dp_type) = 'require'
  AND dp_name IN (SELECT dp_name FROM Depends WHERE toString(dp_type) = 'provide' AND pkg_hash IN ?)
  AND %s`

const sqlWDSSourceNamesByFile = `
SELECT DISTINCT pkg_filename, pkg_name FROM Packages WHERE pkg_sourcepackage = 1 AND pkg_filename IN ?`

// expand finds the source packages whose packages (source or binary per
// sfilter) require what the binaries of the named sources provide.
func (a *App) wdsExpand(ctx context.Context, st *wdsState, names map[string]bool, sfilter []uint8) ([]string, error) {
	b0 := st.binariesOf(names)
	if len(b0) == 0 {
		return nil, nil
	}
	var rows []struct {
		Hash uint64 `ch:"pkg_hash"`
	}
	cond, cargs := st.state.cond(-1)
	if err := deps.SelectIn(ctx, a.db, "what_depends_src_requirers", &rows, fmt.Sprintf(sqlWDSRequirers, cond), b0, append([]any{deps.ListArg}, cargs...)...); err != nil {
		return nil, err
	}
	files := map[string]bool{}
	for _, r := range rows {
		name, source, ok := st.pkg(r.Hash)
		if !ok || !slices.Contains(sfilter, source) || strings.HasSuffix(name, "-debuginfo") {
			continue
		}
		if source == 1 {
			files[st.sources[r.Hash].Filename] = true
		} else {
			files[st.bins[r.Hash].SourceRPM] = true
		}
	}
	var out, unknown []string
	for f := range files {
		if n, ok := st.srcByFile[f]; ok {
			out = append(out, n...)
		} else {
			unknown = append(unknown, f)
		}
	}
	if len(unknown) > 0 {
		var more []struct {
			File string `ch:"pkg_filename"`
			Name string `ch:"pkg_name"`
		}
		if err := deps.SelectIn(ctx, a.db, "what_depends_src_names_by_file", &more, sqlWDSSourceNamesByFile, unknown, deps.ListArg); err != nil {
			return nil, err
		}
		for _, m := range more {
			out = append(out, m.Name)
		}
	}
	sort.Strings(out)
	return slices.Compact(out), nil
}

const sqlWDSDepNames = `
SELECT DISTINCT pkg_hash, dp_name FROM Depends WHERE toString(dp_type) = ? AND pkg_hash IN ?`

const sqlWDSProvidersOf = `
SELECT DISTINCT pkg_hash, dp_name FROM Depends
WHERE toString(dp_type) = 'provide' AND dp_name IN ? AND %s`

type wdsDepName struct {
	Hash uint64 `ch:"pkg_hash"`
	Name string `ch:"dp_name"`
}

// wdsProviders maps dependency names to the binaries of S providing them.
func (a *App) wdsProviders(ctx context.Context, st *wdsState, names []string) (map[string][]uint64, error) {
	out := map[string][]uint64{}
	if len(names) == 0 {
		return out, nil
	}
	var rows []wdsDepName
	cond, cargs := st.state.cond(0)
	if err := deps.SelectIn(ctx, a.db, "what_depends_src_providers", &rows, fmt.Sprintf(sqlWDSProvidersOf, cond), names, append([]any{deps.ListArg}, cargs...)...); err != nil {
		return nil, err
	}
	for _, r := range rows {
		if _, ok := st.bins[r.Hash]; ok {
			out[r.Name] = append(out[r.Name], r.Hash)
		}
	}
	return out, nil
}

func wdsNames(rows []wdsDepName) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Name)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// pkgWhatDependsSrc: source packages depending (recursively, by build or
// run-time requirements) on the given source packages, in dependency order.
func (a *App) pkgWhatDependsSrc(ctx context.Context, r *api.Request) (*api.Response, error) {
	depth := r.Int("depth")
	if depth < 1 || depth > 5 {
		return nil, apierr.Validation(r.Args, "dependency depth should be in range (1...5)")
	}
	if r.Has("filter_by_source") && r.Has("filter_by_package") {
		return nil, apierr.Validation(r.Args, "Parameters 'filter_by_src' and 'filter_by_package' can't be used together")
	}
	branch := strings.ToLower(r.String("branch"))
	inputs := r.Strings("packages")
	archs := r.Strings("archs")
	if len(archs) > 0 {
		if !slices.Contains(archs, "noarch") {
			archs = append(archs, "noarch")
			r.Args.Set("archs", archs)
		}
	} else {
		archs = depsWDSArchs(branch)
	}
	dptype := r.String("dptype")
	sfilter := []uint8{1, 0}
	switch dptype {
	case "source":
		sfilter = []uint8{1}
	case "binary":
		sfilter = []uint8{0}
	}
	if r.Bool("oneandhalf") {
		depth = 2
	}
	state, err := a.depsState(ctx, branch, r.Bool("use_last_tasks"))
	if err != nil {
		return nil, err
	}
	st, err := a.loadWDSState(ctx, state, archs)
	if err != nil {
		return nil, err
	}
	// Levels of reverse dependencies.
	inLevel := map[string]int{}
	var levels [][]string
	addLevel := func(names []string) {
		var lv []string
		for _, n := range names {
			if _, ok := inLevel[n]; !ok {
				inLevel[n] = len(levels)
				lv = append(lv, n)
			}
		}
		levels = append(levels, lv)
	}
	addLevel(inputs)
	current := map[string]bool{}
	for _, n := range inputs {
		current[n] = true
	}
	for i := 0; i < int(depth); i++ {
		found, err := a.wdsExpand(ctx, st, current, sfilter)
		if err != nil {
			return nil, err
		}
		addLevel(found)
		for _, n := range found {
			current[n] = true
		}
	}
	if r.Bool("oneandhalf") && len(levels) > 2 {
		kept, err := a.wdsOneAndHalf(ctx, st, levels[1], levels[2], archs)
		if err != nil {
			return nil, err
		}
		for _, n := range levels[2] {
			if !slices.Contains(kept, n) {
				delete(inLevel, n)
			}
		}
		levels[2] = kept
	}
	var L []string
	for _, lv := range levels {
		L = append(L, lv...)
	}
	inL := map[string]bool{}
	for _, n := range L {
		inL[n] = true
	}
	M, mOrder, err := a.wdsGraph(ctx, st, L, inputs, dptype)
	if err != nil {
		return nil, err
	}
	if len(mOrder) == 0 {
		return api.OK(model.Map{"request_args": r.Args, "length": 0, "dependencies": model.Map{}}), nil
	}
	var tops map[string]bool
	if r.Bool("finite_package") {
		used := map[string]bool{}
		for _, list := range M {
			for _, n := range list {
				used[n] = true
			}
		}
		tops = map[string]bool{}
		for _, n := range L {
			if !used[n] {
				tops[n] = true
			}
		}
	}
	leaf := r.String("leaf")
	if r.Has("leaf") {
		if _, ok := M[leaf]; !ok {
			return nil, apierr.Worker(http.StatusNotFound, fmt.Sprintf("Package %s not in dependencies list for %s", leaf, pyList(inputs)), model.Ordered{})
		}
	}
	sorted, err := deps.SortDependencies(mOrder, M)
	if err != nil {
		return nil, err
	}
	order := sorted.Sorted
	if r.Has("leaf") {
		reach := map[string]bool{leaf: true}
		var walk func(n string)
		walk = func(n string) {
			for _, d := range M[n] {
				if d != n && !reach[d] {
					reach[d] = true
					walk(d)
				}
			}
		}
		walk(leaf)
		var kept []string
		for _, n := range order {
			if reach[n] {
				kept = append(kept, n)
			}
		}
		order = kept
	}
	acls, err := a.depsACLs(ctx, branch, L)
	if err != nil {
		return nil, err
	}
	// Package data: sources of L with a binary in the selected archs.
	srcArchs := map[uint64][]string{}
	for n := range inL {
		for _, s := range st.srcByName[n] {
			for _, b := range st.binsBySrc[n] {
				if s.Filename == b.SourceRPM && !slices.Contains(srcArchs[s.Hash], b.Arch) {
					srcArchs[s.Hash] = append(srcArchs[s.Hash], b.Arch)
				}
			}
		}
	}
	allowed, err := a.wdsFilter(ctx, st, r, L, archs)
	if err != nil {
		return nil, err
	}
	items := []model.Record{}
	for _, name := range order {
		if tops != nil && !tops[name] {
			continue
		}
		if allowed != nil && !allowed[name] {
			continue
		}
		for _, s := range st.srcByName[name] {
			sa := srcArchs[s.Hash]
			if len(sa) == 0 {
				continue
			}
			sort.Strings(sa)
			cycle := sorted.Cycles[name]
			if cycle == nil {
				cycle = []string{}
			}
			requires := M[name]
			if requires == nil {
				requires = []string{}
			}
			acl := acls[name]
			if acl == nil {
				acl = []string{}
			}
			items = append(items, model.Map{"depth": inLevel[name], "name": s.Name, "version": s.Version, "release": s.Release,
				"epoch": s.Epoch, "serial_": s.Serial, "sourcerpm": s.Filename, "branch": branch,
				"buildtime": depsBuildtimeText(s.Buildtime), "archs": sa, "cycle": cycle, "requires": requires, "acl": acl})
		}
	}
	return api.OK(listBody(r.Args, "dependencies", items)), nil
}

// wdsOneAndHalf keeps the level-2 sources that provide (through their
// binaries) something a level-1 source package build-requires.
func (a *App) wdsOneAndHalf(ctx context.Context, st *wdsState, level1, level2 []string, archs []string) ([]string, error) {
	var l1 []uint64
	for _, n := range level1 {
		for _, s := range st.srcByName[n] {
			l1 = append(l1, s.Hash)
		}
	}
	if len(l1) == 0 || len(level2) == 0 {
		return nil, nil
	}
	var reqs []wdsDepName
	if err := deps.SelectIn(ctx, a.db, "what_depends_src_level1_requires", &reqs, sqlWDSDepNames, l1, "require", deps.ListArg); err != nil {
		return nil, err
	}
	provs, err := a.wdsProviders(ctx, st, wdsNames(reqs))
	if err != nil {
		return nil, err
	}
	providing := map[string]bool{}
	for _, hs := range provs {
		for _, h := range hs {
			providing[st.bins[h].srcName] = true
		}
	}
	var out []string
	for _, n := range level2 {
		if providing[n] {
			out = append(out, n)
		}
	}
	return out, nil
}

// wdsGraph builds the dependency mapping M among the packages of L: a
// source depends on another when one of its (build: source, run-time:
// binary) requirements is provided by a binary of the other.
func (a *App) wdsGraph(ctx context.Context, st *wdsState, L, inputs []string, dptype string) (map[string][]string, []string, error) {
	type pair struct{ pkg, req string }
	var pairs []pair
	owner := map[uint64]string{}
	var hashes []uint64
	for _, n := range L {
		if dptype == "source" || dptype == "both" {
			for _, s := range st.srcByName[n] {
				if _, ok := owner[s.Hash]; !ok {
					owner[s.Hash] = n
					hashes = append(hashes, s.Hash)
				}
			}
		}
		if dptype == "binary" || dptype == "both" {
			for _, b := range st.binsBySrc[n] {
				if _, ok := owner[b.Hash]; !ok {
					owner[b.Hash] = n
					hashes = append(hashes, b.Hash)
				}
			}
		}
	}
	if len(hashes) > 0 {
		var reqs []wdsDepName
		if err := deps.SelectIn(ctx, a.db, "what_depends_src_graph_requires", &reqs, sqlWDSDepNames, hashes, "require", deps.ListArg); err != nil {
			return nil, nil, err
		}
		provs, err := a.wdsProviders(ctx, st, wdsNames(reqs))
		if err != nil {
			return nil, nil, err
		}
		for _, q := range reqs {
			p := owner[q.Hash]
			_, isSource := st.sources[q.Hash]
			for _, h := range provs[q.Name] {
				b := st.bins[h]
				if isSource {
					// Build requirement: provider binary name -> its sources.
					for _, sn := range st.binSrcName[b.Name] {
						pairs = append(pairs, pair{p, sn})
					}
				} else if b.SrcHash != 0 {
					pairs = append(pairs, pair{p, b.srcName})
				}
			}
		}
	}
	for _, n := range inputs {
		pairs = append(pairs, pair{n, ""})
	}
	pkgNames := map[string]bool{}
	for _, p := range pairs {
		pkgNames[p.pkg] = true
	}
	M := map[string][]string{}
	for _, p := range pairs {
		if p.req != "" && !pkgNames[p.req] {
			continue
		}
		list, ok := M[p.pkg]
		if !ok {
			list = []string{}
		}
		if p.req != "" && p.req != p.pkg && !slices.Contains(list, p.req) {
			list = append(list, p.req)
		}
		M[p.pkg] = list
	}
	order := make([]string, 0, len(M))
	for n, list := range M {
		sort.Strings(list)
		order = append(order, n)
	}
	sort.Slice(order, func(i, j int) bool {
		if c := slices.Compare(M[order[i]], M[order[j]]); c != 0 {
			return c < 0
		}
		return order[i] < order[j]
	})
	return M, order, nil
}

// wdsFilter applies filter_by_package / filter_by_source: the names of the
// sources whose packages require something every filter binary provides.
// nil means no filtering.
func (a *App) wdsFilter(ctx context.Context, st *wdsState, r *api.Request, L []string, archs []string) (map[string]bool, error) {
	var F []string
	switch {
	case r.Has("filter_by_package"):
		F = r.Strings("filter_by_package")
	case r.Has("filter_by_source"):
		for _, b := range st.binsBySrc[r.String("filter_by_source")] {
			if !strings.HasSuffix(b.Name, "debuginfo") && !slices.Contains(F, b.Name) {
				F = append(F, b.Name)
			}
		}
	default:
		return nil, nil
	}
	if len(F) == 0 {
		return nil, nil
	}
	// Names considered: binaries of L's sources and L itself.
	scope := map[string]bool{}
	for _, n := range L {
		scope[n] = true
		for _, b := range st.binsBySrc[n] {
			scope[b.Name] = true
		}
	}
	binsByName := map[string][]uint64{}
	for _, b := range st.bins {
		binsByName[b.Name] = append(binsByName[b.Name], b.Hash)
	}
	var inter map[string]bool
	for _, f := range F {
		hs := binsByName[f]
		got := map[string]bool{}
		if len(hs) > 0 {
			var provs []wdsDepName
			if err := deps.SelectIn(ctx, a.db, "what_depends_src_filter_provides", &provs, sqlWDSDepNames, hs, "provide", deps.ListArg); err != nil {
				return nil, err
			}
			if names := wdsNames(provs); len(names) > 0 {
				var reqs []wdsDepName
				cond, cargs := st.state.cond(-1)
				if err := deps.SelectIn(ctx, a.db, "what_depends_src_filter_requirers", &reqs, fmt.Sprintf(sqlWDSRequirersOf, cond), names, append([]any{deps.ListArg}, cargs...)...); err != nil {
					return nil, err
				}
				for _, q := range reqs {
					if n, _, ok := st.pkg(q.Hash); ok && scope[n] {
						got[n] = true
					}
				}
			}
		}
		if inter == nil {
			inter = got
			continue
		}
		for n := range inter {
			if !got[n] {
				delete(inter, n)
			}
		}
	}
	allowed := map[string]bool{}
	for n := range inter {
		for _, s := range st.binSrcName[n] {
			allowed[s] = true
		}
	}
	if len(allowed) == 0 {
		return nil, nil
	}
	return allowed, nil
}

const sqlWDSRequirersOf = `
SELECT DISTINCT pkg_hash, dp_name FROM Depends
WHERE toString(dp_type) = 'require' AND dp_name IN ? AND %s`
