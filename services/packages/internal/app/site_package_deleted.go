package app

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
)

// The delete subtask of the package in DONE tasks of the branch, newest
// first. %s: the package name condition.
const sqlSPDeleteTask = `
SELECT task_id, any(subtask_id) AS sub_id, max(task_changed) AS changed,
       any(toString(task_owner)) AS owner, any(toString(subtask_userid)) AS userid
FROM Tasks
WHERE subtask_type = 'delete' AND subtask_deleted = 0 AND task_repo = ? AND %s
  AND task_id IN (SELECT task_id FROM TaskStates WHERE task_state = 'DONE')
GROUP BY task_id
ORDER BY changed DESC, task_id DESC
LIMIT 1`

// Source name of the binaries called name.
const sqlSPSourceNameOfBinary = `
(subtask_package IN (
    SELECT pkg_name FROM Packages
    PREWHERE pkg_hash IN (SELECT any(pkg_srcrpm_hash) FROM Packages WHERE pkg_name = ? AND pkg_sourcepackage = 0)
    WHERE pkg_sourcepackage = 1))`

// Package of the branch snapshot taken before the deletion day. %s: the
// component and package conditions.
const sqlSPSnapshotPackage = `
SELECT pkg_hash, pkg_version, pkg_release FROM Packages
WHERE pkg_name = ? AND %s
  AND pkg_hash IN (
    SELECT pkg_hash FROM PackageSet WHERE pkgset_uuid IN (
        SELECT pkgset_uuid FROM PackageSetName
        WHERE %s AND pkgset_ruuid IN (
            SELECT argMax(pkgset_ruuid, pkgset_date) FROM PackageSetName
            WHERE pkgset_depth = 0 AND pkgset_nodename = ? AND toDate(pkgset_date) <= toDate(toDateTime(?)) - 1)))
ORDER BY pkg_hash
LIMIT 1`

// The last DONE build of the source before the deletion. %s: the source
// hashes.
const sqlSPLastBuild = `
SELECT pkg_hash, pkg_version, pkg_release FROM Packages
PREWHERE pkg_hash IN (
    SELECT argMax(titer_srcrpm_hash, task_changed) FROM TaskIterations
    WHERE titer_srcrpm_hash IN (%s)
      AND (task_id, subtask_id) IN (SELECT task_id, subtask_id FROM Tasks WHERE task_repo = ? AND subtask_deleted = 0)
      AND (task_id, task_changed) IN (SELECT task_id, task_changed FROM TaskStates WHERE task_state = 'DONE')
      AND toUInt32(task_changed) < ?)
WHERE pkg_sourcepackage = 1
LIMIT 1`

const sqlSPDeletedFromView = `
SELECT task_id, subtask_id, task_changed AS changed, toString(task_owner) AS owner,
       toString(subtask_userid) AS userid, hash
FROM (
    SELECT task AS task_id, changed AS task_changed, hash
    FROM lv_branch_deleted_packages WHERE pkgset_name = ? AND pkg_name = ?
)
INNER JOIN (
    SELECT task_id, task_changed, subtask_id, task_owner, subtask_userid, subtask_type, subtask_package FROM Tasks
    WHERE task_id IN (SELECT task_id FROM BranchPackageHistory
                      WHERE pkg_name = ? AND pkgset_name = ? AND tplan_action = 'delete' AND pkg_sourcepackage = 1)
) USING (task_id, task_changed)
ORDER BY subtask_type = 'delete' AND subtask_package = ? DESC, subtask_id
LIMIT 1`

const sqlSPDeletedNVR = `
SELECT pkg_hash, pkg_version, pkg_release FROM Packages PREWHERE pkg_hash = ? WHERE pkg_sourcepackage = ? %s LIMIT 1`

const sqlSPTaskMessage = `
SELECT task_message FROM TaskStates WHERE task_id = ? AND toUInt32(task_changed) = ? LIMIT 1`

type spNVR struct {
	Hash    uint64 `ch:"pkg_hash"`
	Version string `ch:"pkg_version"`
	Release string `ch:"pkg_release"`
}

// spDeletedPackageInfo is GET /site/deleted_package_info.
func (a *App) spDeletedPackageInfo(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch, name, arch := r.String("branch"), r.String("name"), r.String("arch")
	binary := r.String("package_type") == "binary"
	if binary && !r.Has("arch") {
		return nil, apierr.Validation(r.Args, "binary package arch should be in "+pyList(lookup.List("known_archs")))
	}
	isSrc := 1
	if binary {
		isSrc = 0
	}
	var del []struct {
		TaskID  uint32    `ch:"task_id"`
		Subtask uint32    `ch:"sub_id"`
		Changed time.Time `ch:"changed"`
		Owner   string    `ch:"owner"`
		UserID  string    `ch:"userid"`
	}
	var view []struct {
		TaskID  uint32    `ch:"task_id"`
		Subtask uint32    `ch:"subtask_id"`
		Changed time.Time `ch:"changed"`
		Owner   string    `ch:"owner"`
		UserID  string    `ch:"userid"`
		Hash    uint64    `ch:"hash"`
	}
	cond, params := "subtask_package = ?", []any{branch, name}
	if binary {
		cond = sqlSPSourceNameOfBinary
	}
	// The delete task and, used only without one, the branch's deleted
	// packages list: concurrently.
	err := parallel(
		func() error {
			return a.db.Select(ctx, "site_deleted_task", &del, fmt.Sprintf(sqlSPDeleteTask, cond), params...)
		},
		func() error {
			return a.db.Select(ctx, "site_deleted_view", &view, sqlSPDeletedFromView, branch, name, name, branch, name)
		})
	if err != nil {
		return nil, err
	}
	notFound := apierr.NotFoundMsg(fmt.Sprintf("No information about deleting package %s from %s was found", name, branch), r.Args)
	var nvr []spNVR
	var subtaskID int64
	var taskID uint32
	var changed time.Time
	var owner, userID string
	var msg []struct {
		M string `ch:"task_message"`
	}
	readMessage := func() error {
		return a.db.Select(ctx, "site_deleted_task_message", &msg, sqlSPTaskMessage, taskID, uint32(changed.Unix()))
	}
	if len(del) > 0 {
		d := del[0]
		taskID, subtaskID, changed, owner, userID = d.TaskID, int64(d.Subtask), d.Changed, d.Owner, d.UserID
		err = parallel(
			func() (err error) { nvr, err = a.spPackageBefore(ctx, branch, name, arch, binary, changed); return },
			readMessage)
	} else {
		if len(view) == 0 {
			archPart := ""
			if binary {
				archPart = "with " + arch + " arch "
			}
			return nil, apierr.NotFoundMsg(fmt.Sprintf("No information about deleting package %s %s from %s was found", name, archPart, branch), r.Args)
		}
		x := view[0]
		taskID, subtaskID, changed, owner, userID = x.TaskID, int64(x.Subtask), x.Changed, x.Owner, x.UserID
		if subtaskID == 0 {
			subtaskID = -1
		}
		archCond, nparams := "", []any{x.Hash, isSrc}
		if binary {
			archCond = "AND toString(pkg_arch) = ?"
			nparams = append(nparams, arch)
		}
		err = parallel(
			func() error {
				return a.db.Select(ctx, "site_deleted_nvr", &nvr, fmt.Sprintf(sqlSPDeletedNVR, archCond), nparams...)
			},
			readMessage)
	}
	if err != nil {
		return nil, err
	}
	if len(nvr) == 0 {
		return nil, notFound
	}
	message := ""
	if len(msg) > 0 {
		message = msg[0].M
	}
	p := nvr[0]
	return api.OK(model.Map{"branch": branch, "package": name, "version": p.Version, "release": p.Release,
		"hash": strconv.FormatUint(p.Hash, 10), "task_id": taskID, "subtask_id": subtaskID, "task_owner": owner,
		"subtask_userid": userID, "task_changed": spISO(changed), "task_message": message}), nil
}

// spPackageBefore is the package as it was before a deletion at changed:
// from the branch snapshot of the day before, else the source of the last
// DONE build of the branch before it.
func (a *App) spPackageBefore(ctx context.Context, branch, name, arch string, binary bool, changed time.Time) ([]spNVR, error) {
	var nvr []spNVR
	pkgCond, nodeCond := "pkg_sourcepackage = 1", "pkgset_depth = 1 AND pkgset_nodename = 'srpm'"
	sparams := []any{name}
	if binary {
		pkgCond, nodeCond = "pkg_sourcepackage = 0 AND toString(pkg_arch) = ?", "pkgset_depth = 2"
		sparams = append(sparams, arch)
	}
	sparams = append(sparams, branch, uint32(changed.Unix()))
	if err := a.db.Select(ctx, "site_deleted_snapshot", &nvr, fmt.Sprintf(sqlSPSnapshotPackage, pkgCond, nodeCond), sparams...); err != nil {
		return nil, err
	}
	if len(nvr) > 0 {
		return nvr, nil
	}
	srcs := "SELECT pkg_hash FROM Packages WHERE pkg_name = ? AND pkg_sourcepackage = 1"
	bparams := []any{name}
	if binary {
		srcs = "SELECT pkg_srcrpm_hash FROM Packages WHERE pkg_name = ? AND toString(pkg_arch) = ? AND pkg_sourcepackage = 0"
		bparams = append(bparams, arch)
	}
	bparams = append(bparams, branch, uint32(changed.Unix()))
	err := a.db.Select(ctx, "site_deleted_last_build", &nvr, fmt.Sprintf(sqlSPLastBuild, srcs), bparams...)
	return nvr, err
}
