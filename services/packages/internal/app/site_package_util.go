package app

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"altrepo/libs/lookup"
	"altrepo/libs/model"
)

// Helpers of the site_package namespace (prefixed sp to stay apart from
// the other namespaces of the package).

var (
	spPackagerRe = regexp.MustCompile(`(<.+@?.+>)+`)
	spChlogNick1 = regexp.MustCompile(`<(.+@?.+)>+`)
	spChlogNick2 = regexp.MustCompile(`(.*)@`)
)

// spNicknameFromPackager is get_nickname_from_packager (libs §11).
func spNicknameFromPackager(s string) string {
	m := spPackagerRe.FindString(s)
	if m == "" {
		return s
	}
	m = strings.TrimSpace(m)
	m = strings.ReplaceAll(m, " at ", "@")
	m = strings.TrimLeft(m, "<")
	if i := strings.IndexByte(m, '@'); i >= 0 {
		return m[:i]
	}
	return m
}

// spChangelogNick is the SQL-side changelog nickname (libs §11).
func spChangelogNick(name string) string {
	m := spChlogNick1.FindStringSubmatch(name)
	s := ""
	if m != nil {
		s = m[1]
	}
	s = strings.Replace(s, " at ", "@", 1)
	m = spChlogNick2.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}

// spPackagerNick is the SQL-side packager nickname: the local part of the
// e-mail; without '@' ClickHouse's substring(s, 1, -1) drops the last
// character.
func spPackagerNick(email string) string {
	if i := strings.IndexByte(email, '@'); i >= 0 {
		return email[:i]
	}
	if email == "" {
		return ""
	}
	return email[:len(email)-1]
}

// spISO renders a DB datetime as Python's isoformat().
func spISO(t time.Time) string { return t.Format("2006-01-02T15:04:05") }

// spDeleteEpoch drops an "epoch:" prefix (text after the last ':').
func spDeleteEpoch(evr string) string {
	if i := strings.LastIndexByte(evr, ':'); i >= 0 {
		return evr[i+1:]
	}
	return evr
}

// spSubtask is one row of the build-task discovery.
type spSubtask struct {
	Repo    string    `ch:"task_repo"`
	TaskID  uint32    `ch:"task_id"`
	ID      uint32    `ch:"subtask_id"`
	Type    string    `ch:"subtask_type"`
	Dir     string    `ch:"subtask_dir"`
	TagID   string    `ch:"subtask_tag_id"`
	SrpmNm  string    `ch:"subtask_srpm_name"`
	SrpmEVR string    `ch:"subtask_srpm_evr"`
	Changed time.Time `ch:"task_changed"`
}

// spGear is parse_task_gear.
func spGear(pkgname string, st spSubtask) string {
	git := lookup.Text("gitalt_base")
	first := ""
	if pkgname != "" {
		first = pkgname[:1]
	}
	switch {
	case st.Type == "copy":
		return pkgname
	case st.Type == "delete" && st.SrpmNm != "":
		link := git + "/srpms/" + first + "/" + pkgname + ".git"
		if st.SrpmEVR != "" {
			link += "?a=tree;hb=" + spDeleteEpoch(st.SrpmEVR)
		}
		return link
	case st.Type == "delete":
		return pkgname
	case st.Dir != "" || st.Type == "gear":
		link := git + "/gears/" + first + "/" + pkgname + ".git"
		if st.TagID != "" {
			link += "?a=tree;hb=" + st.TagID
		}
		return link
	case st.SrpmNm != "" || st.Type == "srpm":
		link := git + "/srpms/" + first + "/" + pkgname + ".git"
		if st.SrpmEVR != "" {
			link += "?a=tree;hb=" + spDeleteEpoch(st.SrpmEVR)
		}
		return link
	}
	return ""
}

// Tasks that added the package (BranchPackageHistory, kind 't') and the
// subtasks of those tasks that built it (kind 's'), in one query.
const sqlSPBuildTasks = `
SELECT * FROM (
    SELECT DISTINCT 't' AS kind, toString(pkgset_name) AS task_repo, task_id, toUInt32(0) AS subtask_id,
           '' AS subtask_type, '' AS subtask_dir, '' AS subtask_tag_id, '' AS subtask_srpm_name,
           '' AS subtask_srpm_evr, task_changed
    FROM BranchPackageHistory
    WHERE pkg_hash = ? AND tplan_action = 'add' AND pkg_sourcepackage = ?
    UNION ALL
    SELECT DISTINCT 's' AS kind, toString(task_repo) AS task_repo, task_id, subtask_id, toString(subtask_type) AS subtask_type,
           subtask_dir, subtask_tag_id, subtask_srpm_name, subtask_srpm_evr, task_changed
    FROM Tasks
    WHERE task_id IN (SELECT task_id FROM BranchPackageHistory WHERE pkg_hash = ? AND tplan_action = 'add' AND pkg_sourcepackage = ?)
      AND (task_id, task_changed) IN (SELECT task_id, task_changed FROM BranchPackageHistory WHERE pkg_hash = ? AND tplan_action = 'add' AND pkg_sourcepackage = ?)
      AND subtask_deleted != 1
      AND (task_id, subtask_id) IN (
          SELECT task_id, subtask_id FROM TaskIterations
          WHERE task_id IN (SELECT task_id FROM BranchPackageHistory WHERE pkg_hash = ? AND tplan_action = 'add' AND pkg_sourcepackage = ?)
            AND (task_id, task_changed) IN (SELECT task_id, task_changed FROM BranchPackageHistory WHERE pkg_hash = ? AND tplan_action = 'add' AND pkg_sourcepackage = ?)
            AND (titer_srcrpm_hash = ? OR has(titer_pkgs_hash, ?)))
)
ORDER BY kind, task_changed, task_id, subtask_id`

// spBuildRow is a row of sqlSPBuildTasks.
type spBuildRow struct {
	Kind string `ch:"kind"`
	spSubtask
}

// spTask is a (branch, task, date) of BranchPackageHistory.
type spTask struct {
	Branch  string    `ch:"pkgset_name"`
	TaskID  uint32    `ch:"task_id"`
	Changed time.Time `ch:"task_changed"`
}

// spBuildTasks is get_build_tasks: the adding tasks (newest first) and the
// subtasks that built the package in them.
func (a *App) spBuildTasks(ctx context.Context, hash uint64, isSrc int) ([]spTask, []spSubtask, error) {
	var rows []spBuildRow
	if err := a.db.Select(ctx, "site_build_tasks", &rows, sqlSPBuildTasks, spBuildTaskArgs(hash, isSrc)...); err != nil {
		return nil, nil, err
	}
	var tasks []spTask
	var subs []spSubtask
	for _, r := range rows {
		if r.Kind == "t" {
			tasks = append(tasks, spTask{Branch: r.Repo, TaskID: r.TaskID, Changed: r.Changed})
		} else {
			subs = append(subs, r.spSubtask)
		}
	}
	if len(tasks) == 0 {
		return nil, nil, nil
	}
	sort.SliceStable(tasks, func(i, j int) bool { return tasks[i].Changed.After(tasks[j].Changed) })
	return tasks, subs, nil
}

// spBuildTaskArgs are the parameters of sqlSPBuildTasks.
func spBuildTaskArgs(hash uint64, isSrc int) []any {
	return []any{hash, isSrc, hash, isSrc, hash, isSrc, hash, isSrc, hash, isSrc, hash, hash}
}

// spBuild is the outcome of find_and_parse_build_task.
type spBuild struct {
	Task, Subtask uint32
	Date          string
	Changed       time.Time
	Gear          string
	Tasks         []model.Map
}

// spFindBuildTask is find_and_parse_build_task.
func spFindBuildTask(pkgname, branch string, tasks []spTask, subs []spSubtask) spBuild {
	out := spBuild{Tasks: []model.Map{}}
	if len(tasks) == 0 || len(subs) == 0 {
		return out
	}
	byTask := map[uint32]spSubtask{}
	for _, s := range subs {
		byTask[s.TaskID] = s
	}
	entry := func(kind string, s spSubtask) model.Map {
		return model.Map{"type": kind, "id": s.TaskID, "date": spISO(s.Changed)}
	}
	set := func(s spSubtask) {
		out.Task, out.Subtask, out.Date, out.Changed = s.TaskID, s.ID, spISO(s.Changed), s.Changed
	}
	for _, t := range tasks {
		if t.Branch != branch {
			continue
		}
		// Newest task of the requested branch.
		if s, ok := byTask[t.TaskID]; ok && s.Type != "copy" {
			set(s)
			out.Gear = spGear(pkgname, s)
			out.Tasks = append(out.Tasks, entry("build", s))
			return out
		}
		break
	}
	for _, t := range tasks {
		s, ok := byTask[t.TaskID]
		if !ok {
			// Upstream crashes here (KeyError); a task without a build
			// subtask is skipped instead.
			continue
		}
		if s.Repo == branch {
			set(s)
			if s.Type != "copy" {
				out.Gear = spGear(pkgname, s)
				out.Tasks = append(out.Tasks, entry("build", s))
				return out
			}
			out.Tasks = append(out.Tasks, entry("copy", s))
			continue
		}
		if s.Type != "copy" {
			set(s)
			out.Gear = spGear(pkgname, s)
			out.Tasks = append(out.Tasks, entry("build", s))
			return out
		}
	}
	return out
}

// spFindBuildSubtask is find_build_subtask (downloads).
func spFindBuildSubtask(branch string, tasks []spTask, subs []spSubtask) (spSubtask, bool) {
	for _, t := range tasks {
		if t.Branch == branch {
			for _, s := range subs {
				if s.TaskID == t.TaskID {
					return s, true
				}
			}
			return spSubtask{}, false
		}
	}
	for _, s := range subs {
		if s.Type != "copy" {
			return s, true
		}
	}
	return spSubtask{}, false
}

// spBranchTaskless reports a taskless branch (libs §1.6).
func spBranchTaskless(branch string) bool {
	return slices.Contains(lookup.List("taskless_branches"), branch)
}
