package build

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"altrepo/tools/internal/commitlog"
	"altrepo/tools/internal/spec"
)

// planArchs are the archs of a task plan (subtask archs plus the extras the
// task_plan_hashes view adds).
var planArchs = append(append([]string{}, DefaultArchs...), "src", "noarch", "x86_64-i586")

var approvers = []string{"@maint", "@tester", "ldv", "glebfm", "amakeenk"}

// tplanHash is the plan key: mmhash of "<task_id><try><iter><arch>".
func tplanHash(task uint32, try uint16, iter uint8, arch string) uint64 {
	return h64(strconv.FormatUint(uint64(task), 10) + strconv.FormatUint(uint64(try), 10) + strconv.FormatUint(uint64(iter), 10) + arch)
}

// subtaskTarget finds the source package a subtask built: the commit subject
// names the first one; for the others the newest changelog entry dated no
// later than the commit (plus a day) gives the version.
func (b *Builder) subtaskTarget(c *commitlog.Commit, dir string, first bool) (name string, epoch uint32, version, release string, ok bool) {
	if c.Name != "" && (dir == c.Name || (first && b.hist[dir] == nil)) {
		return c.Name, 0, c.Version, c.Release, true
	}
	h := b.hist[dir]
	if h == nil {
		return dir, 0, "", "", false
	}
	if k := h.since(c.Time.Add(24 * time.Hour)); k < len(h.evrs) {
		ep, v, r, ok := spec.SplitEVR(h.evrs[k])
		if !ok {
			return dir, 0, "", "", false
		}
		return dir, ep, v, r, true
	}
	return dir, 0, "", "", false
}

// historicalSource returns the source package of a build that is in no
// snapshot, writing its Packages row from the newest known metadata.
func (b *Builder) historicalSource(name string, epoch uint32, version, release string, c *commitlog.Commit, withBins bool) (*srcInfo, error) {
	nvr := name + "-" + version + "-" + release
	if info, ok := b.srcByNVR[nvr]; ok {
		return info, nil
	}
	ident := identity(name, epoch, version, release, "src")
	bt := max(unix(c.Time), minBuildTime)
	h := pkgHash(ident, bt)
	dg := pkgDigests(ident)
	info := &srcInfo{hash: h, name: name, epoch: epoch, version: version, release: release, buildtime: bt, sha256: dg.sha256}
	hist := b.hist[name]
	pk := &spec.Package{Name: name, Summary: name, Group: "Other"}
	var dates []time.Time
	var names, evrs []string
	var hashes []uint64
	packager, email := c.AuthorName, c.AuthorEmail
	if hist != nil {
		pk.Summary, pk.Description, pk.Group, pk.License, pk.URL = hist.summary, hist.description, hist.group, hist.license, hist.url
		k := hist.since(c.Time.Add(24 * time.Hour))
		dates, names, evrs, hashes = hist.dates[k:], hist.names[k:], hist.evrs[k:], hist.hashes[k:]
		if len(names) > 0 {
			packager, email = splitName(names[0])
			info.top = spec.ChangelogEntry{Date: dates[0], Name: names[0], EVR: evrs[0], Email: email, Nick: nickOf(email)}
		}
	}
	if dates == nil {
		dates, names, evrs, hashes = []time.Time{}, []string{}, []string{}, []uint64{}
	}
	info.group = pk.Group
	srcFile := nvr + ".src.rpm"
	b.seenPkg[h] = struct{}{}
	err := b.writePackage(pkgRow{
		hash: h, dg: dg, pkg: pk, arch: "src", source: true, filename: srcFile, size: 100000 + h64(ident)%900000,
		packager: packager, email: email, version: version, release: release, epoch: epoch, buildtime: bt,
		disttag: "sisyphus+" + strconv.FormatUint(uint64(c.TaskID), 10) + ".100.1.1", sourcerpm: srcFile, srcHash: h,
		dates: dates, names: names, evrs: evrs, hashes: hashes, hostKey: ident,
	})
	if err != nil {
		return nil, err
	}
	if err := b.appendHash(h, dg); err != nil {
		return nil, err
	}
	if withBins && hist != nil {
		if err := b.historicalBinaries(info, hist, pk, srcFile, packager, email, dates, names, evrs, hashes); err != nil {
			return nil, err
		}
	}
	b.srcByNVR[nvr] = info
	return info, nil
}

// historicalBinaries writes the binaries of a historical build: the binary
// packages of the newest spec of that name, for the same archs.
func (b *Builder) historicalBinaries(info *srcInfo, hist *nameHist, src *spec.Package, srcFile, packager, email string,
	dates []time.Time, names, evrs []string, hashes []uint64) error {
	evr := info.version + "-" + info.release
	if info.epoch > 0 {
		evr = strconv.FormatUint(uint64(info.epoch), 10) + ":" + evr
	}
	for _, hb := range hist.bins {
		pk := &spec.Package{Name: hb.name, Summary: hb.summary, Group: hb.group, License: src.License, URL: src.URL, Description: src.Description}
		for _, arch := range hb.archs {
			ident := identity(hb.name, info.epoch, info.version, info.release, arch)
			h := pkgHash(ident, info.buildtime)
			dg := pkgDigests(ident)
			info.bins = append(info.bins, binRef{hash: h, name: hb.name, arch: arch, dg: dg.sha256})
			if _, ok := b.seenPkg[h]; ok {
				continue
			}
			b.seenPkg[h] = struct{}{}
			err := b.writePackage(pkgRow{
				hash: h, dg: dg, pkg: pk, arch: arch, filename: hb.name + "-" + info.version + "-" + info.release + "." + arch + ".rpm",
				size: 20000 + h64(ident)%2000000, packager: packager, email: email, version: info.version, release: info.release,
				epoch: info.epoch, buildtime: info.buildtime, sourcerpm: srcFile, srcHash: info.hash,
				dates: dates, names: names, evrs: evrs, hashes: hashes, hostKey: ident,
			})
			if err != nil {
				return err
			}
			if err := b.appendHash(h, dg); err != nil {
				return err
			}
			if err := b.table(tDepends, colsDepends...).Append(h, hb.name, evr, spec.SenseEqual, "provide"); err != nil {
				return err
			}
		}
	}
	return nil
}

// subtaskRef is a planned subtask of a task.
type subtaskRef struct {
	id   uint32
	dir  string
	name string
	evr  string
	info *srcInfo
	del  bool
}

func (b *Builder) loadTasks(commits []*commitlog.Commit) error {
	tasks := b.table(tTasks, colsTasks...)
	states := b.table(tTaskStates, colsTaskStates...)
	iters := b.table(tTaskIterations, colsTaskIterations...)
	approvals := b.table(tTaskApprovals, colsTaskApprovals...)
	current := map[string]*srcInfo{}
	var prev uint32
	var last *commitlog.Commit
	for i, c := range commits {
		subs, err := b.planSubtasks(c, i >= len(commits)-historicalBinaryTasks)
		if err != nil {
			return err
		}
		for _, st := range subs {
			if err := b.writeSubtask(tasks, c, st, c.Time, "sisyphus", ""); err != nil {
				return err
			}
			if st.info != nil && !st.del {
				if err := b.writeIterations(iters, c.TaskID, c.Time, st, "built"); err != nil {
					return err
				}
			}
			if err := b.writePlan(c, st, current); err != nil {
				return err
			}
		}
		if err := b.searchRow(c.TaskID, "sisyphus", c.Nick, "DONE", subs, c.Time); err != nil {
			return err
		}
		if err := states.Append(c.Time, c.TaskID, "DONE", c.Nick, []uint32{}, uint16(1), uint8(0), uint8(0), uint8(0),
			"", "1", prev, []uint64{h64("eventlog/" + strconv.Itoa(int(c.TaskID)))}); err != nil {
			return err
		}
		if h64("approve/"+strconv.Itoa(int(c.TaskID)))%7 == 0 && len(subs) > 0 {
			who := pick("approver/"+strconv.Itoa(int(c.TaskID)), approvers)
			if err := approvals.Append(c.TaskID, subs[0].id, "approve", uint8(0), c.Time.Add(-10*time.Minute), strings.TrimPrefix(who, "@"), "looks good"); err != nil {
				return err
			}
		}
		b.loadedTasks[c.TaskID] = true
		prev = c.TaskID
		last = c
	}
	if last != nil {
		return b.openTasks(last, tasks, states, iters, approvals, prev)
	}
	return nil
}

// planSubtasks derives the subtasks of a commit, creating historical source
// packages as needed.
func (b *Builder) planSubtasks(c *commitlog.Commit, withBins bool) ([]subtaskRef, error) {
	dirs := c.Dirs()
	if len(dirs) == 0 && c.Name != "" {
		dirs = []string{c.Name}
	}
	var out []subtaskRef
	for i, dir := range dirs {
		st := subtaskRef{id: uint32(100 * (i + 1)), dir: dir, name: dir, del: c.Delete}
		name, epoch, version, release, ok := b.subtaskTarget(c, dir, i == 0)
		st.name = name
		if ok {
			st.evr = version + "-" + release
			if c.Delete {
				st.info = b.srcByNVR[name+"-"+version+"-"+release]
			} else {
				info, err := b.historicalSource(name, epoch, version, release, c, withBins)
				if err != nil {
					return nil, err
				}
				st.info = info
			}
		}
		out = append(out, st)
	}
	return out, nil
}

func (b *Builder) writeSubtask(tasks interface{ Append(...any) error }, c *commitlog.Commit, st subtaskRef, changed time.Time, repo, state string) error {
	typ, pkg, dir, srpm, tagName, tagID := "gear", "", "", "", "", ""
	if st.del {
		typ, pkg = "delete", st.name
	} else {
		dir = "/gears/" + strings.ToLower(st.name[:1]) + "/" + st.name + ".git"
		if st.evr != "" {
			srpm = st.name + "-" + st.evr + ".src.rpm"
			tagName = st.evr
			sum := sha1.Sum([]byte(fmt.Sprint(c.TaskID, st.id, st.name, st.evr)))
			tagID = hex.EncodeToString(sum[:])
		}
	}
	return tasks.Append(c.TaskID, st.id, repo, c.Nick, changed, changed.Add(-time.Duration(st.id)*time.Second), uint8(0),
		c.Nick, dir, pkg, typ, "", "", c.AuthorName+" <"+c.AuthorEmail+">", tagID, tagName, srpm, st.name, st.evr)
}

func (b *Builder) writeIterations(iters interface{ Append(...any) error }, task uint32, changed time.Time, st subtaskRef, status string) error {
	info := st.info
	for _, arch := range DefaultArchs {
		pkgs := []uint64{}
		for _, bin := range info.bins {
			if bin.arch == arch || (arch == "x86_64" && bin.arch == "noarch") {
				pkgs = append(pkgs, bin.hash)
			}
		}
		key := fmt.Sprint(task, "/", st.id, "/", arch)
		if err := iters.Append(task, changed, st.id, arch, changed.Add(-time.Duration(h64(key)%3000)*time.Second), status,
			uint16(1), uint8(1), info.hash, pkgs, h64("chroot-base/"+arch), h64("chroot-br/"+key),
			h64("buildlog/"+key), h64("srpmlog/"+key)); err != nil {
			return err
		}
	}
	return nil
}

// writePlan writes the task plan and the branch history of a DONE task.
func (b *Builder) writePlan(c *commitlog.Commit, st subtaskRef, current map[string]*srcInfo) error {
	plan := b.table(tTaskPlanPkgHash, colsTaskPlanPkgHash...)
	bph := b.table(tBranchPkgHistory, colsBranchPkgHistory...)
	emit := func(info *srcInfo, action string) error {
		if err := plan.Append(tplanHash(c.TaskID, 1, 1, "src"), action, string(info.sha256[:])); err != nil {
			return err
		}
		if err := b.historyRow(bph, c, action, info, info.hash, info.name, "src", 1); err != nil {
			return err
		}
		for _, bin := range info.bins {
			if err := plan.Append(tplanHash(c.TaskID, 1, 1, bin.arch), action, string(bin.dg[:])); err != nil {
				return err
			}
			if err := b.historyRow(bph, c, action, info, bin.hash, bin.name, bin.arch, 0); err != nil {
				return err
			}
		}
		return nil
	}
	old := current[st.name]
	if st.del {
		if old == nil {
			old = st.info
		}
		if old != nil {
			delete(current, st.name)
			return emit(old, "delete")
		}
		return nil
	}
	if st.info == nil {
		return nil
	}
	if old != nil && old.hash != st.info.hash {
		if err := emit(old, "delete"); err != nil {
			return err
		}
	}
	current[st.name] = st.info
	return emit(st.info, "add")
}

func (b *Builder) historyRow(bph interface{ Append(...any) error }, c *commitlog.Commit, action string, info *srcInfo, hash uint64, name, arch string, source uint8) error {
	top := info.top
	return bph.Append("sisyphus", c.TaskID, c.Time, "", action, hash, name, info.epoch, info.version, info.release, arch, source,
		top.Date, top.Name, top.Nick, top.EVR, top.Text)
}

var openStates = []string{"NEW", "AWAITING", "BUILDING", "FAILED", "EPERM", "TESTED", "POSTPONED", "DELETED"}

// openTasks adds tasks that are not DONE (the log only has committed ones):
// rebuilds of recently built packages in various states and repositories.
func (b *Builder) openTasks(last *commitlog.Commit, tasks, states, iters, approvals interface{ Append(...any) error }, prev uint32) error {
	var infos []*srcInfo
	for _, key := range sortedKeys(b.srcByNVR) {
		infos = append(infos, b.srcByNVR[key])
	}
	if len(infos) == 0 {
		return nil
	}
	n := len(openStates) * 2
	for i := 0; i < n; i++ {
		id := last.TaskID + 100 + uint32(i)
		info := infos[h64(fmt.Sprint("open/", i))%uint64(len(infos))]
		state := openStates[i%len(openStates)]
		repo := []string{"sisyphus", "p11", "p10"}[i%3]
		changed := last.Time.Add(time.Duration(i+1) * time.Hour)
		nick := "tester" + strconv.Itoa(i%4)
		c := &commitlog.Commit{Time: changed, AuthorName: "Test User " + strconv.Itoa(i%4), AuthorEmail: nick + "@altlinux.org", Nick: nick, TaskID: id}
		st := subtaskRef{id: 100, dir: info.name, name: info.name, evr: info.version + "-" + info.release, info: info}
		if err := b.writeSubtask(tasks, c, st, changed, repo, state); err != nil {
			return err
		}
		if state != "NEW" && state != "AWAITING" && state != "POSTPONED" {
			status := "built"
			if state == "FAILED" {
				status = "failed"
			}
			if err := b.writeIterations(iters, id, changed, st, status); err != nil {
				return err
			}
		}
		if err := b.searchRow(id, repo, nick, state, []subtaskRef{st}, changed); err != nil {
			return err
		}
		testonly := uint8(0)
		if state == "TESTED" {
			testonly = 1
		}
		if err := states.Append(changed, id, state, nick, []uint32{}, uint16(1+i%2), testonly, uint8(0), uint8(i%2),
			"rebuild "+info.name, "1", prev, []uint64{}); err != nil {
			return err
		}
		if state == "EPERM" {
			if err := approvals.Append(id, uint32(100), "approve", uint8(0), changed.Add(time.Minute), "ldv", "ok"); err != nil {
				return err
			}
		}
	}
	return nil
}

// searchRow indexes a task for the site search:
// "repo|owner|task id|state|comma-separated packages".
func (b *Builder) searchRow(task uint32, repo, owner, state string, subs []subtaskRef, changed time.Time) error {
	names := make([]string, 0, len(subs))
	for _, st := range subs {
		names = append(names, st.name)
	}
	id := strconv.FormatUint(uint64(task), 10)
	return b.table(tGlobalSearch, colsGlobalSearch...).Append(id,
		repo+"|"+owner+"|"+id+"|"+state+"|"+strings.Join(names, ","), "task", changed)
}
