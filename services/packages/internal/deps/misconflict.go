package deps

import (
	"context"
	"net/http"
	"slices"
	"sort"

	"altrepo/libs/apierr"
	"altrepo/libs/chdb"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
)

// Misconflict is one undeclared file conflict between an input package and
// another package of the branch.
type Misconflict struct {
	InputPackage    string
	ConflictPackage string
	Version         string
	Release         string
	Epoch           uint32
	// Archs are the architectures both packages exist for.
	Archs []string
	// Files are the conflicting file names, sorted.
	Files []string
}

// Record renders the misconflict with PackageMisconflictPackageModel keys.
func (m Misconflict) Record() model.Map {
	return model.Map{"input_package": m.InputPackage, "conflict_package": m.ConflictPackage, "version": m.Version,
		"release": m.Release, "epoch": m.Epoch, "archs": m.Archs, "files_with_conflict": m.Files}
}

// MisconflictArchs is the arch list of the misconflict search: the given
// archs plus noarch when they lack it, otherwise default_archs.
func MisconflictArchs(given []string) []string {
	if len(given) > 0 && !slices.Contains(given, "noarch") {
		return append(slices.Clone(given), "noarch")
	}
	return lookup.List("default_archs")
}

// Pairs of (input, other) binaries of the branch sharing non-directory files.
const sqlMisconflictPairs = `
SELECT in_hash, pkg_hash AS c_hash, groupUniqArray(file_hashname) AS files
FROM (
    SELECT pkg_hash AS in_hash, file_hashname FROM Files
    WHERE pkg_hash IN ? AND file_class != 'directory'
)
INNER JOIN (
    SELECT pkg_hash, file_hashname FROM Files
    WHERE file_class != 'directory'
      AND file_hashname IN (SELECT file_hashname FROM Files WHERE pkg_hash IN ? AND file_class != 'directory')
      AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 0)
      AND pkg_hash NOT IN ?
) USING file_hashname
GROUP BY in_hash, c_hash`

const sqlMisconflictPackages = `
SELECT pkg_hash, any(pkg_name) AS pkg_name, any(toString(pkg_arch)) AS pkg_arch, any(pkg_version) AS pkg_version,
       any(pkg_release) AS pkg_release, any(pkg_epoch) AS pkg_epoch
FROM Packages WHERE pkg_hash IN ? GROUP BY pkg_hash`

const sqlMisconflictFileAttrs = `
SELECT pkg_hash, file_hashname, hex(file_md5) AS md5, file_mode, toUInt32(file_mtime) AS mtime, toString(file_class) AS class
FROM Files
WHERE pkg_hash IN ?
  AND file_hashname IN (SELECT file_hashname FROM Files WHERE pkg_hash IN ? AND file_class != 'directory')`

const sqlMisconflictFileNames = `
SELECT fn_hash, any(fn_name) AS fn_name FROM FileNames WHERE fn_hash IN ? GROUP BY fn_hash`

// FindMisconflicts finds the undeclared file conflicts of the input binary
// packages in a branch (the reference's MisconflictPackages, hash mode):
// binaries of the branch (archs, no -debuginfo) with another name that
// share non-directory files with an input package, minus files identical in
// both (md5, mode, mtime, class), minus pairs with a declared conflict or
// obsolete (FilterConflicts), keeping the pairs whose packages exist for a
// common architecture. Results are sorted by input and conflict name.
func FindMisconflicts(ctx context.Context, db *chdb.DB, inputs []uint64, branch string, archs []string) ([]Misconflict, error) {
	if len(inputs) == 0 {
		return nil, nil
	}
	in := chdb.In(inputs)
	var pairs []struct {
		In    uint64   `ch:"in_hash"`
		C     uint64   `ch:"c_hash"`
		Files []uint64 `ch:"files"`
	}
	if err := db.Select(ctx, "misconflict_pairs", &pairs, sqlMisconflictPairs, in, in, branch, in); err != nil {
		return nil, err
	}
	if len(pairs) == 0 {
		return nil, nil
	}
	hashSet := map[uint64]bool{}
	for _, p := range pairs {
		hashSet[p.In], hashSet[p.C] = true, true
	}
	var pkgRows []struct {
		Hash    uint64 `ch:"pkg_hash"`
		Name    string `ch:"pkg_name"`
		Arch    string `ch:"pkg_arch"`
		Version string `ch:"pkg_version"`
		Release string `ch:"pkg_release"`
		Epoch   uint32 `ch:"pkg_epoch"`
	}
	if err := SelectIn(ctx, db, "misconflict_packages", &pkgRows, sqlMisconflictPackages, keysOf(hashSet), ListArg); err != nil {
		return nil, err
	}
	type pkg struct {
		name, arch, version, release string
		epoch                        uint32
	}
	pkgs := map[uint64]pkg{}
	for _, r := range pkgRows {
		pkgs[r.Hash] = pkg{r.Name, r.Arch, r.Version, r.Release, r.Epoch}
	}
	isInput := map[uint64]bool{}
	for _, h := range inputs {
		isInput[h] = true
	}
	// Filtered state: other binaries in archs, not -debuginfo, other name.
	type cand struct {
		in, c uint64
		files []uint64
	}
	var cands []cand
	fileSet := map[uint64]bool{}
	for _, p := range pairs {
		ip, cp := pkgs[p.In], pkgs[p.C]
		if !slices.Contains(archs, cp.arch) || hasSuffix(cp.name, "-debuginfo") || cp.name == ip.name {
			continue
		}
		cands = append(cands, cand{p.In, p.C, p.Files})
		for _, f := range p.Files {
			fileSet[f] = true
		}
	}
	if len(cands) == 0 {
		return nil, nil
	}
	// Identical files are no conflict.
	type attr struct {
		md5   string
		mode  uint16
		mtime uint32
		class string
	}
	var attrRows []struct {
		Hash  uint64 `ch:"pkg_hash"`
		File  uint64 `ch:"file_hashname"`
		MD5   string `ch:"md5"`
		Mode  uint16 `ch:"file_mode"`
		Mtime uint32 `ch:"mtime"`
		Class string `ch:"class"`
	}
	candHashes := map[uint64]bool{}
	for _, c := range cands {
		candHashes[c.in], candHashes[c.c] = true, true
	}
	if err := SelectIn(ctx, db, "misconflict_file_attrs", &attrRows, sqlMisconflictFileAttrs, keysOf(candHashes), ListArg, in); err != nil {
		return nil, err
	}
	attrs := map[[2]uint64][]attr{}
	for _, r := range attrRows {
		k := [2]uint64{r.Hash, r.File}
		attrs[k] = append(attrs[k], attr{r.MD5, r.Mode, r.Mtime, r.Class})
	}
	sameFile := func(a, b uint64, f uint64) bool {
		x, y := attrs[[2]uint64{a, f}], attrs[[2]uint64{b, f}]
		if len(x) == 0 || len(x) != len(y) {
			return false
		}
		for _, v := range x {
			if !slices.Contains(y, v) {
				return false
			}
		}
		return true
	}
	kept := cands[:0]
	fileSet = map[uint64]bool{}
	for _, c := range cands {
		var diff []uint64
		for _, f := range c.files {
			if !sameFile(c.in, c.c, f) {
				diff = append(diff, f)
			}
		}
		if len(diff) == 0 {
			continue
		}
		c.files = diff
		kept = append(kept, c)
		for _, f := range diff {
			fileSet[f] = true
		}
	}
	if len(kept) == 0 {
		return nil, nil
	}
	var names []struct {
		Hash uint64 `ch:"fn_hash"`
		Name string `ch:"fn_name"`
	}
	if err := SelectIn(ctx, db, "misconflict_file_names", &names, sqlMisconflictFileNames, keysOf(fileSet), ListArg); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, apierr.Worker(http.StatusInternalServerError, "Failed to get file names from database by hash", model.Ordered{})
	}
	fileName := map[uint64]string{}
	for _, n := range names {
		fileName[n.Hash] = n.Name
	}
	// Declared conflicts between the pairs' packages.
	cpairs := make([]Pair, len(kept))
	for i, c := range kept {
		cpairs[i] = Pair{c.c, c.in}
	}
	declaredPairs, err := DeclaredConflicts(ctx, db, cpairs)
	if err != nil {
		e := apierr.Worker(http.StatusInternalServerError, "Error occured in ConflictFilter", model.Ordered{})
		e.Cause = err
		return nil, e
	}
	type key struct{ in, c string }
	declared := map[key]bool{}
	for _, p := range declaredPairs {
		i, c := p[0], p[1]
		if !isInput[i] {
			i, c = c, i
		}
		declared[key{pkgs[i].name, pkgs[c].name}] = true
	}
	// Group by names; archs of every name among the pairs' packages.
	nameArchs := map[string][]string{}
	addArch := func(h uint64) {
		p := pkgs[h]
		if !slices.Contains(nameArchs[p.name], p.arch) {
			nameArchs[p.name] = append(nameArchs[p.name], p.arch)
		}
	}
	groups := map[key]*Misconflict{}
	var order []key
	for _, c := range kept {
		addArch(c.in)
		addArch(c.c)
		k := key{pkgs[c.in].name, pkgs[c.c].name}
		g := groups[k]
		if g == nil {
			cp := pkgs[c.c]
			g = &Misconflict{InputPackage: k.in, ConflictPackage: k.c, Version: cp.version, Release: cp.release, Epoch: cp.epoch}
			groups[k] = g
			order = append(order, k)
		}
		for _, f := range c.files {
			if n, ok := fileName[f]; ok && !slices.Contains(g.Files, n) {
				g.Files = append(g.Files, n)
			}
		}
	}
	var out []Misconflict
	for _, k := range order {
		if declared[k] {
			continue
		}
		var common []string
		for _, a := range nameArchs[k.in] {
			if slices.Contains(nameArchs[k.c], a) {
				common = append(common, a)
			}
		}
		if len(common) == 0 {
			continue
		}
		g := groups[k]
		sort.Strings(common)
		sort.Strings(g.Files)
		g.Archs = common
		out = append(out, *g)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].InputPackage != out[j].InputPackage {
			return out[i].InputPackage < out[j].InputPackage
		}
		return out[i].ConflictPackage < out[j].ConflictPackage
	})
	return out, nil
}

func keysOf(m map[uint64]bool) []uint64 {
	out := make([]uint64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }
