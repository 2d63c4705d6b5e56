package app

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
)

// spFile is the file info of a package for the download links.
type spFile struct {
	Hash     uint64 `ch:"pkg_hash"`
	Filename string `ch:"pkg_filename"`
	Arch     string `ch:"pkg_arch"`
	Size     uint64 `ch:"pkg_filesize"`
}

const sqlSPFiles = `
SELECT DISTINCT pkg_hash, pkg_filename, toString(pkg_arch) AS pkg_arch, pkg_filesize
FROM Packages PREWHERE pkg_hash IN ?`

const sqlSPRepoFiles = `
SELECT DISTINCT pkg_hash, pkg_filename, toString(pkg_arch) AS pkg_arch, pkg_filesize, pkg_sourcepackage
FROM Packages
PREWHERE pkg_srcrpm_hash = ?
WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ?)
ORDER BY pkg_sourcepackage DESC, pkg_arch, pkg_filename`

const sqlSPMD5 = `
SELECT pkgh_mmh, lower(hex(any(pkgh_md5))) AS md5 FROM PackageHash
WHERE pkgh_mmh IN ?
   OR pkgh_mmh IN (SELECT pkg_hash FROM BranchPackageHistory
                   WHERE task_id = ? AND tplan_action = 'add' AND toString(pkg_arch) = 'x86_64-i586')
GROUP BY pkgh_mmh`

const sqlSPRepoMD5 = `
SELECT pkgh_mmh, lower(hex(any(pkgh_md5))) AS md5 FROM PackageHash
WHERE pkgh_mmh IN (
    SELECT pkg_hash FROM Packages
    PREWHERE pkg_srcrpm_hash = ?
    WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ?))
GROUP BY pkgh_mmh`

// Per build arch of the subtask: the unique non-zero binaries.
const sqlSPTaskIterArchs = `
SELECT toString(subtask_arch) AS arch, arrayFilter(x -> x != 0, groupUniqArrayArray(titer_pkgs_hash)) AS hashes
FROM TaskIterations
WHERE task_id = ? AND subtask_id = ? AND toUInt32(task_changed) = ?
GROUP BY subtask_arch
ORDER BY arch`

const sqlSPTaskX86I586 = `
SELECT DISTINCT pkg_hash, pkg_filename, toString(pkg_arch) AS pkg_arch, pkg_filesize
FROM Packages
PREWHERE pkg_hash IN (
    SELECT pkg_hash FROM BranchPackageHistory
    WHERE task_id = ? AND tplan_action = 'add' AND toString(pkg_arch) = 'x86_64-i586')
ORDER BY pkg_filename`

// spMD5 reads the MD5 digests of packages (and, with a task id, of the
// x86_64-i586 packages that task added).
func (a *App) spMD5(ctx context.Context, hashes []uint64, x86Task int) (map[uint64]string, error) {
	return a.spMD5Query(ctx, sqlSPMD5, inList(hashes), x86Task)
}

// spRepoMD5 reads the MD5 digests of a source's packages in a branch.
func (a *App) spRepoMD5(ctx context.Context, hash uint64, branch string) (map[uint64]string, error) {
	return a.spMD5Query(ctx, sqlSPRepoMD5, hash, branch)
}

func (a *App) spMD5Query(ctx context.Context, sql string, args ...any) (map[uint64]string, error) {
	var rows []struct {
		Hash uint64 `ch:"pkgh_mmh"`
		MD5  string `ch:"md5"`
	}
	if err := a.db.Select(ctx, "site_downloads_md5", &rows, sql, args...); err != nil {
		return nil, err
	}
	out := make(map[uint64]string, len(rows))
	for _, r := range rows {
		out[r.Hash] = r.MD5
	}
	return out, nil
}

// spFTP returns the public FTP base and the branch/files path parts.
func spFTP(branch string) (base, branchPart, filesPart string) {
	base = lookup.Text("public_ftp_base")
	switch {
	case spBranchTaskless(branch) && strings.Contains(branch, "_"):
		i := strings.IndexByte(branch, '_')
		base += "/ports/" + branch[i+1:]
		branchPart = branch[:i]
		if branchPart == "sisyphus" {
			branchPart = "Sisyphus"
		}
		return base, branchPart, "files"
	case branch == "sisyphus":
		return base, "Sisyphus", "files"
	}
	return base, branch, "branch/files"
}

// spDownloadGroups collects the answer's groups in order.
type spDownloadGroups struct {
	order  []string
	groups map[string][]model.Map
}

func (g *spDownloadGroups) add(arch string, e model.Map) {
	if g.groups == nil {
		g.groups = map[string][]model.Map{}
	}
	if _, ok := g.groups[arch]; !ok {
		g.order = append(g.order, arch)
	}
	g.groups[arch] = append(g.groups[arch], e)
}

func (g *spDownloadGroups) list() []model.Map {
	out := []model.Map{}
	for _, a := range g.order {
		if len(g.groups[a]) > 0 {
			out = append(out, model.Map{"arch": a, "packages": g.groups[a]})
		}
	}
	return out
}

func spDownloadsBody(r *api.Request, downloads []model.Map) *api.Response {
	return api.OK(model.Map{"pkghash": strconv.FormatUint(r.PathUint("pkghash"), 10), "request_args": r.Args, "downloads": downloads})
}

// spDownloadsSrc is GET /site/package_downloads/{pkghash} (and _src).
func (a *App) spDownloadsSrc(ctx context.Context, r *api.Request) (*api.Response, error) {
	hash := r.PathUint("pkghash")
	branch := r.String("branch")
	if slices.Contains(lookup.List("no_downloads_branches"), branch) {
		return spDownloadsBody(r, []model.Map{}), nil
	}
	var st spSubtask
	taskMode := false
	if !spBranchTaskless(branch) {
		tasks, subs, err := a.spBuildTasks(ctx, hash, 1)
		if err != nil {
			return nil, err
		}
		st, taskMode = spFindBuildSubtask(branch, tasks, subs)
	}
	type binList struct {
		arch   string
		hashes []uint64
	}
	var bins []binList
	files := map[uint64]spFile{}
	var srcFile *spFile
	var x86i586 []spFile
	var md5 map[uint64]string
	if taskMode {
		changed := uint32(st.Changed.Unix())
		var iter []struct {
			Arch   string   `ch:"arch"`
			Hashes []uint64 `ch:"hashes"`
		}
		if err := a.db.Select(ctx, "site_downloads_task_iter", &iter, sqlSPTaskIterArchs, st.TaskID, st.ID, changed); err != nil {
			return nil, err
		}
		all := []uint64{hash}
		hasI586 := false
		for _, it := range iter {
			slices.Sort(it.Hashes)
			bins = append(bins, binList{it.Arch, it.Hashes})
			all = append(all, it.Hashes...)
			hasI586 = hasI586 || it.Arch == "i586"
		}
		// File info, 32-bit compatibility candidates and digests at once.
		var rows, cand []spFile
		err := parallel(
			func() error { return a.db.Select(ctx, "site_downloads_task_files", &rows, sqlSPFiles, inList(all)) },
			func() error {
				if !hasI586 {
					return nil
				}
				return a.db.Select(ctx, "site_downloads_x86_64_i586", &cand, sqlSPTaskX86I586, st.TaskID)
			},
			func() (err error) {
				x86 := 0
				if hasI586 {
					x86 = int(st.TaskID)
				}
				md5, err = a.spMD5(ctx, all, x86)
				return
			})
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return nil, apierr.NotFoundMsg("No package fienames info found in DB", r.Args)
		}
		for _, f := range rows {
			files[f.Hash] = f
		}
		if hasI586 {
			var names []string
			for _, b := range bins {
				if b.arch == "i586" {
					for _, h := range b.hashes {
						names = append(names, files[h].Filename)
					}
				}
			}
			for _, c := range cand {
				if slices.Contains(names, strings.TrimPrefix(c.Filename, "i586-")) {
					x86i586 = append(x86i586, c)
				}
			}
		}
	} else {
		var rows []struct {
			spFile
			Src uint8 `ch:"pkg_sourcepackage"`
		}
		err := parallel(
			func() error {
				return a.db.Select(ctx, "site_downloads_repo_files", &rows, sqlSPRepoFiles, hash, branch)
			},
			func() (err error) { md5, err = a.spRepoMD5(ctx, hash, branch); return })
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return nil, apierr.NotFoundMsg("No package filenames info found in DB", r.Args)
		}
		for _, f := range rows {
			files[f.Hash] = f.spFile
			if f.Hash == hash {
				continue
			}
			i := slices.IndexFunc(bins, func(b binList) bool { return b.arch == f.Arch })
			if i < 0 {
				bins = append(bins, binList{arch: f.Arch})
				i = len(bins) - 1
			}
			bins[i].hashes = append(bins[i].hashes, f.Hash)
		}
	}
	if f, ok := files[hash]; ok {
		srcFile = &f
	}
	if len(md5) == 0 {
		return nil, apierr.NotFoundMsg("No package MD5 info found in DB", r.Args)
	}
	// Source arch: x86_64, i586, then the other archs, with binaries.
	srcArch := ""
	for _, cand := range []string{"x86_64", "i586"} {
		if i := slices.IndexFunc(bins, func(b binList) bool { return b.arch == cand }); i >= 0 && len(bins[i].hashes) > 0 {
			srcArch = cand
			break
		}
	}
	if srcArch == "" {
		for _, b := range bins {
			if len(b.hashes) > 0 {
				srcArch = b.arch
				break
			}
		}
	}
	if srcArch == "" && len(bins) > 0 {
		// Upstream crashes here (no binaries at all); the first build arch
		// is used instead.
		srcArch = bins[0].arch
	}
	entry := func(f spFile, url string) model.Map {
		return model.Map{"name": f.Filename, "url": url, "md5": md5[f.Hash], "size": bytes2Human(float64(f.Size))}
	}
	g := spDownloadGroups{order: []string{"src"}, groups: map[string][]model.Map{"src": nil}}
	if taskMode {
		tbase := lookup.Text("gitalt_tasks_base")
		prefix := tbase + "/" + strconv.FormatUint(uint64(st.TaskID), 10) + "/build/" + strconv.FormatUint(uint64(st.ID), 10)
		if srcFile != nil {
			g.add("src", entry(*srcFile, prefix+"/"+srcArch+"/srpm/"+srcFile.Filename))
		}
		for _, b := range bins {
			for _, h := range b.hashes {
				f, ok := files[h]
				if !ok {
					continue
				}
				if f.Arch == "noarch" {
					if b.arch != srcArch {
						continue
					}
					g.add("noarch", entry(f, prefix+"/"+b.arch+"/rpms/"+f.Filename))
					continue
				}
				g.add(b.arch, entry(f, prefix+"/"+b.arch+"/rpms/"+f.Filename))
			}
		}
		for _, f := range x86i586 {
			g.add("x86_64-i586", entry(f, tbase+"/"+strconv.FormatUint(uint64(st.TaskID), 10)+"/build/repo/x86_64-i586/RPMS.task/"+f.Filename))
		}
	} else {
		base, bpart, fpart := spFTP(branch)
		if srcFile != nil {
			g.add("src", entry(*srcFile, strings.Join([]string{base, bpart, fpart, "", "SRPMS", srcFile.Filename}, "/")))
		}
		// Binaries sit under their own arch here, noarch ones under
		// "noarch": all are listed (upstream dropped the noarch ones when
		// arch-specific binaries exist).
		for _, b := range bins {
			for _, h := range b.hashes {
				f := files[h]
				g.add(b.arch, entry(f, strings.Join([]string{base, bpart, fpart, b.arch, "RPMS", f.Filename}, "/")))
			}
		}
	}
	return spDownloadsBody(r, g.list()), nil
}

const sqlSPBinIteration = `
SELECT task_id, subtask_id, toString(subtask_arch) AS arch FROM TaskIterations
WHERE has(titer_pkgs_hash, ?)
  AND (task_id, task_changed) IN (
      SELECT argMax(task_id, task_changed), max(task_changed) FROM TaskIterations
      WHERE has(titer_pkgs_hash, ?)
        AND (task_id, task_changed) IN (SELECT task_id, task_changed FROM TaskStates WHERE task_state = 'DONE'))
  AND task_id IN (SELECT task_id FROM Tasks WHERE task_repo = ?)
ORDER BY subtask_id, arch
LIMIT 1`

const sqlSPBranchFile = `
SELECT DISTINCT pkg_hash, pkg_filename, toString(pkg_arch) AS pkg_arch, pkg_filesize
FROM Packages PREWHERE pkg_hash = ?
WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ?)`

// spDownloadsBin is GET /site/package_downloads_bin/{pkghash}.
func (a *App) spDownloadsBin(ctx context.Context, r *api.Request) (*api.Response, error) {
	hash := r.PathUint("pkghash")
	branch, arch := r.String("branch"), r.String("arch")
	if slices.Contains(lookup.List("no_downloads_branches"), branch) {
		return spDownloadsBody(r, []model.Map{}), nil
	}
	var iter []struct {
		TaskID  uint32 `ch:"task_id"`
		Subtask uint32 `ch:"subtask_id"`
		Arch    string `ch:"arch"`
	}
	var files []spFile
	var md5 map[uint64]string
	err := parallel(
		func() error {
			return a.db.Select(ctx, "site_downloads_bin_iteration", &iter, sqlSPBinIteration, hash, hash, branch)
		},
		func() (err error) { md5, err = a.spMD5(ctx, []uint64{hash}, 0); return })
	if err != nil {
		return nil, err
	}
	if len(iter) > 0 {
		if err := a.db.Select(ctx, "site_downloads_bin_files", &files, sqlSPFiles, inList([]uint64{hash})); err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, apierr.NotFoundMsg("No package fienames info found in DB", r.Args)
		}
	} else {
		if err := a.db.Select(ctx, "site_downloads_bin_branch_file", &files, sqlSPBranchFile, hash, branch); err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, apierr.NotFoundMsg("No package info found in DB", r.Args)
		}
	}
	if len(md5) == 0 {
		return nil, apierr.NotFoundMsg("No package MD5 info found in DB", r.Args)
	}
	f := files[0]
	var group, url string
	if len(iter) > 0 {
		it := iter[0]
		group = it.Arch
		if f.Arch == "noarch" {
			group = "noarch"
		}
		url = strings.Join([]string{lookup.Text("gitalt_tasks_base"), strconv.FormatUint(uint64(it.TaskID), 10), "build",
			strconv.FormatUint(uint64(it.Subtask), 10), it.Arch, "rpms", f.Filename}, "/")
	} else {
		base, bpart, fpart := spFTP(branch)
		group = arch
		url = strings.Join([]string{base, bpart, fpart, arch, "RPMS", f.Filename}, "/")
	}
	pkg := model.Map{"name": f.Filename, "url": url, "md5": md5[hash], "size": bytes2Human(float64(f.Size))}
	return spDownloadsBody(r, []model.Map{{"arch": group, "packages": []model.Map{pkg}}}), nil
}
