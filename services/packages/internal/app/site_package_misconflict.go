package app

import (
	"context"
	"slices"
	"sort"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/chdb"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/deps"
)

const sqlSPMisBinaries = `
SELECT pkg_name, groupArray(arch) AS archs, groupArray(pkg_hash) AS hashes, max(pkg_buildtime) AS buildtime
FROM (SELECT DISTINCT pkg_name, toString(pkg_arch) AS arch, pkg_hash, pkg_buildtime
FROM Packages
PREWHERE pkg_srcrpm_hash = ?
WHERE pkg_sourcepackage = 0 AND NOT endsWith(pkg_name, '-debuginfo')
  AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 0)
)
GROUP BY pkg_name ORDER BY pkg_name`

const sqlSPMisConflicts = `
SELECT DISTINCT pkg_hash, dp_name, dp_version, dp_flag FROM Depends PREWHERE pkg_hash IN ? WHERE dp_type = 'conflict'
ORDER BY pkg_hash, dp_name, dp_version, dp_flag`

const sqlSPMisConflictPackages = `
SELECT DISTINCT pkg_hash, pkg_name, toString(pkg_arch) AS pkg_arch, pkg_version, pkg_release, pkg_epoch
FROM Packages
WHERE pkg_name IN ? AND pkg_sourcepackage = 0
  AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_name IN ? AND pkg_sourcepackage = 0)
ORDER BY pkg_name, pkg_arch, pkg_hash`

const sqlSPMisFiles = `
SELECT pkg_hash, groupUniqArray(file_hashname) AS files FROM Files
PREWHERE pkg_hash IN ? WHERE file_class != 'directory'
GROUP BY pkg_hash`

const sqlSPMisFileNames = `
SELECT fn_hash, any(fn_name) AS fn_name FROM FileNames WHERE fn_hash IN ? GROUP BY fn_hash`

// spMisRecord is one (input binary, arch) of the explicit conflicts.
type spMisRecord struct {
	input, inputArch   string
	inHash             uint64
	conflict           string
	version, release   string
	epoch              uint32
	cHash              uint64
	cArch              string
	files              []string
	explicit, hasMatch bool
}

// spMisconflict is GET /site/package_misconflict/{pkghash}.
func (a *App) spMisconflict(ctx context.Context, r *api.Request) (*api.Response, error) {
	hash := r.PathUint("pkghash")
	branch := r.String("branch")
	names, pairs, err := a.spBinaryGroups(ctx, "site_misconflict_binaries", sqlSPMisBinaries, hash, branch)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, apierr.NotFoundMsg("No binary packages data found in database", r.Args)
	}
	var recs []*spMisRecord
	inputArchs := map[string][]string{}
	var inputs []uint64
	byHash := map[uint64][]*spMisRecord{}
	for i, n := range names {
		for _, p := range pairs[i] {
			rec := &spMisRecord{input: n.name, inputArch: p.arch, inHash: p.hash}
			recs = append(recs, rec)
			byHash[p.hash] = append(byHash[p.hash], rec)
			inputArchs[n.name] = append(inputArchs[n.name], p.arch)
			inputs = append(inputs, p.hash)
		}
	}
	var implicit []deps.Misconflict
	err = parallel(
		func() error { return a.spExplicitConflicts(ctx, branch, inputs, byHash) },
		func() (err error) {
			implicit, err = deps.FindMisconflicts(ctx, a.db, inputs, branch, lookup.List("default_archs"))
			return
		})
	if err != nil {
		return nil, err
	}
	var out []model.Record
	for _, m := range implicit {
		rec := m.Record()
		ia := inputArchs[m.InputPackage]
		if ia == nil {
			ia = []string{}
		}
		rec["input_archs"] = ia
		rec["explicit"] = false
		out = append(out, rec)
	}
	// Group the explicit records by (input, conflict, files), sorted.
	sort.SliceStable(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if a.input != b.input {
			return a.input < b.input
		}
		if a.conflict != b.conflict {
			return a.conflict < b.conflict
		}
		return slices.Compare(a.files, b.files) < 0
	})
	for i := 0; i < len(recs); {
		j := i
		for j < len(recs) && recs[j].input == recs[i].input && recs[j].conflict == recs[i].conflict && slices.Equal(recs[j].files, recs[i].files) {
			j++
		}
		first := recs[i]
		if first.explicit {
			var ia, ca []string
			for _, x := range recs[i:j] {
				if !slices.Contains(ia, x.inputArch) {
					ia = append(ia, x.inputArch)
				}
				if !slices.Contains(ca, x.cArch) {
					ca = append(ca, x.cArch)
				}
			}
			sort.Strings(ia)
			sort.Strings(ca)
			out = append(out, model.Map{"input_package": first.input, "conflict_package": first.conflict,
				"version": first.version, "release": first.release, "epoch": first.epoch,
				"files_with_conflict": first.files, "explicit": true, "input_archs": ia, "archs": ca})
		}
		i = j
	}
	if len(out) == 0 {
		return nil, apierr.NotFoundMsg("No misconflict packages found in database", r.Args)
	}
	return api.OK(listBody(r.Args, "conflicts", out)), nil
}

// spExplicitConflicts fills the records of input binaries that declare a
// conflict with a package of the branch and share files with it.
func (a *App) spExplicitConflicts(ctx context.Context, branch string, inputs []uint64, byHash map[uint64][]*spMisRecord) error {
	var confl []struct {
		Hash    uint64 `ch:"pkg_hash"`
		Name    string `ch:"dp_name"`
		Version string `ch:"dp_version"`
		Flag    uint32 `ch:"dp_flag"`
	}
	if err := a.db.Select(ctx, "site_misconflict_conflicts", &confl, sqlSPMisConflicts, inList(inputs)); err != nil {
		return err
	}
	if len(confl) == 0 {
		return nil
	}
	var cnames []string
	for _, c := range confl {
		if !slices.Contains(cnames, c.Name) {
			cnames = append(cnames, c.Name)
		}
	}
	var cpkgs []struct {
		Hash    uint64 `ch:"pkg_hash"`
		Name    string `ch:"pkg_name"`
		Arch    string `ch:"pkg_arch"`
		Version string `ch:"pkg_version"`
		Release string `ch:"pkg_release"`
		Epoch   uint32 `ch:"pkg_epoch"`
	}
	in := chdb.In(cnames)
	if err := a.db.Select(ctx, "site_misconflict_conflict_packages", &cpkgs, sqlSPMisConflictPackages, in, branch, in); err != nil {
		return err
	}
	var matched []*spMisRecord
	for _, c := range confl {
		for _, p := range cpkgs {
			if p.Name != c.Name {
				continue
			}
			for _, rec := range byHash[c.Hash] {
				if p.Arch != rec.inputArch && p.Arch != "noarch" {
					continue
				}
				if !deps.Overlap(deps.Dep{Name: p.Name, Version: p.Version + "-" + p.Release},
					deps.Dep{Name: c.Name, Version: c.Version, Flags: c.Flag}) {
					continue
				}
				rec.conflict, rec.version, rec.release, rec.epoch = p.Name, p.Version, p.Release, p.Epoch
				rec.cHash, rec.cArch, rec.hasMatch = p.Hash, p.Arch, true
				if !slices.Contains(matched, rec) {
					matched = append(matched, rec)
				}
			}
		}
	}
	if len(matched) == 0 {
		return nil
	}
	// Shared non-directory files of each input and its conflict.
	var hashes []uint64
	for _, rec := range matched {
		hashes = append(hashes, rec.inHash, rec.cHash)
	}
	var files []struct {
		Hash  uint64   `ch:"pkg_hash"`
		Files []uint64 `ch:"files"`
	}
	if err := a.db.Select(ctx, "site_misconflict_files", &files, sqlSPMisFiles, inList(hashes)); err != nil {
		return err
	}
	set := map[uint64]map[uint64]bool{}
	for _, f := range files {
		m := map[uint64]bool{}
		for _, h := range f.Files {
			m[h] = true
		}
		set[f.Hash] = m
	}
	shared := map[*spMisRecord][]uint64{}
	var all []uint64
	for _, rec := range matched {
		if rec.inHash == rec.cHash {
			continue
		}
		for h := range set[rec.inHash] {
			if set[rec.cHash][h] {
				shared[rec] = append(shared[rec], h)
				all = append(all, h)
			}
		}
	}
	if len(all) == 0 {
		return nil
	}
	var fnames []struct {
		Hash uint64 `ch:"fn_hash"`
		Name string `ch:"fn_name"`
	}
	if err := a.db.Select(ctx, "site_misconflict_file_names", &fnames, sqlSPMisFileNames, inList(all)); err != nil {
		return err
	}
	name := map[uint64]string{}
	for _, f := range fnames {
		name[f.Hash] = f.Name
	}
	for rec, hs := range shared {
		var list []string
		for _, h := range hs {
			if n, ok := name[h]; ok && !slices.Contains(list, n) {
				list = append(list, n)
			}
		}
		if len(list) == 0 {
			continue
		}
		sort.Strings(list)
		rec.files, rec.explicit = list, true
	}
	return nil
}
